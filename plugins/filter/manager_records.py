# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The manager_records filter: the manager role's manager_result instances, with what the run does to each.

Its documentation is manager_records.yml beside this file; the logic is in plugin_utils/_manager.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _manager
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing


def manager_records(names: object, instances: object, subnet_ids: object = (), before: object = ()) -> list[dict]:
    """manager_result's instances: one per planned manager's instance, or the planned manager not launched yet,
    with what the run does to it."""
    return _manager.records(
        listing("manager_records", "the input", names),
        listing("manager_records", "instances", instances),
        listing("manager_records", "subnet_ids", subnet_ids),
        listing("manager_records", "before", before),
    )


class FilterModule:
    def filters(self) -> dict:
        return {"manager_records": manager_records}
