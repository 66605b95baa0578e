# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet_network_info module: its plan helpers, and compare() on snapshots shaped exactly like EC2's describe_*
answers (DescribeVpcs, DescribeSubnets, DescribeInternetGateways, DescribeAddresses, DescribeNatGateways,
DescribeRouteTables, DescribeVpcEndpoints). A converged two-zone fleet must compare as in sync, and each change that
one of the amazon.aws tasks of roles/network/tasks/present.yml would undo (or would make, for what is missing) must
show as drift naming the resource. main() runs end to end against moto's in-process EC2."""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.runnerfleet.gitlab_aws.plugins.modules import fleet_network_info as fni
from drift_cases import assert_drift_holds, each_drift_case
from moto import mock_aws

FLEET = "fleet"
VPC_NAME = "fleet-vpc"
VPC_CIDR = "10.80.0.0/16"
TAGS = {"runnerfleet:fleet": FLEET, "ManagedBy": "runnerfleet.gitlab_aws"}
ZONES = ["eu-west-1a", "eu-west-1b"]
PUBLIC_CIDRS = ["10.80.0.0/20", "10.80.16.0/20"]
PRIVATE_CIDRS = ["10.80.32.0/20", "10.80.48.0/20"]
S3_SERVICE = "com.amazonaws.eu-west-1.s3"
OWNER = "123456789012"
CREATED = datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.UTC)

VPC = "vpc-0a1b2c3d4e5f60001"
IGW = "igw-0a1b2c3d4e5f60001"
MAIN_TABLE = "rtb-0000000000000main"
PUBLIC_TABLE = "rtb-00000000000public"
ENDPOINT = "vpce-0a1b2c3d4e5f60001"
S3_PREFIX_LIST = "pl-6da54004"
# Per zone, in ZONES order.
PUBLIC_SUBNET = {"eu-west-1a": "subnet-0000000000pub0a", "eu-west-1b": "subnet-0000000000pub0b"}
PRIVATE_SUBNET = {"eu-west-1a": "subnet-000000000priv0a", "eu-west-1b": "subnet-000000000priv0b"}
PRIVATE_TABLE = {"eu-west-1a": "rtb-0000000000priv0a", "eu-west-1b": "rtb-0000000000priv0b"}
ALLOCATION = {"eu-west-1a": "eipalloc-00000000000000a", "eu-west-1b": "eipalloc-00000000000000b"}
PUBLIC_IP = {"eu-west-1a": "198.51.100.10", "eu-west-1b": "198.51.100.11"}
NAT = {"eu-west-1a": "nat-0000000000000000a", "eu-west-1b": "nat-0000000000000000b"}


# ------------------------------------------------------------------------------------------------- fixtures


def aws_tags(name: str | None = None, **extra: str) -> list[dict[str, str]]:
    """The fleet's tags as EC2 lists them, with the resource's Name and any extra ones."""
    tags = {**TAGS, **({"Name": name} if name else {}), **extra}
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def aws_subnet(subnet_id: str, zone: str, cidr: str, name: str) -> dict[str, Any]:
    return {
        "AvailabilityZone": zone,
        "AvailabilityZoneId": "euw1-az" + zone[-1],
        "AvailableIpAddressCount": 4091,
        "CidrBlock": cidr,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": False,
        "MapCustomerOwnedIpOnLaunch": False,
        "State": "available",
        "SubnetId": subnet_id,
        "VpcId": VPC,
        "OwnerId": OWNER,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": aws_tags(name),
        "SubnetArn": f"arn:aws:ec2:eu-west-1:{OWNER}:subnet/{subnet_id}",
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }


def aws_address(zone: str) -> dict[str, Any]:
    return {
        "AllocationId": ALLOCATION[zone],
        "AssociationId": "eipassoc-000000000000" + zone[-1],
        "Domain": "vpc",
        "NetworkInterfaceId": "eni-0000000000000nat" + zone[-1],
        "NetworkInterfaceOwnerId": OWNER,
        "PrivateIpAddress": "10.80.0.10" if zone == ZONES[0] else "10.80.16.10",
        "PublicIp": PUBLIC_IP[zone],
        "PublicIpv4Pool": "amazon",
        "NetworkBorderGroup": "eu-west-1",
        "Tags": aws_tags(f"{FLEET}-nat-{zone}"),
    }


def aws_nat_gateway(zone: str) -> dict[str, Any]:
    return {
        "CreateTime": CREATED,
        "NatGatewayAddresses": [
            {
                "AllocationId": ALLOCATION[zone],
                "NetworkInterfaceId": "eni-0000000000000nat" + zone[-1],
                "PrivateIp": "10.80.0.10" if zone == ZONES[0] else "10.80.16.10",
                "PublicIp": PUBLIC_IP[zone],
                "AssociationId": "eipassoc-000000000000" + zone[-1],
                "IsPrimary": True,
                "Status": "succeeded",
            }
        ],
        "NatGatewayId": NAT[zone],
        "State": "available",
        "SubnetId": PUBLIC_SUBNET[zone],
        "VpcId": VPC,
        "Tags": aws_tags(f"{FLEET}-nat-{zone}"),
        "ConnectivityType": "public",
    }


def local_route() -> dict[str, Any]:
    return {"DestinationCidrBlock": VPC_CIDR, "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}


def default_route(**target: str) -> dict[str, Any]:
    return {"DestinationCidrBlock": "0.0.0.0/0", **target, "Origin": "CreateRoute", "State": "active"}


def s3_route() -> dict[str, Any]:
    """The route a gateway endpoint adds to each of its route tables."""
    return {
        "DestinationPrefixListId": S3_PREFIX_LIST,
        "GatewayId": ENDPOINT,
        "Origin": "CreateRoute",
        "State": "active",
    }


def association(table_id: str, subnet_id: str, state: str = "associated") -> dict[str, Any]:
    return {
        "Main": False,
        "RouteTableAssociationId": f"rtbassoc-{subnet_id[-6:]}{table_id[-6:]}",
        "RouteTableId": table_id,
        "SubnetId": subnet_id,
        "AssociationState": {"State": state},
    }


def aws_route_table(table_id: str, name: str | None, routes: list[dict], associations: list[dict]) -> dict[str, Any]:
    return {
        "Associations": associations,
        "PropagatingVgws": [],
        "RouteTableId": table_id,
        "Routes": routes,
        "Tags": aws_tags(name) if name else [],
        "VpcId": VPC,
        "OwnerId": OWNER,
    }


def aws_endpoint(endpoint_id: str, route_table_ids: list[str], tags: list[dict], state: str = "available") -> dict:
    return {
        "VpcEndpointId": endpoint_id,
        "VpcEndpointType": "Gateway",
        "VpcId": VPC,
        "ServiceName": S3_SERVICE,
        "State": state,
        "PolicyDocument": '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*",'
        '"Resource":"*"}]}',
        "RouteTableIds": route_table_ids,
        "SubnetIds": [],
        "Groups": [],
        "PrivateDnsEnabled": False,
        "RequesterManaged": False,
        "NetworkInterfaceIds": [],
        "DnsEntries": [],
        "CreationTimestamp": CREATED,
        "Tags": tags,
        "OwnerId": OWNER,
    }


def converged(nat_mode: str = "per_az") -> dict[str, Any]:
    """What read_network() returns for a two-zone fleet that present.yml would leave exactly as it is."""
    nat_zones = ZONES if nat_mode == "per_az" else ZONES[:1]
    nat_of = {zone: NAT[zone] if nat_mode == "per_az" else NAT[ZONES[0]] for zone in ZONES}
    subnets = [
        aws_subnet(PUBLIC_SUBNET[zone], zone, cidr, f"{FLEET}-public-{zone}")
        for zone, cidr in zip(ZONES, PUBLIC_CIDRS, strict=True)
    ] + [
        aws_subnet(PRIVATE_SUBNET[zone], zone, cidr, f"{FLEET}-private-{zone}")
        for zone, cidr in zip(ZONES, PRIVATE_CIDRS, strict=True)
    ]
    main_table = aws_route_table(
        MAIN_TABLE,
        None,
        [local_route()],
        [
            {
                "Main": True,
                "RouteTableAssociationId": "rtbassoc-0000000000main",
                "RouteTableId": MAIN_TABLE,
                "AssociationState": {"State": "associated"},
            }
        ],
    )
    public_table = aws_route_table(
        PUBLIC_TABLE,
        f"{FLEET}-public",
        [local_route(), default_route(GatewayId=IGW)],
        [association(PUBLIC_TABLE, PUBLIC_SUBNET[zone]) for zone in ZONES],
    )
    private_tables = [
        aws_route_table(
            PRIVATE_TABLE[zone],
            f"{FLEET}-private-{zone}",
            [local_route(), default_route(NatGatewayId=nat_of[zone]), s3_route()],
            [association(PRIVATE_TABLE[zone], PRIVATE_SUBNET[zone])],
        )
        for zone in ZONES
    ]
    return {
        "vpcs": [
            {
                "CidrBlock": VPC_CIDR,
                "DhcpOptionsId": "dopt-0a1b2c3d",
                "State": "available",
                "VpcId": VPC,
                "OwnerId": OWNER,
                "InstanceTenancy": "default",
                "CidrBlockAssociationSet": [
                    {
                        "AssociationId": "vpc-cidr-assoc-0a1b2c3d",
                        "CidrBlock": VPC_CIDR,
                        "CidrBlockState": {"State": "associated"},
                    }
                ],
                "IsDefault": False,
                "Tags": aws_tags(VPC_NAME),
            }
        ],
        "dns_support": True,
        "dns_hostnames": True,
        "subnets": subnets,
        "internet_gateways": [
            {
                "Attachments": [{"State": "available", "VpcId": VPC}],
                "InternetGatewayId": IGW,
                "OwnerId": OWNER,
                "Tags": aws_tags(f"{FLEET}-igw"),
            }
        ],
        "addresses": [aws_address(zone) for zone in nat_zones],
        "nat_gateways": [aws_nat_gateway(zone) for zone in nat_zones],
        "route_tables": [main_table, public_table, *private_tables],
        "endpoints": [aws_endpoint(ENDPOINT, [PRIVATE_TABLE[zone] for zone in ZONES], aws_tags(f"{FLEET}-s3"))],
    }


# The names the fleet model (plugin_utils/_fleet_plan.network_names) gives the network of fleet FLEET.
NAMES = {
    "vpc": VPC_NAME,
    "internet_gateway": f"{FLEET}-igw",
    "public_subnet": f"{FLEET}-public-{{zone}}",
    "private_subnet": f"{FLEET}-private-{{zone}}",
    "nat": f"{FLEET}-nat-{{zone}}",
    "public_route_table": f"{FLEET}-public",
    "private_route_table": f"{FLEET}-private-{{zone}}",
    "s3_endpoint": f"{FLEET}-s3",
}


def plan(nat_mode: str = "per_az") -> dict[str, Any]:
    """The plan main() builds from the role's module arguments."""
    return {
        "fleet_name": FLEET,
        "fleet_tag_key": "runnerfleet:fleet",
        "names": dict(NAMES),
        "tags": dict(TAGS),
        "zones": list(ZONES),
        "subnets": fni.subnet_plan(ZONES, PUBLIC_CIDRS, PRIVATE_CIDRS, NAMES),
        "nat_mode": nat_mode,
    }


EXPECTED_NETWORK = {
    "vpc_id": VPC,
    "public_subnets": [
        {"id": PUBLIC_SUBNET["eu-west-1a"], "zone": "eu-west-1a", "cidr": "10.80.0.0/20"},
        {"id": PUBLIC_SUBNET["eu-west-1b"], "zone": "eu-west-1b", "cidr": "10.80.16.0/20"},
    ],
    "private_subnets": [
        {"id": PRIVATE_SUBNET["eu-west-1a"], "zone": "eu-west-1a", "cidr": "10.80.32.0/20"},
        {"id": PRIVATE_SUBNET["eu-west-1b"], "zone": "eu-west-1b", "cidr": "10.80.48.0/20"},
    ],
    "nat_gateway_ids": [NAT["eu-west-1a"], NAT["eu-west-1b"]],
    "s3_endpoint_id": ENDPOINT,
}


# Finding one resource of a snapshot, to change it.


def subnet(snapshot: dict, cidr: str) -> dict[str, Any]:
    return next(each for each in snapshot["subnets"] if each["CidrBlock"] == cidr)


def address(snapshot: dict, zone: str) -> dict[str, Any]:
    return next(each for each in snapshot["addresses"] if each["AllocationId"] == ALLOCATION[zone])


def nat_gateway(snapshot: dict, zone: str) -> dict[str, Any]:
    return next(each for each in snapshot["nat_gateways"] if each["NatGatewayId"] == NAT[zone])


def route_table(snapshot: dict, table_id: str) -> dict[str, Any]:
    return next(each for each in snapshot["route_tables"] if each["RouteTableId"] == table_id)


def default_route_of(snapshot: dict, table_id: str) -> dict[str, Any]:
    return next(
        each for each in route_table(snapshot, table_id)["Routes"] if each.get("DestinationCidrBlock") == "0.0.0.0/0"
    )


def set_tag(resource: dict, key: str, value: str) -> None:
    resource["Tags"] = [tag for tag in resource["Tags"] if tag["Key"] != key] + [{"Key": key, "Value": value}]


def drop_tag(resource: dict, key: str) -> None:
    resource["Tags"] = [tag for tag in resource["Tags"] if tag["Key"] != key]


# ------------------------------------------------------------------------------------------------- the plan


def test_choose_zones_takes_the_given_zones_as_they_are():
    region = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    given = ["eu-west-1c", "eu-west-1a"]
    chosen = fni.choose_zones(region, given, 1)
    assert chosen == ["eu-west-1c", "eu-west-1a"]
    assert chosen is not given
    # Zones the region lacks are returned too: the role's assert reports them.
    assert fni.choose_zones(region, ["eu-west-1z"], 2) == ["eu-west-1z"]


def test_choose_zones_takes_the_first_zones_of_the_region_when_none_are_given():
    region = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert fni.choose_zones(region, [], 2) == ["eu-west-1a", "eu-west-1b"]
    assert fni.choose_zones(region, [], 1) == ["eu-west-1a"]
    # More than the region has: all of them, and the role's assert reports the count.
    assert fni.choose_zones(region, [], 5) == region
    assert fni.choose_zones(region, [], 3) is not region


def test_subnet_plan_lists_the_public_subnets_first_each_in_zone_order():
    assert fni.subnet_plan(ZONES, PUBLIC_CIDRS, PRIVATE_CIDRS, NAMES) == [
        {"kind": "public", "zone": "eu-west-1a", "cidr": "10.80.0.0/20", "name": f"{FLEET}-public-eu-west-1a"},
        {"kind": "public", "zone": "eu-west-1b", "cidr": "10.80.16.0/20", "name": f"{FLEET}-public-eu-west-1b"},
        {"kind": "private", "zone": "eu-west-1a", "cidr": "10.80.32.0/20", "name": f"{FLEET}-private-eu-west-1a"},
        {"kind": "private", "zone": "eu-west-1b", "cidr": "10.80.48.0/20", "name": f"{FLEET}-private-eu-west-1b"},
    ]


@pytest.mark.parametrize("nat_mode", ["per_az", "shared"])
def test_write_plan_names_what_the_role_makes(nat_mode):
    subnets = fni.subnet_plan(ZONES, PUBLIC_CIDRS, PRIVATE_CIDRS, NAMES)
    written = fni.write_plan(list(ZONES), subnets, NAMES, nat_mode)
    assert written["subnets"] == subnets
    nat_zones = list(ZONES) if nat_mode == "per_az" else list(ZONES[:1])
    assert written["nat"] == [{"zone": zone, "name": f"{FLEET}-nat-{zone}"} for zone in nat_zones]
    assert written["private_route_tables"] == [{"zone": zone, "name": f"{FLEET}-private-{zone}"} for zone in ZONES]


def test_the_fleet_tag_key_decides_which_stale_endpoints_are_the_fleets():
    """An endpoint on old route tables is the fleet's (to be replaced, so drift) only by the fleet's own tag key."""
    snapshot = converged()
    stale = aws_endpoint("vpce-00000000000000old", ["rtb-0000000000000old"], aws_tags(f"{FLEET}-s3"))
    stale["Tags"] = [tag for tag in stale["Tags"] if tag["Key"] != "runnerfleet:fleet"]
    stale["Tags"].append({"Key": "acme:fleet", "Value": FLEET})
    snapshot["endpoints"].append(stale)
    sentence = "S3 endpoint vpce-00000000000000old: on other route tables"
    assert sentence not in fni.compare(snapshot, plan())[0]
    assert sentence in fni.compare(snapshot, {**plan(), "fleet_tag_key": "acme:fleet"})[0]


def test_subnet_plan_with_three_zones_and_too_few_cidrs():
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    planned = fni.subnet_plan(
        zones, ["10.0.0.0/24", "10.0.1.0/24"], ["10.0.8.0/24", "10.0.9.0/24", "10.0.10.0/24"], NAMES
    )
    assert [(item["kind"], item["zone"], item["cidr"]) for item in planned] == [
        ("public", "us-east-1a", "10.0.0.0/24"),
        ("public", "us-east-1b", "10.0.1.0/24"),
        ("private", "us-east-1a", "10.0.8.0/24"),
        ("private", "us-east-1b", "10.0.9.0/24"),
        ("private", "us-east-1c", "10.0.10.0/24"),
    ]
    assert fni.subnet_plan([], PUBLIC_CIDRS, PRIVATE_CIDRS, NAMES) == []


# ------------------------------------------------------------------------------------------------- the helpers


def test_tag_dict_drops_the_aws_tags():
    resource = {
        "Tags": [
            {"Key": "Name", "Value": "fleet-vpc"},
            {"Key": "aws:cloudformation:stack-name", "Value": "stack"},
            {"Key": "aws:createdBy", "Value": "someone"},
            {"Key": "awsome", "Value": "kept"},
        ]
    }
    assert fni.tag_dict(resource) == {"Name": "fleet-vpc", "awsome": "kept"}


def test_tag_dict_of_a_resource_without_tags():
    assert fni.tag_dict({}) == {}
    assert fni.tag_dict({"Tags": None}) == {}
    assert fni.tag_dict({"Tags": []}) == {}


def test_created_routes_keeps_only_the_routes_ec2_vpc_route_table_purges():
    table = {
        "Routes": [
            local_route(),
            default_route(NatGatewayId="nat-0123"),
            {"DestinationCidrBlock": "10.0.0.0/8", "GatewayId": "igw-0123", "Origin": "CreateRoute", "State": "active"},
            {
                "DestinationCidrBlock": "172.16.0.0/12",
                "InstanceId": "i-0123",
                "NetworkInterfaceId": "eni-0123",
                "InstanceOwnerId": OWNER,
                "Origin": "CreateRoute",
                "State": "active",
            },
            # Propagated from a virtual private gateway: not the route table module's.
            {
                "DestinationCidrBlock": "192.168.0.0/16",
                "GatewayId": "vgw-0123",
                "Origin": "EnableVgwRoutePropagation",
                "State": "active",
            },
            s3_route(),
            # A gateway endpoint's route, told by its target alone.
            {
                "DestinationCidrBlock": "52.0.0.0/8",
                "GatewayId": "vpce-0123",
                "Origin": "CreateRoute",
                "State": "active",
            },
            # Told by its prefix list alone.
            {"DestinationPrefixListId": "pl-0123", "GatewayId": "igw-0123", "Origin": "CreateRoute", "State": "active"},
        ]
    }
    assert fni.created_routes(table) == [
        ("0.0.0.0/0", "nat-0123"),
        ("10.0.0.0/8", "igw-0123"),
        ("172.16.0.0/12", "i-0123"),
    ]


def test_created_routes_counts_a_route_without_origin_and_one_to_a_blackhole():
    table = {
        "Routes": [
            {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0123", "State": "blackhole"},
            {"DestinationCidrBlock": "10.9.0.0/16", "VpcPeeringConnectionId": "pcx-0123", "Origin": "CreateRoute"},
        ]
    }
    # A target that is no gateway, NAT gateway or instance counts with an empty target: it matches no plan.
    assert fni.created_routes(table) == [("0.0.0.0/0", "nat-0123"), ("10.9.0.0/16", "")]


def test_created_routes_leaves_out_ipv6_routes_which_ec2_vpc_route_table_never_purges():
    # ec2_vpc_route_table's ensure_routes skips every route without a DestinationCidrBlock when it purges.
    table = {
        "Routes": [
            default_route(GatewayId="igw-0123"),
            {
                "DestinationIpv6CidrBlock": "::/0",
                "EgressOnlyInternetGatewayId": "eigw-0123",
                "Origin": "CreateRoute",
                "State": "active",
            },
            {
                "DestinationIpv6CidrBlock": "2001:db8::/32",
                "GatewayId": "igw-0123",
                "Origin": "CreateRoute",
                "State": "active",
            },
        ]
    }
    assert fni.created_routes(table) == [("0.0.0.0/0", "igw-0123")]


def test_created_routes_of_a_table_without_routes():
    assert fni.created_routes({}) == []
    assert fni.created_routes({"Routes": None}) == []


def test_associated_subnets():
    table = {
        "Associations": [
            {"Main": True, "RouteTableAssociationId": "rtbassoc-main", "AssociationState": {"State": "associated"}},
            association("rtb-1", "subnet-a"),
            association("rtb-1", "subnet-b", state="associating"),
            association("rtb-1", "subnet-c", state="disassociating"),
            association("rtb-1", "subnet-d", state="disassociated"),
            association("rtb-1", "subnet-e", state="failed"),
            {"Main": False, "RouteTableAssociationId": "rtbassoc-f", "SubnetId": "subnet-f"},  # no state: associated
            {
                "Main": False,
                "RouteTableAssociationId": "rtbassoc-g",
                "GatewayId": "igw-0123",
                "AssociationState": {"State": "associated"},
            },
        ]
    }
    assert fni.associated_subnets(table) == {"subnet-a", "subnet-b", "subnet-f"}
    assert fni.associated_subnets({}) == set()


# ------------------------------------------------------------------------------------------------- compare: in sync


def test_compare_a_converged_fleet_is_in_sync():
    drift, network = fni.compare(converged(), plan())
    assert drift == []
    assert network == EXPECTED_NETWORK


def test_compare_does_not_change_the_snapshot():
    snapshot = converged()
    fni.compare(snapshot, plan())
    assert snapshot == converged()


def test_compare_ignores_aws_tags_everywhere():
    snapshot = converged()
    resources = [
        *snapshot["vpcs"],
        *snapshot["subnets"],
        *snapshot["internet_gateways"],
        *snapshot["addresses"],
        *snapshot["nat_gateways"],
        *snapshot["route_tables"],
        *snapshot["endpoints"],
    ]
    for resource in resources:
        set_tag(resource, "aws:cloudformation:stack-name", "fleet-stack")
    drift, network = fni.compare(snapshot, plan())
    assert drift == []
    assert network == EXPECTED_NETWORK


def test_compare_ignores_the_local_route_and_the_endpoint_routes():
    snapshot = converged()
    for zone in ZONES:
        routes = route_table(snapshot, PRIVATE_TABLE[zone])["Routes"]
        assert local_route() in routes
        assert s3_route() in routes
    # A second gateway endpoint's prefix-list route (DynamoDB's, say).
    route_table(snapshot, PRIVATE_TABLE["eu-west-1a"])["Routes"].append(
        {"DestinationPrefixListId": "pl-66a5400f", "GatewayId": "vpce-0dynamodb", "Origin": "CreateRoute"}
    )
    assert fni.compare(snapshot, plan())[0] == []


def test_compare_ignores_propagated_and_ipv6_routes():
    snapshot = converged()
    route_table(snapshot, PUBLIC_TABLE)["Routes"] += [
        {
            "DestinationCidrBlock": "192.168.0.0/16",
            "GatewayId": "vgw-0123",
            "Origin": "EnableVgwRoutePropagation",
            "State": "active",
        },
        {"DestinationIpv6CidrBlock": "::/0", "GatewayId": IGW, "Origin": "CreateRoute", "State": "active"},
    ]
    assert fni.compare(snapshot, plan())[0] == []


def test_compare_ignores_what_the_role_does_not_manage():
    snapshot = converged()
    # A subnet and a route table of someone else in the VPC, and a gateway association of the public table.
    snapshot["subnets"].append(aws_subnet("subnet-0000000000other", "eu-west-1c", "10.80.200.0/24", "other"))
    drop_tag(snapshot["subnets"][-1], "runnerfleet:fleet")
    snapshot["route_tables"].append(
        aws_route_table("rtb-0000000000000other", None, [local_route()], [association("rtb-other", "subnet-other")])
    )
    route_table(snapshot, PUBLIC_TABLE)["Associations"].append(
        {
            "Main": False,
            "RouteTableAssociationId": "rtbassoc-gw",
            "RouteTableId": PUBLIC_TABLE,
            "GatewayId": "vgw-1",
            "AssociationState": {"State": "associated"},
        }
    )
    # A fleet Elastic IP that is associated is never released; a deleted endpoint on other route tables stays.
    extra = aws_address("eu-west-1a") | {"AllocationId": "eipalloc-0000000000other", "PublicIp": "198.51.100.99"}
    set_tag(extra, "Name", "fleet-bastion")
    snapshot["addresses"].append(extra)
    snapshot["endpoints"].append(
        aws_endpoint("vpce-00000000000000old", ["rtb-0000000000000old"], aws_tags(f"{FLEET}-s3"), state="Deleted")
    )
    drift, network = fni.compare(snapshot, plan())
    assert drift == []
    assert network == EXPECTED_NETWORK


def test_compare_ignores_an_endpoint_of_another_fleet():
    # The role finds the endpoints to delete by the tag runnerfleet:fleet=<fleet>, not by the tag's key alone.
    snapshot = converged()
    other = aws_endpoint("vpce-0000000000000other", ["rtb-0000000000000other"], aws_tags("other-s3"))
    set_tag(other, "runnerfleet:fleet", "other")
    snapshot["endpoints"].append(other)
    assert fni.compare(snapshot, plan())[0] == []


def test_compare_takes_the_first_endpoint_on_the_private_route_tables_whatever_its_tags():
    # ec2_vpc_endpoint takes the first endpoint of the service on exactly these route tables.
    snapshot = converged()
    snapshot["endpoints"][0]["RouteTableIds"].reverse()
    assert fni.compare(snapshot, plan()) == ([], EXPECTED_NETWORK)


def test_compare_shared_nat_mode_routes_every_zone_through_the_first_zones_gateway():
    drift, network = fni.compare(converged("shared"), plan("shared"))
    assert drift == []
    assert network == EXPECTED_NETWORK | {"nat_gateway_ids": [NAT["eu-west-1a"]]}


def test_compare_shared_nat_mode_with_a_second_gateway_is_drift():
    # Switching per_az to shared: present.yml deletes the second zone's gateway (its Elastic IP goes with it).
    snapshot = converged("per_az")
    default_route_of(snapshot, PRIVATE_TABLE["eu-west-1b"])["NatGatewayId"] = NAT["eu-west-1a"]
    drift, network = fni.compare(snapshot, plan("shared"))
    assert drift == [f"NAT gateway {NAT['eu-west-1b']}: not needed"]
    assert network["nat_gateway_ids"] == [NAT["eu-west-1a"]]


def test_compare_shared_nat_mode_with_a_zone_still_on_its_own_gateway_is_drift():
    snapshot = converged("per_az")
    drift = fni.compare(snapshot, plan("shared"))[0]
    assert "private route table eu-west-1b: routes differ" in drift
    assert f"NAT gateway {NAT['eu-west-1b']}: not needed" in drift
    assert not [sentence for sentence in drift if "eu-west-1a" in sentence]


def test_compare_shared_nat_mode_with_a_leftover_elastic_ip_is_drift():
    snapshot = converged("shared")
    leftover = aws_address("eu-west-1b")
    del leftover["AssociationId"], leftover["NetworkInterfaceId"], leftover["PrivateIpAddress"]
    snapshot["addresses"].append(leftover)
    assert fni.compare(snapshot, plan("shared"))[0] == [f"Elastic IP {PUBLIC_IP['eu-west-1b']}: not needed"]


def test_compare_per_az_on_a_shared_network_is_drift():
    drift = fni.compare(converged("shared"), plan("per_az"))[0]
    assert "Elastic IP fleet-nat-eu-west-1b: missing" in drift
    assert "private route table eu-west-1b: routes differ" in drift


def test_compare_without_the_vpc_stops_there():
    snapshot = converged()
    snapshot["vpcs"] = []
    assert fni.compare(snapshot, plan()) == (["VPC fleet-vpc: 0 found, not 1"], {})
    assert fni.compare({"vpcs": []}, plan()) == (["VPC fleet-vpc: 0 found, not 1"], {})


def test_compare_with_drift_still_returns_what_it_found():
    snapshot = converged()
    set_tag(route_table(snapshot, PRIVATE_TABLE["eu-west-1b"]), "Owner", "someone")
    drift, network = fni.compare(snapshot, plan())
    assert drift == [
        "private route table eu-west-1b: tags differ",
        "S3 endpoint: the private route tables are not all in place",
    ]
    assert network == EXPECTED_NETWORK | {"s3_endpoint_id": ""}


# ------------------------------------------------------------------------------------------------- compare: drift


def no_vpc(snapshot):
    snapshot["vpcs"] = []


def two_vpcs(snapshot):
    snapshot["vpcs"].append(copy.deepcopy(snapshot["vpcs"][0]) | {"VpcId": "vpc-0000000000000002"})


def vpc_extra_tag(snapshot):
    set_tag(snapshot["vpcs"][0], "Owner", "someone")


def vpc_missing_tag(snapshot):
    drop_tag(snapshot["vpcs"][0], "ManagedBy")


def vpc_different_tag(snapshot):
    set_tag(snapshot["vpcs"][0], "ManagedBy", "terraform")


def dns_support_off(snapshot):
    snapshot["dns_support"] = False


def dns_hostnames_off(snapshot):
    snapshot["dns_hostnames"] = False


def subnet_missing(snapshot):
    snapshot["subnets"].remove(subnet(snapshot, "10.80.48.0/20"))


def subnet_in_wrong_zone(snapshot):
    subnet(snapshot, "10.80.32.0/20")["AvailabilityZone"] = "eu-west-1c"


def subnet_maps_public_addresses(snapshot):
    subnet(snapshot, "10.80.16.0/20")["MapPublicIpOnLaunch"] = True


def subnet_tags_differ(snapshot):
    set_tag(subnet(snapshot, "10.80.0.0/20"), "Name", "fleet-public-eu-west-1b")


def subnet_without_tags(snapshot):
    del subnet(snapshot, "10.80.32.0/20")["Tags"]


def subnet_with_ipv6_block(snapshot):
    # ec2_vpc_subnet (ipv6_cidr '') disassociates it.
    subnet(snapshot, "10.80.0.0/20")["Ipv6CidrBlockAssociationSet"] = [
        {
            "AssociationId": "subnet-cidr-assoc-0123",
            "Ipv6CidrBlock": "2001:db8:1234:1a00::/64",
            "Ipv6CidrBlockState": {"State": "associated"},
            "Ipv6AddressAttribute": "public",
            "IpSource": "amazon",
        }
    ]


def subnet_assigns_ipv6_addresses(snapshot):
    # ec2_vpc_subnet (assign_instances_ipv6 false) turns it off.
    subnet(snapshot, "10.80.48.0/20")["AssignIpv6AddressOnCreation"] = True


def igw_missing(snapshot):
    snapshot["internet_gateways"] = []


def igw_tags_differ(snapshot):
    drop_tag(snapshot["internet_gateways"][0], "Name")


def eip_missing(snapshot):
    snapshot["addresses"].remove(address(snapshot, "eu-west-1b"))


def eip_tags_differ(snapshot):
    set_tag(address(snapshot, "eu-west-1a"), "Owner", "someone")


def extra_unassociated_eip(snapshot):
    snapshot["addresses"].append(
        {
            "AllocationId": "eipalloc-000000000000099",
            "Domain": "vpc",
            "PublicIp": "203.0.113.99",
            "PublicIpv4Pool": "amazon",
            "NetworkBorderGroup": "eu-west-1",
            "Tags": aws_tags(f"{FLEET}-nat-eu-west-1c"),
        }
    )


def nat_missing(snapshot):
    snapshot["nat_gateways"].remove(nat_gateway(snapshot, "eu-west-1b"))


def nat_pending(snapshot):
    nat_gateway(snapshot, "eu-west-1a")["State"] = "pending"


def nat_in_wrong_subnet(snapshot):
    nat_gateway(snapshot, "eu-west-1a")["SubnetId"] = PRIVATE_SUBNET["eu-west-1a"]


def nat_with_another_address(snapshot):
    nat_gateway(snapshot, "eu-west-1b")["NatGatewayAddresses"][0]["AllocationId"] = "eipalloc-0000000000other"


def nat_tags_differ(snapshot):
    set_tag(nat_gateway(snapshot, "eu-west-1b"), "Name", "fleet-nat")


def extra_nat(snapshot):
    extra = aws_nat_gateway("eu-west-1a") | {"NatGatewayId": "nat-0000000000000extra"}
    extra["NatGatewayAddresses"] = [{"AllocationId": "eipalloc-0000000000other", "PublicIp": "203.0.113.7"}]
    snapshot["nat_gateways"].append(extra)


def public_table_missing(snapshot):
    snapshot["route_tables"].remove(route_table(snapshot, PUBLIC_TABLE))


def public_table_duplicated(snapshot):
    twin = copy.deepcopy(route_table(snapshot, PUBLIC_TABLE)) | {"RouteTableId": "rtb-0000000000000twin"}
    twin["Associations"] = []
    snapshot["route_tables"].append(twin)


def public_table_extra_tag(snapshot):
    set_tag(route_table(snapshot, PUBLIC_TABLE), "Owner", "someone")


def public_route_wrong_target(snapshot):
    default_route_of(snapshot, PUBLIC_TABLE)["GatewayId"] = "igw-0000000000000other"


def public_route_missing(snapshot):
    route_table(snapshot, PUBLIC_TABLE)["Routes"].remove(default_route_of(snapshot, PUBLIC_TABLE))


def public_extra_created_route(snapshot):
    route_table(snapshot, PUBLIC_TABLE)["Routes"].append(
        {
            "DestinationCidrBlock": "10.99.0.0/16",
            "VpcPeeringConnectionId": "pcx-0123",
            "Origin": "CreateRoute",
            "State": "active",
        }
    )


def public_extra_association(snapshot):
    route_table(snapshot, PUBLIC_TABLE)["Associations"].append(association(PUBLIC_TABLE, "subnet-0000000000other"))


def public_missing_association(snapshot):
    route_table(snapshot, PUBLIC_TABLE)["Associations"].pop()


def private_table_wrong_nat(snapshot):
    default_route_of(snapshot, PRIVATE_TABLE["eu-west-1b"])["NatGatewayId"] = NAT["eu-west-1a"]


def private_table_missing(snapshot):
    snapshot["route_tables"].remove(route_table(snapshot, PRIVATE_TABLE["eu-west-1a"]))


def private_table_other_subnet(snapshot):
    association_of_a = route_table(snapshot, PRIVATE_TABLE["eu-west-1a"])["Associations"]
    association_of_b = route_table(snapshot, PRIVATE_TABLE["eu-west-1b"])["Associations"]
    association_of_a[0], association_of_b[0] = association_of_b[0], association_of_a[0]


def endpoint_missing(snapshot):
    snapshot["endpoints"] = []


def endpoint_on_other_route_tables(snapshot):
    snapshot["endpoints"][0]["RouteTableIds"] = [PRIVATE_TABLE["eu-west-1a"]]


def extra_fleet_endpoint_on_old_route_tables(snapshot):
    snapshot["endpoints"].append(
        aws_endpoint("vpce-00000000000000old", ["rtb-0000000000000old"], aws_tags(f"{FLEET}-s3"))
    )


def endpoint_deleted(snapshot):
    snapshot["endpoints"][0]["State"] = "Deleted"


def endpoint_tags_differ(snapshot):
    set_tag(snapshot["endpoints"][0], "Name", "s3")


DRIFT_CASES = [
    (no_vpc, "VPC fleet-vpc: 0 found, not 1"),
    (two_vpcs, "VPC fleet-vpc: 2 found, not 1"),
    (vpc_extra_tag, "VPC fleet-vpc: tags differ"),
    (vpc_missing_tag, "VPC fleet-vpc: tags differ"),
    (vpc_different_tag, "VPC fleet-vpc: tags differ"),
    (dns_support_off, "VPC: DNS support is off"),
    (dns_hostnames_off, "VPC: DNS host names are off"),
    (subnet_missing, "subnet private eu-west-1b 10.80.48.0/20: missing"),
    (subnet_in_wrong_zone, "subnet private eu-west-1a 10.80.32.0/20: in zone eu-west-1c"),
    (subnet_maps_public_addresses, "subnet public eu-west-1b 10.80.16.0/20: maps public addresses"),
    (subnet_tags_differ, "subnet public eu-west-1a 10.80.0.0/20: tags differ"),
    (subnet_without_tags, "subnet private eu-west-1a 10.80.32.0/20: tags differ"),
    (subnet_with_ipv6_block, "subnet public eu-west-1a 10.80.0.0/20: has an IPv6 CIDR block"),
    (subnet_assigns_ipv6_addresses, "subnet private eu-west-1b 10.80.48.0/20: assigns IPv6 addresses"),
    (igw_missing, "internet gateway: missing"),
    (igw_tags_differ, "internet gateway: tags differ"),
    (eip_missing, "Elastic IP fleet-nat-eu-west-1b: missing"),
    (eip_tags_differ, "Elastic IP fleet-nat-eu-west-1a: tags differ"),
    (extra_unassociated_eip, "Elastic IP 203.0.113.99: not needed"),
    (nat_missing, "NAT gateway fleet-nat-eu-west-1b: missing"),
    (nat_pending, "NAT gateway fleet-nat-eu-west-1a: pending"),
    (nat_in_wrong_subnet, "NAT gateway fleet-nat-eu-west-1a: missing"),
    (nat_with_another_address, "NAT gateway fleet-nat-eu-west-1b: missing"),
    (nat_tags_differ, "NAT gateway fleet-nat-eu-west-1b: tags differ"),
    (extra_nat, "NAT gateway nat-0000000000000extra: not needed"),
    (public_table_missing, "public route table: 0 route tables carry its tags, not 1"),
    (public_table_duplicated, "public route table: 2 route tables carry its tags, not 1"),
    (public_table_extra_tag, "public route table: tags differ"),
    (public_route_wrong_target, "public route table: routes differ"),
    (public_route_missing, "public route table: routes differ"),
    (public_extra_created_route, "public route table: routes differ"),
    (public_extra_association, "public route table: subnet associations differ"),
    (public_missing_association, "public route table: subnet associations differ"),
    (private_table_wrong_nat, "private route table eu-west-1b: routes differ"),
    (private_table_missing, "private route table eu-west-1a: 0 route tables carry its tags, not 1"),
    (private_table_other_subnet, "private route table eu-west-1a: subnet associations differ"),
    (endpoint_missing, "S3 endpoint: missing"),
    (endpoint_on_other_route_tables, f"S3 endpoint {ENDPOINT}: on other route tables"),
    (extra_fleet_endpoint_on_old_route_tables, "S3 endpoint vpce-00000000000000old: on other route tables"),
    (endpoint_deleted, "S3 endpoint: Deleted"),
    (endpoint_tags_differ, "S3 endpoint: tags differ"),
]


@each_drift_case(DRIFT_CASES)
def test_compare_reports_the_drift(mutate: Callable[[dict], None], sentence: str):
    snapshot = converged()
    mutate(snapshot)
    assert_drift_holds(fni.compare(snapshot, plan())[0], sentence)


def test_compare_reports_every_drift_at_once():
    snapshot = converged()
    for mutate in (dns_support_off, subnet_maps_public_addresses, igw_tags_differ, extra_nat, endpoint_tags_differ):
        mutate(snapshot)
    assert fni.compare(snapshot, plan())[0] == [
        "VPC: DNS support is off",
        "subnet public eu-west-1b 10.80.16.0/20: maps public addresses",
        "internet gateway: tags differ",
        "NAT gateway nat-0000000000000extra: not needed",
        "S3 endpoint: tags differ",
    ]


def test_compare_private_route_table_on_a_missing_nat_gateway():
    snapshot = converged()
    nat_missing(snapshot)
    drift, network = fni.compare(snapshot, plan())
    assert drift == [
        "NAT gateway fleet-nat-eu-west-1b: missing",
        "private route table eu-west-1b: routes differ",
        "S3 endpoint: the private route tables are not all in place",
    ]
    assert network["nat_gateway_ids"] == [NAT["eu-west-1a"]]


# ------------------------------------------------------------------------------------------------- main, on moto

REGION = "us-east-1"
MOTO_ZONES = ["us-east-1a", "us-east-1b"]


@pytest.fixture
def aws(offline_aws_environment):
    """moto's in-process EC2, with fake credentials and none of the sandbox's endpoints or profiles."""
    offline_aws_environment(REGION)
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


def tag_spec(resource_type: str, name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": aws_tags(name)}]


def build_network(ec2) -> dict[str, Any]:
    """The network present.yml makes for MAIN_ARGS, made with boto3; the ids, as the module should return them."""
    vpc = ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=tag_spec("vpc", VPC_NAME))["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets: dict[tuple[str, str], str] = {}
    for kind, cidrs in (("public", PUBLIC_CIDRS), ("private", PRIVATE_CIDRS)):
        for zone, cidr in zip(MOTO_ZONES, cidrs, strict=True):
            subnets[kind, zone] = ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=cidr,
                AvailabilityZone=zone,
                TagSpecifications=tag_spec("subnet", f"{FLEET}-{kind}-{zone}"),
            )["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", f"{FLEET}-igw"))
    igw_id = igw["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc)
    nats = {}
    for zone in MOTO_ZONES:
        allocation = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", f"{FLEET}-nat-{zone}"))
        nats[zone] = ec2.create_nat_gateway(
            SubnetId=subnets["public", zone],
            AllocationId=allocation["AllocationId"],
            TagSpecifications=tag_spec("natgateway", f"{FLEET}-nat-{zone}"),
        )["NatGateway"]["NatGatewayId"]
    public_table = ec2.create_route_table(VpcId=vpc, TagSpecifications=tag_spec("route-table", f"{FLEET}-public"))
    public_table_id = public_table["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)
    for zone in MOTO_ZONES:
        ec2.associate_route_table(RouteTableId=public_table_id, SubnetId=subnets["public", zone])
    private_table_ids = []
    for zone in MOTO_ZONES:
        table = ec2.create_route_table(VpcId=vpc, TagSpecifications=tag_spec("route-table", f"{FLEET}-private-{zone}"))
        table_id = table["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nats[zone])
        ec2.associate_route_table(RouteTableId=table_id, SubnetId=subnets["private", zone])
        private_table_ids.append(table_id)
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc,
        VpcEndpointType="Gateway",
        ServiceName=f"com.amazonaws.{REGION}.s3",
        RouteTableIds=private_table_ids,
        TagSpecifications=tag_spec("vpc-endpoint", f"{FLEET}-s3"),
    )["VpcEndpoint"]["VpcEndpointId"]
    return {
        "vpc_id": vpc,
        "public_subnets": [
            {"id": subnets["public", zone], "zone": zone, "cidr": cidr}
            for zone, cidr in zip(MOTO_ZONES, PUBLIC_CIDRS, strict=True)
        ],
        "private_subnets": [
            {"id": subnets["private", zone], "zone": zone, "cidr": cidr}
            for zone, cidr in zip(MOTO_ZONES, PRIVATE_CIDRS, strict=True)
        ],
        "nat_gateway_ids": [nats[zone] for zone in MOTO_ZONES],
        "s3_endpoint_id": endpoint,
    }


MAIN_ARGS = {
    "fleet_name": FLEET,
    "fleet_tag_key": "runnerfleet:fleet",
    "names": NAMES,
    "vpc_cidr": VPC_CIDR,
    "tags": TAGS,
    "zone_count": 2,
    "public_cidrs": PUBLIC_CIDRS,
    "private_cidrs": PRIVATE_CIDRS,
    "region": REGION,
}


@pytest.fixture
def run_main(aws, capsys):
    def run(args: dict[str, Any]) -> dict[str, Any]:
        with patch_module_args(args), pytest.raises(SystemExit):
            fni.main()
        return json.loads(capsys.readouterr().out)

    return run


def test_main_on_a_converged_network(aws, run_main):
    expected = build_network(aws)
    result = run_main(MAIN_ARGS)
    assert result["drift"] == []
    assert result["in_sync"] is True
    assert result["changed"] is False
    assert result["network"] == expected
    assert result["region"] == REGION
    assert result["zones"] == MOTO_ZONES
    assert result["region_zones"][:2] == MOTO_ZONES


def test_main_sees_a_changed_tag(aws, run_main):
    expected = build_network(aws)
    aws.create_tags(Resources=[expected["public_subnets"][1]["id"]], Tags=[{"Key": "Owner", "Value": "someone"}])
    result = run_main(MAIN_ARGS)
    assert result["in_sync"] is False
    assert result["drift"] == ["subnet public us-east-1b 10.80.16.0/20: tags differ"]
    assert result["changed"] is False


def test_main_sees_a_changed_route(aws, run_main):
    expected = build_network(aws)
    tables = aws.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [expected["private_subnets"][1]["id"]]}]
    )["RouteTables"]
    aws.replace_route(
        RouteTableId=tables[0]["RouteTableId"],
        DestinationCidrBlock="0.0.0.0/0",
        NatGatewayId=expected["nat_gateway_ids"][0],
    )
    result = run_main({**MAIN_ARGS, "availability_zones": MOTO_ZONES})
    assert result["in_sync"] is False
    assert "private route table us-east-1b: routes differ" in result["drift"]


def test_main_without_a_network(aws, run_main):
    result = run_main({**MAIN_ARGS, "availability_zones": ["us-east-1c"], "zone_count": 3})
    assert result["in_sync"] is False
    assert result["drift"] == ["VPC fleet-vpc: 0 found, not 1"]
    assert result["network"] == {}
    assert result["zones"] == ["us-east-1c"]
    assert len(result["region_zones"]) >= 3
