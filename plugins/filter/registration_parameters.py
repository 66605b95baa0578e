# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registration_parameters filter: the tokens and ids a run of the registration role must write to SSM.

Its documentation is registration_parameters.yml beside this file; the logic is in plugin_utils/_registration.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _registration
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import mapping


def registration_parameters(results: object, runners: object, stored: object = None) -> list[dict]:
    """[{name, kind, value}]: the tokens GitLab made or re-keyed and the ids SSM does not hold yet."""
    name = "registration_parameters"
    kept = mapping(name, "stored (registration_stored)", stored if stored is not None else {})
    return _registration.over_results(name, _registration.parameters_to_write, results, runners, kept)


class FilterModule:
    def filters(self) -> dict:
        return {"registration_parameters": registration_parameters}
