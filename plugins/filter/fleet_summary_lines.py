# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet_summary_lines filter: says what the fleet is and what a run changed, from the plan and the roles' results.

Its documentation is fleet_summary_lines.yml beside this file; the logic is in plugin_utils/_fleet_summary.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import boolean, listing
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_summary import summary_lines


def fleet_summary_lines(
    fleet: object,
    results: object = None,
    hosts: object = None,
    label: object = "",
    preview: object = False,
    *,
    entries: object = None,
    pools: object = None,
) -> list[str]:
    """The summary's lines from the plan's fleet part, the roles' results and each manager's runner_host_result;
    each runner entry's workers from the plan's runner_host.runners (entries) and worker_pool.pools (pools)."""
    if not isinstance(fleet, Mapping) or "name" not in fleet or "region" not in fleet:
        raise AnsibleFilterError("fleet_summary_lines: the input must be the plan's fleet part (fleet_plan.fleet)")
    results = results or {}
    if not isinstance(results, Mapping) or (hosts is not None and not isinstance(hosts, Mapping)):
        raise AnsibleFilterError("fleet_summary_lines: results and hosts must be mappings")
    return summary_lines(
        fleet,
        network=results.get("network"),
        cache=results.get("cache"),
        registration=results.get("registration"),
        worker_pools=results.get("worker_pools"),
        managers=results.get("managers"),
        hosts=hosts,
        label=str(label or ""),
        preview=boolean("fleet_summary_lines", "preview", preview),
        entries=listing("fleet_summary_lines", "entries (the plan's runner_host.runners)", entries or []),
        pools=listing("fleet_summary_lines", "pools (the plan's worker_pool.pools)", pools or []),
    )


class FilterModule:
    def filters(self) -> dict:
        return {"fleet_summary_lines": fleet_summary_lines}
