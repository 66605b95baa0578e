# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The manager role's filters: where the managers go and what the role records of them.

Their documentation is in one YAML file per filter beside this file; the logic is in plugin_utils/_manager.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _manager


def _listing(value: object, what: str, name: str) -> Sequence:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise AnsibleFilterError(f"{name}: {what} must be a list")
    return value


def manager_placement(names: object, subnet_ids: object) -> list[dict]:
    """[{name, subnet_id}]: the managers spread in order over the subnets."""
    subnets = _listing(subnet_ids, "subnet_ids", "manager_placement")
    if not subnets:
        raise AnsibleFilterError("manager_placement: subnet_ids is empty; the managers need a subnet")
    return _manager.placement(_listing(names, "the input", "manager_placement"), subnets)


def manager_records(names: object, instances: object, subnet_ids: object = ()) -> list[dict]:
    """manager_result's instances: one per planned manager's instance, or the planned manager not launched yet."""
    return _manager.records(
        _listing(names, "the input", "manager_records"),
        _listing(instances, "instances", "manager_records"),
        _listing(subnet_ids, "subnet_ids", "manager_records"),
    )


def manager_launch_drift(
    recorded: object, instances: object, names: object, subnet_ids: object, ami: object
) -> list[str]:
    """What differs in what applies at launch only (subnet, AMI), one sentence per difference."""
    return _manager.launch_drift(
        _listing(recorded, "the input", "manager_launch_drift"),
        _listing(instances, "instances", "manager_launch_drift"),
        _listing(names, "names", "manager_launch_drift"),
        _listing(subnet_ids, "subnet_ids", "manager_launch_drift"),
        str(ami),
    )


class FilterModule:
    def filters(self) -> dict:
        return {
            "manager_placement": manager_placement,
            "manager_records": manager_records,
            "manager_launch_drift": manager_launch_drift,
        }
