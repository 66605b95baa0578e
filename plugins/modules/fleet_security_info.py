#!/usr/bin/python
# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Why this module: on a converged fleet the security role used to run eight amazon.aws module tasks (the two security
# groups, the two IAM roles, the manager's inline policy, the two instance profiles, each in its own process) only to
# learn that nothing had to change. This module reads all of them in one process and says whether every one of those
# tasks would leave them as they are, deciding it the way each of those modules does. The role runs them only when
# something differs, so they stay the single place where the groups, roles and profiles are changed.

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_security_info
extends_documentation_fragment:
  - runnerfleet.gitlab_aws.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
short_description: Read a fleet's security groups, IAM roles and instance profiles and compare them with a plan
version_added: 0.1.0
description:
  - Reads the security groups named in O(security_groups) in the VPC O(vpc_id), the IAM roles in O(iam_roles) with
    their attached managed policies, the inline role policies in O(iam_policies), and the instance profiles in
    O(instance_profiles).
  - Compares each with the options the C(security) role gives C(amazon.aws.ec2_security_group),
    C(amazon.aws.iam_role), C(amazon.aws.iam_policy) and C(amazon.aws.iam_instance_profile), by the rules those
    modules use to decide whether to change something, and returns whether they match and, when they do not, what
    differs.
  - "Security groups: rules are expanded per port and per source, protocol V(all) is C(-1) without ports, CIDR
    blocks are normalised, rule descriptions count, rules not in the plan count when O(security_groups[].purge_rules)
    or O(security_groups[].purge_rules_egress) is set, and tags are purged (C(aws:) tags excepted). A description
    that differs is only warned about, as C(amazon.aws.ec2_security_group) does: it cannot be changed in place."
  - "IAM roles: tags, the trust policy (compared as a policy, whatever the order of statements, actions or keys),
    the description and the attached managed policies (purged when O(iam_roles[].purge_policies)). The path, the
    maximum session duration and the permissions boundary are not compared: C(amazon.aws.iam_role) leaves them
    alone when they are not given, and the role does not give them."
  - "Inline policies: only the named policy is compared, as a policy; other inline policies of the role are left
    alone, as C(amazon.aws.iam_policy) leaves them."
  - "Instance profiles: the role they hold and their tags."
  - Sends only C(Describe), C(Get) and C(List) calls; changes nothing.
author:
  - runnerfleet maintainers (@runnerfleet)
options:
  vpc_id:
    description:
      - The VPC the security groups are in.
      - Empty when the VPC does not exist yet; then every group is reported as missing and none is read.
    type: str
    required: true
  account_id:
    description:
      - The AWS account the credentials belong to. C(amazon.aws.ec2_security_group) names this account in the rules
        whose source is a security group.
    type: str
    required: true
  security_groups:
    description:
      - The security groups, each with the options given to C(amazon.aws.ec2_security_group).
      - A rule may name a group of this list by O(security_groups[].rules[].group_name), which stands for the id read
        for that group (the role passes that id as C(group_id) once the group exists).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The group's name.
        type: str
        required: true
      description:
        description: The group's description.
        type: str
        required: true
      rules:
        description: The inbound rules, as C(amazon.aws.ec2_security_group) takes them.
        type: list
        elements: dict
        suboptions: &rule_options
          proto:
            description: The IP protocol; V(all) or V(-1) means every protocol (and no ports).
            type: str
            default: tcp
          ports:
            description: Ports or port ranges (V(8000-8100)).
            type: list
            elements: str
          from_port:
            description: The first port.
            type: int
          to_port:
            description: The last port.
            type: int
          cidr_ip:
            description: IPv4 CIDR blocks.
            type: list
            elements: str
          cidr_ipv6:
            description: IPv6 CIDR blocks.
            type: list
            elements: str
          group_id:
            description: Security group ids.
            type: list
            elements: str
          group_name:
            description: Names of groups in O(security_groups), which stand for their ids.
            type: list
            elements: str
          rule_desc:
            description: The rule's description.
            type: str
      rules_egress:
        description: The outbound rules, as C(amazon.aws.ec2_security_group) takes them.
        type: list
        elements: dict
        suboptions: *rule_options
      purge_rules:
        description: Inbound rules not in O(security_groups[].rules) are removed.
        type: bool
        default: true
      purge_rules_egress:
        description: Outbound rules not in O(security_groups[].rules_egress) are removed.
        type: bool
        default: true
      tags:
        description: The group's tags; not compared when not given.
        type: dict
      purge_tags:
        description: Tags not in O(security_groups[].tags) are removed.
        type: bool
        default: true
  iam_roles:
    description: The IAM roles, each with the options given to C(amazon.aws.iam_role).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The role's name.
        type: str
        required: true
      description:
        description: The role's description; not compared when not given.
        type: str
      assume_role_policy_document:
        description: The trust policy, as JSON; not compared when not given.
        type: json
      managed_policies:
        description: The ARNs of the managed policies attached to the role; not compared when not given.
        type: list
        elements: str
      purge_policies:
        description: Managed policies not in O(iam_roles[].managed_policies) are detached.
        type: bool
        default: true
      tags:
        description: The role's tags; not compared when not given.
        type: dict
      purge_tags:
        description: Tags not in O(iam_roles[].tags) are removed.
        type: bool
        default: true
  iam_policies:
    description: Inline role policies, each with the options given to C(amazon.aws.iam_policy) with C(iam_type=role).
    type: list
    elements: dict
    default: []
    suboptions:
      iam_name:
        description: The role's name.
        type: str
        required: true
      policy_name:
        description: The inline policy's name.
        type: str
        required: true
      policy_json:
        description: The policy document, as JSON.
        type: json
        required: true
  instance_profiles:
    description: The instance profiles, each with the options given to C(amazon.aws.iam_instance_profile).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The instance profile's name.
        type: str
        required: true
      role:
        description: The role it holds; not compared when not given.
        type: str
      tags:
        description: The instance profile's tags; not compared when not given.
        type: dict
      purge_tags:
        description: Tags not in O(instance_profiles[].tags) are removed.
        type: bool
        default: true
"""

EXAMPLES = r"""
- name: Read the fleet's security groups, roles and instance profiles and compare them with the plan
  runnerfleet.gitlab_aws.fleet_security_info:
    vpc_id: vpc-0123456789abcdef0
    account_id: "123456789012"
    security_groups:
      - name: fleet-managers
        description: GitLab runner managers of fleet fleet
        rules: []
        rules_egress:
          - proto: all
            cidr_ip: [0.0.0.0/0]
            rule_desc: Outbound
        tags: {runnerfleet:fleet: fleet, Name: fleet-managers}
      - name: fleet-workers
        description: GitLab runner workers of fleet fleet
        rules:
          - proto: tcp
            ports: [22]
            group_name: [fleet-managers]
            rule_desc: SSH from the runner managers
        rules_egress:
          - proto: all
            cidr_ip: [0.0.0.0/0]
            rule_desc: Outbound
        tags: {runnerfleet:fleet: fleet, Name: fleet-workers}
    iam_roles:
      - name: fleet-worker
        description: GitLab runner workers of fleet fleet
        assume_role_policy_document: "{{ trust_policy | to_json }}"
        managed_policies: []
        tags: {runnerfleet:fleet: fleet}
    instance_profiles:
      - name: fleet-worker
        role: fleet-worker
        tags: {runnerfleet:fleet: fleet}
  register: security_current
"""

RETURN = r"""
in_sync:
  description: Whether every group, role, inline policy and instance profile matches the plan.
  returned: always
  type: bool
drift:
  description:
    What differs from the security role's plan, one sentence each naming the group, role, policy or instance profile;
    empty when RV(in_sync).
  returned: always
  type: list
  elements: str
  sample: ["security group fleet-workers: inbound rule tcp 22-22 from sg-0123456789abcdef0 is missing"]
group_ids:
  description: The id of each group of O(security_groups), by name; empty for a group not found.
  returned: always
  type: dict
  sample: {fleet-managers: sg-0123456789abcdef0, fleet-workers: ""}
role_arns:
  description: The ARN of each role of O(iam_roles), by name; empty for a role not found.
  returned: always
  type: dict
instance_profile_arns:
  description: The ARN of each instance profile of O(instance_profiles), by name; empty for a profile not found.
  returned: always
  type: dict
"""

import contextlib
import json
import re
from collections import namedtuple
from ipaddress import ip_network
from typing import Any

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore
    import botocore

from ansible.module_utils.common.network import to_ipv6_subnet, to_subnet
from ansible_collections.amazon.aws.plugins.module_utils.arn import validate_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.botocore import (
    is_boto3_error_code,
    paginated_query_with_retries,
)
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict, compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import scrub_none_parameters
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._drift import Comparison as DriftComparison
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._drift import ec2_tags_differ

# What ec2_security_group compares a group's rules by lives in that module only (amazon.aws 10.1.2,
# plugins/modules/ec2_security_group.py): Rule, validate_ip, expand_rules with expand_rule, expand_ports_from_rule and
# expand_ports_list, deduplicate_rules_args, rule_cmp, _target_from_rule_with_group_id and rule_from_group_permission.
# amazon.aws's module_utils do not have them, and a module cannot import another module (AnsiballZ ships module_utils
# only), so each function below that names one of them is a minimal copy of it, with only the options this module
# takes; tests/unit/plugins/modules/test_fleet_security_info.py checks each against the original, and galaxy.yml keeps
# amazon.aws below its next major release. Whatever amazon.aws's module_utils do have is imported instead
# (compare_aws_tags and ensure_ec2_tags's rule through _drift.ec2_tags_differ, compare_policies, validate_aws_arn,
# scrub_none_parameters).
# ec2_security_group's own rule tuple: two rules are the same rule when all five fields are equal.
Rule = namedtuple("Rule", ["port_range", "protocol", "target", "target_type", "description"])
# The keys of a rule that ec2_security_group expands (sources in this order: it sorts their names) and strips.
SOURCE_KEYS = ("cidr_ip", "cidr_ipv6", "group_id", "group_name", "ip_prefix")
PORT_KEYS = ("from_port", "to_port", "ports", "icmp_type", "icmp_code")
# ec2_security_group's pattern for a group of another account or VPC (owner/sg-id/name).
FOREIGN_GROUP = r"^([^/]+)/?(sg-\S+)?/(\S+)"


class Comparison(DriftComparison):
    """The shared collector, plus the warnings ec2_security_group would give, and tags as amazon.aws compares them."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[str] = []

    def expect_tags(self, current: dict[str, str], wanted: dict | None, purge: bool, what: str, ec2=False) -> bool:
        """Tags as amazon.aws's modules compare them: ec2_security_group by ensure_ec2_tags's rule, the IAM modules
        by compare_aws_tags alone (aws: tags are never purged)."""
        if ec2:
            return self.expect(not ec2_tags_differ(current, wanted, purge), f"{what}: tags differ")
        if wanted is None:
            return True
        to_set, to_unset = compare_aws_tags(current, wanted, purge)
        return self.expect(not to_set and not to_unset, f"{what}: tags differ")


# ------------------------------------------------------------------------------------------------- security groups


def normalise_cidr(cidr: str, warnings: list[str]) -> str:
    """ec2_security_group's validate_ip: a CIDR block as AWS stores it (host bits cleared, with a warning)."""
    address = cidr.split("/")
    if len(address) != 2:
        return cidr
    try:
        return str(ip_network(cidr))
    except ValueError:
        pass
    try:
        network = to_subnet(address[0], address[1])
    except ValueError:
        pass
    else:
        warnings.append(f"The CIDR block {cidr} has host bits set; AWS stores it as {network}.")
        return network
    try:
        network = to_ipv6_subnet(address[0]) + "/" + address[1]
    except ValueError:
        warnings.append(f"The CIDR block {cidr} cannot be parsed.")
        return cidr
    warnings.append(f"The IPv6 CIDR block {cidr} has host bits set; AWS stores it as {network}.")
    return network


def expand_ports(rule: dict[str, Any]) -> list[dict[str, Any]]:
    """ec2_security_group's expand_ports_from_rule (ICMP types and codes are no option of this module)."""
    if rule.get("from_port") is not None or rule.get("to_port") is not None:
        return [{"from_port": rule.get("from_port"), "to_port": rule.get("to_port")}]
    if rule.get("ports") is not None:
        expanded = []
        for port in rule["ports"]:
            try:
                pair = (int(port.strip()),) * 2
            except ValueError as e:
                if "-" not in port:
                    raise ValueError(f"cannot parse the port {port}") from e
                pair = tuple(int(each.strip()) for each in port.split("-", 1))
            low, high = sorted(pair)
            expanded.append({"from_port": low, "to_port": high})
        return expanded
    return [{}]


def expand_rules(rules: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """ec2_security_group's expand_rules and deduplicate_rules_args: one rule per port range and source."""
    if rules is None:
        return None
    expanded = []
    for given in rules:
        rule = scrub_none_parameters(given)
        sources = [{key: target} for key in sorted(SOURCE_KEYS) if key in rule for target in rule[key]]
        if not sources:
            raise ValueError(f"a rule has no source or target: {given}")
        stripped = {key: value for key, value in rule.items() if key not in SOURCE_KEYS + PORT_KEYS}
        expanded.extend({**stripped, **port, **source} for port in expand_ports(rule) for source in sources)
    return list({json.dumps(rule, sort_keys=True): rule for rule in expanded}.values())


def planned_rules(rules: list[dict[str, Any]] | None, account_id: str, group_ids: dict[str, str], warnings: list[str]):
    """The rules as the Rule tuples ec2_security_group compares, or None when it is given no rules."""
    expanded = expand_rules(rules)
    if expanded is None:
        return None
    planned = []
    for rule in expanded:
        if "group_id" in rule:
            target_type, target = "group", group_target(rule["group_id"], account_id)
        elif "group_name" in rule:
            if not group_ids.get(rule["group_name"]):
                raise ValueError(f"the group {rule['group_name']} that a rule names is not there")
            target_type, target = "group", (account_id, group_ids[rule["group_name"]], None)
        elif "cidr_ip" in rule:
            target_type, target = "ipv4", normalise_cidr(rule["cidr_ip"], warnings)
        else:
            target_type, target = "ipv6", normalise_cidr(rule["cidr_ipv6"], warnings)
        protocol = rule.get("proto", "tcp")
        if protocol in ("all", "-1"):
            protocol = "-1"
        if numbered(protocol):
            from_port, to_port = None, None  # every protocol, or one by number: ec2_security_group drops the ports
        elif "from_port" in rule:
            from_port, to_port = rule["from_port"], rule["to_port"]
        else:
            raise ValueError(f"a {protocol} rule without ports")  # ec2_security_group would fail on it
        planned.append(Rule((from_port, to_port), str(protocol), target, target_type, rule.get("rule_desc")))
    return planned


def numbered(protocol: str) -> bool:
    try:
        int(protocol)
    except ValueError:
        return False
    return True


def group_target(group_id: str, account_id: str) -> tuple[str | None, str | None, str | None]:
    """ec2_security_group's _target_from_rule_with_group_id."""
    foreign = re.match(FOREIGN_GROUP, group_id)
    if not foreign:
        return (account_id, group_id, None)
    owner, foreign_id, foreign_name = foreign.groups()
    if foreign_id and foreign_name:
        if foreign_name.startswith("amazon-"):
            foreign_id = None
        else:
            foreign_name = None
    return (owner, foreign_id, foreign_name)


def current_rules(permissions: list[dict[str, Any]], account_id: str) -> list[Rule]:
    """ec2_security_group's rule_from_group_permission over a group's IpPermissions or IpPermissionsEgress."""
    rules = []
    for permission in permissions:
        ports = (
            (None, None)
            if "FromPort" not in permission and "ToPort" not in permission
            else (int(permission["FromPort"]), int(permission["ToPort"]))
        )
        protocol = str(permission["IpProtocol"])
        for key, subkey, target_type in (
            ("IpRanges", "CidrIp", "ipv4"),
            ("Ipv6Ranges", "CidrIpv6", "ipv6"),
            ("PrefixListIds", "PrefixListId", "ip_prefix"),
        ):
            for item in permission.get(key) or []:
                rules.append(Rule(ports, protocol, item[subkey], target_type, item.get("Description")))
        for pair in permission.get("UserIdGroupPairs") or []:
            target = (pair.get("UserId", account_id), pair.get("GroupId"), None)
            if pair.get("UserId", "").startswith("amazon-"):
                target = (pair.get("UserId"), None, pair.get("GroupName"))
            rules.append(Rule(ports, protocol, target, "group", pair.get("Description")))
    return rules


def same_rule(a: Rule, b: Rule) -> bool:
    """ec2_security_group's rule_cmp: the same rule whatever its description."""
    unset = ((None, None), (-1, -1))
    for field in ("port_range", "protocol", "target", "target_type"):
        if field == "port_range" and a.protocol == b.protocol and a.port_range in unset and b.port_range in unset:
            continue  # equal protocols can interchange (-1, -1) and (None, None)
        if getattr(a, field) != getattr(b, field):
            return False
    return True


def describe_rule(rule: Rule) -> str:
    protocol = "all protocols" if rule.protocol == "-1" else rule.protocol
    ports = "" if rule.port_range in ((None, None), (-1, -1)) else f" {rule.port_range[0]}-{rule.port_range[1]}"
    target = (rule.target[1] or rule.target[2]) if isinstance(rule.target, tuple) else rule.target
    return f"{protocol}{ports} {target}"


def rule_drift(planned: list[Rule], current: list[Rule], purge: bool) -> list[str]:
    """What ec2_security_group would revoke, re-describe or authorise (ensure_present, in that order)."""
    present = set(planned) | set(current)
    drift = set()
    if purge:
        for rule in present:
            if not any(same_rule(rule, wanted) for wanted in planned):
                drift.add(f"rule {describe_rule(rule)} is not in the plan")
    remaining = list(planned)
    for rule in present:  # update_rule_descriptions
        for wanted in [each for each in remaining if same_rule(each, rule) and each.description != rule.description]:
            remaining.remove(wanted)
            drift.add(f"rule {describe_rule(wanted)} has another description")
    for rule in set(remaining) - set(current):
        drift.add(f"rule {describe_rule(rule)} is missing")
    return sorted(drift)


def compare_group(check: Comparison, group: dict[str, Any] | None, wanted: dict[str, Any], context: dict) -> str:
    """One security group as ec2_security_group (state present) sees it; its id, or '' when it is not there."""
    what = f"security group {wanted['name']}"
    if not check.expect(group is not None, f"{what}: missing"):
        return ""
    if group.get("Description") != wanted["description"]:
        check.warnings.append(
            f"{what}: its description differs from the plan ({group.get('Description')!r}); a security group's "
            "description cannot be changed in place (remove the group and run again to change it)."
        )
    tags = boto3_tag_list_to_ansible_dict(group.get("Tags") or [])
    check.expect_tags(tags, wanted.get("tags"), wanted.get("purge_tags", True), what, ec2=True)
    account_id = context["account_id"]
    ingress = current_rules(group.get("IpPermissions") or [], account_id)
    egress = current_rules(group.get("IpPermissionsEgress") or [], account_id)
    try:
        planned_in = planned_rules(wanted.get("rules"), account_id, context["group_ids"], check.warnings)
        planned_out = planned_rules(wanted.get("rules_egress"), account_id, context["group_ids"], check.warnings)
    except ValueError as e:
        check.expect(False, f"{what}: cannot compare its rules ({e})")
        return group["GroupId"]
    for sentence in rule_drift(planned_in or [], ingress, wanted.get("purge_rules", True)):
        check.expect(False, f"{what}: inbound {sentence}")
    if planned_out is None:
        # Without outbound rules ec2_security_group keeps AWS's default one and purges nothing outbound.
        return group["GroupId"]
    for sentence in rule_drift(planned_out, egress, wanted.get("purge_rules_egress", True)):
        check.expect(False, f"{what}: outbound {sentence}")
    return group["GroupId"]


def pick_group(groups: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """ec2_security_group takes the last group of the name that the VPC lists."""
    found = [group for group in groups if group.get("GroupName") == name]
    return found[-1] if found else None


# ------------------------------------------------------------------------------------------------- IAM


def compare_role(check: Comparison, role: dict[str, Any] | None, attached: list[dict], wanted: dict[str, Any]) -> str:
    """One IAM role as iam_role (state present, no instance profile) sees it; its ARN, or ''."""
    what = f"IAM role {wanted['name']}"
    if not check.expect(role is not None, f"{what}: missing"):
        return ""
    tags = boto3_tag_list_to_ansible_dict(role.get("Tags") or [])
    check.expect_tags(tags, wanted.get("tags"), wanted.get("purge_tags", True), what)
    trust = wanted.get("assume_role_policy_document")
    if trust is not None:
        check.expect(
            not compare_policies(role.get("AssumeRolePolicyDocument"), json.loads(trust)),
            f"{what}: trust policy differs",
        )
    description = wanted.get("description")
    check.expect(description is None or role.get("Description") == description, f"{what}: description differs")
    policies = wanted.get("managed_policies")
    if policies is not None:
        if len(policies) == 1 and policies[0] is None:
            policies = []
        if not check.expect(
            all(validate_aws_arn(policy, service="iam") for policy in policies if policy is not None),
            f"{what}: managed policies are named, not given by ARN",
        ):
            return role["Arn"]
        current = {policy["PolicyArn"] for policy in attached}
        check.expect(not set(policies) - current, f"{what}: managed policies to attach")
        purge = wanted.get("purge_policies", True)
        check.expect(not purge or not current - set(policies), f"{what}: managed policies to detach")
    return role["Arn"]


def compare_inline_policy(check: Comparison, document: dict[str, Any] | None, wanted: dict[str, Any]) -> None:
    """One inline role policy as iam_policy (state present, no skip_duplicates) sees it."""
    what = f"inline policy {wanted['policy_name']} of IAM role {wanted['iam_name']}"
    if not check.expect(document is not None, f"{what}: missing"):
        return
    check.expect(not compare_policies(document, json.loads(wanted["policy_json"])), f"{what}: document differs")


def compare_profile(check: Comparison, profile: dict[str, Any] | None, wanted: dict[str, Any]) -> str:
    """One instance profile as iam_instance_profile (state present) sees it; its ARN, or ''."""
    what = f"instance profile {wanted['name']}"
    if not check.expect(profile is not None, f"{what}: missing"):
        return ""
    role = wanted.get("role")
    roles = profile.get("Roles") or []
    if role is not None and not (role == "" and not roles):
        check.expect(bool(roles) and roles[0].get("RoleName") == role, f"{what}: does not hold the role {role}")
    tags = boto3_tag_list_to_ansible_dict(profile.get("Tags") or [])
    check.expect_tags(tags, wanted.get("tags"), wanted.get("purge_tags", True), what)
    return profile["Arn"]


# ------------------------------------------------------------------------------------------------- comparing


def compare(snapshot: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """What differs, the warnings and the ids and ARNs found, for a snapshot read by read_security().

    plan: the module's options (vpc_id, account_id, security_groups, iam_roles, iam_policies, instance_profiles)."""
    check = Comparison()
    groups = snapshot.get("security_groups", [])
    group_ids = {}
    if not plan["vpc_id"]:
        for wanted in plan["security_groups"]:
            check.expect(False, f"security group {wanted['name']}: missing (no VPC yet)")
            group_ids[wanted["name"]] = ""
    else:
        # Rules may name any planned group, before or after the one that holds them: the ids are known first.
        found = {wanted["name"]: pick_group(groups, wanted["name"]) for wanted in plan["security_groups"]}
        context = {
            "account_id": plan["account_id"],
            "group_ids": {name: group["GroupId"] for name, group in found.items() if group},
        }
        for wanted in plan["security_groups"]:
            group_ids[wanted["name"]] = compare_group(check, found[wanted["name"]], wanted, context)

    roles, attached = snapshot.get("roles", {}), snapshot.get("attached_policies", {})
    role_arns = {
        wanted["name"]: compare_role(check, roles.get(wanted["name"]), attached.get(wanted["name"], []), wanted)
        for wanted in plan["iam_roles"]
    }
    inline = snapshot.get("inline_policies", {})
    for wanted in plan["iam_policies"]:
        compare_inline_policy(check, inline.get((wanted["iam_name"], wanted["policy_name"])), wanted)
    profiles = snapshot.get("instance_profiles", {})
    profile_arns = {
        wanted["name"]: compare_profile(check, profiles.get(wanted["name"]), wanted)
        for wanted in plan["instance_profiles"]
    }
    return {
        "drift": check.drift,
        "warnings": check.warnings,
        "group_ids": group_ids,
        "role_arns": role_arns,
        "instance_profile_arns": profile_arns,
    }


# ------------------------------------------------------------------------------------------------- reading


def _or_none(call, *args, **kwargs):
    """A Get call's answer, or None when the entity does not exist."""
    try:
        return call(*args, **kwargs)
    except is_boto3_error_code("NoSuchEntity"):
        return None


def read_security(ec2, iam, plan: dict[str, Any]) -> dict[str, Any]:
    """Everything compare() looks at, as EC2's and IAM's describe, get and list calls return it."""
    snapshot: dict[str, Any] = {"security_groups": []}
    names = [group["name"] for group in plan["security_groups"]]
    if plan["vpc_id"] and names:
        filters = [{"Name": "group-name", "Values": names}, {"Name": "vpc-id", "Values": [plan["vpc_id"]]}]
        snapshot["security_groups"] = paginated_query_with_retries(ec2, "describe_security_groups", Filters=filters)[
            "SecurityGroups"
        ]

    roles, attached = {}, {}
    for wanted in plan["iam_roles"]:
        name = wanted["name"]
        answer = _or_none(iam.get_role, RoleName=name, aws_retry=True)
        if answer is None:
            continue
        roles[name] = answer["Role"]
        if wanted.get("managed_policies") is not None:
            attached[name] = paginated_query_with_retries(iam, "list_attached_role_policies", RoleName=name)[
                "AttachedPolicies"
            ]
    snapshot["roles"], snapshot["attached_policies"] = roles, attached

    inline = {}
    for wanted in plan["iam_policies"]:
        key = (wanted["iam_name"], wanted["policy_name"])
        if wanted["iam_name"] not in roles and wanted["iam_name"] in [role["name"] for role in plan["iam_roles"]]:
            continue  # the role is missing, so is its policy
        try:
            answer = _or_none(iam.get_role_policy, RoleName=key[0], PolicyName=key[1], aws_retry=True)
        except is_boto3_error_code("AccessDenied"):
            answer = None  # iam_policy reads what it may not list as no policy, and puts it
        if answer is not None:
            inline[key] = answer["PolicyDocument"]
    snapshot["inline_policies"] = inline

    profiles = {}
    for wanted in plan["instance_profiles"]:
        answer = _or_none(iam.get_instance_profile, InstanceProfileName=wanted["name"], aws_retry=True)
        if answer is not None:
            profiles[wanted["name"]] = answer["InstanceProfile"]
    snapshot["instance_profiles"] = profiles
    return snapshot


def main() -> None:
    rule_options = {
        "proto": {"type": "str", "default": "tcp"},
        "ports": {"type": "list", "elements": "str"},
        "from_port": {"type": "int"},
        "to_port": {"type": "int"},
        "cidr_ip": {"type": "list", "elements": "str"},
        "cidr_ipv6": {"type": "list", "elements": "str"},
        "group_id": {"type": "list", "elements": "str"},
        "group_name": {"type": "list", "elements": "str"},
        "rule_desc": {"type": "str"},
    }
    rules = {"type": "list", "elements": "dict", "options": rule_options}
    module = AnsibleAWSModule(
        argument_spec={
            "vpc_id": {"type": "str", "required": True},
            "account_id": {"type": "str", "required": True},
            "security_groups": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "name": {"type": "str", "required": True},
                    "description": {"type": "str", "required": True},
                    "rules": rules,
                    "rules_egress": rules,
                    "purge_rules": {"type": "bool", "default": True},
                    "purge_rules_egress": {"type": "bool", "default": True},
                    "tags": {"type": "dict"},
                    "purge_tags": {"type": "bool", "default": True},
                },
            },
            "iam_roles": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "name": {"type": "str", "required": True},
                    "description": {"type": "str"},
                    "assume_role_policy_document": {"type": "json"},
                    "managed_policies": {"type": "list", "elements": "str"},
                    "purge_policies": {"type": "bool", "default": True},
                    "tags": {"type": "dict"},
                    "purge_tags": {"type": "bool", "default": True},
                },
            },
            "iam_policies": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "iam_name": {"type": "str", "required": True},
                    "policy_name": {"type": "str", "required": True},
                    "policy_json": {"type": "json", "required": True},
                },
            },
            "instance_profiles": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "name": {"type": "str", "required": True},
                    "role": {"type": "str"},
                    "tags": {"type": "dict"},
                    "purge_tags": {"type": "bool", "default": True},
                },
            },
        },
        supports_check_mode=True,
    )
    plan = module.params
    ec2 = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    iam = module.client("iam", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    try:
        snapshot = read_security(ec2, iam, plan)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to read the fleet's security groups, IAM roles and instance profiles")
    result = compare(snapshot, plan)
    for warning in result.pop("warnings"):
        module.warn(warning)
    module.exit_json(changed=False, in_sync=not result["drift"], **result)


if __name__ == "__main__":
    main()
