#!/usr/bin/python
# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Why this module: on a converged fleet the manager role used to run ec2_ami_info, ec2_instance_info, one
# ec2_instance per manager, ec2_instance_info again and one ec2_tag per root volume, only to learn that nothing had to
# change; each pays a Python start, a botocore model load and its own describe calls. This module reads the AMI, the
# fleet's instances, the managers' subnets and root volumes in one process and says whether each of those tasks would
# leave them as they are. The role runs them only when something differs, so they stay the single place where the
# managers are changed.

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_manager_info
extends_documentation_fragment:
  - runnerfleet.gitlab_aws.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
short_description: Read a fleet's runner managers in one pass and say whether they match the manager role's plan
version_added: 0.1.0
description:
  - Reads the managers' AMI (its root device name), the fleet's instances (found by O(filters), as the C(manager)
    role finds them), the subnets the managers should be in and the managers' root volumes.
  - Compares them with the plan given in the options, with the rules of C(amazon.aws.ec2_instance) on an existing
    instance (C(state=running); tags with C(Name), instance type, security groups, instance profile, metadata
    options) and of C(amazon.aws.ec2_tag) on each root volume (the instance's tags with its C(Name)), and returns
    whether they match and, when they do not, what differs.
  - A manager that is not C(running), missing, found twice, or a live instance whose C(Name) matches O(name_pattern)
    but is not a wanted manager, is a difference too.
  - What C(amazon.aws.ec2_instance) sets only at launch (the subnet, the AMI, the volumes, the user data) is not
    compared; RV(instances) carries each manager's subnet and AMI for the role to report.
  - Sends only C(Describe) calls; changes nothing.
author:
  - runnerfleet maintainers (@runnerfleet)
options:
  image_id:
    description: The managers' AMI id; its root device name is the root volume's.
    type: str
    required: true
  filters:
    description:
      - The C(DescribeInstances) filters that find the fleet's instances, as C(amazon.aws.ec2_instance_info) takes
        them (the fleet's tag and the live instance states).
      - Each wanted manager is the instance among them whose C(Name) tag is its name.
    type: dict
    required: true
  name_pattern:
    description: A regular expression matching every manager's C(Name); a match that is not wanted is a surplus manager.
    type: str
    required: true
  managers:
    description: The wanted managers, in order.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The manager's C(Name) tag.
        type: str
        required: true
      subnet_id:
        description: The subnet the manager is launched in; it must exist, as C(amazon.aws.ec2_instance) reads it.
        type: str
        required: true
  instance_type:
    description: The managers' instance type.
    type: str
    required: true
  security_groups:
    description: The ids of the managers' security groups (of their one network interface).
    type: list
    elements: str
    required: true
  instance_profile:
    description: The managers' instance profile, by name or ARN.
    type: str
    required: true
  metadata_options:
    description: The instance metadata options, with the defaults of C(amazon.aws.ec2_instance).
    type: dict
    required: true
    suboptions:
      http_endpoint:
        description: Whether the metadata endpoint is on.
        type: str
        choices: [enabled, disabled]
        default: enabled
      http_put_response_hop_limit:
        description: The hop limit of the metadata token's responses.
        type: int
        default: 1
      http_tokens:
        description: Whether tokens (IMDSv2) are required.
        type: str
        choices: [optional, required]
        default: optional
      http_protocol_ipv6:
        description: Whether the IPv6 metadata endpoint is on.
        type: str
        choices: [disabled, enabled]
        default: disabled
      instance_metadata_tags:
        description: Whether the instance's tags are in its metadata.
        type: str
        choices: [disabled, enabled]
        default: disabled
  tags:
    description: The tags of every manager and of its root volume, without C(Name) (each manager's name is added).
    type: dict
    required: true
  purge_tags:
    description: Whether tags not in O(tags) are removed (other than C(aws:) ones), as the role's tasks do.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Read the fleet's managers and compare them with the plan
  runnerfleet.gitlab_aws.fleet_manager_info:
    image_id: ami-0123456789abcdef0
    filters:
      tag:runnerfleet:fleet: fleet
      instance-state-name: [pending, running, stopping, stopped]
    name_pattern: ^fleet-manager-[1-9][0-9]*$
    managers:
      - {name: fleet-manager-1, subnet_id: subnet-0123456789abcdef0}
    instance_type: t3.medium
    security_groups: [sg-0123456789abcdef0]
    instance_profile: fleet-manager
    metadata_options: {http_endpoint: enabled, http_tokens: required, http_put_response_hop_limit: 1}
    tags: {runnerfleet:fleet: fleet, ManagedBy: runnerfleet.gitlab_aws}
  register: manager_current
"""

RETURN = r"""
image_found:
  description: Whether the AMI O(image_id) exists in the region.
  returned: always
  type: bool
root_device_name:
  description: The AMI's root device name; empty when the AMI was not found.
  returned: always
  type: str
  sample: /dev/xvda
in_sync:
  description: Whether the managers and their root volumes match the plan in everything the role's tasks set.
  returned: always
  type: bool
drift:
  description: What differs from the manager role's plan, one sentence each naming the manager, volume, subnet or AMI;
    empty when RV(in_sync).
  returned: always
  type: list
  elements: str
  sample: ["manager fleet-manager-1 i-0123456789abcdef0: instance type t3.small, not t3.medium"]
managers:
  description: Each wanted manager, in the order of O(managers), with what differs for it.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The manager's name.
      type: str
    instance_ids:
      description: The ids of the live instances of that name (one when it is in sync).
      type: list
      elements: str
    in_sync:
      description: Whether the manager and its root volume match the plan.
      type: bool
    drift:
      description: What differs for this manager.
      type: list
      elements: str
surplus:
  description:
    - The live instances whose C(Name) matches O(name_pattern) but names no wanted manager (beyond the managers'
      count), which the role terminates.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The instance's C(Name).
      type: str
    instance_id:
      description: The instance's id.
      type: str
instances:
  description:
    - The instances O(filters) finds, in the shape C(amazon.aws.ec2_instance_info) returns them (snake_case keys, tags
      as a dictionary), e.g. C(instance_id), C(tags), C(private_ip_address), C(subnet_id),
      C(placement.availability_zone), C(image_id), C(block_device_mappings), C(launch_time), C(state).
  returned: always
  type: list
  elements: dict
"""

import contextlib
import re
from typing import Any

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore
    import botocore

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.arn import validate_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.botocore import (
    is_boto3_error_code,
    paginated_query_with_retries,
)
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._drift import ec2_tags_differ

# What DescribeImages answers for an AMI that does not exist (or no longer does) in the region.
MISSING_IMAGE_CODES = ["InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"]
# The metadata options of amazon.aws.ec2_instance, with its defaults.
METADATA_OPTIONS_SPEC = {
    "http_endpoint": {"type": "str", "choices": ["enabled", "disabled"], "default": "enabled"},
    "http_put_response_hop_limit": {"type": "int", "default": 1},
    "http_tokens": {"type": "str", "choices": ["optional", "required"], "default": "optional"},
    "http_protocol_ipv6": {"type": "str", "choices": ["disabled", "enabled"], "default": "disabled"},
    "instance_metadata_tags": {"type": "str", "choices": ["disabled", "enabled"], "default": "disabled"},
}


# ------------------------------------------------------------------------------------------------- comparing


def tag_dict(resource: dict[str, Any]) -> dict[str, str]:
    """A resource's tags as a dictionary, as amazon.aws reads them (aws: tags included; ensure_ec2_tags keeps them)."""
    return boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])


def tags_match(resource: dict[str, Any], wanted: dict[str, Any], purge_tags: bool) -> bool:
    """Whether ensure_ec2_tags (ec2_instance, ec2_tag) would neither set nor remove a tag."""
    return not ec2_tags_differ(tag_dict(resource), wanted, purge_tags)


def metadata_differences(instance: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """The options ec2_instance's change_instance_metadata_options would change: those both sides name, that differ."""
    existing = camel_dict_to_snake_dict(instance.get("MetadataOptions") or {})
    return sorted(key for key in set(existing) & set(wanted) if existing[key] != wanted[key])


def profile_matches(instance: dict[str, Any], wanted: str) -> bool:
    """What ec2_instance's add_or_update_instance_profile leaves as it is.

    It compares the wanted name or ARN with the association's Name and Arn, then the ARN the name resolves to with the
    association's Arn. A profile name is unique in an account, so the ARN a name resolves to ends in that name."""
    current = instance.get("IamInstanceProfile") or {}
    arn = current.get("Arn") or ""
    if not arn:
        return False
    if wanted in (current.get("Name"), arn):
        return True
    if validate_aws_arn(wanted, service="iam", resource_type="instance-profile"):
        return False
    return validate_aws_arn(arn, service="iam", resource_type="instance-profile") and arn.split("/")[-1] == wanted


def security_groups_match(instance: dict[str, Any], wanted: list[str]) -> bool:
    """What ec2_instance's diff_instance_and_params leaves as it is: the instance's groups (its groupSet, as
    DescribeInstances lists them) as a set; it skips an instance with more than one network interface."""
    if len(instance.get("NetworkInterfaces") or []) > 1:
        return True
    return {group["GroupId"] for group in instance.get("SecurityGroups") or []} == set(wanted)


def root_volume_ids(instance: dict[str, Any], root_device_name: str) -> list[str]:
    """The volumes the role's ec2_tag task tags: the block devices named as the AMI's root device."""
    return [
        mapping["Ebs"]["VolumeId"]
        for mapping in instance.get("BlockDeviceMappings") or []
        if root_device_name
        and mapping.get("DeviceName") == root_device_name
        and (mapping.get("Ebs") or {}).get("VolumeId")
    ]


def compare_instance(instance: dict[str, Any], name: str, plan: dict[str, Any], volumes: dict[str, dict]) -> list[str]:
    """What ec2_instance (on an existing instance, state running) and ec2_tag (on its root volume) would change."""
    what = f"manager {name} {instance['InstanceId']}"
    wanted_tags = {**plan["tags"], "Name": name}
    drift = []
    state = (instance.get("State") or {}).get("Name", "unknown")
    if state != "running":
        drift.append(f"{what}: {state}, not running")
    if not tags_match(instance, wanted_tags, plan["purge_tags"]):
        drift.append(f"{what}: tags differ")
    if not instance.get("MetadataOptions"):
        drift.append(f"{what}: no metadata options described")
    else:
        differing = metadata_differences(instance, plan["metadata_options"])
        if differing:
            drift.append(f"{what}: metadata options differ ({', '.join(differing)})")
    if instance.get("InstanceType") != plan["instance_type"]:
        drift.append(f"{what}: instance type {instance.get('InstanceType')}, not {plan['instance_type']}")
    if not security_groups_match(instance, plan["security_groups"]):
        drift.append(f"{what}: security groups differ")
    if not profile_matches(instance, plan["instance_profile"]):
        drift.append(f"{what}: instance profile differs")
    for volume_id in root_volume_ids(instance, plan["root_device_name"]):
        volume = volumes.get(volume_id)
        if volume is None:
            drift.append(f"root volume {volume_id} of {name}: not found")
        elif not tags_match(volume, wanted_tags, plan["purge_tags"]):
            drift.append(f"root volume {volume_id} of {name}: tags differ")
    return drift


def compare(
    snapshot: dict[str, Any], plan: dict[str, Any]
) -> tuple[list[str], list[dict[str, Any]], list[dict[str, str]]]:
    """(what differs, each wanted manager with its own differences, the surplus managers) for a snapshot read by
    read_managers().

    plan: image_id, root_device_name, name_pattern, managers ({name, subnet_id}), instance_type, security_groups,
    instance_profile, metadata_options (all five keys), tags, purge_tags."""
    drift = []
    if not snapshot.get("image"):
        drift.append(f"AMI {plan['image_id']}: not found")
    found_subnets = {subnet["SubnetId"] for subnet in snapshot.get("subnets") or []}
    for subnet_id in dict.fromkeys(manager["subnet_id"] for manager in plan["managers"]):
        if subnet_id not in found_subnets:
            drift.append(f"subnet {subnet_id}: not found")

    instances = snapshot.get("instances") or []
    volumes = {volume["VolumeId"]: volume for volume in snapshot.get("volumes") or []}
    wanted_names = [manager["name"] for manager in plan["managers"]]
    managers = []
    for name in wanted_names:
        matches = [instance for instance in instances if tag_dict(instance).get("Name") == name]
        own = []
        if not matches:
            own.append(f"manager {name}: missing")
        elif len(matches) > 1:
            own.append(f"manager {name}: {len(matches)} instances, not 1")
        for instance in matches:
            own.extend(compare_instance(instance, name, plan, volumes))
        managers.append(
            {
                "name": name,
                "instance_ids": [instance["InstanceId"] for instance in matches],
                "in_sync": not own,
                "drift": own,
            }
        )
        drift.extend(own)

    surplus = []
    for instance in instances:
        name = tag_dict(instance).get("Name")
        if name is not None and re.match(plan["name_pattern"], name) and name not in wanted_names:
            drift.append(f"manager {name} {instance['InstanceId']}: not wanted (beyond the managers' count)")
            surplus.append({"name": name, "instance_id": instance["InstanceId"]})
    return drift, managers, surplus


def instance_view(instance: dict[str, Any]) -> dict[str, Any]:
    """An instance as amazon.aws.ec2_instance_info returns it."""
    view = camel_dict_to_snake_dict(instance)
    view["tags"] = boto3_tag_list_to_ansible_dict(view.get("tags", []), "key", "value")
    return view


# ------------------------------------------------------------------------------------------------- reading


def read_managers(client, params: dict[str, Any]) -> dict[str, Any]:
    """Everything compare() looks at, as EC2's describe calls return it."""
    try:
        images = client.describe_images(ImageIds=[params["image_id"]], aws_retry=True)["Images"]
    except is_boto3_error_code(MISSING_IMAGE_CODES):
        images = []
    image = images[0] if images else None
    instances = []
    for reservation in paginated_query_with_retries(
        client, "describe_instances", Filters=ansible_dict_to_boto3_filter_list(params["filters"])
    )["Reservations"]:
        instances.extend(reservation["Instances"])
    subnet_ids = list(dict.fromkeys(manager["subnet_id"] for manager in params["managers"]))
    subnets = []
    if subnet_ids:
        subnets = paginated_query_with_retries(
            client, "describe_subnets", Filters=[{"Name": "subnet-id", "Values": subnet_ids}]
        )["Subnets"]
    root_device_name = (image or {}).get("RootDeviceName", "")
    wanted_names = {manager["name"] for manager in params["managers"]}
    volume_ids = [
        volume_id
        for instance in instances
        if tag_dict(instance).get("Name") in wanted_names
        for volume_id in root_volume_ids(instance, root_device_name)
    ]
    volumes = []
    if volume_ids:
        volumes = paginated_query_with_retries(
            client, "describe_volumes", Filters=[{"Name": "volume-id", "Values": volume_ids}]
        )["Volumes"]
    return {"image": image, "instances": instances, "subnets": subnets, "volumes": volumes}


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={
            "image_id": {"type": "str", "required": True},
            "filters": {"type": "dict", "required": True},
            "name_pattern": {"type": "str", "required": True},
            "managers": {
                "type": "list",
                "elements": "dict",
                "required": True,
                "options": {
                    "name": {"type": "str", "required": True},
                    "subnet_id": {"type": "str", "required": True},
                },
            },
            "instance_type": {"type": "str", "required": True},
            "security_groups": {"type": "list", "elements": "str", "required": True},
            "instance_profile": {"type": "str", "required": True},
            "metadata_options": {"type": "dict", "required": True, "options": METADATA_OPTIONS_SPEC},
            "tags": {"type": "dict", "required": True},
            "purge_tags": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    params = module.params
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    try:
        snapshot = read_managers(client, params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        names = ", ".join(manager["name"] for manager in params["managers"])
        module.fail_json_aws(e, msg=f"Failed to read the managers {names} and their AMI {params['image_id']}")
    root_device_name = (snapshot["image"] or {}).get("RootDeviceName", "")
    plan = {
        "image_id": params["image_id"],
        "root_device_name": root_device_name,
        "name_pattern": params["name_pattern"],
        "managers": params["managers"],
        "instance_type": params["instance_type"],
        "security_groups": params["security_groups"],
        "instance_profile": params["instance_profile"],
        "metadata_options": params["metadata_options"],
        "tags": params["tags"],
        "purge_tags": params["purge_tags"],
    }
    drift, managers, surplus = compare(snapshot, plan)
    module.exit_json(
        changed=False,
        image_found=snapshot["image"] is not None,
        root_device_name=root_device_name,
        in_sync=not drift,
        drift=drift,
        managers=managers,
        surplus=surplus,
        instances=[instance_view(instance) for instance in snapshot["instances"]],
    )


if __name__ == "__main__":
    main()
