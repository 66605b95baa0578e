# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner_config_toml filter: checks a dictionary shaped like config.toml against GitLab Runner's structs and
renders it as TOML.

Its documentation is runner_config_toml.yml beside this file; the logic is in plugin_utils/_runner_config.py, with the
schema generated from GitLab Runner's source.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import refusing
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import (
    MANAGED_HEADER,
    ConfigError,
    comment_block,
    render,
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


class FilterModule:
    def filters(self) -> dict:
        return {"runner_config_toml": runner_config_toml}
