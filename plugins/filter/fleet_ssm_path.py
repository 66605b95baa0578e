# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet_ssm_path filter: names where a fleet keeps its parameters in SSM, for roles used without a plan.

Its documentation is fleet_ssm_path.yml beside this file; the logic is in plugin_utils/_fleet_plan.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_plan import SSM_PARTS, ssm_path


def fleet_ssm_path(fleet_name: object, part: object = "") -> str:
    """The fleet's SSM path, or one of its parts (runners, docker-machine)."""
    if not isinstance(fleet_name, str) or not fleet_name:
        raise AnsibleFilterError("fleet_ssm_path: the input must be the fleet's name")
    if part not in SSM_PARTS:
        raise AnsibleFilterError(f"fleet_ssm_path: part must be one of {', '.join(repr(each) for each in SSM_PARTS)}")
    return ssm_path(fleet_name, part)


class FilterModule:
    def filters(self) -> dict:
        return {"fleet_ssm_path": fleet_ssm_path}
