# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet model's filters.

- fleet_plan resolves the fleet description (the fleet_* variables) once into the plan every playbook and role
  reads, with the problems met on the way; pre-flight fails with them before any API call.
- fleet_description_problems only lists the problems.
- fleet_host_runners gives the managers' runner entries their GitLab ids and tokens.
- fleet_summary_lines says what the fleet is and what a run changed, from the roles' results.
- fleet_ssm_path names where a fleet keeps its parameters, for roles used without a plan.

Their documentation is in one YAML file per filter beside this file; the logic is in plugin_utils/_fleet_plan.py
and plugin_utils/_fleet_description.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import boolean, listing, mapping
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_description import problems
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_plan import (
    SSM_PARTS,
    NotRegisteredError,
    host_runners,
    resolve,
    ssm_path,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_summary import summary_lines


def fleet_description_problems(description: object) -> list[str]:
    """Every problem of the fleet description, one sentence each naming the variable; [] when it is valid."""
    return problems(description)


def fleet_plan(description: object, account_id: object = None, images: object = None, variables: object = None) -> dict:
    """{'problems': [...], 'plan': {...}}: the resolved plan, empty when the description has problems (a fleet_*
    name among `variables`, the variables the play sees, that the fleet does not know is one)."""
    if account_id is not None and not (isinstance(account_id, str) and account_id.isdigit()):
        raise AnsibleFilterError("fleet_plan: account_id must be the 12-digit AWS account id, or omitted")
    images = mapping("fleet_plan", "images (public parameter names to AMI ids)", images if images is not None else {})
    names = listing("fleet_plan", "variables (the names of the variables the play sees)", variables or [])
    if not all(isinstance(name, str) for name in names):
        raise AnsibleFilterError("fleet_plan: variables must be a list of variable names (strings)")
    return resolve(description, account_id=account_id or None, images=images, variables=names)


def fleet_host_runners(runners: object, tokens: object = None, preview: object = False) -> list[dict]:
    """The plan's runner_host.runners with each runner's GitLab id and token (registration_tokens); in a preview
    (check mode) a runner not created yet gets a placeholder id and token."""
    name = "fleet_host_runners"
    try:
        return host_runners(
            listing(name, "the input (the plan's runner_host.runners)", runners),
            mapping(name, "tokens (registration_tokens, by entry name)", tokens if tokens is not None else {}),
            preview=boolean(name, "preview", preview),
        )
    except NotRegisteredError as error:
        raise AnsibleFilterError(f"{name}: {error}") from None


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


def fleet_ssm_path(fleet_name: object, part: object = "") -> str:
    """The fleet's SSM path, or one of its parts (runners, docker-machine)."""
    if not isinstance(fleet_name, str) or not fleet_name:
        raise AnsibleFilterError("fleet_ssm_path: the input must be the fleet's name")
    if part not in SSM_PARTS:
        raise AnsibleFilterError(f"fleet_ssm_path: part must be one of {', '.join(repr(each) for each in SSM_PARTS)}")
    return ssm_path(fleet_name, part)


class FilterModule:
    def filters(self) -> dict:
        return {
            "fleet_description_problems": fleet_description_problems,
            "fleet_plan": fleet_plan,
            "fleet_host_runners": fleet_host_runners,
            "fleet_summary_lines": fleet_summary_lines,
            "fleet_ssm_path": fleet_ssm_path,
        }
