# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the network role's write tasks (roles/network/tasks/present.yml, existing.yml) make of the amazon.aws
modules' answers, as small functions rather than Jinja programs.

- `made_subnets`: the subnets ec2_vpc_subnet made or found, each plan item with its id;
- `nat_routes`: the NAT gateway each zone's private route table points at (per_az: its own; shared: the first
  zone's);
- `made_route_table_ids`: the private route tables' ids, the live ones where check mode answered a placeholder;
- `stale_endpoints`: the fleet's S3 endpoints that serve other route tables than the private ones (to replace);
- `network_record`: the role's result (network_result) from the pieces it made;
- `subnet_views`: subnets as ec2_vpc_subnet_info lists them, by id, as network_result describes a subnet.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# A VPC endpoint's states once deleted (AWS capitalises them; the lower-case ones are kept for older answers).
GONE_ENDPOINT_STATES = frozenset({"Deleting", "Deleted", "deleting", "deleted"})


def made_subnets(results: Sequence[Mapping]) -> list[dict]:
    """Each looped plan item of ec2_vpc_subnet's results with the subnet's id; the skipped ones (check mode on a
    VPC that does not exist yet) left out."""
    made = []
    for result in results:
        subnet_id = (result.get("subnet") or {}).get("id")
        if subnet_id:
            made.append({**result["item"], "id": subnet_id})
    return made


def nat_routes(results: Sequence[Mapping], zones: Sequence[str], nat_mode: str) -> dict[str, str]:
    """{zone: NAT gateway id} for every zone whose gateway exists: per_az routes each zone to its own, shared every
    zone to the first zone's. results: ec2_vpc_nat_gateway's, looped over the NAT Elastic IPs' results."""
    by_zone = {}
    for result in results:
        if result.get("nat_gateway_id"):
            by_zone[result["item"]["item"]["zone"]] = result["nat_gateway_id"]
    routes = {}
    for zone in zones:
        source = zone if nat_mode == "per_az" else zones[0]
        if source in by_zone:
            routes[zone] = by_zone[source]
    return routes


def stale_endpoints(endpoints: Sequence[Mapping], route_table_ids: Sequence[str]) -> list[Mapping]:
    """The live endpoints whose route tables are not exactly these (ec2_vpc_endpoint cannot change them)."""
    wanted = sorted(route_table_ids)
    return [
        endpoint
        for endpoint in endpoints
        if endpoint.get("state") not in GONE_ENDPOINT_STATES and sorted(endpoint.get("route_table_ids") or []) != wanted
    ]


def network_record(
    subnets: Sequence[Mapping],
    *,
    vpc_id: str,
    vpc_cidr: str,
    zones: Sequence[str],
    routes: Mapping[str, str],
    endpoint_id: str,
) -> dict:
    """network_result of a network the role made: subnets as {id, zone, cidr} in zone order."""
    return {
        "vpc_id": vpc_id,
        "vpc_cidr": vpc_cidr,
        "availability_zones": list(zones),
        "public_subnets": [subnet_view(subnet) for subnet in subnets if subnet["kind"] == "public"],
        "private_subnets": [subnet_view(subnet) for subnet in subnets if subnet["kind"] == "private"],
        "nat_gateway_ids": list(dict.fromkeys(routes[zone] for zone in zones if zone in routes)),
        "s3_endpoint_id": endpoint_id,
        "managed": True,
    }


def subnet_view(subnet: Mapping) -> dict:
    return {"id": subnet["id"], "zone": subnet["zone"], "cidr": subnet["cidr"]}


def subnet_views(subnets: Sequence[Mapping]) -> dict[str, dict]:
    """{id: {id, zone, cidr}} of subnets as ec2_vpc_subnet_info lists them."""
    return {
        subnet["id"]: {"id": subnet["id"], "zone": subnet["availability_zone"], "cidr": subnet["cidr_block"]}
        for subnet in subnets
    }


# What amazon.aws.ec2_vpc_route_table answers in check mode for a route table it would change (tags, routes): not
# the table's id. Compared with the S3 endpoint's tables it would predict the endpoint's replacement.
CHECK_MODE_ROUTE_TABLE_ID = "rtb-xxxxxxxx"


def made_route_table_ids(results: Sequence[Mapping], live_tables: Sequence[Mapping] = ()) -> list[str]:
    """The route tables' ids from ec2_vpc_route_table's loop results (each with its plan item's `name`), with the
    id of the live table of that Name (ec2_vpc_route_table_info's route_tables) where check mode answered its
    placeholder. A result with no id (the task was skipped) is left out."""
    live = {route_table_name(table): table.get("id") or table.get("route_table_id") for table in live_tables}
    ids = []
    for result in results:
        table_id = (result.get("route_table") or {}).get("id")
        if table_id == CHECK_MODE_ROUTE_TABLE_ID:
            table_id = live.get((result.get("item") or {}).get("name")) or table_id
        if table_id:
            ids.append(table_id)
    return ids


def route_table_name(table: Mapping) -> str | None:
    """A route table's Name tag, whether the answer gives tags as a dictionary or as AWS's list."""
    tags = table.get("tags") or table.get("Tags") or {}
    if isinstance(tags, Mapping):
        return tags.get("Name")
    return next((tag.get("Value") for tag in tags if tag.get("Key") == "Name"), None)
