#!/usr/bin/python
# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Why this module and not amazon.aws.autoscaling_group (10.x): a fleeting plugin's group needs what that module
# cannot give. It has no NewInstancesProtectedFromScaleIn. Its update path always sends DesiredCapacity (the value
# it just read), which races with the plugin and fails outright when a lower MaxSize is below the live capacity.
# It calls UpdateAutoScalingGroup and DisableMetricsCollection on every run, changed or not. It reports changed in
# check mode for any existing group. Its state=absent scales to 0 and waits for instances to go, which
# scale-in-protected instances never do. This module sends DesiredCapacity only in CreateAutoScalingGroup.

from __future__ import annotations

DOCUMENTATION = r"""
module: fleeting_autoscaling_group
extends_documentation_fragment:
  - runnerfleet.gitlab_aws.attributes.check_and_diff_mode
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
short_description: An Auto Scaling group whose desired capacity belongs to GitLab's fleeting plugin
version_added: 0.1.0
description:
  - Creates, updates or deletes one Auto Scaling group that launches from a launch template with a mixed instances
    policy.
  - O(desired_capacity) is sent only when the group is created. An update never sends C(DesiredCapacity), so a
    re-run leaves the capacity the fleeting plugin set. A lower O(max_size) lowers it the way AWS does.
  - Only what differs is sent. A run with nothing to change sends no mutating call, in check mode or not.
  - Check mode predicts the change, diff mode shows before and after.
  - State V(absent) force-deletes the group (running instances are terminated) and waits until it is gone.
author:
  - runnerfleet maintainers (@runnerfleet)
attributes:
  check_mode:
    details: Predicts the group after the run and sends no request that changes it.
  diff_mode:
    details: The group's managed settings before and after.
options:
  name:
    description: The group's name.
    type: str
    required: true
  state:
    description: V(present) or V(absent).
    type: str
    choices: [present, absent]
    default: present
  launch_template_id:
    description: The launch template's id. Required with V(present).
    type: str
  launch_template_version:
    description: The launch template version; V($Latest) follows every new version.
    type: str
    default: $Latest
  instance_types:
    description: The instance types of the mixed instances policy, in order of preference.
    type: list
    elements: str
  on_demand_base_capacity:
    description: How many instances are on-demand before any spot instance.
    type: int
    default: 0
  on_demand_percentage_above_base_capacity:
    description: The percentage of on-demand instances above the base; V(0) is all spot, V(100) all on-demand.
    type: int
    default: 100
  spot_allocation_strategy:
    description: How spot capacity is chosen.
    type: str
    default: price-capacity-optimized
  min_size:
    description: The group's minimum size.
    type: int
    default: 0
  max_size:
    description: The group's maximum size. Required with V(present).
    type: int
  desired_capacity:
    description:
      - The desired capacity of a group being created, raised to O(min_size) if lower. Never sent for an existing group.
      - AWS itself moves an existing group's capacity into a new O(min_size) to O(max_size) range.
    type: int
    default: 0
  subnets:
    description: The subnets the group launches into (C(VPCZoneIdentifier)). Required with V(present).
    type: list
    elements: str
  protect_from_scale_in:
    description: Protect new instances from scale in (C(NewInstancesProtectedFromScaleIn)).
    type: bool
    default: true
  suspended_processes:
    description: The scaling processes that are suspended; any other suspended process is resumed.
    type: list
    elements: str
    default: []
  tags:
    description: The group's tags; tags it has beyond these are removed.
    type: dict
    default: {}
  propagate_tags:
    description: Propagate the tags to the instances at launch.
    type: bool
    default: true
  purge_scaling_policies:
    description: Delete scaling policies found on the group. They would fight the fleeting plugin over the capacity.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for a deleted group to be gone.
    type: int
    default: 600
"""

EXAMPLES = r"""
- name: A group for the fleeting plugin
  runnerfleet.gitlab_aws.fleeting_autoscaling_group:
    name: fleet-small
    launch_template_id: lt-0123456789abcdef0
    instance_types: [m5.large, m5a.large]
    on_demand_base_capacity: 1
    on_demand_percentage_above_base_capacity: 0
    max_size: 10
    subnets: [subnet-1, subnet-2]
    suspended_processes: [AZRebalance]
    tags: {runnerfleet:fleet: fleet}
"""

RETURN = r"""
group:
  description: The group's managed settings after the run (predicted in check mode); empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: The group's name.
      type: str
    arn:
      description: The group's ARN; empty in check mode for a group not created yet.
      type: str
    min_size:
      description: The minimum size.
      type: int
    max_size:
      description: The maximum size.
      type: int
    desired_capacity:
      description: The desired capacity.
      type: int
    subnets:
      description: The subnets, sorted.
      type: list
      elements: str
    protect_from_scale_in:
      description: Whether new instances are protected from scale in.
      type: bool
    mixed_instances_policy:
      description: The mixed instances policy's launch template, overrides and distribution, as AWS names them.
      type: dict
    suspended_processes:
      description: The suspended scaling processes, sorted.
      type: list
      elements: str
    tags:
      description: The group's tags.
      type: dict
    tags_propagated:
      description: The tag keys propagated at launch.
      type: list
      elements: str
  sample:
    name: fleet-small
    arn: arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:1c1b:autoScalingGroupName/fleet-small
    min_size: 0
    max_size: 10
    desired_capacity: 2
"""

import contextlib
import time
from typing import Any

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore
    import botocore

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# The parameters' argument spec and what differs between a group and them: shared with fleet_worker_pool_info, which
# must take and decide exactly as this module does. current_policy and wanted_view stay importable from here for the
# callers that use them.
# pylint: disable-next=unused-import
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._autoscaling_group import (
    REQUIRED_TO_CREATE,
    creation_capacity,
    current_policy,  # noqa: F401
    desired_policy,
    group_argument_spec,
    group_differences,
    group_view,
    tag_state,
    wanted_view,  # noqa: F401
)

RETRY = AWSRetry.jittered_backoff(retries=10, catch_extra_error_codes=["ScalingActivityInProgress", "ResourceInUse"])


def describe_group(client, name: str) -> dict[str, Any] | None:
    groups = client.describe_auto_scaling_groups(AutoScalingGroupNames=[name], aws_retry=True)["AutoScalingGroups"]
    return groups[0] if groups else None


def tag_list(name: str, tags: dict[str, str], propagate: bool) -> list[dict[str, Any]]:
    return [
        {
            "ResourceId": name,
            "ResourceType": "auto-scaling-group",
            "Key": key,
            "Value": value,
            "PropagateAtLaunch": propagate,
        }
        for key, value in sorted(tags.items())
    ]


def create_group(client, params: dict[str, Any], wanted: dict[str, Any]) -> None:
    client.create_auto_scaling_group(
        AutoScalingGroupName=params["name"],
        MixedInstancesPolicy=desired_policy(params),
        MinSize=params["min_size"],
        MaxSize=params["max_size"],
        DesiredCapacity=creation_capacity(params),
        VPCZoneIdentifier=",".join(params["subnets"]),
        NewInstancesProtectedFromScaleIn=params["protect_from_scale_in"],
        Tags=tag_list(params["name"], wanted["tags"], params["propagate_tags"]),
        aws_retry=True,
    )
    if wanted["suspended_processes"]:
        client.suspend_processes(
            AutoScalingGroupName=params["name"], ScalingProcesses=wanted["suspended_processes"], aws_retry=True
        )


def update_group(client, params: dict[str, Any], current: dict[str, Any], wanted: dict[str, Any]) -> None:
    name = params["name"]
    update: dict[str, Any] = {}
    if current["min_size"] != wanted["min_size"]:
        update["MinSize"] = wanted["min_size"]
    if current["max_size"] != wanted["max_size"]:
        update["MaxSize"] = wanted["max_size"]
    if current["subnets"] != wanted["subnets"]:
        update["VPCZoneIdentifier"] = ",".join(params["subnets"])
    if current["protect_from_scale_in"] != wanted["protect_from_scale_in"]:
        update["NewInstancesProtectedFromScaleIn"] = wanted["protect_from_scale_in"]
    if current["mixed_instances_policy"] != wanted["mixed_instances_policy"]:
        update["MixedInstancesPolicy"] = wanted["mixed_instances_policy"]
    if update:
        # Never DesiredCapacity: the fleeting plugin owns it.
        client.update_auto_scaling_group(AutoScalingGroupName=name, aws_retry=True, **update)

    resume = sorted(set(current["suspended_processes"]) - set(wanted["suspended_processes"]))
    suspend = sorted(set(wanted["suspended_processes"]) - set(current["suspended_processes"]))
    if resume:
        client.resume_processes(AutoScalingGroupName=name, ScalingProcesses=resume, aws_retry=True)
    if suspend:
        client.suspend_processes(AutoScalingGroupName=name, ScalingProcesses=suspend, aws_retry=True)

    stale = sorted(set(current["tags"]) - set(wanted["tags"]))
    if stale:
        client.delete_tags(
            Tags=[{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": key} for key in stale],
            aws_retry=True,
        )
    if tag_state(current, wanted["tags"]) != tag_state(wanted, wanted["tags"]):
        client.create_or_update_tags(Tags=tag_list(name, wanted["tags"], params["propagate_tags"]), aws_retry=True)


def scaling_policies(client, name: str) -> list[str]:
    pages = paginated_query_with_retries(client, "describe_policies", AutoScalingGroupName=name)
    return [policy["PolicyName"] for policy in pages.get("ScalingPolicies", [])]


def ensure_present(module: AnsibleAWSModule, client) -> tuple[bool, dict[str, Any], dict[str, Any]]:
    params = module.params
    group = describe_group(client, params["name"])
    before, wanted, differing = group_differences(group, params)
    policies = scaling_policies(client, params["name"]) if group and params["purge_scaling_policies"] else []
    changed = bool(differing) or bool(policies)
    if not changed or module.check_mode:
        return changed, before, wanted

    if group is None:
        create_group(client, params, wanted)
    else:
        update_group(client, params, before, wanted)
        for policy in policies:
            client.delete_policy(AutoScalingGroupName=params["name"], PolicyName=policy, aws_retry=True)
    return True, before, group_view(describe_group(client, params["name"]))


def ensure_absent(module: AnsibleAWSModule, client) -> tuple[bool, dict[str, Any], dict[str, Any]]:
    name = module.params["name"]
    group = describe_group(client, name)
    if group is None:
        return False, {}, {}
    before = group_view(group)
    if module.check_mode:
        return True, before, {}
    # Force: scale-in-protected instances would otherwise keep the group forever.
    client.delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True, aws_retry=True)
    deadline = time.monotonic() + module.params["wait_timeout"]
    while describe_group(client, name) is not None:
        if time.monotonic() > deadline:
            module.fail_json(msg=f"Timed out waiting for Auto Scaling group {name} to be deleted")
        time.sleep(5)
    return True, before, {}


ARGUMENT_SPEC = {
    **group_argument_spec(),
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "launch_template_id": {"type": "str"},
    "wait_timeout": {"type": "int", "default": 600},
}


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=ARGUMENT_SPEC,
        required_if=[("state", "present", ["launch_template_id", *REQUIRED_TO_CREATE])],
        supports_check_mode=True,
    )
    client = module.client("autoscaling", retry_decorator=RETRY)
    ensure = ensure_present if module.params["state"] == "present" else ensure_absent
    try:
        changed, before, after = ensure(module, client)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to {module.params['state']} Auto Scaling group {module.params['name']}")
    module.exit_json(changed=changed, group=after, diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
