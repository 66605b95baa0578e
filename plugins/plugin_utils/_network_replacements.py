# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network changes AWS makes only by replacement, found by comparing the plan with the live fleet.

The network role changes a network in place where AWS allows it: it adds zones (their subnets, NAT gateway and
route table), moves the private routes between per-zone and shared NAT gateways, and replaces the S3 endpoint when
the route tables change. What AWS cannot change in place, the role must never try: it finds the fleet's VPC by its
name and CIDR, so a new vpc_cidr made a second VPC beside the first, and the run failed halfway (issue 19).

`replacements(plan, ...)` gives one message per such change, each naming the variable, what exists, what the
description asks, and how to get there (a teardown and a converge, with downtime, or the variable set back).
Pre-flight fails with them before any mutating call, in check mode too. The live state is what amazon.aws's info
modules return (ec2_vpc_net_info, ec2_vpc_subnet_info, ec2_security_group_info, aws_az_info): the fleet's VPCs,
subnets and security groups, found by the fleet's tag.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence

# How to get there when AWS cannot: everything is made again on a new network.
REPLACE = (
    "replace the fleet, with downtime: `ansible-playbook playbooks/teardown.yml`, then"
    " `ansible-playbook playbooks/site.yml`"
)
SUBNET_KINDS = ("public", "private")


def replacements(
    plan: Mapping,
    *,
    vpcs: Sequence[Mapping],
    subnets: Sequence[Mapping] = (),
    security_groups: Sequence[Mapping] = (),
    region_zones: Sequence[str] = (),
) -> list[str]:
    """One message per change of the network that AWS makes only by replacement; [] when none.

    plan: the plan's network part (fleet_plan.network). vpcs: the VPCs that carry the fleet's tag. subnets: the
    subnets that carry it (only those of the fleet's VPC count). security_groups: the fleet's, which tell the VPC a
    fleet without a VPC of its own runs in. region_zones: the region's zones in AWS's order, which choose the zones
    when the plan names none (as the network role does)."""
    if len(vpcs) > 1:
        return [several_vpcs(plan, vpcs)]
    if plan["existing"]:
        return existing_vpc_changes(plan, vpcs, security_groups)
    if not vpcs:
        return leaving_existing_vpc(plan, security_groups)
    vpc = vpcs[0]
    if vpc["cidr_block"] != plan["vpc_cidr"]:
        # Every subnet CIDR moves with the VPC's: one message says it all.
        return [vpc_cidr_changed(plan, vpc)]
    live = live_subnets(plan, vpc, subnets)
    wanted_zones = plan_zones(plan, region_zones)
    dropped = [zone for zone in zones_of(live) if zone not in wanted_zones]
    if dropped:
        return [zones_dropped(plan, vpc, live, wanted_zones)]
    return [message for kind in SUBNET_KINDS for message in subnet_cidrs_changed(plan, vpc, live, kind, wanted_zones)]


# --- reading the live state ---------------------------------------------------------------------------------------


def live_subnets(plan: Mapping, vpc: Mapping, subnets: Sequence[Mapping]) -> dict[str, dict[str, Mapping]]:
    """{kind: {zone: subnet}} of the VPC's subnets the role made, told apart by the Name the plan gives them."""
    found: dict[str, dict[str, Mapping]] = {kind: {} for kind in SUBNET_KINDS}
    for subnet in subnets:
        if subnet.get("vpc_id") != vpc["id"]:
            continue
        zone, name = subnet["availability_zone"], (subnet.get("tags") or {}).get("Name")
        for kind in SUBNET_KINDS:
            if name == zone_name(plan["names"][f"{kind}_subnet"], zone):
                found[kind][zone] = subnet
    return found


def zones_of(live: Mapping[str, Mapping[str, Mapping]]) -> list[str]:
    """The live subnets' zones, in name order (AWS lists them in no particular order)."""
    return sorted({zone for by_zone in live.values() for zone in by_zone})


def plan_zones(plan: Mapping, region_zones: Sequence[str]) -> list[str]:
    """The zones the role will use: the plan's, else the region's first zone_count (as fleet_network_info does)."""
    return list(plan["availability_zones"]) or list(region_zones[: plan["zone_count"]])


def zone_name(pattern: str, zone: str) -> str:
    return pattern.replace("{zone}", zone)


def how_to_get_there(revert: str) -> str:
    """The two ways out: the replacement, or the variable set back (revert says how)."""
    return f"To get there, {REPLACE}; or {revert}."


def vpc_label(vpc: Mapping) -> str:
    return f"{vpc['id']} ({vpc['cidr_block']})"


def joined(values: Sequence[str]) -> str:
    return ", ".join(values) or "none"


# --- the messages, one per kind of change -------------------------------------------------------------------------


def several_vpcs(plan: Mapping, vpcs: Sequence[Mapping]) -> str:
    fleet = plan["fleet"]
    ordered = sorted(vpcs, key=lambda vpc: vpc["id"])
    wanted = [vpc["id"] for vpc in ordered if vpc["cidr_block"] == plan["vpc_cidr"]]
    asked = (
        f"fleet_network.vpc_cidr {plan['vpc_cidr']} is {wanted[0]}'s"
        if len(wanted) == 1 and not plan["existing"]
        else f"the description asks for {asks(plan)}"
    )
    return (
        f"fleet_network: {len(vpcs)} VPCs carry the fleet's tag {fleet['tag_key']}={fleet['name']}:"
        f" {joined([vpc_label(vpc) for vpc in ordered])}; a fleet has one VPC ({asked}). The others are left over"
        " from an earlier run that tried to replace the network in place. To get there, delete the VPC the fleet does"
        " not use (its NAT gateways and Elastic IPs, subnets, internet gateway and route tables first); or"
        f" {REPLACE} (the teardown removes every VPC with the fleet's tag)."
    )


def asks(plan: Mapping) -> str:
    """What the description asks of the network, in a few words."""
    if plan["existing"]:
        return f"the existing VPC {plan['vpc_id']} (fleet_network.vpc_id)"
    return f"a VPC of its own with fleet_network.vpc_cidr {plan['vpc_cidr']}"


def vpc_cidr_changed(plan: Mapping, vpc: Mapping) -> str:
    revert = f"set fleet_network.vpc_cidr back to {vpc['cidr_block']}"
    return (
        f"fleet_network.vpc_cidr: the fleet's VPC {vpc['id']} has the CIDR {vpc['cidr_block']}; the description asks"
        f" for {plan['vpc_cidr']}. AWS changes a VPC's CIDR only by replacing the VPC, and with it every subnet and"
        f" machine in it. {how_to_get_there(revert)}"
    )


def zones_dropped(plan: Mapping, vpc: Mapping, live: Mapping, wanted_zones: Sequence[str]) -> str:
    """Fewer or other zones: the role adds a zone's subnets but never removes any (a subnet with machines in it
    cannot go while they run)."""
    live_zones = zones_of(live)
    dropped = [zone for zone in live_zones if zone not in wanted_zones]
    if plan["availability_zones"]:
        variable = "fleet_network.availability_zones"
        back = f"list every zone the VPC has ({joined(live_zones)}) in {variable}"
    else:
        variable = "fleet_network.az_count"
        back = f"set {variable} back to {len(live_zones)}"
    return (
        f"{variable}: the fleet's VPC {vpc_label(vpc)} has subnets in {joined(live_zones)}; the description asks for"
        f" {joined(list(wanted_zones))}, without {joined(dropped)}. Leaving a zone removes its subnets, which AWS"
        f" allows only once nothing runs in them; the network role adds zones in place but never removes one."
        f" {how_to_get_there(back)}"
    )


def subnet_cidrs_changed(
    plan: Mapping, vpc: Mapping, live: Mapping, kind: str, wanted_zones: Sequence[str]
) -> list[str]:
    """The subnets of one kind whose zone stays but whose CIDR the plan changes, and the new zones' subnets whose
    CIDR overlaps a live one (AWS would refuse them until that one goes): both need a replacement."""
    wanted = dict(zip(wanted_zones, plan[f"{kind}_cidrs"], strict=False))
    live_of_kind = live[kind]
    moved = [zone for zone, subnet in live_of_kind.items() if wanted.get(zone) != subnet["cidr_block"]]
    new_zones = [zone for zone in wanted if zone not in zones_of(live)]
    taken = [subnet["cidr_block"] for by_zone in live.values() for subnet in by_zone.values()]
    clashing = [zone for zone in new_zones if overlaps_any(wanted[zone], taken)]
    if not moved and not clashing:
        return []
    variable = f"fleet_network.{kind}_subnet_cidrs"
    has = joined([f"{subnet['id']} {subnet['cidr_block']} in {zone}" for zone, subnet in sorted(live_of_kind.items())])
    asked = joined([f"{wanted[zone]} in {zone}" for zone in wanted])
    back = joined([live_of_kind[zone]["cidr_block"] for zone in wanted if zone in live_of_kind])
    for_new_zones = f", then a CIDR of its own for each new zone ({joined(new_zones)})" if new_zones else ""
    revert = f"set {variable} to the live ones in zone order ({back}){for_new_zones}"
    return [
        f"{variable}: the fleet's VPC {vpc_label(vpc)} has the {kind} subnets {has}; the description asks for {asked}"
        f" (the {kind}_subnet_cidrs given, or else carved from fleet_network.vpc_cidr for the zone count, so that"
        f" changing the count moves them). AWS changes a subnet's CIDR only by replacing the subnet, and with it every"
        f" machine in it. {how_to_get_there(revert)}"
    ]


def overlaps_any(cidr: str, others: Sequence[str]) -> bool:
    network = ipaddress.ip_network(cidr, strict=False)
    return any(network.overlaps(ipaddress.ip_network(other, strict=False)) for other in others)


def existing_vpc_changes(plan: Mapping, vpcs: Sequence[Mapping], security_groups: Sequence[Mapping]) -> list[str]:
    """The description names an existing VPC: refused when the fleet has a VPC of its own, or runs in another."""
    if vpcs:
        vpc = vpcs[0]
        revert = f"remove fleet_network.vpc_id and its subnet ids, to keep {vpc['id']}"
        return [
            f"fleet_network.vpc_id: the fleet has a VPC of its own, {vpc_label(vpc)}; the description asks for the"
            f" existing VPC {plan['vpc_id']}. Moving the fleet to another VPC replaces its security groups and every"
            f" machine, and its own VPC goes."
            f" {how_to_get_there(revert)}"
        ]
    elsewhere = sorted({group["vpc_id"] for group in security_groups if group.get("vpc_id") != plan["vpc_id"]})
    if not elsewhere:
        return []
    return [
        f"fleet_network.vpc_id: the fleet runs in the existing VPC {joined(elsewhere)} (its security groups"
        f" {groups_in(security_groups, elsewhere)} are there); the description asks for {plan['vpc_id']}. A security"
        f" group cannot move to another VPC, nor a machine."
        f" {how_to_get_there(back_to(elsewhere[0]))}"
    ]


def leaving_existing_vpc(plan: Mapping, security_groups: Sequence[Mapping]) -> list[str]:
    """No VPC of its own yet: refused when the fleet already runs in an existing VPC (its security groups say
    which); a fleet with neither is new, and the network role makes its VPC."""
    used = sorted({group["vpc_id"] for group in security_groups if group.get("vpc_id")})
    if not used:
        return []
    return [
        f"fleet_network.vpc_id: the fleet runs in the existing VPC {joined(used)} (its security groups"
        f" {groups_in(security_groups, used)} are there); the description asks for a VPC of its own"
        f" (fleet_network.vpc_id is not set; fleet_network.vpc_cidr {plan['vpc_cidr']}). A security group cannot move"
        f" to another VPC, nor a machine."
        f" {how_to_get_there(back_to(used[0]))}"
    ]


def back_to(vpc_id: str) -> str:
    return f"set fleet_network.vpc_id back to {vpc_id}, with its subnet ids"


def groups_in(security_groups: Sequence[Mapping], vpc_ids: Sequence[str]) -> str:
    return joined(sorted(group["group_id"] for group in security_groups if group.get("vpc_id") in vpc_ids))
