# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet_worker_pool_info module: compare() on snapshots shaped exactly like the describe answers
(DescribeLaunchTemplates, DescribeLaunchTemplateVersions, DescribeAutoScalingGroups, DescribePolicies,
DescribeImages), with the pools as the worker_pool role plans them. Two converged pools must compare as in sync, and
each change that amazon.aws.ec2_launch_template or fleeting_autoscaling_group would undo (or make, for what is
missing) must show as drift naming the resource; what those modules leave alone (the live desired capacity, aws:
tags) must not. main() runs end to end against moto's in-process AWS (with the sandbox's moto patches), after the
two mutating modules themselves made the pools with the role's arguments, and must agree with them."""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Callable
from typing import Any

import boto3
import botocore.client
import botocore.loaders
import botocore.session
import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.modules import ec2_launch_template
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils import _autoscaling_group
from ansible_collections.runnerfleet.gitlab_aws.plugins.modules import fleet_worker_pool_info as fwp
from ansible_collections.runnerfleet.gitlab_aws.plugins.modules import fleeting_autoscaling_group
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._worker_pool import pool_arguments
from fleet_descriptions import AMI, autoscaler_runner, fleet_description, resolved_plan
from moto import mock_aws

FLEET = "fleet"
FLEET_TAG_KEY = "runnerfleet:fleet"  # the plan's fleet.tag_key, which the role passes
TAG_KEY = "runnerfleet:worker-pool"
TAGS = {FLEET_TAG_KEY: FLEET, "ManagedBy": "runnerfleet.gitlab_aws"}
OWNER = "123456789012"
ROOT_DEVICE = "/dev/xvda"
PROFILE_ARN = f"arn:aws:iam::{OWNER}:instance-profile/fleet-worker"
SECURITY_GROUP = "sg-0123456789abcdef0"
SUBNETS = ["subnet-0aaa", "subnet-0bbb"]
CREATED = datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.UTC)
TEMPLATE_ID = {"spot": "lt-0000000000000spot", "ondemand": "lt-00000000000ondemand"}
# The entries of the role's plan: instance types, on-demand base and percentage, max size, root size.
ENTRIES = {
    "spot": (["m5.large", "m5a.large"], 1, 0, 4, 30),
    "ondemand": (["c5.xlarge"], 0, 100, 3, 50),
}


# ------------------------------------------------------------------------------------------------- the plan


def pool_tags(entry: str) -> dict[str, str]:
    return {**TAGS, "Name": f"{FLEET}-{entry}", TAG_KEY: entry}


def role_pool(entry: str) -> dict[str, Any]:
    """One element of the worker_pool_arguments filter's result (roles/worker_pool/vars/main.yml), as the role passes
    it: the filter's own code over the pool the fleet model plans for the entry's ENTRIES settings."""
    instance_types, base, percentage, max_size, root_size = ENTRIES[entry]
    runner = autoscaler_runner(
        entry,
        instance_types=instance_types,
        on_demand_base=base,
        spot=percentage < 100,
        max_instances=max_size,
        root_size=root_size,
    )
    plan = resolved_plan(fleet_description([runner], fleet_name=FLEET))
    facts = {"subnet_ids": SUBNETS, "security_group_id": SECURITY_GROUP, "instance_profile": PROFILE_ARN}
    (arguments,) = pool_arguments(plan["worker_pool"]["pools"], **facts)
    assert arguments["launch_template"]["tags"] == pool_tags(entry)
    assert arguments["autoscaling_group"]["on_demand_percentage_above_base_capacity"] == percentage
    return arguments


def role_pools() -> list[dict[str, Any]]:
    """The two pools of the role's plan, as the role passes them."""
    return [role_pool("spot"), role_pool("ondemand")]


def module_params(pools: list[dict[str, Any]] | None = None, **overrides) -> dict[str, Any]:
    """The module's params as AnsibleModule hands them over: validated, every default filled in."""
    raw = {"fleet": FLEET, "fleet_tag_key": FLEET_TAG_KEY, "pools": role_pools() if pools is None else pools}
    raw.update(overrides)
    result = ArgumentSpecValidator(fwp.ARGUMENT_SPEC).validate(raw)
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


# ------------------------------------------------------------------------------------------------- fixtures


def boto3_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def aws_template(entry: str, default: int = 1, latest: int = 1) -> dict[str, Any]:
    return {
        "LaunchTemplateId": TEMPLATE_ID[entry],
        "LaunchTemplateName": f"{FLEET}-{entry}",
        "CreateTime": CREATED,
        "CreatedBy": f"arn:aws:iam::{OWNER}:root",
        "DefaultVersionNumber": default,
        "LatestVersionNumber": latest,
        "Tags": boto3_tags(pool_tags(entry)),
    }


def aws_version(entry: str, number: int = 1) -> dict[str, Any]:
    """The latest version as DescribeLaunchTemplateVersions returns it, with the data ec2_launch_template sent."""
    root_size = ENTRIES[entry][4]
    tags = boto3_tags(pool_tags(entry))
    return {
        "LaunchTemplateId": TEMPLATE_ID[entry],
        "LaunchTemplateName": f"{FLEET}-{entry}",
        "VersionNumber": number,
        "CreateTime": CREATED,
        "CreatedBy": f"arn:aws:iam::{OWNER}:root",
        "DefaultVersion": True,
        "LaunchTemplateData": {
            "IamInstanceProfile": {"Arn": PROFILE_ARN},
            "BlockDeviceMappings": [
                {
                    "DeviceName": ROOT_DEVICE,
                    "Ebs": {
                        "Encrypted": True,
                        "DeleteOnTermination": True,
                        "VolumeSize": root_size,
                        "VolumeType": "gp3",
                    },
                }
            ],
            "NetworkInterfaces": [
                {
                    "AssociatePublicIpAddress": False,
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Groups": [SECURITY_GROUP],
                }
            ],
            "ImageId": AMI,
            "TagSpecifications": [
                {"ResourceType": "instance", "Tags": tags},
                {"ResourceType": "volume", "Tags": tags},
            ],
            "MetadataOptions": {
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
                "HttpProtocolIpv6": "disabled",
                "InstanceMetadataTags": "disabled",
            },
        },
    }


def group_tag(entry: str, key: str, value: str, propagate: bool = True) -> dict[str, Any]:
    return {
        "ResourceId": f"{FLEET}-{entry}",
        "ResourceType": "auto-scaling-group",
        "Key": key,
        "Value": value,
        "PropagateAtLaunch": propagate,
    }


def aws_group(entry: str, desired: int = 0) -> dict[str, Any]:
    instance_types, base, percentage, max_size, _root = ENTRIES[entry]
    name = f"{FLEET}-{entry}"
    return {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": f"arn:aws:autoscaling:eu-west-1:{OWNER}:autoScalingGroup:1c1b-{entry}:"
        f"autoScalingGroupName/{name}",
        "MixedInstancesPolicy": {
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {
                    "LaunchTemplateId": TEMPLATE_ID[entry],
                    "LaunchTemplateName": name,
                    "Version": "$Latest",
                },
                "Overrides": [{"InstanceType": instance_type} for instance_type in instance_types],
            },
            "InstancesDistribution": {
                "OnDemandAllocationStrategy": "prioritized",
                "OnDemandBaseCapacity": base,
                "OnDemandPercentageAboveBaseCapacity": percentage,
                "SpotAllocationStrategy": "price-capacity-optimized",
            },
        },
        "MinSize": 0,
        "MaxSize": max_size,
        "DesiredCapacity": desired,
        "DefaultCooldown": 300,
        "AvailabilityZones": ["eu-west-1a", "eu-west-1b"],
        "HealthCheckType": "EC2",
        "HealthCheckGracePeriod": 300,
        "Instances": [],
        "CreatedTime": CREATED,
        "SuspendedProcesses": [{"ProcessName": "AZRebalance", "SuspensionReason": "User suspended"}],
        "VPCZoneIdentifier": ",".join(reversed(SUBNETS)),
        "EnabledMetrics": [],
        "Tags": [group_tag(entry, key, value) for key, value in sorted(pool_tags(entry).items())],
        "TerminationPolicies": ["Default"],
        "NewInstancesProtectedFromScaleIn": True,
        "CapacityRebalance": False,
    }


def aws_image() -> dict[str, Any]:
    return {
        "ImageId": AMI,
        "Architecture": "x86_64",
        "CreationDate": "2026-01-01T00:00:00.000Z",
        "ImageLocation": "amazon/worker",
        "ImageType": "machine",
        "Public": True,
        "OwnerId": OWNER,
        "State": "available",
        "BlockDeviceMappings": [
            {"DeviceName": ROOT_DEVICE, "Ebs": {"SnapshotId": "snap-0123", "VolumeSize": 8, "VolumeType": "gp3"}}
        ],
        "RootDeviceName": ROOT_DEVICE,
        "RootDeviceType": "ebs",
        "VirtualizationType": "hvm",
    }


def converged() -> dict[str, Any]:
    """What read_pools() returns for the two pools, as the keep tasks of the role would leave them."""
    templates = [aws_template("spot"), aws_template("ondemand")]
    groups = [aws_group("ondemand"), aws_group("spot", desired=2)]
    return {
        "found_templates": templates,
        "templates": {t["LaunchTemplateName"]: t for t in templates},
        "latest_versions": {TEMPLATE_ID[entry]: aws_version(entry) for entry in ENTRIES},
        "template_tags": {TEMPLATE_ID[entry]: pool_tags(entry) for entry in ENTRIES},
        "all_groups": groups,
        "groups": {g["AutoScalingGroupName"]: g for g in groups},
        "policies": {},
        "images": {AMI: aws_image()},
        "instance_profiles": {PROFILE_ARN: PROFILE_ARN},
    }


# Finding one resource of a snapshot, to change it.


def template(snapshot: dict, entry: str) -> dict[str, Any]:
    return snapshot["templates"][f"{FLEET}-{entry}"]


def data(snapshot: dict, entry: str) -> dict[str, Any]:
    return snapshot["latest_versions"][TEMPLATE_ID[entry]]["LaunchTemplateData"]


def group(snapshot: dict, entry: str) -> dict[str, Any]:
    return snapshot["groups"][f"{FLEET}-{entry}"]


def policy(snapshot: dict, entry: str) -> dict[str, Any]:
    return group(snapshot, entry)["MixedInstancesPolicy"]


# ------------------------------------------------------------------------------------------------- the helpers


def test_launch_template_data_is_what_ec2_launch_template_sends():
    pool = module_params()["pools"][0]["launch_template"]
    assert fwp.launch_template_data(pool, ROOT_DEVICE, PROFILE_ARN) == aws_version("spot")["LaunchTemplateData"]


def test_launch_template_data_keeps_a_named_device_and_leaves_out_what_is_not_given():
    raw = role_pool("spot")
    raw["launch_template"]["block_device_mappings"][0]["device_name"] = "/dev/sdb"
    del raw["launch_template"]["iam_instance_profile"], raw["launch_template"]["tag_specifications"]
    pool = module_params(pools=[raw])["pools"][0]["launch_template"]
    launch_data = fwp.launch_template_data(pool, ROOT_DEVICE, None)
    assert launch_data["BlockDeviceMappings"][0]["DeviceName"] == "/dev/sdb"
    assert "IamInstanceProfile" not in launch_data
    assert "TagSpecifications" not in launch_data
    assert "KmsKeyId" not in launch_data["BlockDeviceMappings"][0]["Ebs"]


def test_launch_template_data_with_a_tag_specification_without_tags():
    raw = role_pool("spot")
    raw["launch_template"]["tag_specifications"].append({"resource_type": "network-interface", "tags": {}})
    assert (
        fwp.launch_template_data(module_params(pools=[raw])["pools"][0]["launch_template"], ROOT_DEVICE, None) is None
    )


def test_found_by_tags_is_what_find_yml_found():
    snapshot = converged()
    other_fleet = aws_group("spot") | {"AutoScalingGroupName": "other-spot"}
    other_fleet["Tags"] = [group_tag("spot", FLEET_TAG_KEY, "other"), group_tag("spot", TAG_KEY, "spot")]
    not_the_roles = aws_group("spot") | {"AutoScalingGroupName": "fleet-manager"}
    not_the_roles["Tags"] = [group_tag("spot", FLEET_TAG_KEY, FLEET)]
    snapshot["all_groups"] += [other_fleet, not_the_roles]
    found = fwp.found_by_tags(snapshot, FLEET, TAG_KEY, FLEET_TAG_KEY)
    assert found == {
        "launch_template_ids": {"fleet-spot": TEMPLATE_ID["spot"], "fleet-ondemand": TEMPLATE_ID["ondemand"]},
        "autoscaling_group_names": ["fleet-ondemand", "fleet-spot"],
        "autoscaling_group_arns": {
            "fleet-ondemand": aws_group("ondemand")["AutoScalingGroupARN"],
            "fleet-spot": aws_group("spot")["AutoScalingGroupARN"],
        },
    }


def test_the_fleet_tag_key_has_no_default():
    """The caller passes the plan's fleet.tag_key, as to fleet_network_info: no key that may not be the fleet's."""
    result = ArgumentSpecValidator(fwp.ARGUMENT_SPEC).validate({"fleet": FLEET, "pools": []})
    assert result.error_messages == ["missing required arguments: fleet_tag_key"]


def test_found_by_tags_with_the_users_fleet_tag_key():
    snapshot = converged()
    for group in snapshot["all_groups"]:
        group["Tags"] = [{**tag, "Key": "acme:fleet"} if tag["Key"] == FLEET_TAG_KEY else tag for tag in group["Tags"]]
    assert fwp.found_by_tags(snapshot, FLEET, TAG_KEY, FLEET_TAG_KEY)["autoscaling_group_names"] == []
    found = fwp.found_by_tags(snapshot, FLEET, TAG_KEY, "acme:fleet")
    assert found["autoscaling_group_names"] == ["fleet-ondemand", "fleet-spot"]
    params = module_params(fleet_tag_key="acme:fleet")
    assert fwp.compare(snapshot, params)["autoscaling_group_names"] == ["fleet-ondemand", "fleet-spot"]


def test_the_group_comparison_is_fleeting_autoscaling_groups_own():
    assert fleeting_autoscaling_group.group_differences is _autoscaling_group.group_differences
    assert fwp.group_differences is _autoscaling_group.group_differences


# ------------------------------------------------------------------------------------------------- compare


def test_compare_converged_pools_are_in_sync():
    result = fwp.compare(converged(), module_params())
    assert result["drift"] == []
    assert result["in_sync"] is True
    assert result["pools"] == {
        entry: {
            "launch_template_id": TEMPLATE_ID[entry],
            "launch_template_in_sync": True,
            "autoscaling_group_arn": aws_group(entry)["AutoScalingGroupARN"],
            "autoscaling_group_in_sync": True,
            "in_sync": True,
            "drift": [],
        }
        for entry in ("spot", "ondemand")
    }
    assert result["root_devices"] == {AMI: ROOT_DEVICE}
    assert result["missing_amis"] == []
    assert result["launch_template_ids"] == {
        "fleet-spot": TEMPLATE_ID["spot"],
        "fleet-ondemand": TEMPLATE_ID["ondemand"],
    }
    assert result["autoscaling_group_names"] == ["fleet-ondemand", "fleet-spot"]


def test_compare_without_pools_reports_what_the_role_would_remove():
    result = fwp.compare(converged(), module_params(pools=[]))
    assert result["in_sync"] is False
    assert result["drift"] == [
        "Auto Scaling group fleet-ondemand: no pool names it",
        "Auto Scaling group fleet-spot: no pool names it",
        "launch template fleet-spot: no pool names it",
        "launch template fleet-ondemand: no pool names it",
    ]
    assert result["pools"] == {}
    assert result["root_devices"] == {}


def test_compare_ignores_what_the_keep_tasks_leave_alone():
    snapshot = converged()
    # The fleeting plugin's capacity, an aws: tag on the template, what AWS adds to a described policy and data.
    group(snapshot, "spot")["DesiredCapacity"] = 4
    snapshot["template_tags"][TEMPLATE_ID["spot"]]["aws:cloudformation:stack-name"] = "x"
    policy(snapshot, "spot")["InstancesDistribution"]["SpotMaxPrice"] = ""
    group(snapshot, "ondemand")["Instances"] = [{"InstanceId": "i-0123", "ProtectedFromScaleIn": True}]
    snapshot["latest_versions"][TEMPLATE_ID["spot"]]["DefaultVersion"] = False
    # A template of another fleet, found by its name only because a pool names it, and tags in another order.
    group(snapshot, "ondemand")["Tags"].reverse()
    result = fwp.compare(snapshot, module_params())
    assert result["drift"] == []


# Each function changes one thing of a converged snapshot; the sentence must name the resource.


def template_missing(snapshot):
    del snapshot["templates"]["fleet-spot"]
    snapshot["found_templates"] = [t for t in snapshot["found_templates"] if t["LaunchTemplateName"] != "fleet-spot"]
    del snapshot["latest_versions"][TEMPLATE_ID["spot"]]


def ami_missing(snapshot):
    snapshot["images"] = {}


def profile_not_found(snapshot):
    snapshot["instance_profiles"] = {PROFILE_ARN: ""}


def latest_version_not_read(snapshot):
    del snapshot["latest_versions"][TEMPLATE_ID["ondemand"]]


def other_image(snapshot):
    data(snapshot, "spot")["ImageId"] = "ami-0fedcba9876543210"


def other_root_device(snapshot):
    snapshot["images"][AMI]["RootDeviceName"] = "/dev/sda1"


def other_hop_limit(snapshot):
    data(snapshot, "ondemand")["MetadataOptions"]["HttpPutResponseHopLimit"] = 1


def tokens_optional(snapshot):
    data(snapshot, "spot")["MetadataOptions"]["HttpTokens"] = "optional"


def other_volume_size(snapshot):
    data(snapshot, "ondemand")["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"] = 30


def unencrypted(snapshot):
    data(snapshot, "spot")["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] = False


def other_security_group(snapshot):
    data(snapshot, "spot")["NetworkInterfaces"][0]["Groups"] = ["sg-0other"]


def public_address(snapshot):
    data(snapshot, "spot")["NetworkInterfaces"][0]["AssociatePublicIpAddress"] = True


def other_profile(snapshot):
    data(snapshot, "spot")["IamInstanceProfile"] = {"Arn": f"arn:aws:iam::{OWNER}:instance-profile/other"}


def instance_tags_differ(snapshot):
    data(snapshot, "spot")["TagSpecifications"][0]["Tags"][0]["Value"] = "other"


def no_volume_tags(snapshot):
    data(snapshot, "spot")["TagSpecifications"].pop()


def extra_data(snapshot):
    data(snapshot, "ondemand")["UserData"] = "IyEvYmluL3NoCg=="


def version_described(snapshot):
    snapshot["latest_versions"][TEMPLATE_ID["spot"]]["VersionDescription"] = "by hand"


def default_is_not_latest(snapshot):
    snapshot["templates"]["fleet-spot"].update(DefaultVersionNumber=1, LatestVersionNumber=2)
    snapshot["latest_versions"][TEMPLATE_ID["spot"]]["VersionNumber"] = 2


def template_extra_tag(snapshot):
    snapshot["template_tags"][TEMPLATE_ID["spot"]]["Owner"] = "someone"


def template_missing_tag(snapshot):
    del snapshot["template_tags"][TEMPLATE_ID["ondemand"]]["Name"]


def template_tags_only_in_its_description(snapshot):
    # ec2_launch_template reads the tags with DescribeTags; the Tags of DescribeLaunchTemplates are not looked at.
    del snapshot["template_tags"][TEMPLATE_ID["ondemand"]]


def group_missing(snapshot):
    del snapshot["groups"]["fleet-ondemand"]


def other_max_size(snapshot):
    group(snapshot, "spot")["MaxSize"] = 6


def other_min_size(snapshot):
    group(snapshot, "spot")["MinSize"] = 1


def other_subnets(snapshot):
    group(snapshot, "spot")["VPCZoneIdentifier"] = "subnet-0aaa"


def unprotected(snapshot):
    group(snapshot, "ondemand")["NewInstancesProtectedFromScaleIn"] = False


def other_instance_types(snapshot):
    policy(snapshot, "spot")["LaunchTemplate"]["Overrides"].reverse()


def other_template_id(snapshot):
    policy(snapshot, "spot")["LaunchTemplate"]["LaunchTemplateSpecification"]["LaunchTemplateId"] = "lt-0other"


def fixed_version(snapshot):
    policy(snapshot, "spot")["LaunchTemplate"]["LaunchTemplateSpecification"]["Version"] = "1"


def other_base(snapshot):
    policy(snapshot, "spot")["InstancesDistribution"]["OnDemandBaseCapacity"] = 0


def other_strategy(snapshot):
    policy(snapshot, "ondemand")["InstancesDistribution"]["SpotAllocationStrategy"] = "lowest-price"


def launch_resumed(snapshot):
    group(snapshot, "spot")["SuspendedProcesses"] = []


def launch_suspended(snapshot):
    group(snapshot, "spot")["SuspendedProcesses"].append({"ProcessName": "Launch", "SuspensionReason": "User"})


def group_extra_tag(snapshot):
    group(snapshot, "ondemand")["Tags"].append(group_tag("ondemand", "Owner", "someone", propagate=False))


def group_tag_not_propagated(snapshot):
    group(snapshot, "spot")["Tags"][0]["PropagateAtLaunch"] = False


def scaling_policy(snapshot):
    snapshot["policies"] = {"fleet-spot": ["cpu-target"]}


def unlisted_group(snapshot):
    extra = aws_group("spot") | {"AutoScalingGroupName": "fleet-old"}
    snapshot["all_groups"].append(extra)


def unlisted_template(snapshot):
    snapshot["found_templates"].append(aws_template("spot") | {"LaunchTemplateName": "fleet-old"})


# What the pools share: both differ.
SHARED = {ami_missing, profile_not_found, other_root_device}

DRIFT_CASES = [
    (template_missing, "spot", "launch template fleet-spot: missing"),
    (ami_missing, "spot", f"launch template fleet-spot: AMI {AMI} not found"),
    (ami_missing, "ondemand", f"launch template fleet-ondemand: AMI {AMI} not found"),
    (profile_not_found, "spot", f"launch template fleet-spot: instance profile {PROFILE_ARN} not found"),
    (latest_version_not_read, "ondemand", "launch template fleet-ondemand: its latest version was not found"),
    (other_image, "spot", "launch template fleet-spot: the latest version differs in ImageId"),
    (
        other_root_device,
        "ondemand",
        "launch template fleet-ondemand: the latest version differs in BlockDeviceMappings",
    ),
    (other_hop_limit, "ondemand", "launch template fleet-ondemand: the latest version differs in MetadataOptions"),
    (tokens_optional, "spot", "launch template fleet-spot: the latest version differs in MetadataOptions"),
    (
        other_volume_size,
        "ondemand",
        "launch template fleet-ondemand: the latest version differs in BlockDeviceMappings",
    ),
    (unencrypted, "spot", "launch template fleet-spot: the latest version differs in BlockDeviceMappings"),
    (other_security_group, "spot", "launch template fleet-spot: the latest version differs in NetworkInterfaces"),
    (public_address, "spot", "launch template fleet-spot: the latest version differs in NetworkInterfaces"),
    (other_profile, "spot", "launch template fleet-spot: the latest version differs in IamInstanceProfile"),
    (instance_tags_differ, "spot", "launch template fleet-spot: the latest version differs in TagSpecifications"),
    (no_volume_tags, "spot", "launch template fleet-spot: the latest version differs in TagSpecifications"),
    (extra_data, "ondemand", "launch template fleet-ondemand: the latest version differs in UserData"),
    (version_described, "spot", "launch template fleet-spot: the latest version has a description"),
    (default_is_not_latest, "spot", "launch template fleet-spot: the default version 1 is not the latest 2"),
    (template_extra_tag, "spot", "launch template fleet-spot: tags differ"),
    (template_missing_tag, "ondemand", "launch template fleet-ondemand: tags differ"),
    (template_tags_only_in_its_description, "ondemand", "launch template fleet-ondemand: tags differ"),
    (group_missing, "ondemand", "Auto Scaling group fleet-ondemand: missing"),
    (other_max_size, "spot", "Auto Scaling group fleet-spot: differs in max_size"),
    (other_min_size, "spot", "Auto Scaling group fleet-spot: differs in min_size"),
    (other_subnets, "spot", "Auto Scaling group fleet-spot: differs in subnets"),
    (unprotected, "ondemand", "Auto Scaling group fleet-ondemand: differs in protect_from_scale_in"),
    (other_instance_types, "spot", "Auto Scaling group fleet-spot: differs in mixed_instances_policy"),
    (other_template_id, "spot", "Auto Scaling group fleet-spot: differs in mixed_instances_policy"),
    (fixed_version, "spot", "Auto Scaling group fleet-spot: differs in mixed_instances_policy"),
    (other_base, "spot", "Auto Scaling group fleet-spot: differs in mixed_instances_policy"),
    (other_strategy, "ondemand", "Auto Scaling group fleet-ondemand: differs in mixed_instances_policy"),
    (launch_resumed, "spot", "Auto Scaling group fleet-spot: differs in suspended_processes"),
    (launch_suspended, "spot", "Auto Scaling group fleet-spot: differs in suspended_processes"),
    (group_extra_tag, "ondemand", "Auto Scaling group fleet-ondemand: differs in tags"),
    (group_tag_not_propagated, "spot", "Auto Scaling group fleet-spot: differs in tags_propagated"),
    (scaling_policy, "spot", "Auto Scaling group fleet-spot: has scaling policies cpu-target"),
    (unlisted_group, None, "Auto Scaling group fleet-old: no pool names it"),
    (unlisted_template, None, "launch template fleet-old: no pool names it"),
]


@pytest.mark.parametrize(
    ("mutate", "entry", "sentence"), DRIFT_CASES, ids=[mutate.__name__ for mutate, _entry, _sentence in DRIFT_CASES]
)
def test_compare_reports_the_drift(mutate: Callable[[dict], None], entry: str | None, sentence: str):
    snapshot = converged()
    mutate(snapshot)
    result = fwp.compare(snapshot, module_params())
    assert result["in_sync"] is False
    assert sentence in result["drift"], result["drift"]
    # Only the pool it concerns differs (both, for what they share); a pool no longer listed leaves them in sync.
    affected = set(ENTRIES) if mutate in SHARED else {entry}
    for name, pool in result["pools"].items():
        assert pool["in_sync"] is (name not in affected), (name, pool)
        assert pool["in_sync"] is (pool["launch_template_in_sync"] and pool["autoscaling_group_in_sync"])
        if name not in affected:
            assert pool["drift"] == []
    if entry:
        # One difference, one sentence; a missing template also leaves its group without the template to launch.
        also = (
            ["Auto Scaling group fleet-spot: differs in mixed_instances_policy"] if mutate is template_missing else []
        )
        assert result["pools"][entry]["drift"] == [sentence, *also]
    if entry:
        kind = "launch_template_in_sync" if sentence.startswith("launch") else "autoscaling_group_in_sync"
        assert result["pools"][entry][kind] is False


def test_compare_a_missing_pool_reports_both_and_the_missing_ami():
    snapshot = converged()
    template_missing(snapshot)
    del snapshot["groups"]["fleet-spot"]
    snapshot["images"] = {}
    result = fwp.compare(snapshot, module_params())
    assert result["pools"]["spot"] == {
        "launch_template_id": "",
        "launch_template_in_sync": False,
        "autoscaling_group_arn": "",
        "autoscaling_group_in_sync": False,
        "in_sync": False,
        "drift": ["launch template fleet-spot: missing", "Auto Scaling group fleet-spot: missing"],
    }
    assert result["missing_amis"] == [AMI]
    assert result["root_devices"] == {}


def test_compare_a_group_whose_template_is_missing_differs():
    snapshot = converged()
    template_missing(snapshot)
    result = fwp.compare(snapshot, module_params())
    assert result["pools"]["spot"]["drift"] == [
        "launch template fleet-spot: missing",
        "Auto Scaling group fleet-spot: differs in mixed_instances_policy",
    ]


def test_compare_names_every_differing_setting_of_a_group():
    snapshot = converged()
    other_max_size(snapshot)
    other_subnets(snapshot)
    group_extra_tag(snapshot)
    assert fwp.compare(snapshot, module_params())["drift"] == [
        "Auto Scaling group fleet-spot: differs in max_size, subnets",
        "Auto Scaling group fleet-ondemand: differs in tags",
    ]


def test_compare_a_lower_max_size_than_the_live_capacity():
    snapshot = converged()
    group(snapshot, "spot").update(MaxSize=10, DesiredCapacity=8)
    assert fwp.compare(snapshot, module_params())["pools"]["spot"]["drift"] == [
        "Auto Scaling group fleet-spot: differs in desired_capacity, max_size"
    ]


@pytest.mark.parametrize(
    ("extra", "resource", "purge"),
    [
        (scaling_policy, "autoscaling_group", "purge_scaling_policies"),
        (template_extra_tag, "launch_template", "purge_tags"),
    ],
    ids=["scaling-policies", "template-tags"],
)
def test_compare_without_purge_keeps_what_the_plan_does_not_name(extra, resource: str, purge: str):
    snapshot = converged()
    extra(snapshot)
    raw = role_pools()
    raw[0][resource][purge] = False
    assert fwp.compare(snapshot, module_params(pools=raw))["in_sync"] is True


def test_compare_a_plan_change_is_drift():
    raw = role_pools()
    raw[0]["autoscaling_group"]["max_size"] = 6
    raw[1]["launch_template"]["image_id"] = "ami-0fedcba9876543210"
    result = fwp.compare(converged(), module_params(pools=raw))
    assert result["drift"] == [
        "Auto Scaling group fleet-spot: differs in max_size",
        "launch template fleet-ondemand: AMI ami-0fedcba9876543210 not found",
    ]
    assert result["missing_amis"] == ["ami-0fedcba9876543210"]


def test_compare_a_new_desired_capacity_is_not_drift():
    raw = role_pools()
    raw[0]["autoscaling_group"]["desired_capacity"] = 3
    assert fwp.compare(converged(), module_params(pools=raw))["in_sync"] is True


# ------------------------------------------------------------------------------------------------- main, on moto

REGION = "eu-west-1"
MOTO_AMI = "ami-1e749f67"  # one of moto's bundled AMIs (the molecule scenario's), root device /dev/sda1


@pytest.fixture
def aws(monkeypatch, offline_aws_environment, botocore_models_parsed_once):
    """moto's in-process AWS with the sandbox's patches, fake credentials and no endpoint or profile."""
    from sandbox import moto_patches  # noqa: PLC0415 (only the moto tests need the sandbox)

    moto_patches.apply()
    # The patches make IAM load AWS's managed policies, which no test here needs: they slow every reset.
    monkeypatch.setitem(moto_patches.default_user_config["iam"], "load_aws_managed_policies", False)
    offline_aws_environment(REGION)
    with mock_aws():
        yield


@pytest.fixture
def calls(monkeypatch):
    """Every AWS operation a module sends, by name."""
    sent: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def record(self, operation_name, api_params):
        sent.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", record)
    return sent


@pytest.fixture
def run(capsys):
    """Run a module's main() with arguments; its result."""

    def run_module(main: Callable[[], None], args: dict[str, Any]) -> dict[str, Any]:
        with patch_module_args(args), pytest.raises(SystemExit):
            main()
        return json.loads(capsys.readouterr().out)

    return run_module


def prerequisites() -> dict[str, Any]:
    """What the network and security roles make: two subnets, the workers' group and instance profile; the AMI."""
    ec2 = boto3.client("ec2", region_name=REGION)
    iam = boto3.client("iam", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.77.{n}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in enumerate("ab")
    ]
    group_id = ec2.create_security_group(GroupName="fleet-workers", Description="workers", VpcId=vpc)["GroupId"]
    profile = iam.create_instance_profile(InstanceProfileName="fleet-worker")["InstanceProfile"]
    image = ec2.describe_images(ImageIds=[MOTO_AMI])["Images"][0]
    return {
        "subnets": subnets,
        "security_group": group_id,
        "profile_arn": profile["Arn"],
        "ami": image["ImageId"],
        "root_device": image["RootDeviceName"],
    }


def moto_pool(entry: str, env: dict[str, Any]) -> dict[str, Any]:
    pool = role_pool(entry)
    pool["launch_template"].update(image_id=env["ami"], iam_instance_profile=env["profile_arn"])
    pool["launch_template"]["network_interfaces"][0]["groups"] = [env["security_group"]]
    pool["autoscaling_group"]["subnets"] = env["subnets"]
    return pool


def keep_pool(run, pool: dict[str, Any], root_device: str, check_mode: bool = False) -> tuple[dict, dict]:
    """The role's two keep tasks for one pool, with the arguments tasks/present.yml gives them."""
    template_args = copy.deepcopy(pool["launch_template"])
    for mapping in template_args["block_device_mappings"]:
        mapping["device_name"] = root_device
    check = {"_ansible_check_mode": check_mode}
    template = run(ec2_launch_template.main, {**template_args, "region": REGION, **check})
    template_id = template.get("template", {}).get("launch_template_id", "")
    group_args = {**pool["autoscaling_group"], "launch_template_id": template_id, "region": REGION, **check}
    group = run(fleeting_autoscaling_group.main, group_args) if template_id else {}
    return template, group


def read(run, pools: list[dict[str, Any]], **options) -> dict[str, Any]:
    return run(fwp.main, {"fleet": FLEET, "fleet_tag_key": FLEET_TAG_KEY, "pools": pools, "region": REGION, **options})


def test_main_on_pools_the_keep_tasks_made(aws, run, calls):
    env = prerequisites()
    pools = [moto_pool("spot", env), moto_pool("ondemand", env)]
    made = {pool["name"]: keep_pool(run, pool, env["root_device"]) for pool in pools}
    assert all(template["changed"] and group["changed"] for template, group in made.values())
    calls.clear()
    result = read(run, pools)
    assert result["drift"] == []
    assert result["in_sync"] is True
    assert result["changed"] is False
    assert [call for call in calls if not call.startswith(("Describe", "Get"))] == []
    assert result["root_devices"] == {env["ami"]: env["root_device"]}
    assert result["missing_amis"] == []
    for entry, (template, group) in made.items():
        name = f"{FLEET}-{entry}"
        assert result["launch_template_ids"][name] == template["template"]["launch_template_id"]
        assert result["autoscaling_group_arns"][name] == group["group"]["arn"]
        assert result["pools"][entry]["launch_template_id"] == template["template"]["launch_template_id"]
        assert result["pools"][entry]["autoscaling_group_arn"] == group["group"]["arn"]
    assert sorted(result["autoscaling_group_names"]) == ["fleet-ondemand", "fleet-spot"]
    # The keep tasks agree: run again, they change nothing.
    for pool in pools:
        template, group = keep_pool(run, pool, env["root_device"])
        assert (template["changed"], group["changed"]) == (False, False)


def test_main_agrees_with_the_keep_tasks_on_a_changed_plan(aws, run):
    env = prerequisites()
    pools = [moto_pool("spot", env), moto_pool("ondemand", env)]
    for pool in pools:
        keep_pool(run, pool, env["root_device"])
    changed = copy.deepcopy(pools)
    changed[0]["autoscaling_group"]["max_size"] = 6
    changed[1]["launch_template"]["block_device_mappings"][0]["ebs"]["volume_size"] = 60
    result = read(run, changed)
    assert result["drift"] == [
        "Auto Scaling group fleet-spot: differs in max_size",
        "launch template fleet-ondemand: the latest version differs in BlockDeviceMappings",
    ]
    # What the keep tasks predict in check mode: the same pools, the same resources.
    spot_template, spot_group = keep_pool(run, changed[0], env["root_device"], check_mode=True)
    ondemand_template, _ondemand_group = keep_pool(run, changed[1], env["root_device"], check_mode=True)
    assert (spot_template["changed"], spot_group["changed"], ondemand_template["changed"]) == (False, True, True)
    # Applied, they read in sync.
    for pool in changed:
        keep_pool(run, pool, env["root_device"])
    assert read(run, changed)["drift"] == []


def test_main_sees_changes_made_behind_the_roles_back(aws, run):
    env = prerequisites()
    pools = [moto_pool("spot", env), moto_pool("ondemand", env)]
    for pool in pools:
        keep_pool(run, pool, env["root_device"])
    autoscaling = boto3.client("autoscaling", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    # The fleeting plugin's capacity is the plugin's own, not drift.
    autoscaling.set_desired_capacity(AutoScalingGroupName="fleet-spot", DesiredCapacity=2)
    assert read(run, pools)["drift"] == []
    autoscaling.resume_processes(AutoScalingGroupName="fleet-spot", ScalingProcesses=["AZRebalance"])
    autoscaling.put_scaling_policy(
        AutoScalingGroupName="fleet-ondemand",
        PolicyName="cpu",
        PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
            "TargetValue": 50.0,
        },
    )
    template_id = read(run, pools)["pools"]["spot"]["launch_template_id"]
    ec2.create_tags(Resources=[template_id], Tags=[{"Key": "Owner", "Value": "someone"}])
    result = read(run, pools)
    assert result["drift"] == [
        "launch template fleet-spot: tags differ",
        "Auto Scaling group fleet-spot: differs in suspended_processes",
        "Auto Scaling group fleet-ondemand: has scaling policies cpu",
    ]
    # And the keep tasks would change exactly these.
    assert [keep_pool(run, pool, env["root_device"], check_mode=True)[0]["changed"] for pool in pools] == [True, False]


def test_main_without_pools_made(aws, run):
    env = prerequisites()
    pools = [moto_pool("spot", env), moto_pool("ondemand", env)]
    pools[1]["launch_template"]["image_id"] = "ami-0fedcba9876543210"
    result = read(run, pools)
    assert result["in_sync"] is False
    assert result["drift"] == [
        "launch template fleet-spot: missing",
        "Auto Scaling group fleet-spot: missing",
        "launch template fleet-ondemand: missing",
        "Auto Scaling group fleet-ondemand: missing",
    ]
    assert result["missing_amis"] == ["ami-0fedcba9876543210"]
    assert result["root_devices"] == {env["ami"]: env["root_device"]}
    assert result["launch_template_ids"] == {}
    assert result["autoscaling_group_names"] == []


def test_main_finds_an_unlisted_pool_and_resolves_a_profile_name(aws, run):
    env = prerequisites()
    pools = [moto_pool("spot", env), moto_pool("ondemand", env)]
    for pool in pools:
        keep_pool(run, pool, env["root_device"])
    pools[0]["launch_template"]["iam_instance_profile"] = "fleet-worker"
    result = read(run, pools[:1])
    assert result["drift"] == [
        "Auto Scaling group fleet-ondemand: no pool names it",
        "launch template fleet-ondemand: no pool names it",
    ]
    assert result["pools"]["spot"]["in_sync"] is True
    pools[0]["launch_template"]["iam_instance_profile"] = "nobody"
    assert read(run, pools[:1])["pools"]["spot"]["drift"] == [
        "launch template fleet-spot: instance profile nobody not found"
    ]


def test_main_finds_the_pools_by_the_users_fleet_tag_key(aws, run):
    env = prerequisites()
    pools = [moto_pool("spot", env), moto_pool("ondemand", env)]
    for pool in pools:
        for options in (pool["launch_template"], pool["autoscaling_group"]):
            options["tags"] = {"acme:fleet" if key == FLEET_TAG_KEY else key: v for key, v in options["tags"].items()}
        for spec in pool["launch_template"]["tag_specifications"]:
            spec["tags"] = pool["launch_template"]["tags"]
        keep_pool(run, pool, env["root_device"])
    # By runnerfleet:fleet nothing is the fleet's: an unlisted pool would never be found, nor removed.
    assert read(run, [])["autoscaling_group_names"] == []
    assert read(run, [])["launch_template_ids"] == {}
    result = read(run, [], fleet_tag_key="acme:fleet")
    assert sorted(result["autoscaling_group_names"]) == ["fleet-ondemand", "fleet-spot"]
    assert sorted(result["launch_template_ids"]) == ["fleet-ondemand", "fleet-spot"]
    assert read(run, pools, fleet_tag_key="acme:fleet")["drift"] == []


def test_main_reports_a_read_failure(aws, run, monkeypatch):
    original = botocore.client.BaseClient._make_api_call

    def deny(self, operation_name, api_params):
        if operation_name == "DescribeAutoScalingGroups":
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, operation_name
            )
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", deny)
    result = read(run, [])
    assert result["failed"] is True
    assert result["msg"].startswith(f"Failed to read the worker pools of fleet {FLEET}: ")


@pytest.mark.xfail(
    strict=True,
    reason="sandbox gap (sandbox/moto_patches.py, not this module's): moto's DescribeLaunchTemplates answers the tags "
    "a template was created with, not those CreateTags and DeleteTags changed since; AWS answers the current ones. "
    "Its tag filters are right, and this module reads the tags with DescribeTags, as ec2_launch_template does.",
)
def test_sandbox_describe_launch_templates_answers_the_current_tags(aws):
    ec2 = boto3.client("ec2", region_name=REGION)
    created = ec2.create_launch_template(
        LaunchTemplateName="tagged",
        LaunchTemplateData={"ImageId": MOTO_AMI},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "a", "Value": "1"}]}],
    )["LaunchTemplate"]
    ec2.create_tags(Resources=[created["LaunchTemplateId"]], Tags=[{"Key": "b", "Value": "2"}])
    ec2.delete_tags(Resources=[created["LaunchTemplateId"]], Tags=[{"Key": "a"}])
    described = ec2.describe_launch_templates(LaunchTemplateNames=["tagged"])["LaunchTemplates"][0]
    assert described["Tags"] == [{"Key": "b", "Value": "2"}]
