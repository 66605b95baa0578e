# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registration_stored filter: the tokens and ids SSM keeps, by runner name (the registration role).

Its documentation is registration_stored.yml beside this file; the logic is in plugin_utils/_registration.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _registration
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import mapping, string


def registration_stored(parameters: object, ssm_path: object) -> dict:
    """{name: {token, id}} of ssm_parameter_path_info's `parameters` under the plan's `ssm_path`."""
    name = "registration_stored"
    return _registration.stored_by_name(
        mapping(name, "the input (ssm_parameter_path_info's parameters)", parameters),
        string(name, "ssm_path", ssm_path),
    )


class FilterModule:
    def filters(self) -> dict:
        return {"registration_stored": registration_stored}
