# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The config.toml filters.

- runner_config_fleet builds config.toml's content from the fleet's runner entries and AWS facts;
- runner_config_merge keeps what the runner wrote itself (its rotated tokens);
- runner_config_toml checks and renders;
- runner_config_mask writes a config.toml again with its secrets masked, for diffs.

Their documentation is in one YAML file per filter beside this file; the logic is in plugin_utils/_runner_fleet.py
and plugin_utils/_runner_config.py, with the schema generated from GitLab Runner's source.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import model_filter, refusing
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import (
    MANAGED_HEADER,
    ConfigError,
    masked_text,
    merge_runner_state,
    render,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_fleet import (
    DEFAULT_FLEETING_PLUGIN,
    DEFAULT_IMAGE,
    FleetError,
    fleet_config,
)


def runner_config_toml(config: object, header: object = None, unknown_keys: str = "fail") -> str:
    """config.toml text from a dictionary shaped like config.toml, checked against GitLab Runner's structs."""
    if header is None:
        header = MANAGED_HEADER
    elif not isinstance(header, str):
        raise AnsibleFilterError("runner_config_toml: header must be a string (comment lines), or omitted")
    else:
        header = comment_block(header)
    with refusing("runner_config_toml", ConfigError):
        return render(config, header=header, unknown_keys=unknown_keys)


# The desired config with the runner's own id, token times and rotated tokens kept from the host's file.
runner_config_merge = model_filter("runner_config_merge", merge_runner_state, ConfigError)


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


# A config.toml (text or dictionary) as TOML text with every token, password and key masked.
runner_config_mask = model_filter("runner_config_mask", masked_text, ConfigError)


def comment_block(text: str) -> str:
    """A user's header as TOML comment lines: each line starts with '#', the block ends with a newline."""
    lines = text.rstrip("\n").split("\n") if text else []
    return "".join((line if line.startswith("#") else f"# {line}".rstrip()) + "\n" for line in lines)


class FilterModule:
    def filters(self) -> dict:
        return {
            "runner_config_fleet": runner_config_fleet,
            "runner_config_mask": runner_config_mask,
            "runner_config_merge": runner_config_merge,
            "runner_config_toml": runner_config_toml,
        }
