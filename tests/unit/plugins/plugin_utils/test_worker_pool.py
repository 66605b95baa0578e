# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The worker_pool role's arguments (plugin_utils/_worker_pool and the worker_pool_arguments and worker_pool_record
filters): from a plan the fleet model resolved, the exact options the keep tasks send and the read module compares
with; the fallback AMI; the user's fleet tag key; the result fact from the keep tasks' answers and the read's; input
that cannot make arguments fails naming the value; and the role's argument spec describes the plan part the model
makes, key for key."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.worker_pool_arguments import worker_pool_arguments
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.worker_pool_record import worker_pool_record
from ansible_collections.runnerfleet.gitlab_aws.plugins.modules import fleet_worker_pool_info
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._worker_pool import (
    PoolError,
    pool_arguments,
    pool_record,
)
from filter_plugins import found_filters
from fleet_descriptions import AMI, autoscaler_runner, fleet_description, resolved_plan

OTHER_AMI = "ami-0fedcba9876543210"
SUBNETS = ["subnet-0aaa", "subnet-0bbb"]
SECURITY_GROUP = "sg-0123456789abcdef0"
PROFILE = "arn:aws:iam::123456789012:instance-profile/cif-worker"
FACTS = {"subnet_ids": SUBNETS, "security_group_id": SECURITY_GROUP, "instance_profile": PROFILE}
ROLE = Path(fleet_worker_pool_info.__file__).resolve().parents[2] / "roles" / "worker_pool"


RUNNERS = [
    autoscaler_runner("spot", instance_types=["m5.large", "m5a.large"], on_demand_base=1, max_instances=4),
    autoscaler_runner("ondemand", instance_type="c5.xlarge", spot=False, max_instances=3, root_size=50),
    {"name": "sh", "runner_type": "instance_type", "tags": ["sh"], "executor": "shell", "allow_manager_role": True},
]


def worker_pool_part(images: dict | None = None, **overrides) -> dict:
    return resolved_plan(fleet_description(RUNNERS, **overrides), images=images)["worker_pool"]


def pools(**overrides) -> list[dict]:
    return worker_pool_part(**overrides)["pools"]


# ------------------------------------------------------------------------------------------------- the arguments


def test_the_arguments_of_a_pool_are_what_the_keep_tasks_send():
    spot = pool_arguments(pools(), **FACTS)[0]
    tags = {"runnerfleet:fleet": "cif", "ManagedBy": "runnerfleet.gitlab_aws", "Name": "cif-spot"}
    tags["runnerfleet:worker-pool"] = "spot"
    assert spot == {
        "name": "spot",
        "launch_template": {
            "template_name": "cif-spot",
            "image_id": AMI,
            "iam_instance_profile": PROFILE,
            "metadata_options": {
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 2,
                "instance_metadata_tags": "disabled",
            },
            "network_interfaces": [
                {
                    "device_index": 0,
                    "associate_public_ip_address": False,
                    "delete_on_termination": True,
                    "groups": [SECURITY_GROUP],
                }
            ],
            "block_device_mappings": [
                {"ebs": {"encrypted": True, "volume_size": 30, "volume_type": "gp3", "delete_on_termination": True}}
            ],
            "tag_specifications": [
                {"resource_type": "instance", "tags": tags},
                {"resource_type": "volume", "tags": tags},
            ],
            "tags": tags,
            "purge_tags": True,
        },
        "autoscaling_group": {
            "name": "cif-spot",
            "launch_template_version": "$Latest",
            "instance_types": ["m5.large", "m5a.large"],
            "on_demand_base_capacity": 1,
            "on_demand_percentage_above_base_capacity": 0,
            "spot_allocation_strategy": "price-capacity-optimized",
            "min_size": 0,
            "max_size": 4,
            "desired_capacity": 0,
            "subnets": SUBNETS,
            "protect_from_scale_in": True,
            "suspended_processes": ["AZRebalance"],
            "tags": tags,
            "propagate_tags": True,
        },
    }


def test_one_element_per_docker_autoscaler_entry_with_its_settings():
    arguments = pool_arguments(pools(), **FACTS)
    assert [a["name"] for a in arguments] == ["spot", "ondemand"]
    ondemand = arguments[1]
    assert ondemand["autoscaling_group"]["instance_types"] == ["c5.xlarge"]
    assert ondemand["autoscaling_group"]["on_demand_percentage_above_base_capacity"] == 100
    assert ondemand["autoscaling_group"]["max_size"] == 3
    assert ondemand["launch_template"]["block_device_mappings"][0]["ebs"]["volume_size"] == 50


def test_the_read_module_takes_the_arguments_as_they_are():
    """fleet_worker_pool_info's spec (ec2_launch_template's and fleeting_autoscaling_group's own) accepts them, and
    what it hands the comparison is what the keep tasks send, with only what those modules would add themselves: the
    options left out, as None, and the defaults of options the role does not set."""
    arguments = pool_arguments(pools(), **FACTS, ebs_kms_key_id="alias/ebs")
    result = ArgumentSpecValidator(fleet_worker_pool_info.ARGUMENT_SPEC).validate(
        {"fleet": "cif", "fleet_tag_key": "runnerfleet:fleet", "pools": copy.deepcopy(arguments)}
    )
    assert not result.error_messages, result.error_messages
    validated = result.validated_parameters["pools"]
    assert len(validated) == len(arguments)
    for sent, read in zip(arguments, validated, strict=True):
        added = sorted(additions(sent, read))
        assert added == [
            ("autoscaling_group.purge_scaling_policies", True),
            ("launch_template.block_device_mappings[0].device_name", None),
            ("launch_template.metadata_options.http_protocol_ipv6", "disabled"),
        ]


def additions(sent: object, read: object, path: str = "") -> list[tuple[str, object]]:
    """What read holds beyond sent, which it must otherwise equal."""
    if isinstance(sent, dict):
        assert isinstance(read, dict), path
        found = [(f"{path}.{key}".lstrip("."), read[key]) for key in read if key not in sent]
        for key, value in sent.items():
            found.extend(additions(value, read[key], f"{path}.{key}"))
        return found
    if isinstance(sent, list):
        assert isinstance(read, list), path
        assert len(read) == len(sent), path
        return [
            added for index, value in enumerate(sent) for added in additions(value, read[index], f"{path}[{index}]")
        ]
    assert read == sent, path
    return []


def test_the_operational_knobs():
    arguments = pool_arguments(
        pools(),
        **FACTS,
        ebs_kms_key_id="arn:aws:kms:eu-west-1:123456789012:key/1",
        metadata_hop_limit=1,
        suspended_processes=["AZRebalance", "ScheduledActions"],
    )[0]
    ebs = arguments["launch_template"]["block_device_mappings"][0]["ebs"]
    assert ebs["kms_key_id"] == "arn:aws:kms:eu-west-1:123456789012:key/1"
    assert arguments["launch_template"]["metadata_options"]["http_put_response_hop_limit"] == 1
    assert arguments["autoscaling_group"]["suspended_processes"] == ["AZRebalance", "ScheduledActions"]
    # No key: the account's default EBS key, and no kms_key_id at all (an empty one would be drift).
    assert "kms_key_id" not in pool_arguments(pools(), **FACTS)[0]["launch_template"]["block_device_mappings"][0]["ebs"]


def test_the_users_fleet_tag_key_tags_what_the_pools_launch():
    arguments = pool_arguments(pools(fleet_tag_key="acme:fleet"), **FACTS)
    for element in arguments:
        template, group = element["launch_template"], element["autoscaling_group"]
        for tags in [template["tags"], group["tags"], *(spec["tags"] for spec in template["tag_specifications"])]:
            assert tags["acme:fleet"] == "cif"
            assert "runnerfleet:fleet" not in tags


def test_a_pool_without_an_ami_takes_the_default_ami():
    plan_pools = pools(fleet_worker_ami=None)
    assert [p["ami"] for p in plan_pools] == ["", ""]
    plan_pools[1]["ami"] = OTHER_AMI
    arguments = pool_arguments(plan_pools, **FACTS, default_ami=AMI)
    assert [a["launch_template"]["image_id"] for a in arguments] == [AMI, OTHER_AMI]


def test_a_pool_without_any_ami_fails_naming_it():
    plan_pools = pools(fleet_worker_ami=None)
    with pytest.raises(PoolError, match=r"^worker_pool_plan\.pools\[0\]\.ami \(entry spot\) is empty"):
        pool_arguments(plan_pools, **FACTS, variable="worker_pool_plan.pools")


def test_the_arguments_share_nothing_with_the_plan():
    plan_pools = pools()
    before = copy.deepcopy(plan_pools)
    arguments = pool_arguments(plan_pools, **FACTS)
    arguments[0]["launch_template"]["tags"]["x"] = "1"
    arguments[0]["autoscaling_group"]["instance_types"].append("t3.large")
    arguments[0]["autoscaling_group"]["subnets"].append("subnet-0ccc")
    assert plan_pools == before
    assert FACTS["subnet_ids"] == SUBNETS
    assert "x" not in arguments[0]["launch_template"]["tag_specifications"][1]["tags"]


def test_no_pool_no_arguments():
    assert pool_arguments([], subnet_ids=[], security_group_id="", instance_profile="") == []


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"pools": "cif-spot"}, r"^pools must be the plan's worker_pool\.pools \(a list\); got str"),
        ({"pools": ["cif-spot"]}, r"^pools\[0\] must be a pool of the plan \(a mapping\)"),
        ({"pools": [{"entry": "spot"}]}, r"^pools\[0\] lacks template_name, group_name, ami, "),
        ({"subnet_ids": "subnet-0aaa"}, r"^subnet_ids must be a list of strings"),
        ({"subnet_ids": None}, r"^subnet_ids must be a list of strings; got None"),
        ({"security_group_id": None}, r"^security_group_id must be a string; got NoneType"),
        ({"metadata_hop_limit": "2"}, r"^metadata_hop_limit must be an integer"),
        ({"metadata_hop_limit": True}, r"^metadata_hop_limit must be an integer"),
        ({"suspended_processes": "AZRebalance"}, r"^suspended_processes must be a list of strings"),
    ],
)
def test_input_that_cannot_make_arguments(given, message):
    arguments = {"pools": pools(), **FACTS, **given}
    with pytest.raises(PoolError, match=message):
        pool_arguments(arguments.pop("pools"), **arguments)


# ------------------------------------------------------------------------------------------------- the record


def read_result(**found) -> dict:
    """fleet_worker_pool_info's pools, by entry, as found by name."""
    return {
        "pools": {
            entry: {"launch_template_id": template_id, "autoscaling_group_arn": arn, "in_sync": True}
            for entry, (template_id, arn) in found.items()
        }
    }


def group_arn(name: str) -> str:
    return f"arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:1:autoScalingGroupName/{name}"


def test_the_record_of_a_converged_fleet_is_the_reads():
    current = read_result(spot=("lt-1", group_arn("cif-spot")), ondemand=("lt-2", group_arn("cif-ondemand")))
    assert pool_record(pools(), current, [], []) == {
        "spot": {
            "launch_template_id": "lt-1",
            "launch_template_name": "cif-spot",
            "autoscaling_group_name": "cif-spot",
            "autoscaling_group_arn": group_arn("cif-spot"),
            "operation": "none",
            "changes": [],
        },
        "ondemand": {
            "launch_template_id": "lt-2",
            "launch_template_name": "cif-ondemand",
            "autoscaling_group_name": "cif-ondemand",
            "autoscaling_group_arn": group_arn("cif-ondemand"),
            "operation": "none",
            "changes": [],
        },
    }


def test_the_keep_tasks_answers_win_and_check_mode_leaves_what_does_not_exist_empty():
    plan_pools = pools()
    arguments = pool_arguments(plan_pools, **FACTS)
    # spot was made by the keep tasks; ondemand's template is new in check mode (no id), its group skipped.
    current = read_result(spot=("", ""), ondemand=("", ""))
    templates = [
        {"item": arguments[0], "changed": True, "template": {"launch_template_id": "lt-new"}},
        {"item": arguments[1], "changed": True},
    ]
    groups = [
        {"item": arguments[0], "changed": True, "group": {"name": "cif-spot", "arn": group_arn("cif-spot")}},
        {"item": arguments[1], "skipped": True, "changed": False},
    ]
    record = pool_record(plan_pools, current, templates, groups)
    assert record["spot"]["launch_template_id"] == "lt-new"
    assert record["spot"]["autoscaling_group_arn"] == group_arn("cif-spot")
    assert record["ondemand"]["launch_template_id"] == ""
    assert record["ondemand"]["autoscaling_group_arn"] == ""
    assert record["ondemand"]["autoscaling_group_name"] == "cif-ondemand"
    # Neither was found before the run: both are created (ondemand by a real run, as check mode predicts).
    assert [record[entry]["operation"] for entry in ("spot", "ondemand")] == ["create", "create"]


def test_the_record_says_which_pools_the_run_updates_and_why():
    current = read_result(spot=("lt-1", group_arn("cif-spot")), ondemand=("lt-2", ""))
    drift = [
        "launch template cif-spot: the latest version differs in InstanceType",
        "Auto Scaling group cif-spot: differs in MaxSize",
    ]
    current["pools"]["spot"] |= {"in_sync": False, "drift": drift}
    current["pools"]["ondemand"] |= {"in_sync": False, "drift": ["Auto Scaling group cif-ondemand: missing"]}
    record = pool_record(pools(), current, [], [])
    assert (record["spot"]["operation"], record["spot"]["changes"]) == ("update", drift)
    # A template without its group (a run killed between the two) is an update too: the group is what it makes.
    assert (record["ondemand"]["operation"], record["ondemand"]["changes"]) == (
        "update",
        ["Auto Scaling group cif-ondemand: missing"],
    )


def test_a_pool_the_read_did_not_see_is_recorded_empty():
    assert pool_record(pools()[:1], {}, None, None)["spot"]["launch_template_id"] == ""


@pytest.mark.parametrize(
    ("current", "templates", "message"),
    [
        ([], [], r"^current must be fleet_worker_pool_info's result"),
        ({}, "results", r"^templates must be the keep task's registered results \(a list\)"),
        ({}, ["result"], r"^templates must be the keep task's registered results \(a list of mappings\)"),
    ],
)
def test_a_record_from_something_else_fails(current, templates, message):
    with pytest.raises(PoolError, match=message):
        pool_record(pools(), current, templates, [])


# ------------------------------------------------------------------------------------------------- the filters


def test_the_filters_ansible_finds():
    assert found_filters("worker_pool_arguments", "worker_pool_record") == {
        "worker_pool_arguments": worker_pool_arguments,
        "worker_pool_record": worker_pool_record,
    }


def test_the_filters_raise_ansible_errors_named_after_them():
    with pytest.raises(AnsibleFilterError, match=r"^worker_pool_arguments: worker_pool_plan\.pools must be"):
        worker_pool_arguments({}, **FACTS, variable="worker_pool_plan.pools")
    with pytest.raises(AnsibleFilterError, match=r"^worker_pool_arguments: subnet_ids must be a list"):
        worker_pool_arguments(pools())
    with pytest.raises(AnsibleFilterError, match=r"^worker_pool_arguments: variable must be a string"):
        worker_pool_arguments(pools(), **FACTS, variable=1)
    with pytest.raises(AnsibleFilterError, match=r"^worker_pool_record: current must be"):
        worker_pool_record(pools(), [])


def test_the_filters_give_what_the_plugin_util_gives():
    plan_pools = pools()
    assert worker_pool_arguments(plan_pools, **FACTS) == pool_arguments(plan_pools, **FACTS)
    assert worker_pool_record(plan_pools) == pool_record(plan_pools, {}, [], [])


# ------------------------------------------------------------------------------------------------- the role


def role_plan_option() -> dict:
    specs = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())
    return specs["argument_specs"]["main"]["options"]["worker_pool_plan"]


def test_the_roles_argument_spec_describes_the_plan_part_key_for_key():
    part = worker_pool_part()
    option = role_plan_option()
    assert option["type"] == "dict"
    assert set(option["options"]) == set(part)
    assert set(option["options"]["fleet"]["options"]) == set(part["fleet"])
    assert set(option["options"]["pools"]["options"]) == set(part["pools"][0])


def test_the_roles_argument_spec_accepts_a_plan_part_as_the_model_makes_it():
    """The role validates its inputs with the same code as a module's argument spec."""
    option = role_plan_option()
    spec = {"worker_pool_plan": {key: value for key, value in option.items() if key != "description"}}
    strip = strip_descriptions(spec)
    for part in (worker_pool_part(), worker_pool_part(fleet_tag_key="acme:fleet", fleet_worker_ami=None)):
        result = ArgumentSpecValidator(strip).validate({"worker_pool_plan": copy.deepcopy(part)})
        assert not result.error_messages, result.error_messages


def strip_descriptions(spec: dict) -> dict:
    stripped = {}
    for name, option in spec.items():
        kept = {key: value for key, value in option.items() if key != "description"}
        if "options" in kept:
            kept["options"] = strip_descriptions(kept["options"])
        stripped[name] = kept
    return stripped


def test_the_role_holds_no_jinja_program():
    for path in ROLE.rglob("*.yml"):
        assert "{%" not in path.read_text(), path
