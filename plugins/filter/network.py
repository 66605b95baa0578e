# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network role's filters: what its write tasks make of the amazon.aws modules' answers.

Their documentation is in one YAML file per filter beside this file; the logic is in plugin_utils/_network.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _network
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


class FilterModule:
    def filters(self) -> dict:
        return {
            "network_subnets_made": network_subnets_made,
            "network_nat_routes": network_nat_routes,
            "network_stale_endpoints": network_stale_endpoints,
            "network_record": network_record,
            "network_subnet_views": network_subnet_views,
        }
