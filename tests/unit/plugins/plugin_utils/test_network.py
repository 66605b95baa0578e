# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the network role's write tasks make of the amazon.aws modules' answers (plugin_utils/_network and the
network filters), with results shaped as those modules register them in a loop."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.network_nat_routes import network_nat_routes
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.network_record import network_record
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.network_route_table_ids import network_route_table_ids
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.network_stale_endpoints import network_stale_endpoints
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.network_subnet_views import network_subnet_views
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.network_subnets_made import network_subnets_made
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _network
from filter_plugins import found_filters

ZONES = ["eu-west-1a", "eu-west-1b"]
PLAN = [
    {"kind": "public", "zone": "eu-west-1a", "cidr": "10.0.0.0/20", "name": "f-public-eu-west-1a"},
    {"kind": "public", "zone": "eu-west-1b", "cidr": "10.0.16.0/20", "name": "f-public-eu-west-1b"},
    {"kind": "private", "zone": "eu-west-1a", "cidr": "10.0.32.0/20", "name": "f-private-eu-west-1a"},
    {"kind": "private", "zone": "eu-west-1b", "cidr": "10.0.48.0/20", "name": "f-private-eu-west-1b"},
]


def subnet_results(ids):
    """ec2_vpc_subnet's looped results: a subnet per item, or a skipped item (no subnet) for None."""
    return [
        {"item": item, "subnet": {"id": subnet_id}} if subnet_id else {"item": item, "skipped": True}
        for item, subnet_id in zip(PLAN, ids, strict=True)
    ]


def nat_results(gateways):
    """ec2_vpc_nat_gateway's results, looped over ec2_eip's results, looped over the plan's nat items."""
    return [
        {"item": {"item": {"zone": zone, "name": f"f-nat-{zone}"}}, **({"nat_gateway_id": gw} if gw else {})}
        for zone, gw in gateways.items()
    ]


def test_made_subnets_carry_their_ids_and_leave_out_the_skipped():
    made = _network.made_subnets(subnet_results(["subnet-1", None, "subnet-3", "subnet-4"]))
    assert [subnet["id"] for subnet in made] == ["subnet-1", "subnet-3", "subnet-4"]
    assert made[0] == {**PLAN[0], "id": "subnet-1"}


@pytest.mark.parametrize(
    ("mode", "gateways", "expected"),
    [
        ("per_az", {"eu-west-1a": "nat-a", "eu-west-1b": "nat-b"}, {"eu-west-1a": "nat-a", "eu-west-1b": "nat-b"}),
        ("shared", {"eu-west-1a": "nat-a"}, {"eu-west-1a": "nat-a", "eu-west-1b": "nat-a"}),
        ("per_az", {"eu-west-1a": "nat-a", "eu-west-1b": None}, {"eu-west-1a": "nat-a"}),
        ("shared", {"eu-west-1a": None}, {}),
    ],
)
def test_nat_routes(mode, gateways, expected):
    assert _network.nat_routes(nat_results(gateways), ZONES, mode) == expected


def test_stale_endpoints_are_live_ones_on_other_route_tables():
    endpoints = [
        {"vpc_endpoint_id": "a", "state": "available", "route_table_ids": ["rtb-2", "rtb-1"]},
        {"vpc_endpoint_id": "b", "state": "available", "route_table_ids": ["rtb-9"]},
        {"vpc_endpoint_id": "c", "state": "Deleted", "route_table_ids": ["rtb-9"]},
        {"vpc_endpoint_id": "d", "state": "pending"},
    ]
    stale = _network.stale_endpoints(endpoints, ["rtb-1", "rtb-2"])
    assert [endpoint["vpc_endpoint_id"] for endpoint in stale] == ["b", "d"]


def test_network_record():
    made = _network.made_subnets(subnet_results(["subnet-1", "subnet-2", "subnet-3", "subnet-4"]))
    record = _network.network_record(
        made,
        vpc_id="vpc-1",
        vpc_cidr="10.0.0.0/16",
        zones=ZONES,
        routes={"eu-west-1a": "nat-a", "eu-west-1b": "nat-a"},
        endpoint_id="vpce-1",
    )
    assert record == {
        "vpc_id": "vpc-1",
        "vpc_cidr": "10.0.0.0/16",
        "availability_zones": ZONES,
        "public_subnets": [
            {"id": "subnet-1", "zone": "eu-west-1a", "cidr": "10.0.0.0/20"},
            {"id": "subnet-2", "zone": "eu-west-1b", "cidr": "10.0.16.0/20"},
        ],
        "private_subnets": [
            {"id": "subnet-3", "zone": "eu-west-1a", "cidr": "10.0.32.0/20"},
            {"id": "subnet-4", "zone": "eu-west-1b", "cidr": "10.0.48.0/20"},
        ],
        "nat_gateway_ids": ["nat-a"],
        "s3_endpoint_id": "vpce-1",
        "managed": True,
    }


def test_subnet_views_by_id():
    listed = [{"id": "subnet-1", "availability_zone": "eu-west-1a", "cidr_block": "10.0.0.0/24", "vpc_id": "vpc-1"}]
    assert _network.subnet_views(listed) == {
        "subnet-1": {"id": "subnet-1", "zone": "eu-west-1a", "cidr": "10.0.0.0/24"}
    }


def test_filters_check_their_input():
    registered = found_filters(
        "network_nat_routes",
        "network_record",
        "network_replacements",
        "network_route_table_ids",
        "network_stale_endpoints",
        "network_subnet_views",
        "network_subnets_made",
    )
    assert set(registered) == {
        "network_subnets_made",
        "network_nat_routes",
        "network_stale_endpoints",
        "network_route_table_ids",
        "network_record",
        "network_subnet_views",
        "network_replacements",  # pre-flight's; tests/unit/plugins/plugin_utils/test_network_replacements.py
    }
    with pytest.raises(AnsibleFilterError):
        network_subnets_made("results")
    with pytest.raises(AnsibleFilterError, match="nat_mode"):
        network_nat_routes([], ZONES, "one")
    with pytest.raises(AnsibleFilterError, match="routes"):
        network_record([], vpc_id="", vpc_cidr="", zones=ZONES, routes=[])
    assert network_record([], vpc_id=None, vpc_cidr="c", zones=[], routes={})["vpc_id"] == ""
    assert network_stale_endpoints([], []) == []
    assert network_subnet_views([]) == {}
    assert network_route_table_ids([]) == []
    with pytest.raises(AnsibleFilterError, match="live_tables"):
        network_route_table_ids([], "tables")


def test_route_table_ids_take_the_live_id_where_check_mode_answered_a_placeholder():
    results = [
        {"item": {"zone": "a", "name": "f-private-a"}, "route_table": {"id": "rtb-xxxxxxxx"}},
        {"item": {"zone": "b", "name": "f-private-b"}, "route_table": {"id": "rtb-0b"}},
        {"item": {"zone": "c", "name": "f-private-c"}, "skipped": True},
        {"item": {"zone": "d", "name": "f-private-d"}, "route_table": {"id": "rtb-xxxxxxxx"}},  # would be made
    ]
    live = [
        {"id": "rtb-0a", "tags": {"Name": "f-private-a"}},
        {"route_table_id": "rtb-0e", "Tags": [{"Key": "Name", "Value": "f-private-e"}]},
    ]
    assert _network.made_route_table_ids(results, live) == ["rtb-0a", "rtb-0b", "rtb-xxxxxxxx"]
    assert _network.made_route_table_ids(results[1:2]) == ["rtb-0b"]
