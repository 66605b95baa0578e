# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet_plan filter: resolves the fleet description (the fleet_* variables) once into the plan every playbook and
role reads, with the problems met on the way; pre-flight fails with them before any API call.

Its documentation is fleet_plan.yml beside this file; the logic is in plugin_utils/_fleet_plan.py and
plugin_utils/_fleet_description.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing, mapping
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_plan import resolve


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


class FilterModule:
    def filters(self) -> dict:
        return {"fleet_plan": fleet_plan}
