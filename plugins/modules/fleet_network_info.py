#!/usr/bin/python
# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Why this module: on a converged fleet the network role used to run about twenty amazon.aws module tasks (VPC,
# each subnet, the gateway, each Elastic IP and NAT gateway, each route table, the endpoint) only to learn that
# nothing had to change; each pays a Python start, a botocore model load and its own describe calls. This module
# reads the whole network in one process with a dozen describe calls and says whether every one of those tasks
# would leave it as it is. The role runs them only when something differs, so they stay the single place where the
# network is changed.

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_network_info
extends_documentation_fragment:
  - runnerfleet.gitlab_aws.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
short_description: Read a fleet's VPC in one pass and say whether it matches the network role's plan
version_added: 0.1.0
description:
  - Lists the region's available zones and chooses the fleet's zones the way the C(network) role does.
  - Reads the fleet's VPC (by its C(Name) tag and CIDR), its subnets, internet gateway, Elastic IPs, NAT gateways,
    route tables and S3 gateway endpoint.
  - Compares them with the plan given in the options, with the rules of the amazon.aws modules that make them
    (tags are purged, routes created by C(CreateRoute) and subnet associations are purged), and returns whether
    they match and, when they do not, what differs.
  - Sends only C(Describe) calls; changes nothing.
author:
  - runnerfleet maintainers (@runnerfleet)
options:
  fleet_name:
    description: The fleet's name, the value of its tag O(fleet_tag_key), by which its addresses, NAT gateways and S3
      endpoints are found.
    type: str
    required: true
  fleet_tag_key:
    description: The key of the fleet's tag (the fleet description's C(fleet_tag_key), the plan's C(fleet.tag_key)).
    type: str
    required: true
  names:
    description:
      - Each resource's C(Name) tag, as the fleet's plan gives them (the C(fleet_plan) filter's C(network.names));
        C({zone}) stands for the zone's name in the per-zone ones.
    type: dict
    required: true
    suboptions:
      vpc:
        description: The VPC's name.
        type: str
        required: true
      internet_gateway:
        description: The internet gateway's name.
        type: str
        required: true
      public_subnet:
        description: A public subnet's name, with C({zone}).
        type: str
        required: true
      private_subnet:
        description: A private subnet's name, with C({zone}).
        type: str
        required: true
      nat:
        description: A NAT gateway's and its Elastic IP's name, with C({zone}).
        type: str
        required: true
      public_route_table:
        description: The public route table's name.
        type: str
        required: true
      private_route_table:
        description: A private route table's name, with C({zone}).
        type: str
        required: true
      s3_endpoint:
        description: The S3 gateway endpoint's name.
        type: str
        required: true
  vpc_cidr:
    description: The VPC's primary IPv4 CIDR block.
    type: str
    required: true
  tags:
    description: The tags every resource carries, without C(Name) (each resource's C(Name) is added).
    type: dict
    required: true
  availability_zones:
    description: The zones to use; empty takes the first O(zone_count) available zones of the region.
    type: list
    elements: str
    default: []
  zone_count:
    description: How many zones to take when O(availability_zones) is empty.
    type: int
    default: 2
  public_cidrs:
    description: The public subnets' CIDR blocks, one per zone in zone order.
    type: list
    elements: str
    required: true
  private_cidrs:
    description: The private subnets' CIDR blocks, one per zone in zone order.
    type: list
    elements: str
    required: true
  nat_mode:
    description: V(per_az) gives each zone its NAT gateway; V(shared) routes every zone through the first zone's.
    type: str
    choices: [per_az, shared]
    default: per_az
"""

EXAMPLES = r"""
- name: Read the fleet's network and compare it with the plan
  runnerfleet.gitlab_aws.fleet_network_info:
    fleet_name: fleet
    fleet_tag_key: runnerfleet:fleet
    names: "{{ fleet_plan.network.names }}"
    vpc_cidr: 10.80.0.0/16
    tags: {runnerfleet:fleet: fleet, ManagedBy: runnerfleet.gitlab_aws}
    zone_count: 2
    public_cidrs: [10.80.0.0/20, 10.80.16.0/20]
    private_cidrs: [10.80.32.0/20, 10.80.48.0/20]
  register: network_current
"""

RETURN = r"""
region:
  description: The region's name.
  returned: always
  type: str
  sample: eu-west-1
region_zones:
  description: The region's available zones (zone type C(availability-zone)), in the order AWS lists them.
  returned: always
  type: list
  elements: str
zones:
  description: The zones chosen for the fleet.
  returned: always
  type: list
  elements: str
in_sync:
  description: Whether the network matches the plan in everything the network role sets.
  returned: always
  type: bool
drift:
  description: What differs from the network role's plan, one sentence each naming the resource; empty when RV(in_sync).
  returned: always
  type: list
  elements: str
  sample: ["subnet private eu-west-1a 10.80.32.0/20: tags differ"]
plan:
  description: What the role makes, each with its name, for the write tasks to loop over.
  returned: always
  type: dict
  contains:
    subnets:
      description: The subnets, public ones first, each zone in order, as C({kind, zone, cidr, name}).
      type: list
      elements: dict
    nat:
      description: The zones that get a NAT gateway, as C({zone, name}).
      type: list
      elements: dict
    private_route_tables:
      description: The private route tables, one per zone, as C({zone, name}).
      type: list
      elements: dict
network:
  description: The network as the role registers it (C(network_result)); meaningful only when RV(in_sync).
  returned: always
  type: dict
  contains:
    vpc_id:
      description: The VPC's id.
      type: str
    public_subnets:
      description: The public subnets, C({id, zone, cidr}) in zone order.
      type: list
      elements: dict
    private_subnets:
      description: The private subnets, C({id, zone, cidr}) in zone order.
      type: list
      elements: dict
    nat_gateway_ids:
      description: The NAT gateways the private subnets route to, in zone order.
      type: list
      elements: str
    s3_endpoint_id:
      description: The S3 gateway endpoint's id.
      type: str
"""

import contextlib
from typing import Any

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore
    import botocore

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._drift import Comparison as DriftComparison
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._drift import ec2_tags_differ

# The resources named by the plan's network.names.
NAME_KEYS = (
    "vpc",
    "internet_gateway",
    "public_subnet",
    "private_subnet",
    "nat",
    "public_route_table",
    "private_route_table",
    "s3_endpoint",
)
# A VPC endpoint's states once deleted (AWS capitalises them; the lower-case ones are kept for older answers).
GONE_ENDPOINT_STATES = {"Deleting", "Deleted", "deleting", "deleted"}


# ------------------------------------------------------------------------------------------------- the plan


def choose_zones(region_zones: list[str], availability_zones: list[str], zone_count: int) -> list[str]:
    return list(availability_zones) if availability_zones else list(region_zones[:zone_count])


def subnet_plan(
    zones: list[str], public_cidrs: list[str], private_cidrs: list[str], names: dict[str, str]
) -> list[dict[str, str]]:
    """The subnets the role makes, public ones first, each zone in order (the order of tasks/present.yml)."""
    plan = []
    for kind, cidrs in (("public", public_cidrs), ("private", private_cidrs)):
        for index, zone in enumerate(zones):
            if index < len(cidrs):
                name = zone_name(names[f"{kind}_subnet"], zone)
                plan.append({"kind": kind, "zone": zone, "cidr": cidrs[index], "name": name})
    return plan


def zone_name(pattern: str, zone: str) -> str:
    """A per-zone name of the plan (C({zone}) in it) for one zone."""
    return pattern.replace("{zone}", zone)


def write_plan(zones: list[str], subnets: list[dict[str, str]], names: dict[str, str], nat_mode: str) -> dict:
    """What tasks/present.yml makes, named: the subnets, the zones with a NAT gateway, the private route tables."""
    nat_zones = zones if nat_mode == "per_az" else zones[:1]
    return {
        "subnets": subnets,
        "nat": [{"zone": zone, "name": zone_name(names["nat"], zone)} for zone in nat_zones],
        "private_route_tables": [
            {"zone": zone, "name": zone_name(names["private_route_table"], zone)} for zone in zones
        ],
    }


# ------------------------------------------------------------------------------------------------- comparing


def tag_dict(resource: dict[str, Any]) -> dict[str, str]:
    """A resource's tags as a dictionary, without the aws: tags nobody can set or remove."""
    return {tag["Key"]: tag["Value"] for tag in resource.get("Tags") or [] if not tag["Key"].startswith("aws:")}


def named(tags: dict[str, str], name: str) -> dict[str, str]:
    return {**tags, "Name": name}


class Comparison(DriftComparison):
    """The shared collector, with tags compared as the network modules compare them (aws: tags left out)."""

    def expect_tags(self, resource: dict[str, Any], wanted: dict[str, str], what: str) -> bool:
        """As ensure_ec2_tags decides for the network modules, which purge tags (aws: ones excepted)."""
        current = boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])
        return self.expect(not ec2_tags_differ(current, wanted, purge_tags=True), f"{what}: tags differ")


def created_routes(table: dict[str, Any]) -> list[tuple[str, str]]:
    """The (destination, target) of each route made by CreateRoute: the ones ec2_vpc_route_table purges."""
    routes = []
    for route in table.get("Routes") or []:
        if route.get("Origin", "CreateRoute") != "CreateRoute":
            continue
        if not route.get("DestinationCidrBlock"):
            continue  # an IPv6 or prefix-list route, which ec2_vpc_route_table never purges
        if route.get("DestinationPrefixListId") or str(route.get("GatewayId", "")).startswith("vpce-"):
            continue  # a gateway endpoint's route, which the endpoint owns
        target = route.get("NatGatewayId") or route.get("GatewayId") or route.get("InstanceId") or ""
        if target == "local":
            continue
        routes.append((route["DestinationCidrBlock"], target))
    return routes


def associated_subnets(table: dict[str, Any]) -> set[str]:
    return {
        association["SubnetId"]
        for association in table.get("Associations") or []
        if association.get("SubnetId")
        and association.get("AssociationState", {}).get("State", "associated") in ("associated", "associating")
    }


def compare_route_table(check: Comparison, tables: list[dict], wanted: dict[str, Any], what: str) -> str:
    """The one route table the role finds by its tags; its id when it matches, else ''.

    wanted: tags, subnet_ids (the associations) and target (of the 0.0.0.0/0 route)."""
    wanted_tags, subnet_ids, target = wanted["tags"], wanted["subnet_ids"], wanted["target"]
    matching = [table for table in tables if all(tag_dict(table).get(k) == v for k, v in wanted_tags.items())]
    if not check.expect(len(matching) == 1, f"{what}: {len(matching)} route tables carry its tags, not 1"):
        return ""
    table = matching[0]
    in_sync = check.expect_tags(table, wanted_tags, what)
    in_sync &= check.expect(associated_subnets(table) == set(subnet_ids), f"{what}: subnet associations differ")
    in_sync &= check.expect(created_routes(table) == [("0.0.0.0/0", target)], f"{what}: routes differ")
    return table["RouteTableId"] if in_sync else ""


def compare(snapshot: dict[str, Any], plan: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """(what differs, the network as the role registers it) for a snapshot read by read_network().

    plan: fleet_name, fleet_tag_key, names, tags, zones, subnets (subnet_plan()), nat_mode."""
    check = Comparison()
    tags, zones, names = plan["tags"], plan["zones"], plan["names"]
    vpcs = snapshot.get("vpcs", [])
    if not check.expect(len(vpcs) == 1, f"VPC {names['vpc']}: {len(vpcs)} found, not 1"):
        return check.drift, {}
    vpc = vpcs[0]
    check.expect_tags(vpc, named(tags, names["vpc"]), f"VPC {names['vpc']}")
    check.expect(snapshot.get("dns_support") is True, "VPC: DNS support is off")
    check.expect(snapshot.get("dns_hostnames") is True, "VPC: DNS host names are off")

    subnets_by_cidr = {subnet["CidrBlock"]: subnet for subnet in snapshot.get("subnets", [])}
    subnets = []
    for item in plan["subnets"]:
        what = f"subnet {item['kind']} {item['zone']} {item['cidr']}"
        subnet = subnets_by_cidr.get(item["cidr"])
        if not check.expect(subnet is not None, f"{what}: missing"):
            continue
        zone = subnet.get("AvailabilityZone")
        check.expect(zone == item["zone"], f"{what}: in zone {zone}")
        check.expect(not subnet.get("MapPublicIpOnLaunch", False), f"{what}: maps public addresses")
        # ec2_vpc_subnet (ipv6_cidr '', assign_instances_ipv6 false) removes an IPv6 block and turns this off.
        check.expect(not subnet.get("AssignIpv6AddressOnCreation", False), f"{what}: assigns IPv6 addresses")
        check.expect(
            not any(
                block.get("Ipv6CidrBlockState", {}).get("State") in ("associated", "associating")
                for block in subnet.get("Ipv6CidrBlockAssociationSet") or []
            ),
            f"{what}: has an IPv6 CIDR block",
        )
        check.expect_tags(subnet, named(tags, item["name"]), what)
        subnets.append({**item, "id": subnet["SubnetId"]})
    public_subnet_of = {subnet["zone"]: subnet["id"] for subnet in subnets if subnet["kind"] == "public"}

    gateways = snapshot.get("internet_gateways", [])
    gateway_id = ""
    if check.expect(len(gateways) >= 1, "internet gateway: missing"):
        gateway_id = gateways[0]["InternetGatewayId"]
        check.expect_tags(gateways[0], named(tags, names["internet_gateway"]), "internet gateway")

    nat_of = compare_nat(check, snapshot, plan, public_subnet_of)

    tables = snapshot.get("route_tables", [])
    public_subnet_ids = [subnet["id"] for subnet in subnets if subnet["kind"] == "public"]
    public_table = {
        "tags": named(tags, names["public_route_table"]),
        "subnet_ids": public_subnet_ids,
        "target": gateway_id,
    }
    compare_route_table(check, tables, public_table, "public route table")
    private_table_ids = []
    for zone in zones:
        private_table = {
            "tags": named(tags, zone_name(names["private_route_table"], zone)),
            "subnet_ids": [each["id"] for each in subnets if each["kind"] == "private" and each["zone"] == zone],
            "target": nat_of.get(zone, ""),
        }
        table_id = compare_route_table(check, tables, private_table, f"private route table {zone}")
        private_table_ids.append(table_id)

    endpoint_id = compare_endpoint(check, snapshot, plan, named(tags, names["s3_endpoint"]), private_table_ids)
    network = {
        "vpc_id": vpc["VpcId"],
        "public_subnets": [_subnet_view(subnet) for subnet in subnets if subnet["kind"] == "public"],
        "private_subnets": [_subnet_view(subnet) for subnet in subnets if subnet["kind"] == "private"],
        "nat_gateway_ids": list(dict.fromkeys(nat_of[zone] for zone in zones if zone in nat_of)),
        "s3_endpoint_id": endpoint_id,
    }
    return check.drift, network


def _subnet_view(subnet: dict[str, str]) -> dict[str, str]:
    return {"id": subnet["id"], "zone": subnet["zone"], "cidr": subnet["cidr"]}


def compare_nat(check: Comparison, snapshot: dict, plan: dict, public_subnet_of: dict[str, str]) -> dict[str, str]:
    """The NAT gateway each zone routes to, checking the Elastic IPs and gateways the role keeps and removes."""
    tags, zones = plan["tags"], plan["zones"]
    nat_zones = zones if plan["nat_mode"] == "per_az" else zones[:1]
    addresses = snapshot.get("addresses", [])
    gateways = snapshot.get("nat_gateways", [])
    found: dict[str, str] = {}
    kept_ips = set()
    for zone in nat_zones:
        name = zone_name(plan["names"]["nat"], zone)
        address = next((each for each in addresses if tag_dict(each).get("Name") == name), None)
        if not check.expect(address is not None, f"Elastic IP {name}: missing"):
            continue
        kept_ips.add(address.get("PublicIp"))
        check.expect_tags(address, named(tags, name), f"Elastic IP {name}")
        gateway = next(
            (
                each
                for each in gateways
                if each.get("SubnetId") == public_subnet_of.get(zone)
                and address.get("AllocationId")
                in [item.get("AllocationId") for item in each.get("NatGatewayAddresses") or []]
            ),
            None,
        )
        if not check.expect(gateway is not None, f"NAT gateway {name}: missing"):
            continue
        check.expect(gateway.get("State") == "available", f"NAT gateway {name}: {gateway.get('State')}")
        check.expect_tags(gateway, named(tags, name), f"NAT gateway {name}")
        found[zone] = gateway["NatGatewayId"]
    nat_of = {}
    for zone in zones:
        source = zone if plan["nat_mode"] == "per_az" else zones[0]
        if source in found:
            nat_of[zone] = found[source]
    for gateway in gateways:
        check.expect(gateway["NatGatewayId"] in nat_of.values(), f"NAT gateway {gateway['NatGatewayId']}: not needed")
    for address in addresses:
        check.expect(
            bool(address.get("AssociationId")) or address.get("PublicIp") in kept_ips,
            f"Elastic IP {address.get('PublicIp')}: not needed",
        )
    return nat_of


def compare_endpoint(
    check: Comparison, snapshot: dict, plan: dict, wanted_tags: dict, private_table_ids: list[str]
) -> str:
    """The S3 gateway endpoint on exactly the private route tables; its id, or '' when it does not match."""
    if "" in private_table_ids:
        check.expect(False, "S3 endpoint: the private route tables are not all in place")
        return ""
    wanted = sorted(private_table_ids)
    endpoints = snapshot.get("endpoints", [])
    for endpoint in endpoints:
        # The role deletes the endpoints it finds by the fleet's tag.
        is_fleets = tag_dict(endpoint).get(plan["fleet_tag_key"]) == plan["fleet_name"]
        if is_fleets and endpoint.get("State") not in GONE_ENDPOINT_STATES:
            check.expect(
                sorted(endpoint.get("RouteTableIds") or []) == wanted,
                f"S3 endpoint {endpoint['VpcEndpointId']}: on other route tables",
            )
    # ec2_vpc_endpoint takes the first endpoint of the service on these route tables, whatever its tags.
    endpoint = next((each for each in endpoints if sorted(each.get("RouteTableIds") or []) == wanted), None)
    if not check.expect(endpoint is not None, "S3 endpoint: missing"):
        return ""
    check.expect(endpoint.get("State") not in GONE_ENDPOINT_STATES, f"S3 endpoint: {endpoint.get('State')}")
    check.expect_tags(endpoint, wanted_tags, "S3 endpoint")
    return endpoint["VpcEndpointId"]


# ------------------------------------------------------------------------------------------------- reading


def read_network(client, params: dict[str, Any], region: str) -> dict[str, Any]:
    """Everything compare() looks at, as EC2's describe calls return it (each paginated one read whole)."""

    def filters(**values) -> list[dict[str, Any]]:
        return [
            {"Name": name.replace("_", "-"), "Values": value if isinstance(value, list) else [value]}
            for name, value in values.items()
        ]

    fleet_filter = {"Name": f"tag:{params['fleet_tag_key']}", "Values": [params["fleet_name"]]}
    vpcs = paginated_query_with_retries(
        client,
        "describe_vpcs",
        Filters=[
            {"Name": "tag:Name", "Values": [params["names"]["vpc"]]},
            {"Name": "cidr-block", "Values": [params["vpc_cidr"]]},
        ],
    )["Vpcs"]
    snapshot: dict[str, Any] = {"vpcs": vpcs}
    if len(vpcs) != 1:
        return snapshot
    vpc_id = vpcs[0]["VpcId"]
    for key, attribute in (("dns_support", "enableDnsSupport"), ("dns_hostnames", "enableDnsHostnames")):
        answer = client.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute, aws_retry=True)
        snapshot[key] = answer[attribute[0].upper() + attribute[1:]]["Value"]
    in_vpc = filters(vpc_id=vpc_id)
    snapshot["subnets"] = paginated_query_with_retries(client, "describe_subnets", Filters=in_vpc)["Subnets"]
    snapshot["internet_gateways"] = paginated_query_with_retries(
        client, "describe_internet_gateways", Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
    )["InternetGateways"]
    snapshot["addresses"] = client.describe_addresses(Filters=[fleet_filter, *filters(domain="vpc")], aws_retry=True)[
        "Addresses"
    ]
    snapshot["nat_gateways"] = paginated_query_with_retries(
        client, "describe_nat_gateways", Filters=[fleet_filter, *filters(vpc_id=vpc_id, state=["pending", "available"])]
    )["NatGateways"]
    snapshot["route_tables"] = paginated_query_with_retries(client, "describe_route_tables", Filters=in_vpc)[
        "RouteTables"
    ]
    snapshot["endpoints"] = paginated_query_with_retries(
        client, "describe_vpc_endpoints", Filters=filters(vpc_id=vpc_id, service_name=f"com.amazonaws.{region}.s3")
    )["VpcEndpoints"]
    return snapshot


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={
            "fleet_name": {"type": "str", "required": True},
            "fleet_tag_key": {"type": "str", "required": True, "no_log": False},
            "names": {
                "type": "dict",
                "required": True,
                "options": {name: {"type": "str", "required": True} for name in NAME_KEYS},
            },
            "vpc_cidr": {"type": "str", "required": True},
            "tags": {"type": "dict", "required": True},
            "availability_zones": {"type": "list", "elements": "str", "default": []},
            "zone_count": {"type": "int", "default": 2},
            "public_cidrs": {"type": "list", "elements": "str", "required": True},
            "private_cidrs": {"type": "list", "elements": "str", "required": True},
            "nat_mode": {"type": "str", "choices": ["per_az", "shared"], "default": "per_az"},
        },
        supports_check_mode=True,
    )
    params = module.params
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    try:
        zones_answer = client.describe_availability_zones(
            Filters=[
                {"Name": "state", "Values": ["available"]},
                {"Name": "zone-type", "Values": ["availability-zone"]},
            ],
            aws_retry=True,
        )["AvailabilityZones"]
        region_zones = [zone["ZoneName"] for zone in zones_answer]
        region = zones_answer[0]["RegionName"] if zones_answer else module.region
        zones = choose_zones(region_zones, params["availability_zones"], params["zone_count"])
        snapshot = read_network(client, params, region)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to read the network of fleet {params['fleet_name']}")
    names = params["names"]
    plan = {
        "fleet_name": params["fleet_name"],
        "fleet_tag_key": params["fleet_tag_key"],
        "names": names,
        "tags": {str(key): str(value) for key, value in params["tags"].items()},
        "zones": zones,
        "subnets": subnet_plan(zones, params["public_cidrs"], params["private_cidrs"], names),
        "nat_mode": params["nat_mode"],
    }
    drift, network = compare(snapshot, plan)
    module.exit_json(
        changed=False,
        region=region,
        region_zones=region_zones,
        zones=zones,
        in_sync=not drift,
        drift=drift,
        plan=write_plan(zones, plan["subnets"], names, params["nat_mode"]),
        network=network,
    )


if __name__ == "__main__":
    main()
