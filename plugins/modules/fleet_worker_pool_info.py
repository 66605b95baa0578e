#!/usr/bin/python
# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Why this module: on a converged fleet the worker_pool role used to run, besides two finding reads and an AMI read,
# one amazon.aws.ec2_launch_template and one fleeting_autoscaling_group task per pool only to learn that nothing had
# to change; each pays a Python start, a botocore model load and its own describe calls. This module reads every
# pool in one process with a handful of describe calls and says, pool by pool, whether those two tasks would leave
# it as it is. The role runs them only for the pools that differ, so they stay the single place where a pool is
# changed.

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_worker_pool_info
extends_documentation_fragment:
  - runnerfleet.gitlab_aws.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
short_description: Read a fleet's worker pools in one pass and say which ones differ from the worker_pool role's plan
version_added: 0.1.0
description:
  - Finds the fleet's launch templates and Auto Scaling groups as the C(worker_pool) role removes them (by the tag
    O(fleet_tag_key) and the role's tag key O(tag_key)), and reads the pools' AMIs.
  - For each pool of O(pools), compares its launch template with the options given in
    O(pools[].launch_template) by the rules of C(amazon.aws.ec2_launch_template) (a new version is made when the
    latest version's data or description differ, the latest version is made the default, tags are purged), and its
    Auto Scaling group with O(pools[].autoscaling_group) by the rules of
    P(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module), with that module's own comparison (the desired
    capacity counts only for a group to be created; scaling policies found on the group are deleted).
  - Returns, per pool and overall, whether they match and, when they do not, what differs.
  - Sends only C(Describe) calls (and C(iam:GetInstanceProfile) for an instance profile given by name); changes
    nothing.
author:
  - runnerfleet maintainers (@runnerfleet)
options:
  fleet:
    description: The value of the fleet's tag O(fleet_tag_key), the fleet's name.
    type: str
    required: true
  fleet_tag_key:
    description:
      - The tag key that marks every resource of the fleet (the fleet description's C(fleet_tag_key), the plan's
        C(fleet.tag_key)).
    type: str
    required: true
  tag_key:
    description: The tag key that marks the role's own launch templates and Auto Scaling groups.
    type: str
    default: runnerfleet:worker-pool
  pools:
    description:
      - The planned pools. Launch templates and groups found by the tags that no pool names are reported as drift (the
        role removes them).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The pool's name (the runner entry's), the key of RV(pools).
        type: str
        required: true
      launch_template:
        description:
          - The options the role gives C(amazon.aws.ec2_launch_template), with their meaning there. That module's
            other options are left at their defaults (C(default_version=latest), C(source_version=latest), an
            empty C(version_description)).
        type: dict
        required: true
        suboptions:
          template_name:
            description: The launch template's name.
            type: str
            required: true
          image_id:
            description: The AMI.
            type: str
            required: true
          iam_instance_profile:
            description: The instance profile, an ARN or a name.
            type: str
          metadata_options:
            description: The instance metadata options.
            type: dict
            suboptions:
              http_endpoint:
                description: The HTTP metadata endpoint.
                type: str
                choices: [enabled, disabled]
                default: enabled
              http_put_response_hop_limit:
                description: The HTTP PUT response hop limit.
                type: int
                default: 1
              http_tokens:
                description: Whether IMDSv2 tokens are required.
                type: str
                choices: [optional, required]
                default: optional
              http_protocol_ipv6:
                description: The metadata endpoint over IPv6.
                type: str
                choices: [enabled, disabled]
                default: disabled
              instance_metadata_tags:
                description: The instance's tags in the metadata.
                type: str
                choices: [enabled, disabled]
                default: disabled
          network_interfaces:
            description: The network interfaces.
            type: list
            elements: dict
            suboptions:
              device_index:
                description: The device index.
                type: int
              associate_public_ip_address:
                description: Whether to associate a public IP address.
                type: bool
              delete_on_termination:
                description: Whether the interface is deleted with the instance.
                type: bool
              groups:
                description: The security group ids.
                type: list
                elements: str
          block_device_mappings:
            description: The block device mappings.
            type: list
            elements: dict
            suboptions:
              device_name:
                description:
                  - The device name. Left out, the root device of O(pools[].launch_template.image_id), as this module
                    reads it (RV(root_devices)); the role passes the same name to C(amazon.aws.ec2_launch_template).
                type: str
              ebs:
                description: The EBS volume.
                type: dict
                suboptions:
                  delete_on_termination:
                    description: Whether the volume is deleted with the instance.
                    type: bool
                  encrypted:
                    description: Whether the volume is encrypted.
                    type: bool
                  kms_key_id:
                    description: The KMS key that encrypts the volume.
                    type: str
                  volume_size:
                    description: The size in GiB.
                    type: int
                  volume_type:
                    description: The volume type.
                    type: str
          tag_specifications:
            description: The tags of what the template launches.
            type: list
            elements: dict
            suboptions:
              resource_type:
                description: The type of resource to tag.
                type: str
                choices: [instance, volume, network-interface, spot-instances-request]
                default: instance
              tags:
                description: The tags.
                type: dict
          tags:
            description: The launch template's own tags.
            type: dict
          purge_tags:
            description: Whether tags beyond O(pools[].launch_template.tags) are removed (except C(aws:) ones).
            type: bool
            default: true
      autoscaling_group:
        description:
          - The options the role gives P(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module), with their meaning
            there, without C(launch_template_id). The group must launch from the pool's launch template as found by
            its name.
        type: dict
        required: true
        suboptions:
          name:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:name).
            type: str
            required: true
          launch_template_version:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:launch_template_version).
            type: str
            default: $Latest
          instance_types:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:instance_types).
            type: list
            elements: str
            required: true
          on_demand_base_capacity:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:on_demand_base_capacity).
            type: int
            default: 0
          on_demand_percentage_above_base_capacity:
            description:
              As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:on_demand_percentage_above_base_capacity).
            type: int
            default: 100
          spot_allocation_strategy:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:spot_allocation_strategy).
            type: str
            default: price-capacity-optimized
          min_size:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:min_size).
            type: int
            default: 0
          max_size:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:max_size).
            type: int
            required: true
          desired_capacity:
            description:
              - As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:desired_capacity).
              - An existing group's capacity is not compared.
            type: int
            default: 0
          subnets:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:subnets).
            type: list
            elements: str
            required: true
          protect_from_scale_in:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:protect_from_scale_in).
            type: bool
            default: true
          suspended_processes:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:suspended_processes).
            type: list
            elements: str
            default: []
          tags:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:tags).
            type: dict
            default: {}
          propagate_tags:
            description: As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:propagate_tags).
            type: bool
            default: true
          purge_scaling_policies:
            description:
              - As O(runnerfleet.gitlab_aws.fleeting_autoscaling_group#module:purge_scaling_policies).
              - The scaling policies it would delete count as drift.
            type: bool
            default: true
"""

EXAMPLES = r"""
- name: Read the fleet's worker pools and compare them with the plan
  runnerfleet.gitlab_aws.fleet_worker_pool_info:
    fleet: fleet
    fleet_tag_key: runnerfleet:fleet
    pools:
      - name: small
        launch_template:
          template_name: fleet-small
          image_id: ami-0123456789abcdef0
          iam_instance_profile: arn:aws:iam::123456789012:instance-profile/fleet-worker
          metadata_options: {http_endpoint: enabled, http_tokens: required, http_put_response_hop_limit: 2}
          network_interfaces:
            - {device_index: 0, associate_public_ip_address: false, delete_on_termination: true, groups: [sg-0123]}
          block_device_mappings:
            - ebs: {encrypted: true, volume_size: 30, volume_type: gp3, delete_on_termination: true}
          tag_specifications:
            - {resource_type: instance, tags: {runnerfleet:fleet: fleet, Name: fleet-small}}
          tags: {runnerfleet:fleet: fleet, runnerfleet:worker-pool: small, Name: fleet-small}
        autoscaling_group:
          name: fleet-small
          instance_types: [m5.large]
          on_demand_percentage_above_base_capacity: 0
          max_size: 10
          subnets: [subnet-0123, subnet-0456]
          suspended_processes: [AZRebalance]
          tags: {runnerfleet:fleet: fleet, runnerfleet:worker-pool: small, Name: fleet-small}
  register: worker_pool_current
"""

RETURN = r"""
in_sync:
  description: Whether every pool matches the plan, every AMI exists and no pool of the fleet is left to remove.
  returned: always
  type: bool
drift:
  description:
    What differs from the worker_pool role's plan, one sentence each naming the launch template, group or AMI; empty
    when RV(in_sync).
  returned: always
  type: list
  elements: str
  sample: ["Auto Scaling group fleet-small: differs in max_size"]
launch_template_ids:
  description: The fleet's launch templates found by the tags, C(name) to C(id).
  returned: always
  type: dict
  sample: {fleet-small: lt-0123456789abcdef0}
autoscaling_group_names:
  description: The fleet's Auto Scaling groups found by the tags.
  returned: always
  type: list
  elements: str
autoscaling_group_arns:
  description: The fleet's Auto Scaling groups found by the tags, C(name) to C(ARN).
  returned: always
  type: dict
root_devices:
  description: The root device name of each AMI of the pools that exists.
  returned: always
  type: dict
  sample: {ami-0123456789abcdef0: /dev/xvda}
missing_amis:
  description: The AMIs of the pools that do not exist or are not visible.
  returned: always
  type: list
  elements: str
pools:
  description: Each pool of O(pools), by its name.
  returned: always
  type: dict
  contains:
    launch_template_id:
      description: The id of the launch template found by its name; empty when there is none.
      type: str
    launch_template_in_sync:
      description: Whether C(amazon.aws.ec2_launch_template) would leave the launch template as it is.
      type: bool
    autoscaling_group_arn:
      description: The ARN of the Auto Scaling group found by its name; empty when there is none.
      type: str
    autoscaling_group_in_sync:
      description: Whether C(runnerfleet.gitlab_aws.fleeting_autoscaling_group) would leave the group as it is.
      type: bool
    in_sync:
      description: Whether both are in sync.
      type: bool
    drift:
      description: What differs, one sentence each.
      type: list
      elements: str
"""

import contextlib
import copy
from typing import Any

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore
    import botocore

from ansible.module_utils.common.dict_transformations import snake_dict_to_camel_dict
from ansible_collections.amazon.aws.plugins.module_utils.arn import validate_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.botocore import (
    is_boto3_error_code,
    normalize_boto3_result,
    paginated_query_with_retries,
)
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible_collections.amazon.aws.plugins.module_utils.transformation import scrub_none_parameters
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._autoscaling_group import (
    REQUIRED_TO_CREATE,
    group_argument_spec,
    group_differences,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._drift import Comparison, ec2_tags_differ

RETRY = AWSRetry.jittered_backoff(retries=10)
# The ec2_launch_template options that make up LaunchTemplateData, among those this module takes.
LAUNCH_DATA_OPTIONS = ("block_device_mappings", "image_id", "metadata_options", "network_interfaces")
# What DescribeImages answers for an AMI id that does not exist (or is not visible, or is malformed).
MISSING_AMI_CODES = ("InvalidAMIID.NotFound", "InvalidAMIID.Unavailable", "InvalidAMIID.Malformed")
MISSING = object()

# ec2_launch_template's own argument spec for the options the role passes: the same types and defaults, so that the
# options arrive here exactly as they arrive there.
LAUNCH_TEMPLATE_SPEC = {
    "template_name": {"type": "str", "required": True},
    "image_id": {"type": "str", "required": True},
    "iam_instance_profile": {"type": "str"},
    "metadata_options": {
        "type": "dict",
        "options": {
            "http_endpoint": {"type": "str", "choices": ["enabled", "disabled"], "default": "enabled"},
            "http_put_response_hop_limit": {"type": "int", "default": 1},
            "http_tokens": {"type": "str", "choices": ["optional", "required"], "default": "optional"},
            "http_protocol_ipv6": {"type": "str", "choices": ["enabled", "disabled"], "default": "disabled"},
            "instance_metadata_tags": {"type": "str", "choices": ["enabled", "disabled"], "default": "disabled"},
        },
    },
    "network_interfaces": {
        "type": "list",
        "elements": "dict",
        "options": {
            "device_index": {"type": "int"},
            "associate_public_ip_address": {"type": "bool"},
            "delete_on_termination": {"type": "bool"},
            "groups": {"type": "list", "elements": "str"},
        },
    },
    "block_device_mappings": {
        "type": "list",
        "elements": "dict",
        "options": {
            "device_name": {"type": "str"},
            "ebs": {
                "type": "dict",
                "options": {
                    "delete_on_termination": {"type": "bool"},
                    "encrypted": {"type": "bool"},
                    "kms_key_id": {"type": "str"},
                    "volume_size": {"type": "int"},
                    "volume_type": {"type": "str"},
                },
            },
        },
    },
    "tag_specifications": {
        "type": "list",
        "elements": "dict",
        "options": {
            "resource_type": {
                "type": "str",
                "default": "instance",
                "choices": ["instance", "volume", "network-interface", "spot-instances-request"],
            },
            "tags": {"type": "dict"},
        },
    },
    "tags": {"type": "dict"},
    "purge_tags": {"type": "bool", "default": True},
}

# fleeting_autoscaling_group's argument spec for state present, without launch_template_id (the group launches from
# the pool's template as found by its name).
AUTOSCALING_GROUP_SPEC = group_argument_spec(required=REQUIRED_TO_CREATE)

ARGUMENT_SPEC = {
    "fleet": {"type": "str", "required": True},
    "fleet_tag_key": {"type": "str", "required": True, "no_log": False},
    "tag_key": {"type": "str", "default": "runnerfleet:worker-pool", "no_log": False},
    "pools": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {
            "name": {"type": "str", "required": True},
            "launch_template": {"type": "dict", "required": True, "options": LAUNCH_TEMPLATE_SPEC},
            "autoscaling_group": {"type": "dict", "required": True, "options": AUTOSCALING_GROUP_SPEC},
        },
    },
}


# ------------------------------------------------------------------------------------------------- comparing


def differing_keys(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    return sorted(key for key in set(current) | set(wanted) if current.get(key, MISSING) != wanted.get(key, MISSING))


def launch_template_data(template: dict[str, Any], root_device: str, profile_arn: str | None) -> dict[str, Any] | None:
    """The LaunchTemplateData ec2_launch_template builds from these options (its params_to_launch_data and the tag
    specifications of its ensure_present), with the AMI's root device for a mapping that names no device. None when
    a tag specification has no tags (ec2_launch_template fails on it)."""
    options = {key: copy.deepcopy(template.get(key)) for key in LAUNCH_DATA_OPTIONS}
    for mapping in options["block_device_mappings"] or []:
        if mapping.get("device_name") is None:
            mapping["device_name"] = root_device
    if profile_arn:
        options["iam_instance_profile"] = {"arn": profile_arn}
    data = snake_dict_to_camel_dict({k: v for k, v in options.items() if v is not None}, capitalize_first=True)
    if template.get("tag_specifications"):
        specifications = []
        for spec in template["tag_specifications"]:
            converted = boto3_tag_specifications(spec["tags"], types=spec["resource_type"])
            if converted is None:
                return None
            specifications.extend(converted)
        data["TagSpecifications"] = specifications
    return scrub_none_parameters(data, descend_into_lists=True)


def compare_launch_template(check: Comparison, snapshot: dict[str, Any], options: dict[str, Any]) -> str:
    """The launch template's id when it exists ('' otherwise); what differs goes to check."""
    name = options["template_name"]
    what = f"launch template {name}"
    template = snapshot["templates"].get(name)
    if not check.expect(template is not None, f"{what}: missing"):
        return ""
    template_id = template["LaunchTemplateId"]
    image = snapshot["images"].get(options["image_id"])
    check.expect(image is not None, f"{what}: AMI {options['image_id']} not found")
    profile = options.get("iam_instance_profile")
    profile_arn = snapshot["instance_profiles"].get(profile) if profile else None
    check.expect(not profile or bool(profile_arn), f"{what}: instance profile {profile} not found")
    latest = snapshot["latest_versions"].get(template_id)
    if not check.expect(latest is not None, f"{what}: its latest version was not found"):
        return template_id
    if image is not None and (profile_arn or not profile):
        wanted = launch_template_data(options, image.get("RootDeviceName", ""), profile_arn)
        if check.expect(wanted is not None, f"{what}: a tag specification has no tags"):
            current = normalize_boto3_result(latest.get("LaunchTemplateData") or {})
            keys = differing_keys(current, wanted)
            check.expect(not keys, f"{what}: the latest version differs in {', '.join(keys)}")
    # ec2_launch_template adds a version when the latest one's description is not its (empty) version_description.
    check.expect(latest.get("VersionDescription", "") == "", f"{what}: the latest version has a description")
    # default_version=latest: the latest version is made the default.
    default, number = template.get("DefaultVersionNumber"), latest.get("VersionNumber")
    check.expect(str(default) == str(number), f"{what}: the default version {default} is not the latest {number}")
    # ec2_launch_template sets the template's tags with ensure_ec2_tags, which reads them with DescribeTags.
    current_tags = snapshot["template_tags"].get(template_id, {})
    check.expect(not ec2_tags_differ(current_tags, options.get("tags"), options["purge_tags"]), f"{what}: tags differ")
    return template_id


def compare_group(check: Comparison, snapshot: dict[str, Any], options: dict[str, Any], template_id: str) -> str:
    """The group's ARN when it exists ('' otherwise); what differs goes to check."""
    name = options["name"]
    what = f"Auto Scaling group {name}"
    group = snapshot["groups"].get(name)
    if not check.expect(group is not None, f"{what}: missing"):
        return ""
    # The keep task passes the id of the pool's launch template as found by its name.
    params = {**options, "launch_template_id": template_id}
    differing = group_differences(group, params)[2]
    check.expect(not differing, f"{what}: differs in {', '.join(differing)}")
    policies = snapshot["policies"].get(name, []) if options["purge_scaling_policies"] else []
    check.expect(not policies, f"{what}: has scaling policies {', '.join(policies)}")
    return group.get("AutoScalingGroupARN", "")


def found_by_tags(snapshot: dict[str, Any], fleet: str, tag_key: str, fleet_tag_key: str) -> dict[str, Any]:
    """What tasks/find.yml found: the templates its filters return, the groups with the fleet's tag and the key."""
    template_ids = {t["LaunchTemplateName"]: t["LaunchTemplateId"] for t in snapshot["found_templates"]}
    own_groups = []
    for group in snapshot["all_groups"]:
        tags = group.get("Tags") or []
        if any(t["Key"] == fleet_tag_key and t["Value"] == fleet for t in tags) and tag_key in [t["Key"] for t in tags]:
            own_groups.append(group)
    return {
        "launch_template_ids": template_ids,
        "autoscaling_group_names": [g["AutoScalingGroupName"] for g in own_groups],
        "autoscaling_group_arns": {g["AutoScalingGroupName"]: g.get("AutoScalingGroupARN", "") for g in own_groups},
    }


def compare(snapshot: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Everything the module returns but `changed`, for a snapshot read by read_pools()."""
    found = found_by_tags(snapshot, params["fleet"], params["tag_key"], params["fleet_tag_key"])
    pools = {}
    drift: list[str] = []
    for pool in params["pools"]:
        template_check, group_check = Comparison(), Comparison()
        template_id = compare_launch_template(template_check, snapshot, pool["launch_template"])
        group_arn = compare_group(group_check, snapshot, pool["autoscaling_group"], template_id)
        pool_drift = template_check.drift + group_check.drift
        pools[pool["name"]] = {
            "launch_template_id": template_id,
            "launch_template_in_sync": not template_check.drift,
            "autoscaling_group_arn": group_arn,
            "autoscaling_group_in_sync": not group_check.drift,
            "in_sync": not pool_drift,
            "drift": pool_drift,
        }
        drift.extend(pool_drift)
    planned_templates = {pool["launch_template"]["template_name"] for pool in params["pools"]}
    planned_groups = {pool["autoscaling_group"]["name"] for pool in params["pools"]}
    for name in found["autoscaling_group_names"]:
        if name not in planned_groups:
            drift.append(f"Auto Scaling group {name}: no pool names it")
    for name in found["launch_template_ids"]:
        if name not in planned_templates:
            drift.append(f"launch template {name}: no pool names it")
    amis = list(dict.fromkeys(pool["launch_template"]["image_id"] for pool in params["pools"]))
    return {
        **found,
        "root_devices": {
            ami: snapshot["images"][ami].get("RootDeviceName", "") for ami in amis if ami in snapshot["images"]
        },
        "missing_amis": [ami for ami in amis if ami not in snapshot["images"]],
        "pools": pools,
        "in_sync": not drift,
        "drift": drift,
    }


# ------------------------------------------------------------------------------------------------- reading


def paginate(client, operation: str, key: str, **params) -> list[dict[str, Any]]:
    """The items under key of every page of a paginated call, read by amazon.aws's retrying reader."""
    return paginated_query_with_retries(client, operation, **params).get(key, [])


def read_images(ec2, image_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The AMIs that exist, by id. DescribeImages fails for a whole list when one id does not exist: then each is
    read alone."""
    if not image_ids:
        return {}
    try:
        images = ec2.describe_images(ImageIds=image_ids, aws_retry=True)["Images"]
    except is_boto3_error_code(MISSING_AMI_CODES):
        images = []
        for image_id in image_ids:
            try:
                images.extend(ec2.describe_images(ImageIds=[image_id], aws_retry=True)["Images"])
            except is_boto3_error_code(MISSING_AMI_CODES):
                continue
    return {image["ImageId"]: image for image in images}


def read_instance_profiles(module: AnsibleAWSModule, names_or_arns: list[str]) -> dict[str, str]:
    """Each instance profile's ARN, as ec2_launch_template resolves it ('' for a name that does not exist)."""
    resolved = {}
    iam = None
    for profile in names_or_arns:
        if validate_aws_arn(profile, service="iam", resource_type="instance-profile"):
            resolved[profile] = profile
            continue
        if iam is None:
            iam = module.client("iam", retry_decorator=RETRY)
        try:
            resolved[profile] = iam.get_instance_profile(InstanceProfileName=profile, aws_retry=True)[
                "InstanceProfile"
            ]["Arn"]
        except is_boto3_error_code("NoSuchEntity"):
            resolved[profile] = ""
    return resolved


def read_pools(module: AnsibleAWSModule, ec2, autoscaling) -> dict[str, Any]:
    """Everything compare() looks at, as the describe calls return it."""
    params = module.params
    templates_wanted = [pool["launch_template"] for pool in params["pools"]]
    groups_wanted = [pool["autoscaling_group"]["name"] for pool in params["pools"]]
    page = {"PaginationConfig": {"PageSize": 200}}
    found_templates = paginate(
        ec2,
        "describe_launch_templates",
        "LaunchTemplates",
        Filters=[
            {"Name": f"tag:{params['fleet_tag_key']}", "Values": [params["fleet"]]},
            {"Name": "tag-key", "Values": [params["tag_key"]]},
        ],
        **page,
    )
    templates = {t["LaunchTemplateName"]: t for t in found_templates}
    # The keep task finds a template by its name alone, tagged or not.
    unfound = sorted({options["template_name"] for options in templates_wanted} - set(templates))
    if unfound:
        by_name = paginate(
            ec2,
            "describe_launch_templates",
            "LaunchTemplates",
            Filters=[{"Name": "launch-template-name", "Values": unfound}],
            **page,
        )
        templates.update({t["LaunchTemplateName"]: t for t in by_name})
    wanted_ids = [
        templates[o["template_name"]]["LaunchTemplateId"] for o in templates_wanted if o["template_name"] in templates
    ]
    latest_versions: dict[str, dict[str, Any]] = {}
    if wanted_ids:
        # Every template's latest version in one call; a template it does not list is read alone.
        for version in paginate(
            ec2, "describe_launch_template_versions", "LaunchTemplateVersions", Versions=["$Latest"], **page
        ):
            if version["LaunchTemplateId"] in wanted_ids:
                latest_versions[version["LaunchTemplateId"]] = version
        for template_id in wanted_ids:
            if template_id not in latest_versions:
                answer = ec2.describe_launch_template_versions(
                    LaunchTemplateId=template_id, Versions=["$Latest"], aws_retry=True
                )["LaunchTemplateVersions"]
                if answer:
                    latest_versions[template_id] = answer[0]

    template_tags: dict[str, dict[str, str]] = {}
    if wanted_ids:
        # ec2_launch_template reads a template's tags with DescribeTags, not from DescribeLaunchTemplates.
        tags = paginate(
            ec2,
            "describe_tags",
            "Tags",
            Filters=[
                {"Name": "resource-type", "Values": ["launch-template"]},
                {"Name": "resource-id", "Values": wanted_ids},
            ],
        )
        for tag in tags:
            template_tags.setdefault(tag["ResourceId"], {})[tag["Key"]] = tag["Value"]

    all_groups = paginate(
        autoscaling, "describe_auto_scaling_groups", "AutoScalingGroups", PaginationConfig={"PageSize": 100}
    )
    groups = {g["AutoScalingGroupName"]: g for g in all_groups if g["AutoScalingGroupName"] in groups_wanted}
    policies: dict[str, list[str]] = {}
    if groups:
        for policy in paginate(autoscaling, "describe_policies", "ScalingPolicies"):
            if policy.get("AutoScalingGroupName") in groups:
                policies.setdefault(policy["AutoScalingGroupName"], []).append(policy["PolicyName"])

    profiles = list(dict.fromkeys(o["iam_instance_profile"] for o in templates_wanted if o.get("iam_instance_profile")))
    return {
        "found_templates": found_templates,
        "templates": templates,
        "latest_versions": latest_versions,
        "template_tags": template_tags,
        "all_groups": all_groups,
        "groups": groups,
        "policies": policies,
        "images": read_images(ec2, list(dict.fromkeys(o["image_id"] for o in templates_wanted))),
        "instance_profiles": read_instance_profiles(module, profiles),
    }


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
    )
    ec2 = module.client("ec2", retry_decorator=RETRY)
    autoscaling = module.client("autoscaling", retry_decorator=RETRY)
    try:
        snapshot = read_pools(module, ec2, autoscaling)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to read the worker pools of fleet {module.params['fleet']}")
    module.exit_json(changed=False, **compare(snapshot, module.params))


if __name__ == "__main__":
    main()
