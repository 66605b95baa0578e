# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network_replacements filter: pre-flight's changes of the network that AWS makes only by replacement, one message
each.

Its documentation is network_replacements.yml beside this file; the logic is in plugin_utils/_network_replacements.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _network_replacements
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing, mapping

# What network_replacements reads of the plan's network part.
REPLACEMENT_PLAN_KEYS = (
    "fleet",
    "existing",
    "vpc_id",
    "vpc_cidr",
    "availability_zones",
    "zone_count",
    "public_cidrs",
    "private_cidrs",
    "names",
)


def network_replacements(
    plan: object, vpcs: object, subnets: object = None, security_groups: object = None, region_zones: object = None
) -> list[str]:
    """The messages of the network changes AWS makes only by replacement; [] when there is none."""
    name = "network_replacements"
    plan = mapping(name, "the input (the plan's network part, fleet_plan.network)", plan)
    missing = [key for key in REPLACEMENT_PLAN_KEYS if key not in plan]
    if missing:
        raise AnsibleFilterError(f"{name}: the input is not the plan's network part (no {', '.join(missing)})")
    return _network_replacements.replacements(
        plan,
        vpcs=listing(name, "vpcs", vpcs),
        subnets=listing(name, "subnets", subnets if subnets is not None else []),
        security_groups=listing(name, "security_groups", security_groups if security_groups is not None else []),
        region_zones=listing(name, "region_zones", region_zones if region_zones is not None else []),
    )


class FilterModule:
    def filters(self) -> dict:
        return {"network_replacements": network_replacements}
