# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet model's filters.

- fleet_plan resolves the fleet description (the fleet_* variables) once into the plan every playbook and role
  reads, with the problems met on the way; pre-flight fails with them before any API call.
- fleet_description_problems only lists the problems.
- fleet_host_runners gives the managers' runner entries their GitLab ids and tokens.

Their documentation is in one YAML file per filter beside this file; the logic is in plugin_utils/_fleet_plan.py
and plugin_utils/_fleet_description.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_description import problems
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_plan import host_runners, resolve


def fleet_description_problems(description: object, sandbox: object = False) -> list[str]:
    """Every problem of the fleet description, one sentence each naming the variable; [] when it is valid."""
    if not isinstance(sandbox, bool):
        raise AnsibleFilterError("fleet_description_problems: sandbox must be true or false")
    return problems(description, sandbox=sandbox)


def fleet_plan(description: object, sandbox: object = False, account_id: object = None) -> dict:
    """{'problems': [...], 'plan': {...}}: the resolved plan, empty when the description has problems."""
    if not isinstance(sandbox, bool):
        raise AnsibleFilterError("fleet_plan: sandbox must be true or false")
    if account_id is not None and not (isinstance(account_id, str) and account_id.isdigit()):
        raise AnsibleFilterError("fleet_plan: account_id must be the 12-digit AWS account id, or omitted")
    return resolve(description, sandbox=sandbox, account_id=account_id or None)


def fleet_host_runners(runners: object, tokens: object = None) -> list[dict]:
    """The plan's runner_host.runners with each runner's GitLab id and token (registration_tokens)."""
    if not isinstance(runners, Sequence) or isinstance(runners, str):
        raise AnsibleFilterError("fleet_host_runners: the input must be the plan's runner_host.runners (a list)")
    if tokens is not None and not isinstance(tokens, Mapping):
        raise AnsibleFilterError("fleet_host_runners: tokens must be registration_tokens (a mapping by entry name)")
    return host_runners(runners, tokens or {})


class FilterModule:
    def filters(self) -> dict:
        return {
            "fleet_description_problems": fleet_description_problems,
            "fleet_plan": fleet_plan,
            "fleet_host_runners": fleet_host_runners,
        }
