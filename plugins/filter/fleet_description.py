# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet description filter.

- fleet_description_problems checks the whole fleet description (the fleet_* variables of group_vars/all/) and
  returns every problem, each naming its variable; the pre-flight play fails with them before any API call.

Its documentation is in fleet_description_problems.yml beside this file; the logic is in
plugin_utils/_fleet_description.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_description import problems


def fleet_description_problems(description: object, sandbox: object = False) -> list[str]:
    """Every problem of the fleet description, one sentence each naming the variable; [] when it is valid."""
    if not isinstance(sandbox, bool):
        raise AnsibleFilterError("fleet_description_problems: sandbox must be true or false")
    return problems(description, sandbox=sandbox)


class FilterModule:
    def filters(self) -> dict:
        return {"fleet_description_problems": fleet_description_problems}
