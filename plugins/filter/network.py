# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network role's filters: what its write tasks make of the amazon.aws modules' answers; and pre-flight's
network_replacements, the changes of the network that AWS makes only by replacement.

Their documentation is in one YAML file per filter beside this file; the logic is in plugin_utils/_network.py and
plugin_utils/_network_replacements.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _network, _network_replacements
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing, mapping


def network_subnets_made(results: object) -> list[dict]:
    """The subnet plan items ec2_vpc_subnet made or found, each with its id."""
    return _network.made_subnets(listing("network_subnets_made", "the input", results))


def network_nat_routes(results: object, zones: object, nat_mode: object = "per_az") -> dict[str, str]:
    """{zone: NAT gateway id} each private route table points at."""
    if nat_mode not in ("per_az", "shared"):
        raise AnsibleFilterError("network_nat_routes: nat_mode must be per_az or shared")
    name = "network_nat_routes"
    return _network.nat_routes(listing(name, "the input", results), listing(name, "zones", zones), nat_mode)


def network_route_table_ids(results: object, live_tables: object = None) -> list[str]:
    """The private route tables' ids, the live ones where check mode answered a placeholder."""
    name = "network_route_table_ids"
    return _network.made_route_table_ids(
        listing(name, "the input", results), listing(name, "live_tables", live_tables or [])
    )


def network_stale_endpoints(endpoints: object, route_table_ids: object) -> list:
    """The live endpoints on other route tables than these."""
    name = "network_stale_endpoints"
    return _network.stale_endpoints(
        listing(name, "the input", endpoints), listing(name, "route_table_ids", route_table_ids)
    )


def network_record(
    subnets: object, *, vpc_id: object, vpc_cidr: object, zones: object, routes: object, endpoint_id: object = ""
) -> dict:
    """network_result of the network the role made."""
    name = "network_record"
    return _network.network_record(
        listing(name, "the input", subnets),
        vpc_id=str(vpc_id or ""),
        vpc_cidr=str(vpc_cidr or ""),
        zones=listing(name, "zones", zones),
        routes=mapping(name, "routes (zone to NAT gateway id)", routes),
        endpoint_id=str(endpoint_id or ""),
    )


def network_subnet_views(subnets: object) -> dict[str, dict]:
    """{id: {id, zone, cidr}} of subnets as ec2_vpc_subnet_info lists them."""
    return _network.subnet_views(listing("network_subnet_views", "the input", subnets))


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
        return {
            "network_subnets_made": network_subnets_made,
            "network_nat_routes": network_nat_routes,
            "network_route_table_ids": network_route_table_ids,
            "network_stale_endpoints": network_stale_endpoints,
            "network_record": network_record,
            "network_subnet_views": network_subnet_views,
            "network_replacements": network_replacements,
        }
