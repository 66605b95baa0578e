# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What differs between an Auto Scaling group, as DescribeAutoScalingGroups returns it, and the parameters of the
fleeting_autoscaling_group module: the group's managed settings as a view, the view the module would leave, and
the settings that differ. Pure functions, no AWS call. fleeting_autoscaling_group decides from them whether to
change a group; fleet_worker_pool_info decides from them whether the worker_pool role needs to run that module.

`params` is fleeting_autoscaling_group's parameters as AnsibleModule hands them over (every default filled in):
name, launch_template_id, launch_template_version, instance_types, on_demand_base_capacity,
on_demand_percentage_above_base_capacity, spot_allocation_strategy, min_size, max_size, desired_capacity, subnets,
protect_from_scale_in, suspended_processes, tags, propagate_tags.

`group_argument_spec()` is the argument spec of those parameters (and purge_scaling_policies): the module's own, and
each pool's `autoscaling_group` in fleet_worker_pool_info, so that a group's options arrive in both exactly alike.

Note that this module util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import copy
from typing import Any

# The options that describe a group (all but state, launch_template_id and wait_timeout), with their defaults.
GROUP_OPTIONS: dict[str, dict[str, Any]] = {
    "name": {"type": "str", "required": True},
    "launch_template_version": {"type": "str", "default": "$Latest"},
    "instance_types": {"type": "list", "elements": "str"},
    "on_demand_base_capacity": {"type": "int", "default": 0},
    "on_demand_percentage_above_base_capacity": {"type": "int", "default": 100},
    "spot_allocation_strategy": {"type": "str", "default": "price-capacity-optimized"},
    "min_size": {"type": "int", "default": 0},
    "max_size": {"type": "int"},
    "desired_capacity": {"type": "int", "default": 0},
    "subnets": {"type": "list", "elements": "str"},
    "protect_from_scale_in": {"type": "bool", "default": True},
    "suspended_processes": {"type": "list", "elements": "str", "default": []},
    "tags": {"type": "dict", "default": {}},
    "propagate_tags": {"type": "bool", "default": True},
    "purge_scaling_policies": {"type": "bool", "default": True},
}
# What a group cannot be made without (besides its launch template).
REQUIRED_TO_CREATE = ["instance_types", "max_size", "subnets"]


def group_argument_spec(*, required: list[str] | tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """A fresh copy of GROUP_OPTIONS, with the options named in `required` required."""
    spec = copy.deepcopy(GROUP_OPTIONS)
    for name in required:
        spec[name]["required"] = True
    return spec


def desired_policy(params: dict[str, Any]) -> dict[str, Any]:
    return {
        "LaunchTemplate": {
            "LaunchTemplateSpecification": {
                "LaunchTemplateId": params["launch_template_id"],
                "Version": params["launch_template_version"],
            },
            "Overrides": [{"InstanceType": instance_type} for instance_type in params["instance_types"]],
        },
        "InstancesDistribution": {
            "OnDemandBaseCapacity": params["on_demand_base_capacity"],
            "OnDemandPercentageAboveBaseCapacity": params["on_demand_percentage_above_base_capacity"],
            "SpotAllocationStrategy": params["spot_allocation_strategy"],
        },
    }


def current_policy(group: dict[str, Any]) -> dict[str, Any]:
    """The parts of the group's mixed instances policy the module manages, in desired_policy's shape."""
    policy = group.get("MixedInstancesPolicy") or {}
    template = policy.get("LaunchTemplate") or {}
    spec = template.get("LaunchTemplateSpecification") or {}
    distribution = policy.get("InstancesDistribution") or {}
    return {
        "LaunchTemplate": {
            "LaunchTemplateSpecification": {
                "LaunchTemplateId": spec.get("LaunchTemplateId"),
                "Version": spec.get("Version"),
            },
            "Overrides": [{"InstanceType": o.get("InstanceType")} for o in template.get("Overrides") or []],
        },
        "InstancesDistribution": {
            key: distribution.get(key)
            for key in ("OnDemandBaseCapacity", "OnDemandPercentageAboveBaseCapacity", "SpotAllocationStrategy")
        },
    }


def group_view(group: dict[str, Any] | None) -> dict[str, Any]:
    """What the diff and the result show of a group."""
    if not group:
        return {}
    return {
        "name": group["AutoScalingGroupName"],
        "arn": group.get("AutoScalingGroupARN", ""),
        "min_size": group["MinSize"],
        "max_size": group["MaxSize"],
        "desired_capacity": group["DesiredCapacity"],
        "subnets": sorted(s for s in (group.get("VPCZoneIdentifier") or "").split(",") if s),
        "protect_from_scale_in": bool(group.get("NewInstancesProtectedFromScaleIn")),
        "mixed_instances_policy": current_policy(group),
        "suspended_processes": sorted(p["ProcessName"] for p in group.get("SuspendedProcesses") or []),
        "tags": {t["Key"]: t["Value"] for t in group.get("Tags") or []},
        "tags_propagated": sorted(t["Key"] for t in group.get("Tags") or [] if t.get("PropagateAtLaunch")),
    }


def creation_capacity(params: dict[str, Any]) -> int:
    """The capacity a new group starts with: the one asked for, but never below the minimum AWS would refuse."""
    return max(params["desired_capacity"], params["min_size"])


def wanted_view(params: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The group as it will be after the run: the current view with every managed setting applied."""
    tags = {key: str(value) for key, value in params["tags"].items()}
    view = dict(current)
    view.update(
        {
            "name": params["name"],
            "min_size": params["min_size"],
            "max_size": params["max_size"],
            "subnets": sorted(params["subnets"]),
            "protect_from_scale_in": params["protect_from_scale_in"],
            "mixed_instances_policy": desired_policy(params),
            "suspended_processes": sorted(set(params["suspended_processes"])),
            "tags": tags,
            "tags_propagated": sorted(tags) if params["propagate_tags"] else [],
        }
    )
    if not current:
        view.update({"arn": "", "desired_capacity": creation_capacity(params)})
    else:
        # Without a DesiredCapacity, AWS moves the live capacity only into the new bounds: down to a lower maximum,
        # up to a higher minimum. It is never reset.
        view["desired_capacity"] = max(params["min_size"], min(current["desired_capacity"], params["max_size"]))
    return view


def differences(before: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """The settings (keys of group_view) whose value differs between two views, sorted; empty when they are equal.

    Of an existing group, the desired capacity differs only along with the minimum or the maximum size (wanted_view
    moves it into the new bounds and otherwise keeps it): the desired capacity asked for applies at creation only."""
    missing = object()
    return sorted(key for key in set(before) | set(wanted) if before.get(key, missing) != wanted.get(key, missing))


def tag_state(view: dict[str, Any], keys: Any) -> dict[str, tuple[str | None, bool]]:
    """Each key's value and whether it propagates."""
    return {key: (view["tags"].get(key), key in view["tags_propagated"]) for key in keys}


def group_differences(group: dict[str, Any] | None, params: dict[str, Any]) -> tuple[dict, dict, list[str]]:
    """(the group's view, the view fleeting_autoscaling_group would leave, the settings that differ) for a described
    group, or None for a group that does not exist (then its view is {} and every wanted setting differs). Scaling
    policies, which the module deletes, are not part of the views: the caller lists them."""
    before = group_view(group)
    wanted = wanted_view(params, before)
    return before, wanted, differences(before, wanted)
