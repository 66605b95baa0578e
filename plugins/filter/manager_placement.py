# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The manager_placement filter: spreads the managers in order over the subnets (the manager role).

Its documentation is manager_placement.yml beside this file; the logic is in plugin_utils/_manager.py.
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


class FilterModule:
    def filters(self) -> dict:
        return {"manager_placement": manager_placement}
