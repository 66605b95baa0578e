# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registration_tokens filter: the registration role's registration_tokens, for runner_host.

Its documentation is registration_tokens.yml beside this file; the logic is in plugin_utils/_registration.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _registration


def registration_tokens(results: object, runners: object) -> dict:
    """registration_tokens: {name: {id, token, token_expires_at}}."""
    return _registration.over_results("registration_tokens", _registration.runner_tokens, results, runners)


class FilterModule:
    def filters(self) -> dict:
        return {"registration_tokens": registration_tokens}
