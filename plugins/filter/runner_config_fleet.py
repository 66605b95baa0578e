# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner_config_fleet filter: config.toml's content (a dictionary) from the fleet's runner entries, its AWS facts
and global settings.

Its documentation is runner_config_fleet.yml beside this file; the logic is in plugin_utils/_runner_fleet.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import refusing
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_fleet import (
    DEFAULT_FLEETING_PLUGIN,
    DEFAULT_IMAGE,
    FleetError,
    fleet_config,
)


def runner_config_fleet(
    runners: object,
    *,
    gitlab_url: object = None,
    fleet_name: object = None,
    aws: object = None,
    settings: object = None,
    fleeting_plugin: str = DEFAULT_FLEETING_PLUGIN,
    default_image: str = DEFAULT_IMAGE,
    variable: str = "runners",
) -> dict:
    """config.toml's content (a dictionary) for the fleet's runner entries, its AWS facts and global settings."""
    for name, value in (("aws", aws), ("settings", settings)):
        if value is not None and not isinstance(value, Mapping):
            raise AnsibleFilterError(f"runner_config_fleet: {name} must be a dictionary, got {type(value).__name__}")
    if not isinstance(fleet_name, str) or not fleet_name:
        raise AnsibleFilterError("runner_config_fleet: fleet_name must be the fleet's name (a non-empty string)")
    with refusing("runner_config_fleet", FleetError):
        return fleet_config(
            runners,
            gitlab_url=gitlab_url,
            fleet_name=fleet_name,
            aws=aws,
            settings=settings,
            fleeting_plugin=fleeting_plugin,
            default_image=default_image,
            variable=variable,
        )


class FilterModule:
    def filters(self) -> dict:
        return {"runner_config_fleet": runner_config_fleet}
