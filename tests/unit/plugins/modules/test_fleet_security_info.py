# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet_security_info module: its rule helpers (checked against amazon.aws.ec2_security_group's own), and
compare() on snapshots shaped exactly like the answers of EC2's DescribeSecurityGroups and IAM's GetRole,
ListAttachedRolePolicies, GetRolePolicy and GetInstanceProfile. A converged fleet must compare as in sync, and each
change that one of the amazon.aws tasks of roles/security/tasks/present.yml would undo (or make, for what is missing)
must show as drift naming the resource.

main() runs against moto's in-process EC2 and IAM, on resources made by the amazon.aws modules themselves with the
arguments present.yml gives them; for each change made behind the role's back, the module must see drift exactly when
the amazon.aws module, run in check mode with the same arguments, would report a change."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.modules import ec2_security_group as real_sg
from ansible_collections.amazon.aws.plugins.modules import iam_instance_profile as real_profile
from ansible_collections.amazon.aws.plugins.modules import iam_policy as real_policy
from ansible_collections.amazon.aws.plugins.modules import iam_role as real_role
from ansible_collections.runnerfleet.gitlab_aws.plugins.modules import fleet_security_info as fsi
from drift_cases import assert_drift_holds, each_drift_case
from moto import mock_aws
from moto.core.responses import ActionResult
from moto.ec2.responses.security_groups import SecurityGroups

FLEET = "fleet"
ACCOUNT = "123456789012"
VPC = "vpc-0a1b2c3d4e5f60001"
MANAGERS = f"{FLEET}-managers"
WORKERS = f"{FLEET}-workers"
MANAGERS_ID = "sg-0000000000managers"
WORKERS_ID = "sg-00000000000workers"
MANAGER = f"{FLEET}-manager"
WORKER = f"{FLEET}-worker"
TAGS = {"runnerfleet:fleet": FLEET, "ManagedBy": "runnerfleet.gitlab_aws"}
SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
MANAGER_DESCRIPTION = f"GitLab runner managers of fleet {FLEET}"
WORKER_DESCRIPTION = f"GitLab runner workers (build machines) of fleet {FLEET}"
MANAGER_OUT = "Outbound to GitLab, AWS APIs and package mirrors"
WORKER_OUT = "Outbound to image registries, GitLab and the build cache"
DOCKER_IN = "Docker TLS from the runner managers (docker-machine)"
SSH_IN = "SSH from the runner managers (docker-machine, fleeting plugin)"
SSH_TO_MANAGERS = "SSH to the runner managers from the given networks"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "EC2AssumesTheRole",
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "FleetParametersReadWrite",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:PutParameter"],
            "Resource": [
                f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/runnerfleet/{FLEET}",
                f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/runnerfleet/{FLEET}/*",
            ],
        },
        {
            "Sid": "DockerMachineDescribe",
            "Effect": "Allow",
            "Action": ["ec2:DescribeImages", "ec2:DescribeInstances"],
            "Resource": "*",
        },
        {
            "Sid": "DockerMachinePassWorkerRole",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/{WORKER}",
            "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        },
    ],
}


# ------------------------------------------------------------------------------------------------- fixtures


def aws_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def all_out(description: str) -> dict[str, Any]:
    """The outbound rule of both groups, as DescribeSecurityGroups lists it (no ports for protocol -1)."""
    return {
        "IpProtocol": "-1",
        "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": description}],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }


def from_managers(port: int, description: str) -> dict[str, Any]:
    return {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [{"Description": description, "GroupId": MANAGERS_ID, "UserId": ACCOUNT}],
    }


def aws_group(group_id: str, name: str, description: str, ingress: list[dict], egress: list[dict]) -> dict:
    return {
        "Description": description,
        "GroupName": name,
        "IpPermissions": ingress,
        "OwnerId": ACCOUNT,
        "GroupId": group_id,
        "IpPermissionsEgress": egress,
        "Tags": aws_tags({**TAGS, "Name": name}),
        "VpcId": VPC,
        "SecurityGroupArn": f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/{group_id}",
    }


def aws_role(name: str, description: str) -> dict[str, Any]:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROA" + name.upper().replace("-", ""),
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "AssumeRolePolicyDocument": copy.deepcopy(TRUST),
        "Description": description,
        "MaxSessionDuration": 3600,
        "Tags": aws_tags(TAGS),
        "RoleLastUsed": {},
    }


def aws_profile(name: str) -> dict[str, Any]:
    return {
        "Path": "/",
        "InstanceProfileName": name,
        "InstanceProfileId": "AIPA" + name.upper().replace("-", ""),
        "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{name}",
        "Roles": [aws_role(name, MANAGER_DESCRIPTION if name == MANAGER else WORKER_DESCRIPTION)],
        "Tags": aws_tags(TAGS),
    }


def converged() -> dict[str, Any]:
    """What read_security() returns for a fleet that present.yml would leave exactly as it is (no SSH)."""
    return {
        "security_groups": [
            aws_group(MANAGERS_ID, MANAGERS, MANAGER_DESCRIPTION, [], [all_out(MANAGER_OUT)]),
            aws_group(
                WORKERS_ID,
                WORKERS,
                WORKER_DESCRIPTION,
                [from_managers(2376, DOCKER_IN), from_managers(22, SSH_IN)],
                [all_out(WORKER_OUT)],
            ),
        ],
        "roles": {MANAGER: aws_role(MANAGER, MANAGER_DESCRIPTION), WORKER: aws_role(WORKER, WORKER_DESCRIPTION)},
        "attached_policies": {
            MANAGER: [{"PolicyName": "AmazonSSMManagedInstanceCore", "PolicyArn": SSM_CORE}],
            WORKER: [],
        },
        "inline_policies": {(MANAGER, MANAGER): copy.deepcopy(POLICY)},
        "instance_profiles": {MANAGER: aws_profile(MANAGER), WORKER: aws_profile(WORKER)},
    }


def out_rule(description: str) -> dict[str, Any]:
    return {"proto": "all", "cidr_ip": ["0.0.0.0/0"], "rule_desc": description}


def plan(manager_rules: list[dict] | None = None) -> dict[str, Any]:
    """The module's options as the role gives them (after the argument spec: lists, defaults)."""
    worker_rules = [
        {"proto": "tcp", "ports": ["2376"], "group_name": [MANAGERS], "rule_desc": DOCKER_IN},
        {"proto": "tcp", "ports": ["22"], "group_name": [MANAGERS], "rule_desc": SSH_IN},
    ]
    return {
        "vpc_id": VPC,
        "account_id": ACCOUNT,
        "security_groups": [
            {
                "name": MANAGERS,
                "description": MANAGER_DESCRIPTION,
                "rules": manager_rules or [],
                "rules_egress": [out_rule(MANAGER_OUT)],
                "purge_rules": True,
                "purge_rules_egress": True,
                "tags": {**TAGS, "Name": MANAGERS},
                "purge_tags": True,
            },
            {
                "name": WORKERS,
                "description": WORKER_DESCRIPTION,
                "rules": worker_rules,
                "rules_egress": [out_rule(WORKER_OUT)],
                "purge_rules": True,
                "purge_rules_egress": True,
                "tags": {**TAGS, "Name": WORKERS},
                "purge_tags": True,
            },
        ],
        "iam_roles": [
            {
                "name": name,
                "description": description,
                "assume_role_policy_document": json.dumps(TRUST),
                "managed_policies": policies,
                "purge_policies": True,
                "tags": dict(TAGS),
                "purge_tags": True,
            }
            for name, description, policies in (
                (MANAGER, MANAGER_DESCRIPTION, [SSM_CORE]),
                (WORKER, WORKER_DESCRIPTION, []),
            )
        ],
        "iam_policies": [{"iam_name": MANAGER, "policy_name": MANAGER, "policy_json": json.dumps(POLICY)}],
        "instance_profiles": [
            {"name": name, "role": name, "tags": dict(TAGS), "purge_tags": True} for name in (MANAGER, WORKER)
        ],
    }


def group(snapshot: dict, name: str) -> dict[str, Any]:
    return next(each for each in snapshot["security_groups"] if each["GroupName"] == name)


def set_tag(resource: dict, key: str, value: str) -> None:
    resource["Tags"] = [tag for tag in resource["Tags"] if tag["Key"] != key] + [{"Key": key, "Value": value}]


def drop_tag(resource: dict, key: str) -> None:
    resource["Tags"] = [tag for tag in resource["Tags"] if tag["Key"] != key]


def in_sync(snapshot: dict, the_plan: dict | None = None) -> dict[str, Any]:
    result = fsi.compare(snapshot, the_plan or plan())
    assert result["drift"] == [], result["drift"]
    return result


# ----------------------------------------------------------------------------- rules, as ec2_security_group has them


@pytest.fixture
def real_account(monkeypatch):
    """ec2_security_group keeps the account in a global, which get_aws_account_id() sets in main()."""
    monkeypatch.setattr(real_sg, "current_account_id", ACCOUNT)


RULE_SHAPES = [
    [{"proto": "tcp", "ports": ["22"], "cidr_ip": ["10.20.0.0/24", "10.30.0.0/16"], "rule_desc": "ssh"}],
    [{"proto": "tcp", "ports": ["22"], "cidr_ip": ["10.20.0.0/24"], "cidr_ipv6": ["2001:db8::/64"], "rule_desc": "x"}],
    [{"proto": "tcp", "ports": ["2376", "22", "8000-8100"], "group_id": ["sg-0123"], "rule_desc": None}],
    [{"proto": "tcp", "from_port": 443, "to_port": 443, "cidr_ip": ["0.0.0.0/0"]}],
    [{"proto": "all", "cidr_ip": ["0.0.0.0/0"], "rule_desc": "out"}],
    [{"proto": "-1", "ports": ["22"], "cidr_ipv6": ["::/0"]}],
    [{"proto": "6", "ports": ["22"], "cidr_ip": ["10.0.0.0/8"]}],
    # The same rule twice is one rule.
    [
        {"proto": "tcp", "ports": ["22"], "cidr_ip": ["10.0.0.0/8"]},
        {"proto": "tcp", "ports": ["22"], "cidr_ip": ["10.0.0.0/8"]},
    ],
    [],
]


@pytest.mark.parametrize("rules", RULE_SHAPES)
def test_expand_rules_as_ec2_security_group_does(rules):
    expected = real_sg.deduplicate_rules_args(real_sg.expand_rules(copy.deepcopy(rules)))
    assert fsi.expand_rules(copy.deepcopy(rules)) == expected


def test_expand_rules_of_none_is_none():
    assert fsi.expand_rules(None) is None
    assert fsi.planned_rules(None, ACCOUNT, {}, []) is None


def real_planned(rules: list[dict]) -> list[real_sg.Rule]:
    """The Rule tuples ec2_security_group.ensure_present builds (for targets that need no AWS call)."""
    planned = []
    for rule in real_sg.deduplicate_rules_args(real_sg.expand_rules(copy.deepcopy(rules))):
        if rule.get("group_id"):
            target_type, target, _created = real_sg._target_from_rule_with_group_id(rule, {})
        elif "cidr_ip" in rule:
            target_type, target = "ipv4", real_sg.validate_ip(None, rule["cidr_ip"])
        else:
            target_type, target = "ipv6", real_sg.validate_ip(None, rule["cidr_ipv6"])
        if rule.get("proto") in ("all", "-1", -1):
            rule["proto"], rule["from_port"], rule["to_port"] = "-1", None, None
        try:
            int(rule.get("proto"))
            rule["proto"], rule["from_port"], rule["to_port"] = str(rule["proto"]), None, None
        except ValueError:
            pass
        planned.append(
            real_sg.Rule(
                (rule["from_port"], rule["to_port"]), rule["proto"], target, target_type, rule.get("rule_desc")
            )
        )
    return planned


@pytest.mark.parametrize("rules", RULE_SHAPES)
def test_planned_rules_as_ec2_security_group_builds_them(rules, real_account):
    assert fsi.planned_rules(copy.deepcopy(rules), ACCOUNT, {}, []) == real_planned(rules)


def test_planned_rules_resolve_a_planned_group_by_name():
    rules = [{"proto": "tcp", "ports": ["22"], "group_name": [MANAGERS], "rule_desc": "ssh"}]
    assert fsi.planned_rules(rules, ACCOUNT, {MANAGERS: MANAGERS_ID}, []) == [
        fsi.Rule((22, 22), "tcp", (ACCOUNT, MANAGERS_ID, None), "group", "ssh")
    ]


def test_planned_rules_of_a_group_not_there_cannot_be_compared():
    rules = [{"proto": "tcp", "ports": ["22"], "group_name": [MANAGERS]}]
    with pytest.raises(ValueError, match="not there"):
        fsi.planned_rules(rules, ACCOUNT, {}, [])


def test_planned_rules_of_tcp_without_ports_cannot_be_compared():
    with pytest.raises(ValueError, match="without ports"):
        fsi.planned_rules([{"proto": "tcp", "cidr_ip": ["10.0.0.0/8"]}], ACCOUNT, {}, [])


def test_normalise_cidr_as_ec2_security_group_does():
    warnings: list[str] = []
    for cidr in ("10.20.0.0/24", "10.20.0.1/24", "2001:DB8::/64", "2001:db8::1/64", "::/0", "10.0.0.1"):
        assert fsi.normalise_cidr(cidr, warnings) == real_sg.validate_ip(_Warner(), cidr), cidr
    assert len(warnings) == 2


class _Warner:
    def warn(self, _message: str) -> None:
        pass


PERMISSIONS = [
    all_out("out"),
    from_managers(22, "ssh"),
    {
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "10.1.0.0/16"}],
    },
    {"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "v6"}]},
    {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 2, "PrefixListIds": [{"PrefixListId": "pl-1"}]},
    {
        "IpProtocol": "tcp",
        "FromPort": 5,
        "ToPort": 5,
        "UserIdGroupPairs": [{"GroupId": "sg-9", "UserId": "999999999999"}],
    },
    {
        "IpProtocol": "tcp",
        "FromPort": 80,
        "ToPort": 80,
        "UserIdGroupPairs": [{"GroupName": "amazon-elb-sg", "UserId": "amazon-elb"}],
    },
]


def test_current_rules_as_ec2_security_group_reads_them(real_account):
    expected = [rule for permission in PERMISSIONS for rule in real_sg.rule_from_group_permission(permission)]
    assert fsi.current_rules(PERMISSIONS, ACCOUNT) == expected


def test_same_rule_as_rule_cmp(real_account):
    rules = [
        *fsi.current_rules(PERMISSIONS, ACCOUNT),
        fsi.Rule((None, None), "-1", "::/0", "ipv6", None),
        fsi.Rule((-1, -1), "-1", "0.0.0.0/0", "ipv4", "other"),
        fsi.Rule((22, 22), "tcp", (ACCOUNT, MANAGERS_ID, None), "group", None),
    ]
    for a in rules:
        for b in rules:
            assert fsi.same_rule(a, b) == real_sg.rule_cmp(a, b), (a, b)


# ------------------------------------------------------------------------------------------------- compare: in sync


def test_compare_a_converged_fleet_is_in_sync():
    result = in_sync(converged())
    assert result["group_ids"] == {MANAGERS: MANAGERS_ID, WORKERS: WORKERS_ID}
    assert result["role_arns"] == {
        MANAGER: f"arn:aws:iam::{ACCOUNT}:role/{MANAGER}",
        WORKER: f"arn:aws:iam::{ACCOUNT}:role/{WORKER}",
    }
    assert result["instance_profile_arns"][WORKER] == f"arn:aws:iam::{ACCOUNT}:instance-profile/{WORKER}"
    assert result["warnings"] == []


def test_compare_does_not_change_the_snapshot_nor_the_plan():
    snapshot, the_plan = converged(), plan()
    fsi.compare(snapshot, the_plan)
    assert snapshot == converged()
    assert the_plan == plan()


def test_compare_with_ssh_from_ipv4_and_ipv6_networks():
    rules = [
        {
            "proto": "tcp",
            "ports": ["22"],
            "cidr_ip": ["10.20.0.0/24"],
            "cidr_ipv6": ["2001:db8::/64"],
            "rule_desc": SSH_TO_MANAGERS,
        }
    ]
    snapshot = converged()
    group(snapshot, MANAGERS)["IpPermissions"] = [
        {
            "IpProtocol": "tcp",
            "FromPort": 22,
            "ToPort": 22,
            "IpRanges": [{"CidrIp": "10.20.0.0/24", "Description": SSH_TO_MANAGERS}],
            "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/64", "Description": SSH_TO_MANAGERS}],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
    ]
    in_sync(snapshot, plan(rules))
    assert (
        "security group fleet-managers: inbound rule tcp 22-22 10.20.0.0/24 is not in the plan"
        in fsi.compare(snapshot, plan())["drift"]
    )


def test_compare_ignores_the_order_of_rules_and_their_split_into_permissions():
    snapshot = converged()
    workers = group(snapshot, WORKERS)
    workers["IpPermissions"].reverse()
    in_sync(snapshot)


def test_compare_ignores_aws_tags():
    snapshot = converged()
    for resource in (group(snapshot, MANAGERS), snapshot["roles"][WORKER], snapshot["instance_profiles"][MANAGER]):
        set_tag(resource, "aws:cloudformation:stack-name", "stack")
    in_sync(snapshot)


def test_compare_only_warns_about_a_group_description_which_cannot_change_in_place():
    snapshot = converged()
    group(snapshot, WORKERS)["Description"] = "made by hand"
    result = in_sync(snapshot)
    assert len(result["warnings"]) == 1
    assert "security group fleet-workers" in result["warnings"][0]
    assert "cannot be changed in place" in result["warnings"][0]


def test_compare_trust_and_inline_policies_as_policies():
    snapshot = converged()
    trust = snapshot["roles"][MANAGER]["AssumeRolePolicyDocument"]
    trust["Statement"][0]["Action"] = ["sts:AssumeRole"]
    document = snapshot["inline_policies"][MANAGER, MANAGER]
    document["Statement"].reverse()
    document["Statement"][0]["Action"] = "iam:PassRole"
    document["Statement"][-1]["Action"].reverse()
    in_sync(snapshot)


def test_compare_ignores_other_inline_policies_path_duration_and_boundary():
    snapshot = converged()
    snapshot["inline_policies"][MANAGER, "added-by-hand"] = {"Version": "2012-10-17", "Statement": []}
    role = snapshot["roles"][WORKER]
    role["MaxSessionDuration"] = 7200
    role["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": READ_ONLY}
    in_sync(snapshot)


def test_compare_keeps_managed_policies_attached_otherwise_without_purge():
    snapshot = converged()
    snapshot["attached_policies"][WORKER].append({"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY})
    the_plan = plan()
    the_plan["iam_roles"][1]["purge_policies"] = False
    in_sync(snapshot, the_plan)


def test_compare_keeps_rules_and_tags_added_otherwise_without_purge():
    snapshot = converged()
    group(snapshot, MANAGERS)["IpPermissions"].append(from_managers(80, "web"))
    set_tag(group(snapshot, MANAGERS), "Owner", "someone")
    the_plan = plan()
    the_plan["security_groups"][0].update(purge_rules=False, purge_tags=False)
    in_sync(snapshot, the_plan)


def test_compare_without_a_vpc_reports_the_groups_missing():
    the_plan = plan()
    the_plan["vpc_id"] = ""
    result = fsi.compare({**converged(), "security_groups": []}, the_plan)
    assert result["drift"] == [
        "security group fleet-managers: missing (no VPC yet)",
        "security group fleet-workers: missing (no VPC yet)",
    ]
    assert result["group_ids"] == {MANAGERS: "", WORKERS: ""}


def test_compare_the_workers_without_the_managers_group():
    snapshot = converged()
    snapshot["security_groups"] = [group(snapshot, WORKERS)]
    result = fsi.compare(snapshot, plan())
    assert result["drift"] == [
        "security group fleet-managers: missing",
        "security group fleet-workers: cannot compare its rules"
        " (the group fleet-managers that a rule names is not there)",
    ]
    assert result["group_ids"] == {MANAGERS: "", WORKERS: WORKERS_ID}


def test_compare_on_an_empty_account():
    result = fsi.compare(
        {"security_groups": [], "roles": {}, "attached_policies": {}, "inline_policies": {}, "instance_profiles": {}},
        plan(),
    )
    assert result["drift"] == [
        "security group fleet-managers: missing",
        "security group fleet-workers: missing",
        "IAM role fleet-manager: missing",
        "IAM role fleet-worker: missing",
        "inline policy fleet-manager of IAM role fleet-manager: missing",
        "instance profile fleet-manager: missing",
        "instance profile fleet-worker: missing",
    ]
    assert set(result["role_arns"].values()) == {""}


# ------------------------------------------------------------------------------------------------- compare: drift


def managers_missing(snapshot):
    snapshot["security_groups"].remove(group(snapshot, MANAGERS))


def group_extra_tag(snapshot):
    set_tag(group(snapshot, WORKERS), "Owner", "someone")


def group_missing_tag(snapshot):
    drop_tag(group(snapshot, MANAGERS), "ManagedBy")


def group_wrong_name_tag(snapshot):
    set_tag(group(snapshot, MANAGERS), "Name", WORKERS)


def managers_extra_ingress(snapshot):
    group(snapshot, MANAGERS)["IpPermissions"].append(from_managers(22, "ssh"))


def workers_ingress_missing(snapshot):
    group(snapshot, WORKERS)["IpPermissions"].pop()


def workers_ingress_from_another_group(snapshot):
    group(snapshot, WORKERS)["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"] = "sg-0000000000000other"


def workers_ingress_from_another_account(snapshot):
    group(snapshot, WORKERS)["IpPermissions"][0]["UserIdGroupPairs"][0]["UserId"] = "999999999999"


def workers_ingress_other_port(snapshot):
    permission = group(snapshot, WORKERS)["IpPermissions"][0]
    permission["FromPort"] = permission["ToPort"] = 2377


def workers_ingress_other_description(snapshot):
    group(snapshot, WORKERS)["IpPermissions"][1]["UserIdGroupPairs"][0]["Description"] = "SSH"


def workers_ingress_without_description(snapshot):
    del group(snapshot, WORKERS)["IpPermissions"][1]["UserIdGroupPairs"][0]["Description"]


def workers_ingress_also_from_a_network(snapshot):
    group(snapshot, WORKERS)["IpPermissions"][1]["IpRanges"] = [{"CidrIp": "10.0.0.0/8", "Description": SSH_IN}]


def egress_missing(snapshot):
    group(snapshot, MANAGERS)["IpPermissionsEgress"] = []


def egress_other_description(snapshot):
    group(snapshot, WORKERS)["IpPermissionsEgress"][0]["IpRanges"][0]["Description"] = "egress"


def egress_extra_ipv6(snapshot):
    group(snapshot, MANAGERS)["IpPermissionsEgress"][0]["Ipv6Ranges"] = [{"CidrIpv6": "::/0"}]


def egress_with_ports(snapshot):
    # AWS lists no ports for protocol -1; ec2_security_group would authorise the rule again if it did.
    group(snapshot, MANAGERS)["IpPermissionsEgress"][0].update(FromPort=-1, ToPort=-1)


def egress_tcp_only(snapshot):
    group(snapshot, WORKERS)["IpPermissionsEgress"][0].update(IpProtocol="tcp", FromPort=0, ToPort=65535)


def role_missing(snapshot):
    del snapshot["roles"][WORKER]


def role_extra_tag(snapshot):
    set_tag(snapshot["roles"][MANAGER], "Owner", "someone")


def role_other_tag_value(snapshot):
    set_tag(snapshot["roles"][WORKER], "runnerfleet:fleet", "other")


def role_other_description(snapshot):
    snapshot["roles"][MANAGER]["Description"] = "made by hand"


def role_without_description(snapshot):
    del snapshot["roles"][WORKER]["Description"]


def role_trusts_another_service(snapshot):
    snapshot["roles"][MANAGER]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {
        "Service": "ecs.amazonaws.com"
    }


def role_trusts_one_more(snapshot):
    statements = snapshot["roles"][WORKER]["AssumeRolePolicyDocument"]["Statement"]
    statements.append(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    )


def managed_policy_missing(snapshot):
    snapshot["attached_policies"][MANAGER] = []


def managed_policy_extra(snapshot):
    snapshot["attached_policies"][WORKER].append({"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY})


def inline_policy_missing(snapshot):
    del snapshot["inline_policies"][MANAGER, MANAGER]


def inline_policy_statement_changed(snapshot):
    snapshot["inline_policies"][MANAGER, MANAGER]["Statement"][2]["Resource"] = "*"


def inline_policy_statement_dropped(snapshot):
    snapshot["inline_policies"][MANAGER, MANAGER]["Statement"].pop(1)


def inline_policy_action_added(snapshot):
    snapshot["inline_policies"][MANAGER, MANAGER]["Statement"][1]["Action"].append("ec2:DescribeVpcs")


def profile_missing(snapshot):
    del snapshot["instance_profiles"][MANAGER]


def profile_without_role(snapshot):
    snapshot["instance_profiles"][WORKER]["Roles"] = []


def profile_with_another_role(snapshot):
    snapshot["instance_profiles"][WORKER]["Roles"] = [aws_role(MANAGER, MANAGER_DESCRIPTION)]


def profile_extra_tag(snapshot):
    set_tag(snapshot["instance_profiles"][WORKER], "Owner", "someone")


def profile_without_tags(snapshot):
    del snapshot["instance_profiles"][MANAGER]["Tags"]


DRIFT_CASES = [
    (managers_missing, "security group fleet-managers: missing"),
    (group_extra_tag, "security group fleet-workers: tags differ"),
    (group_missing_tag, "security group fleet-managers: tags differ"),
    (group_wrong_name_tag, "security group fleet-managers: tags differ"),
    (managers_extra_ingress, f"security group fleet-managers: inbound rule tcp 22-22 {MANAGERS_ID} is not in the plan"),
    (workers_ingress_missing, f"security group fleet-workers: inbound rule tcp 22-22 {MANAGERS_ID} is missing"),
    (
        workers_ingress_from_another_group,
        f"security group fleet-workers: inbound rule tcp 2376-2376 {MANAGERS_ID} is missing",
    ),
    (
        workers_ingress_from_another_account,
        f"security group fleet-workers: inbound rule tcp 2376-2376 {MANAGERS_ID} is missing",
    ),
    (workers_ingress_other_port, "security group fleet-workers: inbound rule tcp 2377-2377"),
    (
        workers_ingress_other_description,
        f"security group fleet-workers: inbound rule tcp 22-22 {MANAGERS_ID} has another description",
    ),
    (
        workers_ingress_without_description,
        f"security group fleet-workers: inbound rule tcp 22-22 {MANAGERS_ID} has another description",
    ),
    (
        workers_ingress_also_from_a_network,
        "security group fleet-workers: inbound rule tcp 22-22 10.0.0.0/8 is not in the plan",
    ),
    (egress_missing, "security group fleet-managers: outbound rule all protocols 0.0.0.0/0 is missing"),
    (
        egress_other_description,
        "security group fleet-workers: outbound rule all protocols 0.0.0.0/0 has another description",
    ),
    (egress_extra_ipv6, "security group fleet-managers: outbound rule all protocols ::/0 is not in the plan"),
    (egress_with_ports, "security group fleet-managers: outbound rule all protocols 0.0.0.0/0 is missing"),
    (egress_tcp_only, "security group fleet-workers: outbound rule tcp 0-65535 0.0.0.0/0 is not in the plan"),
    (role_missing, "IAM role fleet-worker: missing"),
    (role_extra_tag, "IAM role fleet-manager: tags differ"),
    (role_other_tag_value, "IAM role fleet-worker: tags differ"),
    (role_other_description, "IAM role fleet-manager: description differs"),
    (role_without_description, "IAM role fleet-worker: description differs"),
    (role_trusts_another_service, "IAM role fleet-manager: trust policy differs"),
    (role_trusts_one_more, "IAM role fleet-worker: trust policy differs"),
    (managed_policy_missing, "IAM role fleet-manager: managed policies to attach"),
    (managed_policy_extra, "IAM role fleet-worker: managed policies to detach"),
    (inline_policy_missing, "inline policy fleet-manager of IAM role fleet-manager: missing"),
    (inline_policy_statement_changed, "inline policy fleet-manager of IAM role fleet-manager: document differs"),
    (inline_policy_statement_dropped, "inline policy fleet-manager of IAM role fleet-manager: document differs"),
    (inline_policy_action_added, "inline policy fleet-manager of IAM role fleet-manager: document differs"),
    (profile_missing, "instance profile fleet-manager: missing"),
    (profile_without_role, "instance profile fleet-worker: does not hold the role fleet-worker"),
    (profile_with_another_role, "instance profile fleet-worker: does not hold the role fleet-worker"),
    (profile_extra_tag, "instance profile fleet-worker: tags differ"),
    (profile_without_tags, "instance profile fleet-manager: tags differ"),
]


@each_drift_case(DRIFT_CASES)
def test_compare_reports_the_drift(mutate: Callable[[dict], None], sentence: str):
    snapshot = converged()
    mutate(snapshot)
    assert_drift_holds(fsi.compare(snapshot, plan())["drift"], sentence)


def test_compare_a_plan_change_is_drift_too():
    the_plan = plan()
    the_plan["iam_roles"][1]["managed_policies"] = [READ_ONLY]
    the_plan["instance_profiles"][0]["tags"] = {**TAGS, "Owner": "platform"}
    the_plan["security_groups"][1]["rules"][0]["ports"] = ["2376", "2377"]
    assert fsi.compare(converged(), the_plan)["drift"] == [
        f"security group fleet-workers: inbound rule tcp 2377-2377 {MANAGERS_ID} is missing",
        "IAM role fleet-worker: managed policies to attach",
        "instance profile fleet-manager: tags differ",
    ]


def test_compare_a_managed_policy_named_not_by_arn_is_drift():
    the_plan = plan()
    the_plan["iam_roles"][0]["managed_policies"] = ["AmazonSSMManagedInstanceCore"]
    assert fsi.compare(converged(), the_plan)["drift"] == [
        "IAM role fleet-manager: managed policies are named, not given by ARN"
    ]


def test_compare_purging_tags_to_none():
    snapshot = converged()
    the_plan = plan()
    the_plan["security_groups"][0]["tags"] = {}
    drop_tag(group(snapshot, MANAGERS), "ManagedBy")
    drop_tag(group(snapshot, MANAGERS), "runnerfleet:fleet")
    drop_tag(group(snapshot, MANAGERS), "Name")
    in_sync(snapshot, the_plan)
    # ensure_ec2_tags removes even the aws: tags when told to purge every tag.
    set_tag(group(snapshot, MANAGERS), "aws:cloudformation:stack-name", "stack")
    assert fsi.compare(snapshot, the_plan)["drift"] == ["security group fleet-managers: tags differ"]


def test_compare_reports_every_drift_at_once():
    snapshot = converged()
    for mutate in (group_extra_tag, role_other_description, inline_policy_missing, profile_extra_tag):
        mutate(snapshot)
    assert fsi.compare(snapshot, plan())["drift"] == [
        "security group fleet-workers: tags differ",
        "IAM role fleet-manager: description differs",
        "inline policy fleet-manager of IAM role fleet-manager: missing",
        "instance profile fleet-worker: tags differ",
    ]


# ------------------------------------------------------------------------------------------------- main, on moto

REGION = "us-east-1"
MOTO_SSM_CORE = f"arn:aws:iam::{ACCOUNT}:policy/SessionManager"
MOTO_READ_ONLY = f"arn:aws:iam::{ACCOUNT}:policy/ReadOnly"


def answering_return(original: Callable) -> Callable:
    def action(self: SecurityGroups) -> ActionResult:
        original(self)
        return ActionResult({"Return": True})

    return action


@pytest.fixture
def aws(monkeypatch, offline_aws_environment, botocore_models_parsed_once):
    """moto's in-process EC2 and IAM, with fake credentials and none of the sandbox's endpoints or profiles."""
    offline_aws_environment(REGION)
    # ec2_security_group waits for AWS to settle after a change; moto has settled already.
    monkeypatch.setattr(real_sg, "sleep", lambda _seconds: None)
    # One of the sandbox's moto patches (sandbox/moto_patches.py), for these tests only:
    # UpdateSecurityGroupRuleDescriptions* answer Return, as on AWS.
    for name in ("update_security_group_rule_descriptions_ingress", "update_security_group_rule_descriptions_egress"):
        monkeypatch.setattr(SecurityGroups, name, answering_return(getattr(SecurityGroups, name)))
    with mock_aws():
        iam = boto3.client("iam")
        # Customer managed policies stand in for AWS's (which moto loads only when told to, and slowly).
        for arn in (MOTO_SSM_CORE, MOTO_READ_ONLY):
            iam.create_policy(PolicyName=arn.rsplit("/", 1)[1], PolicyDocument=json.dumps(POLICY))
        yield {"ec2": boto3.client("ec2", region_name=REGION), "iam": iam}


@pytest.fixture
def run(capsys):
    def run_module(module, args: dict[str, Any], check_mode: bool = False) -> dict[str, Any]:
        with patch_module_args({**args, "_ansible_check_mode": check_mode}), pytest.raises(SystemExit):
            module.main()
        result = json.loads(capsys.readouterr().out)
        assert not result.get("failed"), result
        return result

    return run_module


def security_group_task(vpc_id: str, name: str, description: str, rules: list, egress_description: str) -> tuple:
    """present.yml's amazon.aws.ec2_security_group task for one group: all traffic out, the group's rules in."""
    return (
        real_sg,
        {
            "vpc_id": vpc_id,
            "purge_rules": True,
            "purge_rules_egress": True,
            "purge_tags": True,
            "name": name,
            "description": description,
            "rules": rules,
            "rules_egress": [{"proto": "all", "cidr_ip": "0.0.0.0/0", "rule_desc": egress_description}],
            "tags": {**TAGS, "Name": name},
        },
    )


def role_tasks(vpc_id: str, manager_group_id: str = "", ssh_cidrs: tuple[list, list] = ([], [])) -> list[tuple]:
    """present.yml's tasks, each (module, arguments), as the role renders them (region left to the environment)."""
    v4, v6 = ssh_cidrs
    manager_rules = (
        [
            {"proto": "tcp", "ports": [22], "rule_desc": SSH_TO_MANAGERS}
            | ({"cidr_ip": v4} if v4 else {})
            | ({"cidr_ipv6": v6} if v6 else {})
        ]
        if v4 or v6
        else []
    )
    tasks = [security_group_task(vpc_id, MANAGERS, MANAGER_DESCRIPTION, manager_rules, MANAGER_OUT)]
    if manager_group_id:
        worker_rules = [
            {"proto": "tcp", "ports": [2376], "group_id": manager_group_id, "rule_desc": DOCKER_IN},
            {"proto": "tcp", "ports": [22], "group_id": manager_group_id, "rule_desc": SSH_IN},
        ]
        tasks.append(security_group_task(vpc_id, WORKERS, WORKER_DESCRIPTION, worker_rules, WORKER_OUT))
    for name, description, policies in (
        (MANAGER, MANAGER_DESCRIPTION, [MOTO_SSM_CORE]),
        (WORKER, WORKER_DESCRIPTION, []),
    ):
        tasks.append(
            (
                real_role,
                {
                    "name": name,
                    "description": description,
                    "assume_role_policy_document": json.dumps(TRUST),
                    "managed_policies": policies,
                    "purge_policies": True,
                    "create_instance_profile": False,
                    "tags": TAGS,
                    "purge_tags": True,
                },
            )
        )
    tasks.append(
        (
            real_policy,
            {
                "iam_type": "role",
                "iam_name": MANAGER,
                "policy_name": MANAGER,
                "policy_json": json.dumps(POLICY),
                "state": "present",
            },
        )
    )
    for name in (MANAGER, WORKER):
        tasks.append((real_profile, {"name": name, "role": name, "tags": TAGS, "purge_tags": True}))
    return tasks


def converge(run, vpc_id: str, ssh_cidrs: tuple[list, list] = ([], [])) -> str:
    """Runs present.yml's tasks with the amazon.aws modules; the managers' group id."""
    manager_group = run(*role_tasks(vpc_id, ssh_cidrs=ssh_cidrs)[0])
    for module, args in role_tasks(vpc_id, manager_group["group_id"], ssh_cidrs)[1:]:
        run(module, args)
    return manager_group["group_id"]


def module_args(vpc_id: str, ssh_cidrs: tuple[list, list] = ([], [])) -> dict[str, Any]:
    """fleet_security_info's arguments as tasks/main.yml renders them."""
    tasks = role_tasks(vpc_id, "sg-placeholder", ssh_cidrs)
    groups = []
    for _module, args in tasks[:2]:
        rules = [
            {key: value for key, value in rule.items() if key != "group_id"}
            | ({"group_name": [MANAGERS]} if "group_id" in rule else {})
            for rule in args["rules"]
        ]
        groups.append(
            {
                key: args[key]
                for key in (
                    "name",
                    "description",
                    "rules_egress",
                    "purge_rules",
                    "purge_rules_egress",
                    "tags",
                    "purge_tags",
                )
            }
            | {"rules": rules}
        )
    roles = [{key: value for key, value in args.items() if key != "create_instance_profile"} for _m, args in tasks[2:4]]
    policy = {key: tasks[4][1][key] for key in ("iam_name", "policy_name", "policy_json")}
    return {
        "vpc_id": vpc_id,
        "account_id": ACCOUNT,
        "security_groups": groups,
        "iam_roles": roles,
        "iam_policies": [policy],
        "instance_profiles": [args for _m, args in tasks[5:]],
    }


def would_change(run, vpc_id: str, manager_group_id: str, ssh_cidrs: tuple[list, list] = ([], [])) -> list[str]:
    """The tasks of present.yml that would report a change (each run in check mode)."""
    changed = []
    for module, args in role_tasks(vpc_id, manager_group_id, ssh_cidrs):
        if run(module, args, check_mode=True)["changed"]:
            changed.append(f"{module.__name__.rsplit('.', 1)[-1]} {args.get('name') or args.get('policy_name')}")
    return changed


@pytest.fixture
def fleet(aws, run) -> dict[str, str]:
    vpc_id = aws["ec2"].create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    return {"vpc_id": vpc_id, "managers": converge(run, vpc_id)}


def test_main_on_a_converged_fleet(aws, run, fleet):
    result = run(fsi, module_args(fleet["vpc_id"]))
    assert result["drift"] == []
    assert result["in_sync"] is True
    assert result["changed"] is False
    groups = aws["ec2"].describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [fleet["vpc_id"]]}])
    ids = {each["GroupName"]: each["GroupId"] for each in groups["SecurityGroups"]}
    assert result["group_ids"] == {MANAGERS: fleet["managers"], WORKERS: ids[WORKERS]}
    assert result["role_arns"][MANAGER] == f"arn:aws:iam::{ACCOUNT}:role/{MANAGER}"
    assert result["instance_profile_arns"][WORKER] == f"arn:aws:iam::{ACCOUNT}:instance-profile/{WORKER}"
    # And the amazon.aws modules agree that nothing would change.
    assert would_change(run, fleet["vpc_id"], fleet["managers"]) == []


def test_main_in_check_mode_on_a_converged_fleet(run, fleet):
    assert run(fsi, module_args(fleet["vpc_id"]), check_mode=True)["in_sync"] is True


def test_main_with_ssh_from_ipv4_and_ipv6_networks(aws, run):
    ssh = (["10.20.0.0/24", "10.30.0.1/16"], ["2001:db8::/64"])
    vpc_id = aws["ec2"].create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    managers = converge(run, vpc_id, ssh)
    result = run(fsi, module_args(vpc_id, ssh))
    assert result["drift"] == []
    assert would_change(run, vpc_id, managers, ssh) == []
    # Taking SSH away again is drift, as it is a change for ec2_security_group.
    assert run(fsi, module_args(vpc_id))["drift"] == [
        "security group fleet-managers: inbound rule tcp 22-22 10.20.0.0/24 is not in the plan",
        "security group fleet-managers: inbound rule tcp 22-22 10.30.0.0/16 is not in the plan",
        "security group fleet-managers: inbound rule tcp 22-22 2001:db8::/64 is not in the plan",
    ]
    assert would_change(run, vpc_id, managers) == [f"ec2_security_group {MANAGERS}"]


def test_main_on_an_empty_account(aws, run):
    vpc_id = aws["ec2"].create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    result = run(fsi, module_args(vpc_id))
    assert result["in_sync"] is False
    assert len(result["drift"]) == 7
    assert result["group_ids"] == {MANAGERS: "", WORKERS: ""}


def test_main_without_a_vpc(aws, run):
    result = run(fsi, module_args(""), check_mode=True)
    assert result["drift"][:2] == [
        "security group fleet-managers: missing (no VPC yet)",
        "security group fleet-workers: missing (no VPC yet)",
    ]


def group_id(aws, vpc_id: str, name: str) -> str:
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [name]}]
    return aws["ec2"].describe_security_groups(Filters=filters)["SecurityGroups"][0]["GroupId"]


def change_egress_description(aws, fleet):
    permission = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "egress"}]}
    aws["ec2"].update_security_group_rule_descriptions_egress(GroupId=fleet["managers"], IpPermissions=[permission])


def add_ingress(aws, fleet):
    aws["ec2"].authorize_security_group_ingress(
        GroupId=fleet["managers"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )


def revoke_egress(aws, fleet):
    aws["ec2"].revoke_security_group_egress(
        GroupId=group_id(aws, fleet["vpc_id"], WORKERS),
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )


def tag_group(aws, fleet):
    aws["ec2"].create_tags(Resources=[fleet["managers"]], Tags=[{"Key": "Owner", "Value": "someone"}])


def tag_role(aws, _fleet):
    aws["iam"].tag_role(RoleName=WORKER, Tags=[{"Key": "Owner", "Value": "someone"}])


def describe_role(aws, _fleet):
    aws["iam"].update_role(RoleName=MANAGER, Description="made by hand")


def trust_another_service(aws, _fleet):
    trust = copy.deepcopy(TRUST)
    trust["Statement"][0]["Principal"]["Service"] = "ecs.amazonaws.com"
    aws["iam"].update_assume_role_policy(RoleName=WORKER, PolicyDocument=json.dumps(trust))


def attach_policy(aws, _fleet):
    aws["iam"].attach_role_policy(RoleName=WORKER, PolicyArn=MOTO_READ_ONLY)


def detach_policy(aws, _fleet):
    aws["iam"].detach_role_policy(RoleName=MANAGER, PolicyArn=MOTO_SSM_CORE)


def change_inline_policy(aws, _fleet):
    policy = copy.deepcopy(POLICY)
    policy["Statement"][1]["Action"].append("ec2:DescribeVpcs")
    aws["iam"].put_role_policy(RoleName=MANAGER, PolicyName=MANAGER, PolicyDocument=json.dumps(policy))


def reorder_inline_policy(aws, _fleet):
    policy = copy.deepcopy(POLICY)
    policy["Statement"].reverse()
    aws["iam"].put_role_policy(RoleName=MANAGER, PolicyName=MANAGER, PolicyDocument=json.dumps(policy))


def delete_inline_policy(aws, _fleet):
    aws["iam"].delete_role_policy(RoleName=MANAGER, PolicyName=MANAGER)


def add_other_inline_policy(aws, _fleet):
    aws["iam"].put_role_policy(RoleName=WORKER, PolicyName="by-hand", PolicyDocument=json.dumps(POLICY))


def empty_profile(aws, _fleet):
    aws["iam"].remove_role_from_instance_profile(InstanceProfileName=WORKER, RoleName=WORKER)


def untag_profile(aws, _fleet):
    aws["iam"].untag_instance_profile(InstanceProfileName=MANAGER, TagKeys=["ManagedBy"])


def delete_profile(aws, _fleet):
    aws["iam"].remove_role_from_instance_profile(InstanceProfileName=MANAGER, RoleName=MANAGER)
    aws["iam"].delete_instance_profile(InstanceProfileName=MANAGER)


# (a change made behind the role's back, the drift sentence, the present.yml tasks that would change)
MOTO_CASES = [
    (
        change_egress_description,
        "security group fleet-managers: outbound rule all protocols 0.0.0.0/0 has another description",
        [f"ec2_security_group {MANAGERS}"],
    ),
    (
        add_ingress,
        "security group fleet-managers: inbound rule tcp 22-22 0.0.0.0/0 is not in the plan",
        [f"ec2_security_group {MANAGERS}"],
    ),
    (
        revoke_egress,
        "security group fleet-workers: outbound rule all protocols 0.0.0.0/0 is missing",
        [f"ec2_security_group {WORKERS}"],
    ),
    (tag_group, "security group fleet-managers: tags differ", [f"ec2_security_group {MANAGERS}"]),
    (tag_role, "IAM role fleet-worker: tags differ", [f"iam_role {WORKER}"]),
    (describe_role, "IAM role fleet-manager: description differs", [f"iam_role {MANAGER}"]),
    (trust_another_service, "IAM role fleet-worker: trust policy differs", [f"iam_role {WORKER}"]),
    (attach_policy, "IAM role fleet-worker: managed policies to detach", [f"iam_role {WORKER}"]),
    (detach_policy, "IAM role fleet-manager: managed policies to attach", [f"iam_role {MANAGER}"]),
    (
        change_inline_policy,
        "inline policy fleet-manager of IAM role fleet-manager: document differs",
        [f"iam_policy {MANAGER}"],
    ),
    (reorder_inline_policy, None, []),
    (delete_inline_policy, "inline policy fleet-manager of IAM role fleet-manager: missing", [f"iam_policy {MANAGER}"]),
    (add_other_inline_policy, None, []),
    (
        empty_profile,
        "instance profile fleet-worker: does not hold the role fleet-worker",
        [f"iam_instance_profile {WORKER}"],
    ),
    (untag_profile, "instance profile fleet-manager: tags differ", [f"iam_instance_profile {MANAGER}"]),
    (delete_profile, "instance profile fleet-manager: missing", [f"iam_instance_profile {MANAGER}"]),
]


@pytest.mark.parametrize("case", MOTO_CASES, ids=[case[0].__name__ for case in MOTO_CASES])
def test_main_sees_drift_exactly_when_the_amazon_aws_modules_would_change(aws, run, fleet, case):
    change, sentence, tasks = case
    change(aws, fleet)
    result = run(fsi, module_args(fleet["vpc_id"]))
    assert would_change(run, fleet["vpc_id"], fleet["managers"]) == tasks
    if sentence is None:
        assert result["drift"] == []
        assert result["in_sync"] is True
    else:
        assert result["in_sync"] is False
        assert any(sentence in each for each in result["drift"]), result["drift"]
        # The tasks make it right again, and the module sees it.
        converge(run, fleet["vpc_id"])
        assert run(fsi, module_args(fleet["vpc_id"]))["drift"] == []


def test_main_warns_of_a_description_that_cannot_change(aws, run):
    vpc_id = aws["ec2"].create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    aws["ec2"].create_security_group(GroupName=MANAGERS, Description="made by hand", VpcId=vpc_id)
    managers = converge(run, vpc_id)
    result = run(fsi, module_args(vpc_id))
    assert result["drift"] == []
    assert "cannot be changed in place (remove the group" in json.dumps(result["warnings"])
    assert would_change(run, vpc_id, managers) == []


@pytest.mark.xfail(
    strict=True,
    reason="moto (and so the sandbox, whose patch only adds Return) leaves the description of a rule whose source is a "
    "security group as it was on UpdateSecurityGroupRuleDescriptionsIngress; AWS updates it, and "
    "ec2_security_group relies on that to set a changed rule_desc",
)
def test_moto_updates_the_description_of_a_rule_from_a_group(aws, fleet):
    workers = group_id(aws, fleet["vpc_id"], WORKERS)
    pair = {"GroupId": fleet["managers"], "Description": "SSH"}
    permission = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [pair]}
    aws["ec2"].update_security_group_rule_descriptions_ingress(GroupId=workers, IpPermissions=[permission])
    described = aws["ec2"].describe_security_groups(GroupIds=[workers])["SecurityGroups"][0]["IpPermissions"]
    ssh = next(each for each in described if each.get("FromPort") == 22)
    assert ssh["UserIdGroupPairs"][0]["Description"] == "SSH"
