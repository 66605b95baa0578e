# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet model (plugin_utils/_fleet_plan and the fleet_plan filter): each default, derived name and rule the
plan holds, once; a wrong description gives its problems and no plan; the plan never holds the API token."""

from __future__ import annotations

import copy
import json
import re

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.fleet_host_runners import fleet_host_runners
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.fleet_plan import fleet_plan
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.fleet_ssm_path import fleet_ssm_path
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_plan import (
    HOST_KEYS,
    carve,
    host_runners,
    resolve,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_fleet import PENDING_ID, PENDING_TOKEN

TOKEN = "glpat-plan-SECRET-7d1e0b"
ACCOUNT = "123456789012"
AMI = "ami-0123456789abcdef0"


def description(**overrides) -> dict:
    base = {
        "fleet_name": "cif",
        "fleet_region": "eu-west-1",
        "fleet_gitlab_url": "https://gitlab.example.com/",
        "fleet_gitlab_api_token": TOKEN,
        "fleet_managers": {"ami": AMI},
        "fleet_worker_ami": AMI,
        "fleet_runners": [
            {"name": "small", "runner_type": "instance_type", "tags": ["docker"], "executor": "docker-autoscaler"},
            {
                "name": "shell",
                "runner_type": "instance_type",
                "tags": ["sh"],
                "executor": "shell",
                "limit": 2,
                "allow_manager_role": True,
            },
        ],
    }
    base.update(overrides)
    return base


def plan_of(**overrides) -> dict:
    """The plan, each role's part without the fleet basics it repeats (test_every_part_carries_the_fleet_basics)."""
    resolved = resolve(description(**overrides), account_id=ACCOUNT)
    assert resolved["problems"] == []
    return {
        name: {key: value for key, value in part.items() if key != "fleet"} if name in ROLE_PARTS else part
        for name, part in resolved["plan"].items()
    }


ROLE_PARTS = ("network", "security", "cache", "registration", "worker_pool", "managers", "runner_host")


def test_every_part_carries_the_fleet_basics():
    plan = resolve(description(fleet_tag_key="acme:fleet"), account_id=ACCOUNT)["plan"]
    basics = {"name": "cif", "region": "eu-west-1", "tag_key": "acme:fleet", "tags": plan["fleet"]["tags"]}
    assert set(plan) == {"fleet", "runners", *ROLE_PARTS}
    for name in ROLE_PARTS:
        assert plan[name]["fleet"] == basics, name


# --- the fleet as a whole -----------------------------------------------------------------------------------------


def test_fleet_part_applies_defaults_and_names():
    fleet = plan_of()["fleet"]
    assert fleet == {
        "name": "cif",
        "region": "eu-west-1",
        "tag_key": "runnerfleet:fleet",
        "tags": {"runnerfleet:fleet": "cif", "ManagedBy": "runnerfleet.gitlab_aws"},
        "filters": {"tag:runnerfleet:fleet": "cif"},
        "ssm_path": "/runnerfleet/cif",
        "gitlab_url": "https://gitlab.example.com",
        "gitlab_validate_certs": True,
        "image_parameters": [],
    }


def test_the_users_tag_key_tags_and_finds_everything():
    plan = plan_of(fleet_tag_key="acme:fleet", fleet_extra_tags={"team": "ci", "cost": 42})
    assert plan["fleet"]["tags"] == {
        "team": "ci",
        "cost": "42",
        "acme:fleet": "cif",
        "ManagedBy": "runnerfleet.gitlab_aws",
    }
    assert plan["fleet"]["filters"] == {"tag:acme:fleet": "cif"}
    assert "runnerfleet:fleet" not in json.dumps(plan)
    assert plan["worker_pool"]["pools"][0]["tags"]["acme:fleet"] == "cif"


def test_given_fleet_tags_are_kept_as_strings():
    tags = {"runnerfleet:fleet": "cif", "ManagedBy": "me", "n": 1}
    assert plan_of(fleet_tags=tags)["fleet"]["tags"] == {"runnerfleet:fleet": "cif", "ManagedBy": "me", "n": "1"}


def test_null_variables_take_their_defaults():
    plan = plan_of(fleet_tag_key=None, fleet_network=None, fleet_cache=None, fleet_gitlab_validate_certs=None)
    assert plan["fleet"]["tag_key"] == "runnerfleet:fleet"
    assert plan["network"]["vpc_cidr"] == "10.80.0.0/16"
    assert plan["cache"]["expiration_days"] == 14
    assert plan["fleet"]["gitlab_validate_certs"] is True


# --- network ----------------------------------------------------------------------------------------------------


def test_network_carves_public_then_private_subnets():
    network = plan_of()["network"]
    assert network["public_cidrs"] == ["10.80.0.0/20", "10.80.16.0/20"]
    assert network["private_cidrs"] == ["10.80.32.0/20", "10.80.48.0/20"]
    assert network["zone_count"] == 2
    assert network["existing"] is False


def test_network_zone_count_follows_named_zones():
    network = plan_of(
        fleet_network={"vpc_cidr": "10.1.0.0/24", "availability_zones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"]}
    )["network"]
    assert network["zone_count"] == 3
    assert network["public_cidrs"] == ["10.1.0.0/28", "10.1.0.16/28", "10.1.0.32/28"]
    assert network["private_cidrs"] == ["10.1.0.48/28", "10.1.0.64/28", "10.1.0.80/28"]


def test_network_given_cidrs_win():
    network = plan_of(
        fleet_network={"public_subnet_cidrs": ["10.80.200.0/24", "10.80.201.0/24"], "private_subnet_cidrs": []}
    )["network"]
    assert network["public_cidrs"] == ["10.80.200.0/24", "10.80.201.0/24"]
    assert network["private_cidrs"] == ["10.80.32.0/20", "10.80.48.0/20"]


def test_existing_network_carves_nothing():
    network = plan_of(fleet_network={"vpc_id": "vpc-0abc", "private_subnet_ids": ["subnet-01"]})["network"]
    assert network["existing"] is True
    assert network["vpc_id"] == "vpc-0abc"
    assert network["private_subnet_ids"] == ["subnet-01"]
    assert network["public_cidrs"] == network["private_cidrs"] == []


def test_network_names_are_per_fleet_with_zone_patterns():
    names = plan_of()["network"]["names"]
    assert names == {
        "vpc": "cif-vpc",
        "internet_gateway": "cif-igw",
        "public_subnet": "cif-public-{zone}",
        "private_subnet": "cif-private-{zone}",
        "nat": "cif-nat-{zone}",
        "public_route_table": "cif-public",
        "private_route_table": "cif-private-{zone}",
        "s3_endpoint": "cif-s3",
    }
    assert names["nat"].format(zone="eu-west-1a") == "cif-nat-eu-west-1a"


def test_carve_takes_subnets_in_address_order():
    assert carve("10.0.0.0/16", 3) == ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]


# --- security, cache ------------------------------------------------------------------------------------------------


def test_security_names():
    security = plan_of(
        fleet_managers={"ami": AMI, "connection": "ssh", "ssh_bastion": "b", "ssh_cidrs": ["10.0.0.0/24"]}
    )["security"]
    assert security == {
        "ssm_path": "/runnerfleet/cif",
        "cache_bucket": f"cif-runner-cache-{ACCOUNT}",
        "cache_bucket_known": True,
        "cache_kms_key_id": "",
        "manager_group": "cif-managers",
        "worker_group": "cif-workers",
        "manager_role": "cif-manager",
        "worker_role": "cif-worker",
        "manager_policy": "cif-manager",
        "manager_ssh_cidrs": ["10.0.0.0/24"],
        "autoscaling_group_prefix": "cif-",
    }


def test_cache_bucket_is_named_after_fleet_and_account():
    cache = plan_of(fleet_cache={"expiration_days": 3, "kms_key_id": "alias/ci"})["cache"]
    assert cache == {
        "bucket": f"cif-runner-cache-{ACCOUNT}",
        "account_known": True,
        "expiration_days": 3,
        "kms_key_id": "alias/ci",
        "remove_on_teardown": False,
    }


def test_cache_bucket_before_the_account_is_known():
    cache = resolve(description())["plan"]["cache"]
    assert cache["bucket"] == "cif-runner-cache-000000000000"
    assert cache["account_known"] is False


# --- runners ------------------------------------------------------------------------------------------------------


def test_registration_entries_carry_gitlab_attributes_only():
    runners = [
        {
            "name": "grp",
            "runner_type": "group_type",
            "group": "platform/infra",
            "tags": ["a", "b"],
            "run_untagged": False,
            "paused": True,
            "maximum_timeout": 3600,
            "maintenance_note": "n",
            "executor": "shell",
            "allow_manager_role": True,
            "limit": 3,
        }
    ]
    registration = plan_of(fleet_runners=runners)["registration"]
    assert registration["gitlab_url"] == "https://gitlab.example.com"
    assert registration["gitlab_validate_certs"] is True
    assert registration["ssm_path"] == "/runnerfleet/cif/runners"
    assert registration["description_prefix"] == "cif-"
    assert registration["runners"] == [
        {
            "name": "grp",
            "description": "cif-grp",
            "runner_type": "group_type",
            "group": "platform/infra",
            "tag_list": ["a", "b"],
            "run_untagged": False,
            "paused": True,
            "maximum_timeout": 3600,
            "maintenance_note": "n",
        }
    ]


def test_worker_pools_only_for_docker_autoscaler_entries_with_defaults():
    pools = plan_of()["worker_pool"]["pools"]
    assert pools == [
        {
            "entry": "small",
            "template_name": "cif-small",
            "group_name": "cif-small",
            "ami": AMI,
            "ami_parameter": "",
            "instance_types": ["m5.large"],
            "spot": True,
            "on_demand_base": 0,
            "on_demand_percentage": 0,
            "spot_allocation_strategy": "price-capacity-optimized",
            "max_instances": 10,
            "capacity_per_instance": 1,
            "root_size": 30,
            "volume_type": "gp3",
            "tags": {
                "runnerfleet:fleet": "cif",
                "ManagedBy": "runnerfleet.gitlab_aws",
                "Name": "cif-small",
                "runnerfleet:worker-pool": "small",
            },
        }
    ]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"instance_types": ["c5.large", "c5a.large"]}, {"instance_types": ["c5.large", "c5a.large"]}),
        ({"instance_type": "t3.small"}, {"instance_types": ["t3.small"]}),
        ({"spot": False}, {"spot": False, "on_demand_percentage": 100}),
        ({"autoscaling_group": "own-group"}, {"group_name": "own-group", "template_name": "cif-small"}),
        ({"ami": "ami-0fedcba9876543210"}, {"ami": "ami-0fedcba9876543210"}),
        (
            {"max_instances": 4, "capacity_per_instance": 2, "on_demand_base": 1},
            {"max_instances": 4, "capacity_per_instance": 2, "on_demand_base": 1},
        ),
        ({"root_size": 80, "volume_type": "io2"}, {"root_size": 80, "volume_type": "io2"}),
        ({"spot_allocation_strategy": "lowest-price"}, {"spot_allocation_strategy": "lowest-price"}),
    ],
)
def test_worker_pool_settings_from_the_entry(entry, expected):
    runner = {"name": "small", "runner_type": "instance_type", "tags": ["d"], "executor": "docker-autoscaler", **entry}
    pool = plan_of(fleet_runners=[runner])["worker_pool"]["pools"][0]
    assert {key: pool[key] for key in expected} == expected


def test_managers_names_and_defaults():
    shell_only = [
        {"name": "sh", "runner_type": "instance_type", "tags": ["sh"], "executor": "shell", "allow_manager_role": True}
    ]
    managers = plan_of(fleet_managers={"ami": AMI, "count": 3}, fleet_runners=shell_only)["managers"]
    assert managers == {
        "count": 3,
        "names": ["cif-manager-1", "cif-manager-2", "cif-manager-3"],
        "name_pattern": "^cif\\-manager\\-[1-9][0-9]*$",
        "instance_type": "t3.medium",
        "ami": AMI,
        "ami_parameter": "",
        "connection": "ssm",
        "ssh_bastion": "",
        "ssh_user": "ec2-user",
        "inventory_group": "runner_managers",
        # One hop: a job container on the manager never reaches its instance role.
        "metadata_options": {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1},
    }


def test_manager_name_pattern_matches_every_number_and_nothing_else():
    pattern = re.compile(plan_of()["managers"]["name_pattern"])
    assert pattern.match("cif-manager-1") and pattern.match("cif-manager-12")
    assert not pattern.match("cif-manager-0") and not pattern.match("cif-manager-1x")
    assert not pattern.match("cifx-manager-1") and not pattern.match("other-cif-manager-1")


def test_runner_host_part():
    host = plan_of(fleet_runner_settings={"check_interval": 3})["runner_host"]
    assert host["install"] is True
    assert host["gitlab_runner_version"] == "18.9.0"
    assert host["settings"] == {"check_interval": 3}
    assert host["token_ssm_path"] == "/runnerfleet/cif/runners"
    assert host["docker_machine_ssm_path"] == "/runnerfleet/cif/docker-machine"
    assert host["runners"] == [
        {"name": "small", "executor": "docker-autoscaler"},
        {"name": "shell", "executor": "shell", "limit": 2},
    ]


def test_host_entries_keep_config_keys_only_and_docker_machine_takes_one_type():
    runner = {
        "name": "dm",
        "runner_type": "instance_type",
        "tags": ["dm"],
        "maintenance_note": "gitlab only",
        "executor": "docker+machine",
        "instance_types": ["c5.large"],
        "idle_count": 1,
        "config": {"environment": ["A=1"]},
    }
    host = plan_of(
        fleet_runners=[runner], fleet_docker_machine_version="0.16.2-gitlab.34", fleet_docker_machine_sha256="a" * 64
    )["runner_host"]
    assert host["runners"] == [
        {
            "name": "dm",
            "executor": "docker+machine",
            "instance_type": "c5.large",
            "idle_count": 1,
            "config": {"environment": ["A=1"]},
            "ami": AMI,  # fleet_worker_ami
        }
    ]
    assert set(host["runners"][0]) <= set(HOST_KEYS)


def test_runners_are_listed_with_their_executor():
    assert plan_of()["runners"] == [
        {"name": "small", "executor": "docker-autoscaler"},
        {"name": "shell", "executor": "shell"},
    ]


# --- validation ------------------------------------------------------------------------------------------------


def test_a_wrong_description_gives_problems_and_no_plan():
    resolved = resolve(description(fleet_name="Bad_Name", fleet_network={"az_count": 9}))
    assert resolved["plan"] == {}
    assert any(problem.startswith("fleet_name ") for problem in resolved["problems"])
    assert any(problem.startswith("fleet_network.az_count ") for problem in resolved["problems"])


def test_the_plan_never_holds_the_token():
    plan = plan_of()
    assert TOKEN not in json.dumps(plan)


def test_resolve_does_not_change_the_description():
    given = description(
        fleet_runners=[{"name": "a", "runner_type": "instance_type", "tags": ["x"], "executor": "shell", "limit": None}]
    )
    before = copy.deepcopy(given)
    resolve(given, account_id=ACCOUNT)
    assert given == before


# --- the filters ------------------------------------------------------------------------------------------------


def test_fleet_plan_filter_checks_its_options():
    with pytest.raises(AnsibleFilterError, match="account_id"):
        fleet_plan(description(), account_id="abc")
    with pytest.raises(AnsibleFilterError, match="images"):
        fleet_plan(description(), images=["ami-1"])
    assert fleet_plan(description(), account_id=ACCOUNT)["plan"]["cache"]["account_known"] is True


def test_host_runners_add_ids_and_tokens_by_name():
    runners = [{"name": "a", "executor": "shell"}, {"name": "b", "executor": "shell"}]
    tokens = {
        "a": {"id": 7, "token": "glrt-a", "token_expires_at": "2027-01-01T00:00:00Z"},
        "b": {"id": 8, "token": "glrt-b"},
    }
    assert host_runners(runners, tokens) == [
        {"name": "a", "executor": "shell", "id": 7, "token": "glrt-a", "token_expires_at": "2027-01-01T00:00:00Z"},
        {"name": "b", "executor": "shell", "id": 8, "token": "glrt-b"},
    ]
    assert fleet_host_runners(runners, tokens) == host_runners(runners, tokens)
    with pytest.raises(AnsibleFilterError):
        fleet_host_runners("a")
    with pytest.raises(AnsibleFilterError):
        fleet_host_runners(runners, ["x"])
    with pytest.raises(AnsibleFilterError, match="preview"):
        fleet_host_runners(runners, tokens, preview="maybe")


def test_a_runner_not_created_yet_is_an_error_outside_a_preview_and_a_placeholder_in_one():
    runners = [{"name": "a", "executor": "shell"}, {"name": "new", "executor": "shell"}]
    # What the registration hands on in check mode for a runner it would create: no id, no token.
    tokens = {"a": {"id": 7, "token": "glrt-a"}, "new": {"id": None, "token": None}, "rekeyed": {"id": 9}}
    runners.append({"name": "rekeyed", "executor": "shell"})
    with pytest.raises(AnsibleFilterError, match=r"^fleet_host_runners: runner entry new has no runner in GitLab"):
        fleet_host_runners(runners, tokens)
    with pytest.raises(AnsibleFilterError, match="runner entry new"):
        fleet_host_runners(runners, {"a": tokens["a"]})
    previewed = fleet_host_runners(runners, tokens, preview=True)
    assert previewed[0] == {"name": "a", "executor": "shell", "id": 7, "token": "glrt-a"}
    assert previewed[1] == {"name": "new", "executor": "shell", "id": PENDING_ID, "token": f"{PENDING_TOKEN}-new"}
    # A runner check mode would re-key keeps its id; only its token is a placeholder.
    assert previewed[2] == {"name": "rekeyed", "executor": "shell", "id": 9, "token": f"{PENDING_TOKEN}-rekeyed"}


def test_fleet_ssm_path_is_the_plans():
    plan = resolve(description(), account_id=ACCOUNT)["plan"]
    assert fleet_ssm_path("cif") == plan["fleet"]["ssm_path"] == "/runnerfleet/cif"
    assert fleet_ssm_path("cif", "runners") == plan["registration"]["ssm_path"] == plan["runner_host"]["token_ssm_path"]
    assert fleet_ssm_path("cif", "docker-machine") == plan["runner_host"]["docker_machine_ssm_path"]
    with pytest.raises(AnsibleFilterError, match="part"):
        fleet_ssm_path("cif", "tokens")
    with pytest.raises(AnsibleFilterError, match="name"):
        fleet_ssm_path("")


# --- Default images ---------------------------------------------------------------------------------------------

AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
ECS_AL2023 = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
UBUNTU_ARM = "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id"
MACHINE_ENTRY = {
    "name": "dm",
    "runner_type": "instance_type",
    "tags": ["dm"],
    "executor": "docker+machine",
    "instance_type": "m7g.large",
}


def test_named_amis_need_no_parameter():
    plan = resolve(description(), account_id=ACCOUNT)["plan"]
    assert plan["fleet"]["image_parameters"] == []
    assert (plan["managers"]["ami"], plan["managers"]["ami_parameter"]) == (AMI, "")
    assert [(pool["ami"], pool["ami_parameter"]) for pool in plan["worker_pool"]["pools"]] == [(AMI, "")]


def test_without_amis_the_plan_names_the_parameters_to_read():
    runners = [*description()["fleet_runners"], MACHINE_ENTRY]
    described = description(
        fleet_managers={},
        fleet_worker_ami=None,
        fleet_runners=runners,
        fleet_docker_machine_version="0.16.2-gitlab.34",
        fleet_docker_machine_sha256="a" * 64,
    )
    plan = resolve(described)["plan"]
    assert plan["fleet"]["image_parameters"] == [AL2023, UBUNTU_ARM, ECS_AL2023]
    assert (plan["managers"]["ami"], plan["managers"]["ami_parameter"]) == ("", AL2023)
    assert [(pool["ami"], pool["ami_parameter"]) for pool in plan["worker_pool"]["pools"]] == [("", ECS_AL2023)]
    # docker+machine without an image id yet: docker-machine's own default, until pre-flight reads the parameter.
    assert "ami" not in next(entry for entry in plan["runner_host"]["runners"] if entry["name"] == "dm")

    images = {AL2023: "ami-11111111", ECS_AL2023: "ami-22222222", UBUNTU_ARM: "ami-33333333"}
    plan = resolve(described, images=images)["plan"]
    assert plan["managers"]["ami"] == "ami-11111111"
    assert [pool["ami"] for pool in plan["worker_pool"]["pools"]] == ["ami-22222222"]
    assert next(entry for entry in plan["runner_host"]["runners"] if entry["name"] == "dm")["ami"] == "ami-33333333"
    # The other parts are the same with or without the images: only the AMIs are read from AWS.
    assert plan["network"] == resolve(described)["plan"]["network"]


def test_an_entry_ami_and_fleet_worker_ami_win_over_the_default_image():
    entry = dict(MACHINE_ENTRY, ami="ami-44444444")
    plan = resolve(
        description(
            fleet_runners=[entry], fleet_docker_machine_version="0.16.2-gitlab.34", fleet_docker_machine_sha256="a" * 64
        )
    )["plan"]
    assert plan["runner_host"]["runners"][0]["ami"] == "ami-44444444"
    assert plan["fleet"]["image_parameters"] == []
    plan = resolve(
        description(
            fleet_runners=[MACHINE_ENTRY],
            fleet_docker_machine_version="0.16.2-gitlab.34",
            fleet_docker_machine_sha256="a" * 64,
        )
    )["plan"]
    assert plan["runner_host"]["runners"][0]["ami"] == AMI  # fleet_worker_ami


def test_the_filter_passes_the_images():
    described = description(fleet_managers={})
    plan = fleet_plan(described, account_id=ACCOUNT, images={AL2023: "ami-55555555"})["plan"]
    assert plan["managers"]["ami"] == "ami-55555555"


def test_the_runner_host_roles_argument_spec_takes_the_plan_part_key_for_key():
    """runner_host_plan is described option by option, so the role refuses a key the model adds without saying."""
    from pathlib import Path  # noqa: PLC0415

    import yaml  # noqa: PLC0415
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # noqa: PLC0415

    spec_file = Path(__file__).resolve().parents[4] / "roles" / "runner_host" / "meta" / "argument_specs.yml"
    option = yaml.safe_load(spec_file.read_text())["argument_specs"]["main"]["options"]["runner_host_plan"]
    part = resolve(description(), account_id=ACCOUNT)["plan"]["runner_host"]
    assert set(option["options"]) == set(part)

    def without_descriptions(options: dict) -> dict:
        return {
            name: {key: value for key, value in each.items() if key != "description"} for name, each in options.items()
        }

    spec = {"runner_host_plan": {"type": "dict", "options": without_descriptions(option["options"])}}
    result = ArgumentSpecValidator(spec).validate({"runner_host_plan": copy.deepcopy(part)})
    assert not result.error_messages, result.error_messages
