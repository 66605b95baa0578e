# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The manager role's filters: where the managers go and what the role records of them.

Their documentation is in one YAML file per filter beside this file; the logic is in plugin_utils/_manager.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _manager
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing


def manager_placement(names: object, subnet_ids: object) -> list[dict]:
    """[{name, subnet_id}]: the managers spread in order over the subnets."""
    subnets = listing("manager_placement", "subnet_ids", subnet_ids)
    if not subnets:
        raise AnsibleFilterError("manager_placement: subnet_ids is empty; the managers need a subnet")
    return _manager.placement(listing("manager_placement", "the input", names), subnets)


def manager_records(names: object, instances: object, subnet_ids: object = (), before: object = ()) -> list[dict]:
    """manager_result's instances: one per planned manager's instance, or the planned manager not launched yet,
    with what the run does to it."""
    return _manager.records(
        listing("manager_records", "the input", names),
        listing("manager_records", "instances", instances),
        listing("manager_records", "subnet_ids", subnet_ids),
        listing("manager_records", "before", before),
    )


def manager_launch_drift(
    recorded: object, instances: object, names: object, subnet_ids: object, ami: object
) -> list[str]:
    """What differs in what applies at launch only (subnet, AMI), one sentence per difference."""
    return _manager.launch_drift(
        listing("manager_launch_drift", "the input", recorded),
        listing("manager_launch_drift", "instances", instances),
        listing("manager_launch_drift", "names", names),
        listing("manager_launch_drift", "subnet_ids", subnet_ids),
        str(ami),
    )


class FilterModule:
    def filters(self) -> dict:
        return {
            "manager_placement": manager_placement,
            "manager_records": manager_records,
            "manager_launch_drift": manager_launch_drift,
        }
