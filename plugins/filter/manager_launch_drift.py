# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The manager_launch_drift filter: what differs in what applies at a manager's launch only (subnet, AMI), one sentence
each.

Its documentation is manager_launch_drift.yml beside this file; the logic is in plugin_utils/_manager.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _manager
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing


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
        return {"manager_launch_drift": manager_launch_drift}
