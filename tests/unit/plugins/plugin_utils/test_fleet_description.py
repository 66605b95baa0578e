# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet description checked as a whole (plugin_utils/_fleet_description and the fleet_description_problems
filter): the example in group_vars/all/fleet.yml passes; each rule fails with a message that starts with the
variable's path; odd input (wrong types, null, nesting) gives problems, never an exception; the API token is never
part of a message."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.fleet_description_problems import (
    FilterModule,
    fleet_description_problems,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.fleet_plan import fleet_plan
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _fleet_description
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_description import (
    FROM_ENVIRONMENT,
    KNOWN_VARIABLES,
    PLAY_VARIABLES,
    VARIABLES,
    nearest,
    problems,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

COLLECTION_ROOT = Path(_fleet_description.__file__).resolve().parents[2]
EXAMPLE = COLLECTION_ROOT / "group_vars" / "all" / "fleet.yml"
PREFLIGHT_DESCRIPTION = COLLECTION_ROOT / "playbooks" / "vars" / "fleet_description.yml"
TOKEN = "glpat-unit-SECRET-4f9c2a"
AMI = "ami-0123456789abcdef0"
# What the example leaves to the environment (FROM_ENVIRONMENT), as pre-flight's lookups would give it.
RENDERED = {
    "fleet_region": "eu-west-1",
    "fleet_gitlab_url": "https://gitlab.example.com",
    "fleet_gitlab_api_token": TOKEN,
}


def load_example() -> dict:
    description = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    templated = sorted(name for name, value in description.items() if isinstance(value, str) and "{{" in value)
    assert templated == [], "the example has Jinja values: a default belongs in the model, not in the example"
    assert not set(RENDERED) & set(description), "the example sets what it should leave to the environment"
    description.update(RENDERED)
    return with_fleet_tags(description)


def with_fleet_tags(description: dict) -> dict:
    """fleet_tags as pre-flight passes it when the description does not set it: null (the plan derives it)."""
    description["fleet_tags"] = None
    return description


EXAMPLE_DESCRIPTION = load_example()


def example() -> dict:
    return copy.deepcopy(EXAMPLE_DESCRIPTION)


def changed(*changes: tuple[str, object]) -> dict:
    """The example with values set at dotted paths (`fleet_runners.0.executor`); the value DELETE removes the key."""
    description = example()
    for path, value in changes:
        *parents, last = path.split(".")
        target = description
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key = int(last) if isinstance(target, list) else last
        if value is DELETE:
            del target[key]
        else:
            target[key] = value
    # fleet_tags is a template over the others, unless a change sets it.
    return (
        description if any(path.startswith("fleet_tags") for path, _value in changes) else with_fleet_tags(description)
    )


DELETE = object()


def autoscaler(**keys: object) -> dict:
    return {"name": "extra", "runner_type": "instance_type", "tags": ["x"], "executor": "docker-autoscaler", **keys}


def machine(**keys: object) -> dict:
    return {"name": "extra", "runner_type": "instance_type", "tags": ["x"], "executor": "docker+machine", **keys}


def with_entry(entry: dict, *changes: tuple[str, object]) -> dict:
    description = changed(*changes)
    description["fleet_runners"].append(entry)
    return description


# --- The example --------------------------------------------------------------------------------------------


def test_the_example_passes_without_any_ami():
    # The managers and the workers boot their default images (plugins/plugin_utils/_images.py) when none is named.
    assert problems(example()) == []
    assert problems(changed(("fleet_managers.ami", AMI), ("fleet_worker_ami", AMI))) == []


def test_an_entry_may_not_mix_architectures():
    (found,) = problems(changed(("fleet_runners.0.instance_types", ["m7g.large", "m5.large", "t4g.large"])))
    assert found == (
        "fleet_runners[small].instance_types mixes architectures (arm64: m7g.large, t4g.large; x86_64: m5.large); one "
        "image boots one architecture, so split the entry"
    )
    assert problems(changed(("fleet_runners.0.instance_types", ["m7g.large", "c7gn.xlarge"]))) == []


def test_every_key_of_a_runner_entry_is_accepted_where_it_applies():
    full_autoscaler = autoscaler(
        name="full",
        runner_type="project_type",
        project="platform/website",
        tags=["a", "b"],
        run_untagged=False,
        locked=True,
        paused=False,
        access_level="ref_protected",
        maximum_timeout=3600,
        maintenance_note="owned by the platform team",
        limit=8,
        request_concurrency=2,
        image="alpine:3.20",
        privileged=True,
        cache=False,
        cache_shared=True,
        instance_types=["m5.large", "m5a.large"],
        spot=True,
        ami=AMI,
        root_size=50,
        volume_type="gp3",
        ssh_user="ec2-user",
        idle_count=2,
        idle_time=600,
        max_builds=5,
        max_instances=4,
        capacity_per_instance=2,
        on_demand_base=1,
        spot_allocation_strategy="capacity-optimized",
        autoscaling=[
            {"periods": ["* 8-18 * * mon-fri"], "timezone": "Europe/Berlin", "idle_count": 4, "idle_time": 60}
        ],
        autoscaling_group="custom-group",
        config={"docker": {"shm_size": 268435456}},
    )
    full_machine = machine(
        name="machine",
        runner_type="group_type",
        group=12,
        instance_type="m5.large",
        spot_price="0.05",
        zone="eu-west-1b",
        limit=5,
        idle_count=5,
        autoscaling=[{"periods": ["* * 8-18 * * mon-fri *"], "idle_count": 1}],
    )
    others = [
        {"name": "docker", "runner_type": "instance_type", "executor": "docker", "image": "ruby:3", "limit": 2},
        {
            "name": "shell",
            "runner_type": "instance_type",
            "run_untagged": True,
            "executor": "shell",
            "allow_manager_role": True,
        },
        {
            "name": "custom",
            "runner_type": "instance_type",
            "executor": "custom",
            "config": {"custom": {"run_exec": "/r"}},
        },
    ]
    description = example()
    description["fleet_runners"] += [full_autoscaler, full_machine, *others]
    description["fleet_docker_machine_version"] = "0.16.2-gitlab.34"
    description["fleet_docker_machine_sha256"] = "a" * 64
    assert problems(description) == []


def test_an_existing_vpc_with_its_subnets_passes():
    network = {"vpc_id": "vpc-0abc1234", "private_subnet_ids": ["subnet-0aa", "subnet-0bb"], "public_subnet_ids": []}
    assert problems(changed(("fleet_network", network))) == []


def test_given_subnet_cidrs_that_fit_pass():
    network = {
        "vpc_cidr": "10.0.0.0/24",
        "availability_zones": ["eu-west-1a", "eu-west-1c"],
        "public_subnet_cidrs": ["10.0.0.0/28", "10.0.0.16/28"],
        "private_subnet_cidrs": ["10.0.0.128/26", "10.0.0.192/26"],
        "nat_mode": "shared",
    }
    assert problems(changed(("fleet_network", network))) == []


def test_ssh_managers_through_a_bastion_pass():
    managers = {
        "count": 1,
        "instance_type": "t3.large",
        "ami": AMI,
        "connection": "ssh",
        "ssh_bastion": "jump@bastion.example.com:2222",
        "ssh_user": "ubuntu",
        "ssh_cidrs": ["10.1.0.0/24", "2001:db8::/64"],
    }
    assert problems(changed(("fleet_managers", managers))) == []


# --- Each rule: a failing case and the path its message starts with ------------------------------------------

CASES = [
    # name, region
    ("name too short", changed(("fleet_name", "ab")), "fleet_name must be 3 to 32"),
    ("name with capitals", changed(("fleet_name", "Bad_Name")), "fleet_name must be"),
    ("name missing", changed(("fleet_name", DELETE)), "fleet_name is missing"),
    ("region", changed(("fleet_region", "moon-1")), "fleet_region must be an AWS region"),
    ("region as a number", changed(("fleet_region", 1)), "fleet_region must be"),
    # GitLab
    ("url empty", changed(("fleet_gitlab_url", "")), "fleet_gitlab_url is empty"),
    ("url scheme", changed(("fleet_gitlab_url", "ftp://gitlab.example.com")), "fleet_gitlab_url must be an http(s)"),
    ("url without host", changed(("fleet_gitlab_url", "https://")), "fleet_gitlab_url must be an http(s)"),
    ("url with a query", changed(("fleet_gitlab_url", "https://g.example.com/?a=1")), "fleet_gitlab_url must be"),
    ("url with api/v4", changed(("fleet_gitlab_url", "https://g.example.com/api/v4")), "fleet_gitlab_url must be"),
    ("url bad port", changed(("fleet_gitlab_url", "https://g.example.com:99999")), "fleet_gitlab_url must be"),
    ("url credentials", changed(("fleet_gitlab_url", "https://u:p@g.example.com")), "fleet_gitlab_url carries"),
    ("token empty", changed(("fleet_gitlab_api_token", "")), "fleet_gitlab_api_token is empty"),
    ("token missing", changed(("fleet_gitlab_api_token", None)), "fleet_gitlab_api_token is missing"),
    ("token not a string", changed(("fleet_gitlab_api_token", 12345)), "fleet_gitlab_api_token is not a string"),
    ("token with a newline", changed(("fleet_gitlab_api_token", TOKEN + "\n")), "fleet_gitlab_api_token contains"),
    ("validate_certs", changed(("fleet_gitlab_validate_certs", "yes")), "fleet_gitlab_validate_certs must be true"),
    # tags
    ("extra tags a string", changed(("fleet_extra_tags", "team=ci")), "fleet_extra_tags must be a mapping"),
    (
        "extra tag is the fleet's",
        changed(("fleet_extra_tags", {"runnerfleet:fleet": "x"})),
        "fleet_extra_tags.runnerfleet:fleet is",
    ),
    (
        "extra tag aws:",
        changed(("fleet_extra_tags", {"aws:owner": "x"})),
        "fleet_extra_tags.aws:owner starts with aws:",
    ),
    ("extra tag key long", changed(("fleet_extra_tags", {"k" * 129: "x"})), "fleet_extra_tags.kkkk"),
    (
        "extra tag value long",
        changed(("fleet_extra_tags", {"team": "v" * 257})),
        "fleet_extra_tags.team must be at most 256",
    ),
    ("extra tag value list", changed(("fleet_extra_tags", {"team": ["a"]})), "fleet_extra_tags.team must be a string"),
    ("extra tag value bool", changed(("fleet_extra_tags", {"team": True})), "fleet_extra_tags.team must be a string"),
    ("extra tag Name", changed(("fleet_extra_tags", {"Name": "x"})), "fleet_extra_tags.Name is set by the fleet"),
    ("extra tag characters", changed(("fleet_extra_tags", {"team": "a,b"})), "fleet_extra_tags.team may hold only"),
    (
        "too many extra tags",
        changed(("fleet_extra_tags", {f"t{n}": "x" for n in range(41)})),
        "fleet_extra_tags has 41 tags",
    ),
    ("tag key a list", changed(("fleet_tag_key", ["a"])), "fleet_tag_key must be"),
    (
        "fleet tags without the fleet",
        changed(("fleet_tags", {"ManagedBy": "x"})),
        "fleet_tags.runnerfleet:fleet must be",
    ),
    ("fleet tags a list", changed(("fleet_tags", [])), "fleet_tags must be a mapping"),
    # network
    ("network a list", changed(("fleet_network", [])), "fleet_network must be a mapping"),
    (
        "network unknown key",
        changed(("fleet_network.subnet_bits", 4)),
        "fleet_network.subnet_bits is not a fleet_network key; allowed: vpc_cidr, az_count,",
    ),
    ("network null value", changed(("fleet_network.nat_mode", None)), "fleet_network.nat_mode is null"),
    (
        "vpc cidr host bits",
        changed(("fleet_network.vpc_cidr", "10.80.0.1/16")),
        "fleet_network.vpc_cidr must be an IPv4",
    ),
    ("vpc cidr too large", changed(("fleet_network.vpc_cidr", "10.0.0.0/8")), "fleet_network.vpc_cidr must be an IPv4"),
    ("vpc cidr not a cidr", changed(("fleet_network.vpc_cidr", "10.80.0.0")), "fleet_network.vpc_cidr must be an IPv4"),
    ("vpc cidr ipv6", changed(("fleet_network.vpc_cidr", "2001:db8::/56")), "fleet_network.vpc_cidr must be an IPv4"),
    (
        "carve does not fit",
        changed(("fleet_network.vpc_cidr", "10.80.0.0/26")),
        "fleet_network.vpc_cidr is 10.80.0.0/26, too small",
    ),
    ("az_count 9", changed(("fleet_network.az_count", 9)), "fleet_network.az_count must be an integer from 1 to 6"),
    ("az_count 0", changed(("fleet_network.az_count", 0)), "fleet_network.az_count must be"),
    ("az_count a string", changed(("fleet_network.az_count", "2")), "fleet_network.az_count must be"),
    ("az_count a bool", changed(("fleet_network.az_count", True)), "fleet_network.az_count must be"),
    (
        "zone of another region",
        changed(("fleet_network.availability_zones", ["us-east-1a"])),
        "fleet_network.availability_zones[0] must be a zone of fleet_region",
    ),
    (
        "zone form",
        changed(("fleet_network.availability_zones", ["eu-west-1"])),
        "fleet_network.availability_zones[0] must be a zone name",
    ),
    (
        "zone twice",
        changed(("fleet_network.availability_zones", ["eu-west-1a", "eu-west-1a"])),
        "fleet_network.availability_zones[1] repeats",
    ),
    (
        "zones a string",
        changed(("fleet_network.availability_zones", "eu-west-1a")),
        "fleet_network.availability_zones must be a list",
    ),
    (
        "too many zones",
        changed(("fleet_network.availability_zones", [f"eu-west-1{z}" for z in "abcdefg"])),
        "fleet_network.availability_zones names 7 zones",
    ),
    ("nat mode", changed(("fleet_network.nat_mode", "none")), "fleet_network.nat_mode must be one of per_az, shared"),
    (
        "subnet count",
        changed(("fleet_network.private_subnet_cidrs", ["10.80.16.0/20"])),
        "fleet_network.private_subnet_cidrs must be empty",
    ),
    (
        "subnet outside",
        changed(("fleet_network.private_subnet_cidrs", ["10.80.16.0/20", "10.81.0.0/20"])),
        "fleet_network.private_subnet_cidrs[1] is 10.81.0.0/20, which lies outside",
    ),
    (
        "subnet invalid",
        changed(("fleet_network.private_subnet_cidrs", ["10.80.16.0/20", "nope"])),
        "fleet_network.private_subnet_cidrs[1] must be an IPv4",
    ),
    (
        "subnet too small",
        changed(("fleet_network.private_subnet_cidrs", ["10.80.16.0/20", "10.80.32.0/29"])),
        "fleet_network.private_subnet_cidrs[1] must be an IPv4",
    ),
    (
        "subnets overlap",
        changed(("fleet_network.private_subnet_cidrs", ["10.80.64.0/20", "10.80.64.0/24"])),
        "fleet_network.private_subnet_cidrs[0] is 10.80.64.0/20, which overlaps fleet_network.private_subnet_cidrs[1]",
    ),
    (
        "subnet overlaps a carved one",
        changed(("fleet_network.private_subnet_cidrs", ["10.80.0.0/24", "10.80.64.0/24"])),
        "fleet_network.private_subnet_cidrs[0] is 10.80.0.0/24, which overlaps 10.80.0.0/20, which roles/network "
        "carves from vpc_cidr for fleet_network.public_subnet_cidrs[0]",
    ),
    (
        "existing vpc without subnets",
        changed(("fleet_network.vpc_id", "vpc-0abc1234")),
        "fleet_network.private_subnet_ids is empty",
    ),
    (
        "existing vpc id form",
        changed(("fleet_network.vpc_id", "vpc-XYZ"), ("fleet_network.private_subnet_ids", ["subnet-0a"])),
        "fleet_network.vpc_id must be an existing VPC's id",
    ),
    (
        "existing subnet id form",
        changed(("fleet_network.vpc_id", "vpc-0abc"), ("fleet_network.private_subnet_ids", ["sn-1"])),
        "fleet_network.private_subnet_ids[0] must be subnet ids",
    ),
    (
        "existing subnet twice",
        changed(("fleet_network.vpc_id", "vpc-0abc"), ("fleet_network.private_subnet_ids", ["subnet-0a", "subnet-0a"])),
        "fleet_network.private_subnet_ids[1] repeats",
    ),
    (
        "existing vpc with cidrs",
        changed(
            ("fleet_network.vpc_id", "vpc-0abc"),
            ("fleet_network.private_subnet_ids", ["subnet-0a"]),
            ("fleet_network.public_subnet_cidrs", ["10.80.0.0/24"]),
        ),
        "fleet_network.public_subnet_cidrs is only for a new VPC",
    ),
    (
        "subnet ids without vpc",
        changed(("fleet_network.private_subnet_ids", ["subnet-0a"])),
        "fleet_network.private_subnet_ids is only for an existing VPC",
    ),
    ("vpc id a number", changed(("fleet_network.vpc_id", 5)), "fleet_network.vpc_id must be empty (a new VPC)"),
    # managers
    ("managers a string", changed(("fleet_managers", "one")), "fleet_managers must be a mapping"),
    ("managers unknown key", changed(("fleet_managers.size", 1)), "fleet_managers.size is not a fleet_managers key"),
    ("managers count 0", changed(("fleet_managers.count", 0)), "fleet_managers.count must be an integer from 1 to 10"),
    (
        "managers count 11",
        changed(("fleet_managers.count", 11)),
        "fleet_managers.count must be an integer from 1 to 10",
    ),
    ("managers count string", changed(("fleet_managers.count", "1")), "fleet_managers.count must be"),
    (
        "manager instance type",
        changed(("fleet_managers.instance_type", "medium")),
        "fleet_managers.instance_type must be an EC2",
    ),
    ("manager ami", changed(("fleet_managers.ami", "ami-xyz")), "fleet_managers.ami must be empty or an AMI id"),
    (
        "manager connection",
        changed(("fleet_managers.connection", "winrm")),
        "fleet_managers.connection must be one of ssm, ssh;",
    ),
    ("ssh without bastion", changed(("fleet_managers.connection", "ssh")), "fleet_managers.ssh_bastion is empty"),
    (
        "bastion form",
        changed(("fleet_managers.connection", "ssh"), ("fleet_managers.ssh_bastion", "a b")),
        "fleet_managers.ssh_bastion must be a bastion",
    ),
    (
        "ssh cidrs open",
        changed(
            ("fleet_managers.connection", "ssh"),
            ("fleet_managers.ssh_bastion", "b.example.com"),
            ("fleet_managers.ssh_cidrs", ["0.0.0.0/0"]),
        ),
        "fleet_managers.ssh_cidrs[0] is 0.0.0.0/0, the whole internet",
    ),
    (
        "ssh cidrs open v6",
        changed(
            ("fleet_managers.connection", "ssh"),
            ("fleet_managers.ssh_bastion", "b.example.com"),
            ("fleet_managers.ssh_cidrs", ["::/0"]),
        ),
        "fleet_managers.ssh_cidrs[0] is ::/0",
    ),
    (
        "ssh cidr invalid",
        changed(
            ("fleet_managers.connection", "ssh"),
            ("fleet_managers.ssh_bastion", "b.example.com"),
            ("fleet_managers.ssh_cidrs", ["10.0.0.1/24"]),
        ),
        "fleet_managers.ssh_cidrs[0] must be a CIDR",
    ),
    (
        "ssh cidrs without ssh",
        changed(("fleet_managers.ssh_cidrs", ["10.0.0.0/24"])),
        "fleet_managers.ssh_cidrs is only for connection ssh",
    ),
    ("ssh user", changed(("fleet_managers.ssh_user", "Root User")), "fleet_managers.ssh_user must be a login name"),
    # cache
    ("cache a list", changed(("fleet_cache", [14])), "fleet_cache must be a mapping"),
    (
        "cache unknown key",
        changed(("fleet_cache.versioning", True)),
        "fleet_cache.versioning is not a fleet_cache key; allowed: expiration_days, kms_key_id, remove_on_teardown",
    ),
    (
        "cache expiration 0",
        changed(("fleet_cache.expiration_days", 0)),
        "fleet_cache.expiration_days must be a whole number of days, 1 or more; got 0",
    ),
    ("cache kms", changed(("fleet_cache.kms_key_id", "my-key")), "fleet_cache.kms_key_id must be empty or a KMS key"),
    (
        "cache remove",
        changed(("fleet_cache.remove_on_teardown", "no")),
        "fleet_cache.remove_on_teardown must be true or false",
    ),
    # installation
    ("worker ami", changed(("fleet_worker_ami", "ami-1")), "fleet_worker_ami must be empty or an AMI id"),
    ("install", changed(("fleet_runner_install", "true")), "fleet_runner_install must be true or false"),
    (
        "runner version",
        changed(("fleet_gitlab_runner_version", "v18.9")),
        "fleet_gitlab_runner_version must be a GitLab Runner version",
    ),
    ("runner version a float", changed(("fleet_gitlab_runner_version", 18.9)), "fleet_gitlab_runner_version must be"),
    (
        "machine sha",
        changed(("fleet_docker_machine_sha256", "abc")),
        "fleet_docker_machine_sha256 must be empty or a sha256",
    ),
    (
        "machine version",
        with_entry(machine(instance_type="m5.large")),
        "fleet_docker_machine_version is empty, but fleet_runners[extra] uses docker+machine",
    ),
    (
        # runner_host puts the "v" of the download URL itself: v0.16.2 would fetch vv0.16.2.
        "machine version with a leading v",
        changed(("fleet_docker_machine_version", "v0.16.2-gitlab.34")),
        "fleet_docker_machine_version must be empty or a docker-machine version such as 0.16.2-gitlab.34 (no "
        "leading v)",
    ),
    (
        "machine sha missing",
        with_entry(machine(), ("fleet_docker_machine_version", "0.16.2-gitlab.34")),
        "fleet_docker_machine_sha256 is empty, but fleet_runners[extra]",
    ),
    # settings
    ("settings a list", changed(("fleet_runner_settings", [])), "fleet_runner_settings must be a mapping"),
    (
        "concurrent 0",
        changed(("fleet_runner_settings.concurrent", 0)),
        "fleet_runner_settings.concurrent must be an integer of 1 or more",
    ),
    (
        "check_interval",
        changed(("fleet_runner_settings.check_interval", -1)),
        "fleet_runner_settings.check_interval must be",
    ),
    (
        "log format",
        changed(("fleet_runner_settings.log_format", "xml")),
        "fleet_runner_settings.log_format must be one of runner, text, json",
    ),
    (
        "log level",
        changed(("fleet_runner_settings.log_level", "trace")),
        "fleet_runner_settings.log_level must be one of",
    ),
    (
        "shutdown timeout",
        changed(("fleet_runner_settings.shutdown_timeout", "30s")),
        'fleet_runner_settings.shutdown_timeout is in seconds: "30s" is 30 seconds; write shutdown_timeout: 30',
    ),
    # runners: the list
    ("runners missing", changed(("fleet_runners", DELETE)), "fleet_runners is missing"),
    ("runners a string", changed(("fleet_runners", "small")), "fleet_runners must be a list"),
    ("runners a mapping", changed(("fleet_runners", {"name": "small"})), "fleet_runners must be a list"),
    ("runners empty", changed(("fleet_runners", [])), "fleet_runners is empty"),
    ("entry a string", changed(("fleet_runners.1", "large")), "fleet_runners[1] must be a mapping"),
    (
        "duplicate names",
        changed(("fleet_runners.1.name", "small")),
        'fleet_runners[1].name "small" is also the name of fleet_runners[0]',
    ),
    (
        "two entries on one Auto Scaling group",
        changed(("fleet_runners.1.autoscaling_group", "sandbox-fleet-small")),
        'fleet_runners[large].autoscaling_group "sandbox-fleet-small" is also the Auto Scaling group of '
        "fleet_runners[small]",
    ),
    (
        "unknown key",
        changed(("fleet_runners.0.executer", "shell")),
        "fleet_runners[small].executer is not a runner entry key",
    ),
    (
        "token key",
        changed(("fleet_runners.0.token", "glrt-abc")),
        "fleet_runners[small].token is not a runner entry key",
    ),
    ("null value", changed(("fleet_runners.0.idle_time", None)), "fleet_runners[small].idle_time is null"),
    ("name missing", changed(("fleet_runners.0.name", DELETE)), "fleet_runners[0].name is missing"),
    ("name form", changed(("fleet_runners.0.name", "Small_1")), "fleet_runners[0].name must be 1 to 40"),
    ("name too long", changed(("fleet_runners.0.name", "a" * 41)), "fleet_runners[0].name must be"),
    # runners: GitLab
    (
        "runner type missing",
        changed(("fleet_runners.0.runner_type", DELETE)),
        "fleet_runners[small].runner_type is missing",
    ),
    (
        "runner type",
        changed(("fleet_runners.0.runner_type", "shared")),
        "fleet_runners[small].runner_type must be one of",
    ),
    ("group missing", changed(("fleet_runners.0.runner_type", "group_type")), "fleet_runners[small].group is missing"),
    (
        "group on an instance runner",
        changed(("fleet_runners.0.group", "platform")),
        "fleet_runners[small].group is only for runner_type group_type",
    ),
    (
        "group form",
        changed(("fleet_runners.0.runner_type", "group_type"), ("fleet_runners.0.group", "a b")),
        "fleet_runners[small].group must be",
    ),
    (
        "group a bool",
        changed(("fleet_runners.0.runner_type", "group_type"), ("fleet_runners.0.group", True)),
        "fleet_runners[small].group must be",
    ),
    (
        "project missing",
        changed(("fleet_runners.0.runner_type", "project_type")),
        "fleet_runners[small].project is missing",
    ),
    (
        "project on a group runner",
        changed(
            ("fleet_runners.0.runner_type", "group_type"),
            ("fleet_runners.0.group", 11),
            ("fleet_runners.0.project", 21),
        ),
        "fleet_runners[small].project is only for runner_type project_type",
    ),
    ("tags a string", changed(("fleet_runners.0.tags", "docker,aws")), "fleet_runners[small].tags must be a list"),
    (
        "tag empty",
        changed(("fleet_runners.0.tags", ["docker", ""])),
        "fleet_runners[small].tags[1] must be a non-empty string",
    ),
    (
        "tag a number",
        changed(("fleet_runners.0.tags", ["docker", 5])),
        "fleet_runners[small].tags[1] must be a non-empty string",
    ),
    ("tag with a comma", changed(("fleet_runners.0.tags", ["docker,aws"])), "fleet_runners[small].tags[0]"),
    ("tag twice", changed(("fleet_runners.0.tags", ["docker", "docker"])), "fleet_runners[small].tags[1] repeats"),
    (
        "too many tags",
        changed(("fleet_runners.0.tags", [f"t{n}" for n in range(51)])),
        "fleet_runners[small].tags has 51 tags",
    ),
    (
        "no tags, not untagged",
        changed(("fleet_runners.0.tags", [])),
        "fleet_runners[small].run_untagged is false but the entry has no tags",
    ),
    (
        "run_untagged a string",
        changed(("fleet_runners.0.run_untagged", "no")),
        "fleet_runners[small].run_untagged must be true or false",
    ),
    ("paused", changed(("fleet_runners.0.paused", 1)), "fleet_runners[small].paused must be true or false"),
    (
        "locked on an instance runner",
        changed(("fleet_runners.0.locked", True)),
        "fleet_runners[small].locked is true, but only project runners",
    ),
    (
        "access level",
        changed(("fleet_runners.0.access_level", "protected")),
        "fleet_runners[small].access_level must be one of",
    ),
    (
        "timeout short",
        changed(("fleet_runners.0.maximum_timeout", 300)),
        "fleet_runners[small].maximum_timeout must be 0",
    ),
    (
        "timeout a string",
        changed(("fleet_runners.0.maximum_timeout", "3600")),
        "fleet_runners[small].maximum_timeout must be 0",
    ),
    (
        "note long",
        changed(("fleet_runners.0.maintenance_note", "n" * 1025)),
        "fleet_runners[small].maintenance_note must be at most 1024",
    ),
    # runners: executor and workers
    ("executor missing", changed(("fleet_runners.0.executor", DELETE)), "fleet_runners[small].executor is missing"),
    (
        "executor",
        changed(("fleet_runners.0.executor", "kubernetes")),
        "fleet_runners[small].executor must be one of docker-autoscaler",
    ),
    (
        "instance types a string",
        changed(("fleet_runners.0.instance_types", "t3.large")),
        "fleet_runners[small].instance_types must be a list",
    ),
    (
        "instance types empty",
        changed(("fleet_runners.0.instance_types", [])),
        "fleet_runners[small].instance_types is empty",
    ),
    (
        "instance type form",
        changed(("fleet_runners.0.instance_types", ["large"])),
        "fleet_runners[small].instance_types[0] must be an EC2",
    ),
    (
        "instance type twice",
        changed(("fleet_runners.0.instance_types", ["t3.large", "t3.large"])),
        "fleet_runners[small].instance_types[1] repeats",
    ),
    (
        "both instance keys",
        changed(("fleet_runners.0.instance_type", "t3.large")),
        "fleet_runners[small].instance_types and instance_type are both given",
    ),
    (
        "machine with several types",
        with_entry(
            machine(instance_types=["m5.large", "m5a.large"]),
            ("fleet_docker_machine_version", "0.16.2-gitlab.34"),
            ("fleet_docker_machine_sha256", "0" * 64),
        ),
        "fleet_runners[extra].instance_types lists 2 types, but docker+machine uses only one",
    ),
    (
        "instance types on docker",
        with_entry({"name": "d", "runner_type": "instance_type", "executor": "docker", "instance_types": ["m5.large"]}),
        "fleet_runners[d].instance_types is only for the executors docker-autoscaler, docker+machine",
    ),
    ("spot a string", changed(("fleet_runners.0.spot", "yes")), "fleet_runners[small].spot must be true or false"),
    (
        "spot on shell",
        with_entry({"name": "s", "runner_type": "instance_type", "executor": "shell", "spot": True}),
        "fleet_runners[s].spot is only for the executors",
    ),
    (
        "max instances 0",
        changed(("fleet_runners.0.max_instances", 0)),
        "fleet_runners[small].max_instances must be an integer from 1 to 1000",
    ),
    (
        "max instances 1001",
        changed(("fleet_runners.0.max_instances", 1001)),
        "fleet_runners[small].max_instances must be an integer from 1 to 1000",
    ),
    (
        "max instances a string",
        changed(("fleet_runners.0.max_instances", "10")),
        "fleet_runners[small].max_instances must be",
    ),
    (
        "capacity 0",
        changed(("fleet_runners.0.capacity_per_instance", 0)),
        "fleet_runners[small].capacity_per_instance must be",
    ),
    (
        "capacity on machine",
        with_entry(machine(capacity_per_instance=2), ("fleet_runner_install", False)),
        "fleet_runners[extra].capacity_per_instance is only for the executors docker-autoscaler",
    ),
    (
        "on demand base over max",
        changed(("fleet_runners.0.on_demand_base", 11)),
        "fleet_runners[small].on_demand_base must be an integer from 0 to 10",
    ),
    (
        "spot strategy",
        changed(("fleet_runners.0.spot_allocation_strategy", "cheapest")),
        "fleet_runners[small].spot_allocation_strategy must be one of",
    ),
    ("idle count negative", changed(("fleet_runners.0.idle_count", -1)), "fleet_runners[small].idle_count must be"),
    (
        "idle count over capacity",
        changed(("fleet_runners.0.idle_count", 11)),
        "fleet_runners[small].idle_count is 11, more idle capacity than the workers hold "
        "(max_instances * capacity_per_instance = 10)",
    ),
    (
        "idle count over a machine limit",
        with_entry(machine(limit=2, idle_count=3), ("fleet_runner_install", False)),
        "fleet_runners[extra].idle_count is 3",
    ),
    ("idle time", changed(("fleet_runners.0.idle_time", 1.5)), "fleet_runners[small].idle_time must be"),
    ("limit 0", changed(("fleet_runners.0.limit", 0)), "fleet_runners[small].limit must be an integer of 1 or more"),
    (
        "limit over capacity",
        changed(("fleet_runners.1.limit", 5)),
        "fleet_runners[large].limit is 5, more jobs than the workers hold (max_instances * capacity_per_instance = 4)",
    ),
    ("max builds", changed(("fleet_runners.0.max_builds", 0)), "fleet_runners[small].max_builds must be"),
    (
        "autoscaling a mapping",
        changed(("fleet_runners.0.autoscaling", {"periods": ["* * * * *"]})),
        "fleet_runners[small].autoscaling must be a list",
    ),
    (
        "policy a string",
        changed(("fleet_runners.0.autoscaling", ["* * * * *"])),
        "fleet_runners[small].autoscaling[0] must be a mapping",
    ),
    (
        "policy unknown key",
        changed(("fleet_runners.0.autoscaling", [{"periods": ["* * * * *"], "idle": 1}])),
        "fleet_runners[small].autoscaling[0].idle is not an autoscaling policy key; allowed: periods, timezone, "
        "idle_count, idle_time",
    ),
    (
        "policy without periods",
        changed(("fleet_runners.0.autoscaling", [{"idle_count": 1}])),
        "fleet_runners[small].autoscaling[0].periods must be a non-empty list",
    ),
    (
        "policy periods a string",
        changed(("fleet_runners.0.autoscaling", [{"periods": "* * * * *"}])),
        "fleet_runners[small].autoscaling[0].periods must be",
    ),
    (
        "policy period bad",
        changed(("fleet_runners.0.autoscaling", [{"periods": ["* 25 * * *"]}])),
        "fleet_runners[small].autoscaling[0].periods[0]",
    ),
    (
        "machine period seconds",
        with_entry(machine(autoscaling=[{"periods": ["* 8-18 * * mon-fri"]}]), ("fleet_runner_install", False)),
        "fleet_runners[extra].autoscaling[0].periods[0]",
    ),
    (
        "policy timezone",
        changed(("fleet_runners.0.autoscaling", [{"periods": ["* * * * *"], "timezone": "Mars/Base"}])),
        "fleet_runners[small].autoscaling[0].timezone must be a time zone",
    ),
    (
        "policy idle count",
        changed(("fleet_runners.0.autoscaling", [{"periods": ["* * * * *"], "idle_count": 20}])),
        "fleet_runners[small].autoscaling[0].idle_count is 20",
    ),
    (
        "policy idle time",
        changed(("fleet_runners.0.autoscaling", [{"periods": ["* * * * *"], "idle_time": -5}])),
        "fleet_runners[small].autoscaling[0].idle_time must be",
    ),
    ("cache a string", changed(("fleet_runners.0.cache", "true")), "fleet_runners[small].cache must be true or false"),
    ("image a list", changed(("fleet_runners.0.image", ["alpine"])), "fleet_runners[small].image must be"),
    (
        "image on shell",
        with_entry({"name": "s", "runner_type": "instance_type", "executor": "shell", "image": "alpine"}),
        "fleet_runners[s].image is only for the executors",
    ),
    (
        "privileged",
        changed(("fleet_runners.0.privileged", "false")),
        "fleet_runners[small].privileged must be true or false",
    ),
    ("config a list", changed(("fleet_runners.0.config", [])), "fleet_runners[small].config must be a mapping"),
    (
        "custom without run_exec",
        with_entry({"name": "c", "runner_type": "instance_type", "executor": "custom", "config": {"custom": {}}}),
        "fleet_runners[c].config.custom.run_exec is missing",
    ),
    ("entry ami", changed(("fleet_runners.0.ami", "ubuntu")), "fleet_runners[small].ami must be an AMI id"),
    (
        "root size",
        changed(("fleet_runners.0.root_size", 4)),
        "fleet_runners[small].root_size must be a whole number of GiB from 8 to 16384; got 4",
    ),
    ("volume type", changed(("fleet_runners.0.volume_type", "ssd")), "fleet_runners[small].volume_type must be one of"),
    (
        "machine zone",
        with_entry(machine(zone="us-east-1a"), ("fleet_runner_install", False)),
        "fleet_runners[extra].zone must be a zone of fleet_region",
    ),
    (
        "spot price",
        with_entry(machine(spot_price="cheap"), ("fleet_runner_install", False)),
        "fleet_runners[extra].spot_price must be a price",
    ),
    (
        "two managers with docker-autoscaler",
        changed(("fleet_managers.count", 2)),
        "fleet_runners[small].executor is docker-autoscaler, which needs fleet_managers.count 1 (got 2): two managers "
        "would run two fleeting plugins",
    ),
    (
        "connection local",
        changed(("fleet_managers.connection", "local")),
        'fleet_managers.connection must be one of ssm, ssh; got "local"',
    ),
]


@pytest.mark.parametrize(("description", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_rule_names_the_variable(description, expected):
    found = problems(description)
    assert any(problem.startswith(expected) for problem in found), found
    variable = expected.split()[0]
    # Each problem is one sentence naming its variable path first.
    assert all(problem.startswith("fleet_") for problem in found), found
    assert all("\n" not in problem for problem in found), found
    assert variable.split(".")[0].split("[")[0] in problem_variables(found)


def problem_variables(found: list[str]) -> set[str]:
    return {problem.split()[0].split(".")[0].split("[")[0] for problem in found}


def test_a_wrong_entry_does_not_hide_the_problems_of_the_others():
    description = changed(
        ("fleet_name", "X"), ("fleet_runners.0.executor", "kubernetes"), ("fleet_runners.1.max_instances", "4")
    )
    found = problems(description)
    assert [problem.split()[0] for problem in found] == [
        "fleet_name",
        "fleet_runners[small].executor",
        "fleet_runners[large].max_instances",
    ]


def test_a_problem_message_says_what_is_allowed_and_what_it_got():
    (found,) = problems(changed(("fleet_network.az_count", 9)))
    assert found == "fleet_network.az_count must be an integer from 1 to 6; got 9"
    (found,) = problems(changed(("fleet_runners.0.max_instances", "10")))
    assert found == 'fleet_runners[small].max_instances must be an integer from 1 to 1000; got "10"'


def test_a_missing_description_and_an_empty_one():
    assert problems(None) == ["the fleet description must be a mapping of the fleet_* variables, got nothing (null)"]
    assert [problem.split()[0] for problem in problems({})] == [
        "fleet_name",
        "fleet_region",
        "fleet_gitlab_url",
        "fleet_gitlab_api_token",
        "fleet_runners",
    ]


# --- Messages that help: the nearest known name, entries by name, units --------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("fleet_runners.0.idle_tme", 60),
            "fleet_runners[small].idle_tme is not a runner entry key; did you mean idle_time? (config.toml keys go "
            "under config)",
        ),
        (
            ("fleet_network.vpc_cdir", "10.0.0.0/16"),
            "fleet_network.vpc_cdir is not a fleet_network key; did you mean vpc_cidr?",
        ),
        (
            ("fleet_managers.instance_typ", "t3.small"),
            "fleet_managers.instance_typ is not a fleet_managers key; did you mean instance_type?",
        ),
        (
            ("fleet_cache.expiration-days", 3),
            "fleet_cache.expiration-days is not a fleet_cache key; did you mean expiration_days?",
        ),
        (
            ("fleet_runner_settings.log_levl", "info"),
            "fleet_runner_settings.log_levl is not a fleet_runner_settings key; did you mean log_level?",
        ),
        (
            ("fleet_runners.0.autoscaling", [{"periods": ["* * * * *"], "idle_tim": 60}]),
            "fleet_runners[small].autoscaling[0].idle_tim is not an autoscaling policy key; did you mean idle_time?",
        ),
    ],
    ids=["entry", "network", "managers", "cache", "settings", "policy"],
)
def test_an_unknown_key_at_each_level_names_the_nearest_known_one(change, expected):
    assert problems(changed(change)) == [expected]


def on_the_manager(executor: str = "docker", **keys: object) -> dict:
    return {"name": "local", "runner_type": "instance_type", "tags": ["l"], "executor": executor, **keys}


# Entries whose jobs would reach the manager's instance role (every runner token and the CA key in SSM, launching
# instances): refused by the key that exposes it, unless the entry says allow_manager_role: true.
JOBS_ON_THE_MANAGER_ROLE = {
    "shell": (on_the_manager("shell"), "fleet_runners[local].executor is shell: its jobs run on the manager"),
    "privileged docker": (
        on_the_manager(privileged=True),
        "fleet_runners[local].privileged is true: a privileged job container can take over the manager",
    ),
    "privileged through config": (
        on_the_manager(config={"docker": {"privileged": True}}),
        "fleet_runners[local].config.docker.privileged is true",
    ),
    "the host's network": (
        on_the_manager(config={"docker": {"network_mode": "host"}}),
        "fleet_runners[local].config.docker.network_mode is host: job containers share the manager's network",
    ),
    "allowed as a string": (
        on_the_manager("shell", allow_manager_role="yes"),
        "fleet_runners[local].allow_manager_role must be true or false",
    ),
    "allowed where jobs run on workers": (
        machine(allow_manager_role=True),
        "fleet_runners[extra].allow_manager_role is only for the executors docker, shell",
    ),
}


@pytest.mark.parametrize("case", JOBS_ON_THE_MANAGER_ROLE)
def test_jobs_that_would_act_as_the_manager_are_refused_by_the_key_that_exposes_it(case):
    entry, expected = JOBS_ON_THE_MANAGER_ROLE[case]
    description = with_entry(entry, ("fleet_docker_machine_version", "0.16.2-gitlab.34"))
    description["fleet_docker_machine_sha256"] = "a" * 64
    found = problems(description)
    assert [problem for problem in found if problem.startswith(expected)] == found, found
    assert len(found) == 1, found
    if case not in {"allowed as a string", "allowed where jobs run on workers"}:
        assert "allow_manager_role: true" in found[0] and "docker-autoscaler" in found[0]


@pytest.mark.parametrize(
    "entry",
    [
        on_the_manager(),
        on_the_manager(image="alpine:3.21", config={"docker": {"network_mode": "bridge"}}),
        on_the_manager("shell", allow_manager_role=True),
        on_the_manager(privileged=True, allow_manager_role=True),
    ],
    ids=["docker", "docker on a bridge", "shell allowed", "privileged allowed"],
)
def test_jobs_on_the_manager_without_its_role_or_with_the_choice_made_are_accepted(entry):
    assert problems(with_entry(entry)) == []


def test_an_unknown_key_with_no_close_match_lists_the_known_ones():
    (found,) = problems(changed(("fleet_runners.1.environment", ["A=1"])))
    assert found.startswith(
        "fleet_runners[large].environment is not a runner entry key (config.toml keys go under config); allowed: "
        "access_level, allow_manager_role, ami, autoscaling,"
    )
    assert "did you mean" not in found
    (found,) = problems(changed(("fleet_runner_settings.runners", [])))
    assert found.startswith("fleet_runner_settings.runners is not a fleet_runner_settings key; allowed: listen_address")


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("Max-Builds", "max_builds"),  # case and - for _
        ("executer", "executor"),
        ("nmae", "name"),  # two letters swapped in a short key
        ("group_id", "group"),
        ("fleet_name", "name"),  # the fleet_ prefix is not part of the comparison
        ("docker", None),
        ("token", None),
        ("environment", None),
    ],
)
def test_the_nearest_known_name(name, meant):
    assert nearest(name, sorted(_fleet_description.ENTRY_KEYS)) == meant


def test_a_misspelt_top_level_variable_is_refused_with_the_nearest_known_one():
    seen = ["fleet_cach", "fleet_name", "fleet_plan", "fleet_remove_cach", "ansible_check_mode", "fleet_runners"]
    assert problems(example(), seen) == [
        "fleet_cach is not a fleet variable; did you mean fleet_cache?",
        "fleet_remove_cach is not a fleet variable; did you mean fleet_remove_cache?",
    ]
    (found,) = problems(example(), ["fleet_colour"])
    # Without a close match: the description's variables, not the ones the playbooks set themselves.
    assert found == f"fleet_colour is not a fleet variable; allowed: {', '.join(VARIABLES)}"
    assert problems(example(), KNOWN_VARIABLES) == []


def test_the_description_variables_are_the_ones_pre_flight_passes():
    passed = yaml.safe_load(PREFLIGHT_DESCRIPTION.read_text(encoding="utf-8"))["fleet_description"]
    assert list(passed) == list(VARIABLES)


def test_pre_flight_looks_up_in_the_environment_what_the_model_says_and_nothing_else():
    """The lookups of vars/fleet_description.yml are FROM_ENVIRONMENT's, in its order, for its variables only."""
    passed = yaml.safe_load(PREFLIGHT_DESCRIPTION.read_text(encoding="utf-8"))["fleet_description"]
    looked_up = {
        name: tuple(re.findall(r"lookup\('ansible\.builtin\.env', '([A-Z_]+)'\)", template))
        for name, template in passed.items()
    }
    assert {name: names for name, names in looked_up.items() if names} == FROM_ENVIRONMENT


def test_a_missing_required_variable_names_where_it_may_come_from():
    description = changed(("fleet_region", None), ("fleet_gitlab_api_token", None), ("fleet_name", DELETE))
    found = problems(description)
    assert (
        "fleet_region is missing; it is required: set it, or AWS_REGION or AWS_DEFAULT_REGION in the environment"
        in found
    )
    assert "fleet_gitlab_api_token is missing; it is required: set it, or GITLAB_API_TOKEN in the environment" in found
    assert "fleet_name is missing; it is required: set it (-e @fleet.yml, group_vars or AWX)" in found


def test_the_play_variables_are_the_ones_the_playbooks_and_roles_set_or_read():
    texts = [path.read_text(encoding="utf-8") for folder in ("playbooks", "roles") for path in yml_files(folder)]
    for name in PLAY_VARIABLES:
        assert any(re.search(rf"\b{name}\b", text) for text in texts), f"{name} is no longer used: remove it"
    # Every fleet_* variable a playbook or role sets, registers or passes as a module option is known.
    # A key (set_fact, vars, a module option) or a registered result.
    assignment = re.compile(r"^\s*(?:(fleet_[a-z_]+):|register:\s*(fleet_[a-z_]+)\s*$)", re.MULTILINE)
    set_anywhere = {name for text in texts for match in assignment.findall(text) for name in match if name}
    assert set_anywhere, "the pattern found nothing: the test no longer looks where the variables are"
    assert set_anywhere <= set(KNOWN_VARIABLES), set_anywhere - set(KNOWN_VARIABLES)


def yml_files(folder: str) -> list[Path]:
    return sorted((COLLECTION_ROOT / folder).rglob("*.yml"))


def test_entries_are_named_by_their_name_when_it_names_one_entry():
    description = changed(("fleet_runners.0.spot", "yes"), ("fleet_runners.1.spot", "no"))
    assert [problem.split()[0] for problem in problems(description)] == [
        "fleet_runners[small].spot",
        "fleet_runners[large].spot",
    ]
    # No name, an invalid one, a repeated one or digits alone (which would read as an index): the index.
    for name in (DELETE, "Large", "small", "7"):
        found = problems(changed(("fleet_runners.1.name", name), ("fleet_runners.1.spot", "no")))
        assert 'fleet_runners[1].spot must be true or false; got "no"' in found, found
    (found,) = problems(with_entry(machine(name="legacy"), ("fleet_docker_machine_sha256", "a" * 64)))
    assert found.startswith("fleet_docker_machine_version is empty, but fleet_runners[legacy] uses docker+machine")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("fleet_runners.0.idle_time", "30m"),
            'fleet_runners[small].idle_time is in seconds: "30m" is 1800 seconds; write idle_time: 1800',
        ),
        (
            ("fleet_runners.0.maximum_timeout", "1h30m"),
            'fleet_runners[small].maximum_timeout is in seconds: "1h30m" is 5400 seconds; write maximum_timeout: 5400',
        ),
        (
            ("fleet_runners.0.autoscaling", [{"periods": ["* * * * *"], "idle_time": "90s"}]),
            'fleet_runners[small].autoscaling[0].idle_time is in seconds: "90s" is 90 seconds; write idle_time: 90',
        ),
        (
            ("fleet_runner_settings.check_interval", "3s"),
            'fleet_runner_settings.check_interval is in seconds: "3s" is 3 seconds; write check_interval: 3',
        ),
        (
            ("fleet_runners.0.root_size", "50GiB"),
            'fleet_runners[small].root_size is in GiB: "50GiB" is 50 GiB; write root_size: 50',
        ),
        (
            ("fleet_runners.0.maximum_timeout", "5m"),
            'fleet_runners[small].maximum_timeout is in seconds: "5m" is 300 seconds, but it must be 0 (no limit) or '
            "a whole number of seconds, 600 or more (GitLab's minimum)",
        ),
        # Not whole seconds, or GB where GiB are asked: no one clear meaning, so no number to suggest.
        (
            ("fleet_runners.0.idle_time", "500ms"),
            'fleet_runners[small].idle_time must be a whole number of seconds, 0 or more; got "500ms"',
        ),
        (
            ("fleet_runners.0.root_size", "50GB"),
            'fleet_runners[small].root_size must be a whole number of GiB from 8 to 16384; got "50GB"',
        ),
        (
            ("fleet_runners.0.idle_time", -1),
            "fleet_runners[small].idle_time must be a whole number of seconds, 0 or more; got -1",
        ),
    ],
    ids=["idle_time", "maximum_timeout", "policy", "settings", "root_size", "out of range", "ms", "GB", "negative"],
)
def test_a_duration_or_size_says_its_unit_and_the_number_to_write(change, expected):
    assert problems(changed(change)) == [expected]


# --- Odd input never raises, and the token never shows ------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["", "10", "true", "docker-autoscaler", "10.0.0.0/16", "eu-west-1a", AMI, TOKEN, "::/0"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=12), st.sampled_from(sorted(_fleet_description.ENTRY_KEYS))),
            children,
            max_size=4,
        ),
        st.dictionaries(st.one_of(st.integers(), st.none(), st.booleans()), children, max_size=2),
    ),
    max_leaves=12,
)
PATHS = (
    list(EXAMPLE_DESCRIPTION)
    + [
        f"{variable}.{key}"
        for variable in ("fleet_network", "fleet_managers", "fleet_cache", "fleet_runner_settings")
        for key in EXAMPLE_DESCRIPTION[variable]
    ]
    + [f"fleet_runners.0.{key}" for key in _fleet_description.ENTRY_KEYS]
    + ["fleet_runners.0", "fleet_runners.1.autoscaling"]
)


def step(target: object, part: str) -> object:
    """One step down a path, or None where an earlier change left something else there."""
    if isinstance(target, dict):
        return target.get(part)
    if isinstance(target, list) and part.isdigit() and int(part) < len(target):
        return target[int(part)]
    return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), VALUES), min_size=1, max_size=4))
def test_odd_values_anywhere_give_problems_never_an_exception_nor_the_token(changes):
    description = example()
    for path, value in changes:
        *parents, last = path.split(".")
        target = description
        for part in parents:
            target = step(target, part)
        if isinstance(target, dict):
            target[last] = value
        elif isinstance(target, list) and last.isdigit() and int(last) < len(target):
            target[int(last)] = value
    found = problems(description)
    assert isinstance(found, list)
    assert all(isinstance(problem, str) and problem for problem in found)
    assert not any(TOKEN in problem for problem in found)


@settings(max_examples=200, deadline=None)
@given(description=VALUES)
def test_any_value_as_the_description_gives_problems_never_an_exception(description):
    found = problems(description)
    assert isinstance(found, list)
    assert all(isinstance(problem, str) for problem in found)


def test_the_token_never_appears_even_where_it_was_put_by_mistake():
    description = changed(
        ("fleet_name", TOKEN),
        ("fleet_region", TOKEN),
        ("fleet_gitlab_url", f"https://{TOKEN}@gitlab.example.com/"),
        ("fleet_extra_tags", {"owner": TOKEN, TOKEN: "a,b"}),
        ("fleet_network.vpc_cidr", TOKEN),
        ("fleet_managers.ssh_bastion", TOKEN),
        ("fleet_runners.0.name", TOKEN),
        ("fleet_runners.0.tags", [TOKEN, f"{TOKEN},x"]),
        ("fleet_runners.0.token", TOKEN),
        ("fleet_runners.0.executor", TOKEN),
        ("fleet_runners.1.group", TOKEN),
        ("fleet_runners.1.autoscaling", [{"periods": [TOKEN], "timezone": TOKEN}]),
    )
    found = problems(description)
    assert len(found) >= 12, found
    assert not any(TOKEN in problem for problem in found), found
    assert (
        "fleet_name must be 3 to 32 lowercase letters, digits and hyphens, starting and ending with a letter or "
        "digit; got a value that contains the API token (not shown)" in found
    )


@pytest.mark.parametrize("token", ["", 42, ["a"], {"t": 1}, True, " glpat-x", "glpat-x\n"])
def test_a_wrong_token_is_described_never_shown(token):
    found = problems(changed(("fleet_gitlab_api_token", token)))
    assert len(found) == 1
    assert found[0].startswith("fleet_gitlab_api_token ")
    if isinstance(token, str) and token.strip():
        assert token.strip() not in found[0]


# --- The filter ---------------------------------------------------------------------------------------------------


def test_the_filter_is_registered():
    filters = FilterModule().filters()
    assert filters["fleet_description_problems"] is fleet_description_problems
    assert fleet_description_problems(example()) == []
    assert fleet_description_problems(changed(("fleet_name", "X")))[0].startswith("fleet_name ")


def test_the_plan_filter_refuses_unknown_fleet_variables():
    resolved = fleet_plan(example(), variables=["fleet_name", "fleet_runers"])
    assert resolved == {
        "problems": ["fleet_runers is not a fleet variable; did you mean fleet_runners?"],
        "plan": {},
    }
    assert fleet_plan(example(), variables=list(KNOWN_VARIABLES))["problems"] == []
    with pytest.raises(
        AnsibleFilterError, match=r"variables \(the names of the variables the play sees\) must be a list"
    ):
        fleet_plan(example(), variables="fleet_name")
    with pytest.raises(AnsibleFilterError, match="variables must be a list of variable names"):
        fleet_plan(example(), variables=[1])
