# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The config.toml filters: runner_config_toml renders, runner_config_merge keeps what the runner wrote itself.

Their documentation is in runner_config_toml.yml and runner_config_merge.yml beside this file; the logic is in
plugin_utils/_runner_config.py, with the schema generated from GitLab Runner's source.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import (
    MANAGED_HEADER,
    ConfigError,
    merge_runner_state,
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
    try:
        return render(config, header=header, unknown_keys=unknown_keys)
    except ConfigError as error:
        raise AnsibleFilterError(f"runner_config_toml: {error}") from None


def runner_config_merge(desired: object, current: object = None) -> dict:
    """The desired config with the runner's own id, token times and rotated tokens kept from the host's file."""
    try:
        return merge_runner_state(desired, current)
    except ConfigError as error:
        raise AnsibleFilterError(f"runner_config_merge: {error}") from None


def comment_block(text: str) -> str:
    """A user's header as TOML comment lines: each line starts with '#', the block ends with a newline."""
    lines = text.rstrip("\n").split("\n") if text else []
    return "".join((line if line.startswith("#") else f"# {line}".rstrip()) + "\n" for line in lines)


class FilterModule:
    def filters(self) -> dict:
        return {"runner_config_toml": runner_config_toml, "runner_config_merge": runner_config_merge}
