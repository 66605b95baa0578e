# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network changes AWS makes only by replacement (plugin_utils/_network_replacements and the
network_replacements filter): one test per refused kind, each message naming the variable, what exists, what is
asked and how to get there; and the changes the network role makes in place, which pass. The plans are the
fleet_plan's own network part; the live state is shaped as amazon.aws's info modules return it."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.network_replacements import network_replacements
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_plan import network_part
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._network_replacements import replacements

FLEET = {"name": "f", "region": "eu-west-1", "tag_key": "runnerfleet:fleet", "tags": {"runnerfleet:fleet": "f"}}
REGION_ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
VPC = {"id": "vpc-live", "cidr_block": "10.80.0.0/16", "tags": {"Name": "f-vpc", "runnerfleet:fleet": "f"}}
# The example's network as the role made it: two zones, the /20s carved from 10.80.0.0/16, public ones first.
LIVE_CIDRS = {
    ("public", "eu-west-1a"): "10.80.0.0/20",
    ("public", "eu-west-1b"): "10.80.16.0/20",
    ("private", "eu-west-1a"): "10.80.32.0/20",
    ("private", "eu-west-1b"): "10.80.48.0/20",
}
REPLACE = "`ansible-playbook playbooks/teardown.yml`, then `ansible-playbook playbooks/site.yml`"


def plan(**network) -> dict:
    return {**network_part(FLEET, network), "fleet": FLEET}


def subnet(kind: str, zone: str, cidr: str, vpc_id: str = VPC["id"]) -> dict:
    return {
        "id": f"subnet-{kind}-{zone[-1]}",
        "vpc_id": vpc_id,
        "cidr_block": cidr,
        "availability_zone": zone,
        "tags": {"Name": f"f-{kind}-{zone}", "runnerfleet:fleet": "f"},
    }


LIVE_SUBNETS = [subnet(kind, zone, cidr) for (kind, zone), cidr in LIVE_CIDRS.items()]


def refused(network: dict, **live) -> list[str]:
    live = {"vpcs": [VPC], "subnets": LIVE_SUBNETS, "region_zones": REGION_ZONES} | live
    return replacements(plan(**network), **live)


def assert_one_message(messages: list[str], *parts: str) -> str:
    assert len(messages) == 1, messages
    for part in (*parts, REPLACE):
        assert part in messages[0], messages[0]
    return messages[0]


# --- what passes ----------------------------------------------------------------------------------------------------
def test_a_new_fleet_has_nothing_to_replace():
    assert refused({}, vpcs=[], subnets=[]) == []


def test_the_converged_network_as_described_has_nothing_to_replace():
    assert refused({}) == []
    assert refused({"availability_zones": ["eu-west-1a", "eu-west-1b"]}) == []


@pytest.mark.parametrize("nat_mode", ["shared", "per_az"])
def test_the_nat_mode_changes_in_place(nat_mode):
    # The role moves the private routes, then adds or removes the NAT gateways (molecule network's side effect).
    assert refused({"nat_mode": nat_mode}) == []


def test_a_zone_added_with_the_live_subnets_kept_changes_in_place():
    added = {
        "availability_zones": REGION_ZONES,
        "public_subnet_cidrs": ["10.80.0.0/20", "10.80.16.0/20", "10.80.64.0/20"],
        "private_subnet_cidrs": ["10.80.32.0/20", "10.80.48.0/20", "10.80.80.0/20"],
    }
    assert refused(added) == []


def test_subnets_of_other_vpcs_and_names_are_not_the_fleets():
    others = [subnet("private", "eu-west-1a", "10.80.96.0/20", vpc_id="vpc-other"), {**LIVE_SUBNETS[0], "tags": {}}]
    assert refused({}, subnets=[*LIVE_SUBNETS[1:], *others]) == []


# --- what is refused, one kind each --------------------------------------------------------------------------------
def test_another_vpc_cidr_is_refused():
    message = assert_one_message(
        refused({"vpc_cidr": "10.81.0.0/16"}),
        "fleet_network.vpc_cidr:",
        "vpc-live has the CIDR 10.80.0.0/16",
        "asks for 10.81.0.0/16",
        "set fleet_network.vpc_cidr back to 10.80.0.0/16",
    )
    assert message.count("fleet_network.") == 2, message  # one message, not one more per moved subnet


def test_other_given_subnet_cidrs_are_refused():
    message = assert_one_message(
        refused({"private_subnet_cidrs": ["10.80.128.0/20", "10.80.144.0/20"]}),
        "fleet_network.private_subnet_cidrs:",
        "vpc-live (10.80.0.0/16) has the private subnets subnet-private-a 10.80.32.0/20 in eu-west-1a",
        "asks for 10.80.128.0/20 in eu-west-1a, 10.80.144.0/20 in eu-west-1b",
        "set fleet_network.private_subnet_cidrs to the live ones in zone order (10.80.32.0/20, 10.80.48.0/20).",
    )
    assert "public" not in message.split(".", 1)[0]


def test_a_zone_count_that_moves_the_carved_subnets_is_refused():
    # Carved for three zones, the private /20s shift by one and the third public one takes a live private block.
    messages = refused({"az_count": 3})
    assert [message.split(":", 1)[0] for message in messages] == [
        "fleet_network.public_subnet_cidrs",
        "fleet_network.private_subnet_cidrs",
    ]
    assert "10.80.32.0/20 in eu-west-1c" in messages[0]
    assert "then a CIDR of its own for each new zone (eu-west-1c)" in messages[0]
    assert "subnet-private-a 10.80.32.0/20 in eu-west-1a" in messages[1]


@pytest.mark.parametrize(
    ("network", "variable", "asked", "back"),
    [
        (
            {"az_count": 1},
            "fleet_network.az_count:",
            "asks for eu-west-1a, without eu-west-1b",
            "set fleet_network.az_count back to 2",
        ),
        (
            {"availability_zones": ["eu-west-1a", "eu-west-1c"]},
            "fleet_network.availability_zones:",
            "asks for eu-west-1a, eu-west-1c, without eu-west-1b",
            "list every zone the VPC has (eu-west-1a, eu-west-1b) in fleet_network.availability_zones",
        ),
    ],
    ids=["fewer zones", "other zones"],
)
def test_fewer_or_other_zones_are_refused(network, variable, asked, back):
    assert_one_message(
        refused(network), variable, "vpc-live (10.80.0.0/16) has subnets in eu-west-1a, eu-west-1b", asked, back
    )


def test_an_existing_vpc_for_a_fleet_with_its_own_is_refused():
    assert_one_message(
        refused({"vpc_id": "vpc-existing", "private_subnet_ids": ["subnet-1", "subnet-2"]}),
        "fleet_network.vpc_id:",
        "a VPC of its own, vpc-live (10.80.0.0/16)",
        "asks for the existing VPC vpc-existing",
        "remove fleet_network.vpc_id and its subnet ids, to keep vpc-live",
    )


GROUPS_IN_EXISTING = [
    {"group_id": "sg-managers", "vpc_id": "vpc-existing"},
    {"group_id": "sg-workers", "vpc_id": "vpc-existing"},
]


def test_a_vpc_of_its_own_for_a_fleet_in_an_existing_vpc_is_refused():
    assert_one_message(
        refused({}, vpcs=[], subnets=[], security_groups=GROUPS_IN_EXISTING),
        "fleet_network.vpc_id:",
        "runs in the existing VPC vpc-existing (its security groups sg-managers, sg-workers are there)",
        "asks for a VPC of its own",
        "set fleet_network.vpc_id back to vpc-existing",
    )


def test_another_existing_vpc_is_refused_and_the_same_passes():
    existing = {"vpc_id": "vpc-existing", "private_subnet_ids": ["subnet-1", "subnet-2"]}
    assert refused(existing, vpcs=[], subnets=[], security_groups=GROUPS_IN_EXISTING) == []
    assert_one_message(
        refused({**existing, "vpc_id": "vpc-another"}, vpcs=[], subnets=[], security_groups=GROUPS_IN_EXISTING),
        "fleet_network.vpc_id:",
        "runs in the existing VPC vpc-existing",
        "asks for vpc-another",
    )


def test_a_second_vpc_with_the_fleets_tag_is_refused_naming_both():
    orphan = {**VPC, "id": "vpc-orphan", "cidr_block": "10.81.0.0/16"}
    assert_one_message(
        refused({}, vpcs=[VPC, orphan]),
        "fleet_network: 2 VPCs carry the fleet's tag runnerfleet:fleet=f:",
        "vpc-live (10.80.0.0/16), vpc-orphan (10.81.0.0/16)",
        "fleet_network.vpc_cidr 10.80.0.0/16 is vpc-live's",
        "delete the VPC the fleet does not use",
    )


# --- the filter -------------------------------------------------------------------------------------------------------
def test_the_filter_gives_the_messages_and_refuses_what_is_not_a_plan():
    assert network_replacements(plan(vpc_cidr="10.81.0.0/16"), [VPC], LIVE_SUBNETS)[0].startswith(
        "fleet_network.vpc_cidr:"
    )
    assert network_replacements(plan(), [], None, None, None) == []
    with pytest.raises(AnsibleFilterError, match="network_replacements: the input is not the plan's network part"):
        network_replacements({"vpc_cidr": "10.80.0.0/16"}, [VPC])
    with pytest.raises(AnsibleFilterError, match="network_replacements: vpcs must be a list"):
        network_replacements(plan(), "vpc-live")
