# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner_config_mask filter: writes a config.toml again with its secrets masked, for diffs.

Its documentation is runner_config_mask.yml beside this file; the logic is in plugin_utils/_runner_config.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import model_filter
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import ConfigError, masked_text

# A config.toml (text or dictionary) as TOML text with every token, password and key masked.
runner_config_mask = model_filter("runner_config_mask", masked_text, ConfigError)


class FilterModule:
    def filters(self) -> dict:
        return {"runner_config_mask": runner_config_mask}
