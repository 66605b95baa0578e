# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner_config_merge filter: the desired config.toml with what the runner wrote itself kept (its id, token times
and rotated tokens).

Its documentation is runner_config_merge.yml beside this file; the logic is in plugin_utils/_runner_config.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import model_filter
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import (
    ConfigError,
    merge_runner_state,
)

# The desired config with the runner's own id, token times and rotated tokens kept from the host's file.
runner_config_merge = model_filter("runner_config_merge", merge_runner_state, ConfigError)


class FilterModule:
    def filters(self) -> dict:
        return {"runner_config_merge": runner_config_merge}
