# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registration_results filter: the registration role's registration_result.runners (no token).

Its documentation is registration_results.yml beside this file; the logic is in plugin_utils/_registration.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _registration


def registration_results(results: object, runners: object) -> list[dict]:
    """registration_result.runners: {name, description, id, status, runner_type, tags, changed}, no token."""
    return _registration.over_results("registration_results", _registration.runner_results, results, runners)


class FilterModule:
    def filters(self) -> dict:
        return {"registration_results": registration_results}
