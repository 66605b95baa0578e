# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet_host_runners filter: gives the managers' runner entries (the plan's runner_host.runners) their GitLab ids
and tokens.

Its documentation is fleet_host_runners.yml beside this file; the logic is in plugin_utils/_fleet_plan.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import boolean, listing, mapping
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_plan import NotRegisteredError, host_runners


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


class FilterModule:
    def filters(self) -> dict:
        return {"fleet_host_runners": fleet_host_runners}
