# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleeting_autoscaling_group module: its views of a group (DescribeAutoScalingGroups-shaped dicts), and its
flows driven by a fake, stateful autoscaling client that records every call. The fake applies the size rules AWS
documents for CreateAutoScalingGroup and UpdateAutoScalingGroup (botocore's autoscaling service model): a desired
capacity must lie within [MinSize, MaxSize]; an update without DesiredCapacity lowers the capacity to a lower
MaxSize and raises it to a higher MinSize."""

from __future__ import annotations

import copy
import datetime
import json
import types
from typing import Any

import botocore.exceptions
import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.runnerfleet.gitlab_aws.plugins.modules import fleeting_autoscaling_group as asg

NAME = "fleet-small"
ARN = (
    "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:"
    "1c1b2c3d-1111-2222-3333-444455556666:autoScalingGroupName/fleet-small"
)
TEMPLATE = "lt-0123456789abcdef0"
READ_ONLY = ("describe_", "get_paginator")  # describe_auto_scaling_groups, describe_policies.paginate


# ------------------------------------------------------------------------------------------------- fixtures


def aws_group(**overrides) -> dict[str, Any]:
    """A group as DescribeAutoScalingGroups returns it, matching params() exactly (nothing to change)."""
    group = {
        "AutoScalingGroupName": NAME,
        "AutoScalingGroupARN": ARN,
        "MixedInstancesPolicy": {
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {
                    "LaunchTemplateId": TEMPLATE,
                    "LaunchTemplateName": "fleet-small",
                    "Version": "$Latest",
                },
                "Overrides": [{"InstanceType": "m5.large"}, {"InstanceType": "m5a.large"}],
            },
            "InstancesDistribution": {
                "OnDemandAllocationStrategy": "prioritized",
                "OnDemandBaseCapacity": 1,
                "OnDemandPercentageAboveBaseCapacity": 0,
                "SpotAllocationStrategy": "price-capacity-optimized",
            },
        },
        "MinSize": 0,
        "MaxSize": 10,
        "DesiredCapacity": 3,
        "DefaultCooldown": 300,
        "AvailabilityZones": ["eu-west-1a", "eu-west-1b"],
        "LoadBalancerNames": [],
        "TargetGroupARNs": [],
        "HealthCheckType": "EC2",
        "HealthCheckGracePeriod": 300,
        "Instances": [
            {
                "InstanceId": f"i-0000000000000000{n}",
                "InstanceType": "m5.large",
                "AvailabilityZone": "eu-west-1a",
                "LifecycleState": "InService",
                "HealthStatus": "Healthy",
                "LaunchTemplate": {"LaunchTemplateId": TEMPLATE, "LaunchTemplateName": "fleet-small", "Version": "3"},
                "ProtectedFromScaleIn": True,
            }
            for n in range(3)
        ],
        "CreatedTime": datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.UTC),
        "SuspendedProcesses": [
            {"ProcessName": "AZRebalance", "SuspensionReason": "User suspended at 2026-01-05T10:00:01Z"}
        ],
        "VPCZoneIdentifier": "subnet-0aaa,subnet-0bbb",
        "EnabledMetrics": [],
        "Tags": [
            {
                "ResourceId": NAME,
                "ResourceType": "auto-scaling-group",
                "Key": "runnerfleet:fleet",
                "Value": "fleet",
                "PropagateAtLaunch": True,
            }
        ],
        "TerminationPolicies": ["Default"],
        "NewInstancesProtectedFromScaleIn": True,
        "ServiceLinkedRoleARN": "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/"
        "AWSServiceRoleForAutoScaling",
        "CapacityRebalance": False,
        "TrafficSources": [],
    }
    group.update(overrides)
    return group


# The module's arguments as a task gives them, for the group aws_group() describes (nothing to change).
TASK_ARGS = {
    "name": NAME,
    "launch_template_id": TEMPLATE,
    "instance_types": ["m5.large", "m5a.large"],
    "on_demand_base_capacity": 1,
    "on_demand_percentage_above_base_capacity": 0,
    "max_size": 10,
    "subnets": ["subnet-0bbb", "subnet-0aaa"],
    "suspended_processes": ["AZRebalance"],
    "tags": {"runnerfleet:fleet": "fleet"},
}


def params(**overrides) -> dict[str, Any]:
    """Module params as AnsibleModule hands them over: TASK_ARGS validated by the module's argument spec (every
    default filled in), then the overrides as they are."""
    result = ArgumentSpecValidator(asg.ARGUMENT_SPEC).validate(TASK_ARGS)
    assert not result.error_messages, result.error_messages
    return {**result.validated_parameters, **overrides}


def aws_tag(key: str, value: str, propagate: bool = True) -> dict[str, Any]:
    return {
        "ResourceId": NAME,
        "ResourceType": "auto-scaling-group",
        "Key": key,
        "Value": value,
        "PropagateAtLaunch": propagate,
    }


def client_error(code: str, message: str, operation: str) -> botocore.exceptions.ClientError:
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, operation)


class FakeModuleFailed(Exception):
    pass


def fake_module(check_mode: bool = False, **overrides) -> types.SimpleNamespace:
    def fail_json(**kwargs):
        raise FakeModuleFailed(kwargs)

    return types.SimpleNamespace(params=params(**overrides), check_mode=check_mode, fail_json=fail_json)


class FakePaginator:
    def __init__(self, client: FakeAutoScaling):
        self.client = client

    def paginate(self, **kwargs):
        self.client.record("describe_policies.paginate", kwargs, retried=False)
        names = self.client.policies.get(kwargs["AutoScalingGroupName"], [])
        return types.SimpleNamespace(
            build_full_result=lambda: {
                "ScalingPolicies": [
                    {
                        "AutoScalingGroupName": kwargs["AutoScalingGroupName"],
                        "PolicyName": policy,
                        "PolicyARN": f"arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:x:policyName/{policy}",
                        "PolicyType": "TargetTrackingScaling",
                        "Enabled": True,
                    }
                    for policy in names
                ]
            }
        )


class FakeAutoScaling:
    """A stateful stand-in for boto3's autoscaling client. Unknown methods raise AttributeError."""

    def __init__(self, *groups: dict[str, Any], policies: dict[str, list[str]] | None = None, linger: int = 0):
        self.groups = {group["AutoScalingGroupName"]: copy.deepcopy(group) for group in groups}
        self.policies = copy.deepcopy(policies or {})
        self.calls: list[tuple[str, dict[str, Any], bool]] = []
        self.linger = linger  # describes that still show a deleted group ("Delete in progress")
        self.deleting: dict[str, int] = {}

    def record(self, method: str, kwargs: dict[str, Any], retried: bool) -> None:
        self.calls.append((method, copy.deepcopy(kwargs), retried))

    def _call(self, method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        retried = kwargs.pop("aws_retry", False)
        self.record(method, kwargs, retried)
        return kwargs

    @property
    def mutating(self) -> list[tuple[str, dict[str, Any]]]:
        return [(method, kwargs) for method, kwargs, _ignored in self.calls if not method.startswith(READ_ONLY)]

    def names(self) -> list[str]:
        return [method for method, _ignored in self.mutating]

    def sent(self, method: str) -> list[dict[str, Any]]:
        return [kwargs for name, kwargs in self.mutating if name == method]

    # -- reads

    def describe_auto_scaling_groups(self, **kwargs):
        kwargs = self._call("describe_auto_scaling_groups", kwargs)
        found = []
        for name in kwargs["AutoScalingGroupNames"]:
            if name in self.deleting:
                if self.deleting[name] == 0:
                    del self.deleting[name]
                    del self.groups[name]
                    continue
                self.deleting[name] -= 1
            if name in self.groups:
                found.append(copy.deepcopy(self.groups[name]))
        return {"AutoScalingGroups": found}

    def get_paginator(self, operation: str):
        self.record("get_paginator", {"operation": operation}, retried=False)
        assert operation == "describe_policies"
        return FakePaginator(self)

    # -- writes

    def create_auto_scaling_group(self, **kwargs):
        kwargs = self._call("create_auto_scaling_group", kwargs)
        name = kwargs["AutoScalingGroupName"]
        if name in self.groups:
            raise client_error("AlreadyExists", f"AutoScalingGroup by this name already exists - {name}", "Create")
        desired = kwargs.get("DesiredCapacity", kwargs["MinSize"])
        if not kwargs["MinSize"] <= desired <= kwargs["MaxSize"]:
            raise client_error(
                "ValidationError",
                f"Desired capacity:{desired} must be between the specified min size:{kwargs['MinSize']} "
                f"and max size:{kwargs['MaxSize']}",
                "CreateAutoScalingGroup",
            )
        policy = copy.deepcopy(kwargs["MixedInstancesPolicy"])
        policy["LaunchTemplate"]["LaunchTemplateSpecification"]["LaunchTemplateName"] = "fleet-small"
        policy["InstancesDistribution"].setdefault("OnDemandAllocationStrategy", "prioritized")
        self.groups[name] = {
            **aws_group(),
            "AutoScalingGroupName": name,
            "AutoScalingGroupARN": ARN.replace(NAME, name),
            "MixedInstancesPolicy": policy,
            "MinSize": kwargs["MinSize"],
            "MaxSize": kwargs["MaxSize"],
            "DesiredCapacity": desired,
            "VPCZoneIdentifier": kwargs["VPCZoneIdentifier"],
            "NewInstancesProtectedFromScaleIn": kwargs.get("NewInstancesProtectedFromScaleIn", False),
            "Tags": [
                {k: t[k] for k in ("ResourceId", "ResourceType", "Key", "Value", "PropagateAtLaunch")}
                for t in kwargs.get("Tags", [])
            ],
            "SuspendedProcesses": [],
            "Instances": [],
        }
        return {}

    def update_auto_scaling_group(self, **kwargs):
        kwargs = self._call("update_auto_scaling_group", kwargs)
        group = self.groups[kwargs["AutoScalingGroupName"]]
        minimum = kwargs.get("MinSize", group["MinSize"])
        maximum = kwargs.get("MaxSize", group["MaxSize"])
        if minimum > maximum:
            raise client_error("ValidationError", "Max bound must be >= min bound", "UpdateAutoScalingGroup")
        if "DesiredCapacity" in kwargs:
            desired = kwargs["DesiredCapacity"]
            if not minimum <= desired <= maximum:
                raise client_error("ValidationError", "Desired capacity out of bounds", "UpdateAutoScalingGroup")
        else:
            desired = min(max(group["DesiredCapacity"], minimum), maximum)
        group.update(MinSize=minimum, MaxSize=maximum, DesiredCapacity=desired)
        if "VPCZoneIdentifier" in kwargs:
            group["VPCZoneIdentifier"] = kwargs["VPCZoneIdentifier"]
        if "NewInstancesProtectedFromScaleIn" in kwargs:
            group["NewInstancesProtectedFromScaleIn"] = kwargs["NewInstancesProtectedFromScaleIn"]
        if "MixedInstancesPolicy" in kwargs:
            group["MixedInstancesPolicy"] = copy.deepcopy(kwargs["MixedInstancesPolicy"])
        return {}

    def suspend_processes(self, **kwargs):
        kwargs = self._call("suspend_processes", kwargs)
        group = self.groups[kwargs["AutoScalingGroupName"]]
        have = {p["ProcessName"] for p in group["SuspendedProcesses"]}
        for process in kwargs["ScalingProcesses"]:
            if process not in have:
                group["SuspendedProcesses"].append({"ProcessName": process, "SuspensionReason": "User suspended"})
        return {}

    def resume_processes(self, **kwargs):
        kwargs = self._call("resume_processes", kwargs)
        group = self.groups[kwargs["AutoScalingGroupName"]]
        group["SuspendedProcesses"] = [
            p for p in group["SuspendedProcesses"] if p["ProcessName"] not in kwargs["ScalingProcesses"]
        ]
        return {}

    def create_or_update_tags(self, **kwargs):
        kwargs = self._call("create_or_update_tags", kwargs)
        for tag in kwargs["Tags"]:
            group = self.groups[tag["ResourceId"]]
            group["Tags"] = [t for t in group["Tags"] if t["Key"] != tag["Key"]] + [copy.deepcopy(tag)]
        return {}

    def delete_tags(self, **kwargs):
        kwargs = self._call("delete_tags", kwargs)
        for tag in kwargs["Tags"]:
            group = self.groups[tag["ResourceId"]]
            group["Tags"] = [t for t in group["Tags"] if t["Key"] != tag["Key"]]
        return {}

    def delete_policy(self, **kwargs):
        kwargs = self._call("delete_policy", kwargs)
        self.policies[kwargs["AutoScalingGroupName"]].remove(kwargs["PolicyName"])
        return {}

    def delete_auto_scaling_group(self, **kwargs):
        kwargs = self._call("delete_auto_scaling_group", kwargs)
        name = kwargs["AutoScalingGroupName"]
        group = self.groups[name]
        if group["Instances"] and not kwargs.get("ForceDelete"):
            raise client_error("ResourceInUse", "You cannot delete an AutoScalingGroup while there are instances", "D")
        group["Status"] = "Delete in progress"
        self.deleting[name] = self.linger
        return {}


@pytest.fixture
def clock(monkeypatch):
    """A fake clock for the module's `time`: sleep advances monotonic."""
    state = types.SimpleNamespace(now=1000.0, sleeps=[])

    def sleep(seconds):
        state.sleeps.append(seconds)
        state.now += seconds

    monkeypatch.setattr(asg, "time", types.SimpleNamespace(monotonic=lambda: state.now, sleep=sleep))
    return state


# ------------------------------------------------------------------------------------------------- desired_policy


def test_desired_policy_shape_keeps_instance_type_order():
    assert asg.desired_policy(params(instance_types=["m5a.large", "m5.large", "c5.large"])) == {
        "LaunchTemplate": {
            "LaunchTemplateSpecification": {"LaunchTemplateId": TEMPLATE, "Version": "$Latest"},
            "Overrides": [{"InstanceType": "m5a.large"}, {"InstanceType": "m5.large"}, {"InstanceType": "c5.large"}],
        },
        "InstancesDistribution": {
            "OnDemandBaseCapacity": 1,
            "OnDemandPercentageAboveBaseCapacity": 0,
            "SpotAllocationStrategy": "price-capacity-optimized",
        },
    }


def test_desired_policy_uses_the_version_and_distribution_params():
    policy = asg.desired_policy(
        params(
            launch_template_version="7",
            on_demand_base_capacity=0,
            on_demand_percentage_above_base_capacity=100,
            spot_allocation_strategy="capacity-optimized",
        )
    )
    assert policy["LaunchTemplate"]["LaunchTemplateSpecification"]["Version"] == "7"
    assert policy["InstancesDistribution"] == {
        "OnDemandBaseCapacity": 0,
        "OnDemandPercentageAboveBaseCapacity": 100,
        "SpotAllocationStrategy": "capacity-optimized",
    }


# ------------------------------------------------------------------------------------------------- current_policy


def test_current_policy_matches_desired_and_ignores_what_aws_adds():
    group = aws_group()
    group["MixedInstancesPolicy"]["LaunchTemplate"]["Overrides"][0]["WeightedCapacity"] = "1"
    group["MixedInstancesPolicy"]["InstancesDistribution"]["SpotMaxPrice"] = ""
    assert asg.current_policy(group) == asg.desired_policy(params())


def test_current_policy_of_a_group_without_a_mixed_instances_policy():
    group = aws_group(LaunchTemplate={"LaunchTemplateId": TEMPLATE, "Version": "$Latest"})
    del group["MixedInstancesPolicy"]
    assert asg.current_policy(group) == {
        "LaunchTemplate": {
            "LaunchTemplateSpecification": {"LaunchTemplateId": None, "Version": None},
            "Overrides": [],
        },
        "InstancesDistribution": {
            "OnDemandBaseCapacity": None,
            "OnDemandPercentageAboveBaseCapacity": None,
            "SpotAllocationStrategy": None,
        },
    }
    assert asg.current_policy(group) != asg.desired_policy(params())


def test_current_policy_tolerates_empty_parts():
    group = aws_group(MixedInstancesPolicy={"LaunchTemplate": {"Overrides": None}, "InstancesDistribution": None})
    policy = asg.current_policy(group)
    assert policy["LaunchTemplate"]["Overrides"] == []
    assert policy["InstancesDistribution"]["OnDemandBaseCapacity"] is None


def test_instance_type_order_is_a_difference():
    # The module documents instance_types "in order of preference", and AWS's on-demand "prioritized" allocation
    # follows the Overrides order, so a reordering is a change (the module claims no order-insensitivity here).
    assert asg.current_policy(aws_group()) != asg.desired_policy(params(instance_types=["m5a.large", "m5.large"]))


def test_overrides_keep_the_order_aws_describes():
    group = aws_group()
    group["MixedInstancesPolicy"]["LaunchTemplate"]["Overrides"] = [
        {"InstanceType": "m5a.large"},
        {"InstanceType": "c5.large"},
        {"InstanceType": "m5.large"},
    ]
    assert asg.current_policy(group)["LaunchTemplate"]["Overrides"] == [
        {"InstanceType": "m5a.large"},
        {"InstanceType": "c5.large"},
        {"InstanceType": "m5.large"},
    ]
    same = params(instance_types=["m5a.large", "c5.large", "m5.large"])
    assert asg.current_policy(group) == asg.desired_policy(same)
    assert run_update(group, instance_types=["m5a.large", "c5.large", "m5.large"]).calls == []
    resorted = run_update(group, instance_types=["c5.large", "m5.large", "m5a.large"])
    assert [sorted(kwargs) for kwargs in resorted.sent("update_auto_scaling_group")] == [
        ["AutoScalingGroupName", "MixedInstancesPolicy"]
    ]


# ------------------------------------------------------------------------------------------------- group_view


def test_group_view_of_a_described_group():
    group = aws_group(
        VPCZoneIdentifier="subnet-0ccc,subnet-0aaa,subnet-0bbb",
        SuspendedProcesses=[
            {"ProcessName": "ReplaceUnhealthy", "SuspensionReason": "User suspended"},
            {"ProcessName": "AZRebalance", "SuspensionReason": "User suspended"},
        ],
        Tags=[
            aws_tag("runnerfleet:fleet", "fleet"),
            aws_tag("owner", "ci", propagate=False),
            aws_tag("cost-center", "42"),
        ],
    )
    assert asg.group_view(group) == {
        "name": NAME,
        "arn": ARN,
        "min_size": 0,
        "max_size": 10,
        "desired_capacity": 3,
        "subnets": ["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"],
        "protect_from_scale_in": True,
        "mixed_instances_policy": asg.desired_policy(params()),
        "suspended_processes": ["AZRebalance", "ReplaceUnhealthy"],
        "tags": {"runnerfleet:fleet": "fleet", "owner": "ci", "cost-center": "42"},
        "tags_propagated": ["cost-center", "runnerfleet:fleet"],
    }


@pytest.mark.parametrize("group", [None, {}])
def test_group_view_of_no_group_is_empty(group):
    assert asg.group_view(group) == {}


def test_group_view_defaults_for_missing_fields():
    group = aws_group(VPCZoneIdentifier="")
    for key in ("AutoScalingGroupARN", "Tags", "SuspendedProcesses", "NewInstancesProtectedFromScaleIn"):
        del group[key]
    view = asg.group_view(group)
    assert view["arn"] == ""
    assert view["subnets"] == []
    assert view["tags"] == {}
    assert view["tags_propagated"] == []
    assert view["suspended_processes"] == []
    assert view["protect_from_scale_in"] is False


# ------------------------------------------------------------------------------------------------- wanted_view


def test_wanted_view_equals_the_current_view_when_nothing_differs():
    current = asg.group_view(aws_group())
    assert asg.wanted_view(params(), current) == current


def test_wanted_view_of_a_new_group():
    wanted = asg.wanted_view(
        params(
            desired_capacity=2,
            min_size=1,
            subnets=["subnet-0bbb", "subnet-0aaa"],
            suspended_processes=["AZRebalance", "AZRebalance", "AlarmNotification"],
            tags={"runnerfleet:fleet": "fleet", "cost": 5, "spot": True},
        ),
        {},
    )
    assert wanted == {
        "name": NAME,
        "arn": "",
        "min_size": 1,
        "max_size": 10,
        "desired_capacity": 2,
        "subnets": ["subnet-0aaa", "subnet-0bbb"],
        "protect_from_scale_in": True,
        "mixed_instances_policy": asg.desired_policy(params()),
        "suspended_processes": ["AZRebalance", "AlarmNotification"],
        "tags": {"runnerfleet:fleet": "fleet", "cost": "5", "spot": "True"},
        "tags_propagated": ["cost", "runnerfleet:fleet", "spot"],
    }


def test_wanted_view_without_propagation_propagates_nothing():
    wanted = asg.wanted_view(params(propagate_tags=False, tags={"a": "1", "b": "2"}), {})
    assert wanted["tags_propagated"] == []
    assert wanted["tags"] == {"a": "1", "b": "2"}


def test_wanted_view_keeps_the_live_capacity_and_arn_of_an_existing_group():
    current = asg.group_view(aws_group(DesiredCapacity=7))
    wanted = asg.wanted_view(params(desired_capacity=1, max_size=20), current)
    assert wanted["desired_capacity"] == 7
    assert wanted["arn"] == ARN
    assert wanted["max_size"] == 20


@pytest.mark.parametrize(("max_size", "capacity"), [(5, 5), (7, 7), (8, 7), (0, 0)])
def test_wanted_view_lowers_the_capacity_to_a_lower_max_size(max_size, capacity):
    current = asg.group_view(aws_group(DesiredCapacity=7))
    assert asg.wanted_view(params(max_size=max_size), current)["desired_capacity"] == capacity


def test_wanted_view_raises_the_capacity_to_a_higher_min_size():
    current = asg.group_view(aws_group(DesiredCapacity=1))
    assert asg.wanted_view(params(min_size=3), current)["desired_capacity"] == 3


def test_wanted_view_does_not_modify_the_current_view():
    current = asg.group_view(aws_group())
    snapshot = copy.deepcopy(current)
    asg.wanted_view(params(max_size=2, tags={"x": "y"}, subnets=["subnet-9"]), current)
    assert current == snapshot


# ------------------------------------------------------------------------------------------------- tag_list, tag_state


def test_tag_list_is_sorted_and_carries_propagation():
    assert asg.tag_list(NAME, {"b": "2", "a": "1"}, propagate=False) == [
        aws_tag("a", "1", False),
        aws_tag("b", "2", False),
    ]
    assert asg.tag_list(NAME, {"a": "1"}, propagate=True) == [aws_tag("a", "1", True)]
    assert asg.tag_list(NAME, {}, propagate=True) == []


def test_tag_state_reports_value_and_propagation_per_key():
    view = {"tags": {"a": "1", "b": "2"}, "tags_propagated": ["a"]}
    assert asg.tag_state(view, ["a", "b", "c"]) == {"a": ("1", True), "b": ("2", False), "c": (None, False)}


# ------------------------------------------------------------------------------------------------- create_group


def test_create_group_sends_everything_including_the_desired_capacity():
    client = FakeAutoScaling()
    p = params(desired_capacity=2, tags={"runnerfleet:fleet": "fleet", "cost": 5})
    asg.create_group(client, p, asg.wanted_view(p, {}))
    assert client.names() == ["create_auto_scaling_group", "suspend_processes"]
    assert client.sent("create_auto_scaling_group") == [
        {
            "AutoScalingGroupName": NAME,
            "MixedInstancesPolicy": asg.desired_policy(p),
            "MinSize": 0,
            "MaxSize": 10,
            "DesiredCapacity": 2,
            "VPCZoneIdentifier": "subnet-0bbb,subnet-0aaa",
            "NewInstancesProtectedFromScaleIn": True,
            "Tags": [aws_tag("cost", "5"), aws_tag("runnerfleet:fleet", "fleet")],
        }
    ]
    assert client.sent("suspend_processes") == [{"AutoScalingGroupName": NAME, "ScalingProcesses": ["AZRebalance"]}]
    assert all(retried for method, _ignored, retried in client.calls if method != "get_paginator")


def test_create_group_without_protection_propagation_or_suspended_processes():
    client = FakeAutoScaling()
    p = params(protect_from_scale_in=False, propagate_tags=False, suspended_processes=[])
    asg.create_group(client, p, asg.wanted_view(p, {}))
    assert client.names() == ["create_auto_scaling_group"]
    sent = client.sent("create_auto_scaling_group")[0]
    assert sent["NewInstancesProtectedFromScaleIn"] is False
    assert sent["Tags"] == [aws_tag("runnerfleet:fleet", "fleet", propagate=False)]


# ------------------------------------------------------------------------------------------------- update_group


def run_update(group: dict[str, Any], **overrides) -> FakeAutoScaling:
    client = FakeAutoScaling(group)
    p = params(**overrides)
    current = asg.group_view(group)
    asg.update_group(client, p, current, asg.wanted_view(p, current))
    return client


def test_update_group_sends_nothing_when_nothing_differs():
    assert run_update(aws_group()).calls == []


def test_update_group_ignores_subnet_order():
    assert run_update(aws_group(), subnets=["subnet-0aaa", "subnet-0bbb"]).calls == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"min_size": 1}, {"MinSize": 1}),
        ({"max_size": 20}, {"MaxSize": 20}),
        ({"max_size": 2}, {"MaxSize": 2}),
        ({"subnets": ["subnet-0ccc", "subnet-0aaa"]}, {"VPCZoneIdentifier": "subnet-0ccc,subnet-0aaa"}),
        ({"protect_from_scale_in": False}, {"NewInstancesProtectedFromScaleIn": False}),
        (
            {"launch_template_version": "4"},
            {"MixedInstancesPolicy": asg.desired_policy(params(launch_template_version="4"))},
        ),
        (
            {"instance_types": ["m5a.large", "m5.large"]},
            {"MixedInstancesPolicy": asg.desired_policy(params(instance_types=["m5a.large", "m5.large"]))},
        ),
        (
            {"on_demand_percentage_above_base_capacity": 50},
            {"MixedInstancesPolicy": asg.desired_policy(params(on_demand_percentage_above_base_capacity=50))},
        ),
        (
            {"min_size": 1, "max_size": 4, "launch_template_id": "lt-0fedcba9876543210"},
            {
                "MinSize": 1,
                "MaxSize": 4,
                "MixedInstancesPolicy": asg.desired_policy(params(launch_template_id="lt-0fedcba9876543210")),
            },
        ),
    ],
)
def test_update_group_sends_only_what_differs_and_never_the_desired_capacity(overrides, expected):
    client = run_update(aws_group(DesiredCapacity=3), desired_capacity=9, **overrides)
    assert client.names() == ["update_auto_scaling_group"]
    assert client.sent("update_auto_scaling_group") == [{"AutoScalingGroupName": NAME, **expected}]
    assert all(retried for _ignored, _ignored, retried in client.calls)


def test_update_group_lowering_max_size_below_the_capacity_sends_max_size_only():
    client = run_update(aws_group(DesiredCapacity=8), max_size=5)
    assert client.sent("update_auto_scaling_group") == [{"AutoScalingGroupName": NAME, "MaxSize": 5}]
    assert client.groups[NAME]["DesiredCapacity"] == 5


def test_update_group_resumes_and_suspends_processes():
    group = aws_group(
        SuspendedProcesses=[
            {"ProcessName": "AZRebalance", "SuspensionReason": "User suspended"},
            {"ProcessName": "ReplaceUnhealthy", "SuspensionReason": "User suspended"},
            {"ProcessName": "Terminate", "SuspensionReason": "User suspended"},
        ]
    )
    client = run_update(group, suspended_processes=["ScheduledActions", "AZRebalance", "AddToLoadBalancer"])
    assert client.names() == ["resume_processes", "suspend_processes"]
    assert client.sent("resume_processes") == [
        {"AutoScalingGroupName": NAME, "ScalingProcesses": ["ReplaceUnhealthy", "Terminate"]}
    ]
    assert client.sent("suspend_processes") == [
        {"AutoScalingGroupName": NAME, "ScalingProcesses": ["AddToLoadBalancer", "ScheduledActions"]}
    ]


def test_update_group_resumes_everything_for_an_empty_list():
    client = run_update(aws_group(), suspended_processes=[])
    assert client.names() == ["resume_processes"]
    assert client.sent("resume_processes") == [{"AutoScalingGroupName": NAME, "ScalingProcesses": ["AZRebalance"]}]


def test_update_group_removes_stale_tags_and_adds_new_ones_with_propagation():
    group = aws_group(Tags=[aws_tag("runnerfleet:fleet", "fleet"), aws_tag("old", "x"), aws_tag("owner", "ci")])
    client = run_update(group, tags={"runnerfleet:fleet": "fleet", "owner": "platform", "new": "1"})
    assert client.names() == ["delete_tags", "create_or_update_tags"]
    assert client.sent("delete_tags") == [
        {"Tags": [{"ResourceId": NAME, "ResourceType": "auto-scaling-group", "Key": "old"}]}
    ]
    assert client.sent("create_or_update_tags") == [
        {"Tags": [aws_tag("new", "1"), aws_tag("owner", "platform"), aws_tag("runnerfleet:fleet", "fleet")]}
    ]
    assert asg.group_view(client.groups[NAME])["tags"] == {
        "runnerfleet:fleet": "fleet",
        "owner": "platform",
        "new": "1",
    }


def test_update_group_only_deletes_when_only_tags_go():
    group = aws_group(Tags=[aws_tag("runnerfleet:fleet", "fleet"), aws_tag("b", "2"), aws_tag("a", "1")])
    client = run_update(group)
    assert client.names() == ["delete_tags"]
    assert [t["Key"] for t in client.sent("delete_tags")[0]["Tags"]] == ["a", "b"]


def test_update_group_fixes_propagation_of_an_unchanged_value():
    group = aws_group(Tags=[aws_tag("runnerfleet:fleet", "fleet", propagate=False)])
    client = run_update(group)
    assert client.sent("create_or_update_tags") == [{"Tags": [aws_tag("runnerfleet:fleet", "fleet", True)]}]


def test_update_group_stops_propagation():
    client = run_update(aws_group(), propagate_tags=False)
    assert client.names() == ["create_or_update_tags"]
    assert client.sent("create_or_update_tags") == [{"Tags": [aws_tag("runnerfleet:fleet", "fleet", False)]}]


def test_update_group_compares_tag_values_as_strings():
    group = aws_group(Tags=[aws_tag("runnerfleet:fleet", "fleet"), aws_tag("cost", "5"), aws_tag("spot", "True")])
    assert run_update(group, tags={"runnerfleet:fleet": "fleet", "cost": 5, "spot": True}).calls == []


def test_update_group_removes_all_tags():
    client = run_update(aws_group(), tags={})
    assert client.names() == ["delete_tags"]
    assert client.groups[NAME]["Tags"] == []


# ------------------------------------------------------------------------------------------------- ensure_present


def test_ensure_present_creates_a_missing_group():
    client = FakeAutoScaling()
    changed, before, after = asg.ensure_present(fake_module(desired_capacity=2), client)
    assert changed is True
    assert before == {}
    assert client.names() == ["create_auto_scaling_group", "suspend_processes"]
    assert client.sent("create_auto_scaling_group")[0]["DesiredCapacity"] == 2
    assert "get_paginator" not in [method for method, _ignored, _ignored in client.calls]
    assert after == {**asg.wanted_view(params(desired_capacity=2), {}), "arn": ARN}


def test_ensure_present_check_mode_predicts_a_creation_and_sends_nothing():
    client = FakeAutoScaling()
    changed, before, after = asg.ensure_present(fake_module(check_mode=True, desired_capacity=2), client)
    assert changed is True
    assert before == {}
    assert after == asg.wanted_view(params(desired_capacity=2), {})
    assert after["arn"] == ""
    assert after["desired_capacity"] == 2
    assert client.mutating == []
    assert client.groups == {}


@pytest.mark.parametrize("check_mode", [False, True])
def test_ensure_present_on_an_unchanged_group_sends_nothing(check_mode):
    client = FakeAutoScaling(aws_group())
    changed, before, after = asg.ensure_present(fake_module(check_mode=check_mode, desired_capacity=9), client)
    assert changed is False
    assert before == after == asg.group_view(aws_group())
    assert client.mutating == []


def test_ensure_present_is_idempotent_after_a_creation():
    client = FakeAutoScaling()
    asg.ensure_present(fake_module(desired_capacity=2), client)
    client.calls.clear()
    changed, before, after = asg.ensure_present(fake_module(desired_capacity=5), client)
    assert (changed, client.mutating) == (False, [])
    assert before == after
    assert after["desired_capacity"] == 2


def test_ensure_present_is_idempotent_after_an_update():
    group = aws_group(Tags=[aws_tag("old", "x", False)], SuspendedProcesses=[], NewInstancesProtectedFromScaleIn=False)
    client = FakeAutoScaling(group)
    assert asg.ensure_present(fake_module(max_size=4, min_size=1), client)[0] is True
    client.calls.clear()
    assert asg.ensure_present(fake_module(max_size=4, min_size=1), client)[0] is False
    assert client.mutating == []


def test_ensure_present_update_never_sends_the_desired_capacity():
    client = FakeAutoScaling(aws_group(DesiredCapacity=6))
    changed, before, after = asg.ensure_present(fake_module(desired_capacity=0, max_size=3), client)
    assert changed is True
    assert client.sent("update_auto_scaling_group") == [{"AutoScalingGroupName": NAME, "MaxSize": 3}]
    for _ignored, kwargs in client.mutating:
        assert "DesiredCapacity" not in kwargs
    assert before["desired_capacity"] == 6
    assert after["desired_capacity"] == 3


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"max_size": 2}, id="lower-max"),
        pytest.param({"max_size": 30, "min_size": 1}, id="raise-max-and-min-below-capacity"),
        pytest.param({"tags": {"a": "b"}, "propagate_tags": False}, id="tags"),
        pytest.param({"suspended_processes": ["Launch"], "subnets": ["subnet-0ddd"]}, id="processes-subnets"),
        pytest.param({"instance_types": ["c5.large"], "protect_from_scale_in": False}, id="policy-protection"),
        pytest.param({"min_size": 5}, id="raise-min-above-capacity"),
    ],
)
def test_check_mode_prediction_matches_the_real_run(overrides):
    predicted_client = FakeAutoScaling(aws_group(DesiredCapacity=3))
    changed, before, predicted = asg.ensure_present(fake_module(check_mode=True, **overrides), predicted_client)
    assert changed is True
    assert predicted != before
    assert predicted_client.mutating == []

    client = FakeAutoScaling(aws_group(DesiredCapacity=3))
    changed, real_before, after = asg.ensure_present(fake_module(**overrides), client)
    assert changed is True
    assert real_before == before
    assert after == predicted


def test_ensure_present_deletes_scaling_policies_of_an_otherwise_unchanged_group():
    client = FakeAutoScaling(aws_group(), policies={NAME: ["cpu-target", "scale-out-step"]})
    changed, before, after = asg.ensure_present(fake_module(), client)
    assert changed is True
    assert before == after
    assert client.names() == ["delete_policy", "delete_policy"]
    assert client.sent("delete_policy") == [
        {"AutoScalingGroupName": NAME, "PolicyName": "cpu-target"},
        {"AutoScalingGroupName": NAME, "PolicyName": "scale-out-step"},
    ]
    assert client.policies[NAME] == []
    assert ("describe_policies.paginate", {"AutoScalingGroupName": NAME}, False) in client.calls


def test_ensure_present_deletes_scaling_policies_along_with_an_update():
    client = FakeAutoScaling(aws_group(), policies={NAME: ["cpu-target"]})
    asg.ensure_present(fake_module(max_size=4), client)
    assert client.names() == ["update_auto_scaling_group", "delete_policy"]


def test_ensure_present_check_mode_reports_scaling_policies_but_keeps_them():
    client = FakeAutoScaling(aws_group(), policies={NAME: ["cpu-target"]})
    changed, before, after = asg.ensure_present(fake_module(check_mode=True), client)
    assert changed is True
    assert before == after
    assert client.mutating == []
    assert client.policies[NAME] == ["cpu-target"]


def test_ensure_present_keeps_scaling_policies_without_purge():
    client = FakeAutoScaling(aws_group(), policies={NAME: ["cpu-target"]})
    changed, _ignored, _ignored = asg.ensure_present(fake_module(purge_scaling_policies=False), client)
    assert changed is False
    assert client.mutating == []
    assert [method for method, _ignored, _ignored in client.calls] == ["describe_auto_scaling_groups"]


def test_ensure_present_creation_failure_propagates_the_client_error():
    client = FakeAutoScaling()
    with pytest.raises(botocore.exceptions.ClientError):
        asg.ensure_present(fake_module(min_size=3, max_size=2, desired_capacity=2), client)


def test_ensure_present_creates_with_a_min_size_and_the_default_desired_capacity():
    client = FakeAutoScaling()
    changed, _ignored, after = asg.ensure_present(fake_module(min_size=1), client)
    assert changed is True
    assert after["desired_capacity"] >= 1


# ------------------------------------------------------------------------------------------------- ensure_absent


def test_ensure_absent_on_a_missing_group_is_a_no_op(clock):
    client = FakeAutoScaling()
    assert asg.ensure_absent(fake_module(state="absent"), client) == (False, {}, {})
    assert client.mutating == []
    assert clock.sleeps == []


def test_ensure_absent_check_mode_reports_the_deletion_and_sends_nothing(clock):
    client = FakeAutoScaling(aws_group())
    changed, before, after = asg.ensure_absent(fake_module(check_mode=True, state="absent"), client)
    assert (changed, after) == (True, {})
    assert before == asg.group_view(aws_group())
    assert client.mutating == []
    assert NAME in client.groups
    assert clock.sleeps == []


def test_ensure_absent_force_deletes_and_waits_until_the_group_is_gone(clock):
    client = FakeAutoScaling(aws_group(), linger=2)
    changed, before, after = asg.ensure_absent(fake_module(state="absent"), client)
    assert (changed, after) == (True, {})
    assert before == asg.group_view(aws_group())
    assert client.mutating == [("delete_auto_scaling_group", {"AutoScalingGroupName": NAME, "ForceDelete": True})]
    assert client.groups == {}
    assert len(clock.sleeps) == 2
    assert [method for method, _ignored, _ignored in client.calls].count("describe_auto_scaling_groups") == 4


def test_ensure_absent_does_not_sleep_when_the_group_is_gone_at_once(clock):
    client = FakeAutoScaling(aws_group(), linger=0)
    assert asg.ensure_absent(fake_module(state="absent"), client)[0] is True
    assert clock.sleeps == []


def test_ensure_absent_fails_after_the_wait_timeout(clock):
    client = FakeAutoScaling(aws_group(), linger=10_000)
    with pytest.raises(FakeModuleFailed) as failed:
        asg.ensure_absent(fake_module(state="absent", wait_timeout=30), client)
    assert failed.value.args[0] == {"msg": f"Timed out waiting for Auto Scaling group {NAME} to be deleted"}
    assert 30 <= sum(clock.sleeps) <= 40


# ------------------------------------------------------------------------------------------------- main


@pytest.fixture
def run_main(monkeypatch, capsys):
    """Run main() with module args and the fake client behind amazon.aws's real retrying wrapper."""

    def run(client: FakeAutoScaling, args: dict[str, Any]) -> dict[str, Any]:
        monkeypatch.setattr(
            AnsibleAWSModule,
            "client",
            lambda self, service, retry_decorator=None, **_ignored: RetryingBotoClientWrapper(client, retry_decorator),
        )
        with patch_module_args(args), pytest.raises(SystemExit):
            asg.main()
        return json.loads(capsys.readouterr().out)

    return run


MAIN_ARGS = {**TASK_ARGS, "region": "eu-west-1"}


def test_main_creates_and_returns_the_diff(run_main):
    client = FakeAutoScaling()
    result = run_main(client, {**MAIN_ARGS, "desired_capacity": 1, "_ansible_diff": True})
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"] == result["group"]
    assert result["group"]["arn"] == ARN
    assert result["group"]["desired_capacity"] == 1
    assert client.sent("create_auto_scaling_group")[0]["DesiredCapacity"] == 1


def test_main_unchanged_group(run_main):
    client = FakeAutoScaling(aws_group())
    result = run_main(client, MAIN_ARGS)
    assert result["changed"] is False
    assert result["group"] == asg.group_view(aws_group())
    assert client.mutating == []


def test_main_check_mode(run_main):
    client = FakeAutoScaling(aws_group(DesiredCapacity=6))
    result = run_main(client, {**MAIN_ARGS, "max_size": 4, "_ansible_check_mode": True})
    assert result["changed"] is True
    assert result["group"]["max_size"] == 4
    assert result["group"]["desired_capacity"] == 4
    assert result["diff"]["before"]["max_size"] == 10
    assert client.mutating == []


def test_main_absent_on_a_missing_group(run_main, clock):
    client = FakeAutoScaling()
    result = run_main(client, {"name": NAME, "state": "absent", "region": "eu-west-1"})
    assert result["changed"] is False
    assert result["group"] == {}
    assert client.mutating == []


def test_main_requires_the_group_settings_for_present(run_main):
    result = run_main(FakeAutoScaling(), {"name": NAME, "region": "eu-west-1"})
    assert result["failed"] is True
    assert "launch_template_id" in result["msg"]
    assert "max_size" in result["msg"]


def test_main_reports_a_client_error(run_main):
    client = FakeAutoScaling()
    result = run_main(client, {**MAIN_ARGS, "min_size": 5, "max_size": 3})
    assert result["failed"] is True
    assert result["msg"].startswith(f"Failed to present Auto Scaling group {NAME}: ")
    assert result["error"]["code"] == "ValidationError"
