# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From runner entries and AWS facts to config.toml (plugin_utils/_runner_fleet): the [[runners]] table each
executor gets, docker-machine's amazonec2 flags, the fleeting plugin's tables, the S3 cache reached with the instance
profile, limits and concurrent, the `config` passthrough, and every problem only the fleet knows, reported at once
under the variable's name and never with the token. What the tables must be is what roles/runner_host's
meta/argument_specs.yml documents; every table built must render and read back (it is valid for the runner)."""

from __future__ import annotations

import copy
import datetime
import tomllib
from pathlib import Path

import pytest
import yaml
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _runner_fleet
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import (
    ConfigError,
    normalize,
    render,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_fleet import (
    ENTRY_KEYS,
    EXECUTORS,
    FleetError,
    fleet_config,
)

URL = "https://gitlab.example.com"
FLEET = "ci"
TOKEN = "glrt-fleet-unit-secret-7f3a"
COLLECTION_ROOT = Path(_runner_fleet.__file__).resolve().parents[2]
ARGUMENT_SPECS = COLLECTION_ROOT / "roles" / "runner_host" / "meta" / "argument_specs.yml"
SUBNETS = [
    {"id": "subnet-aaa", "zone": "eu-west-1a"},
    {"id": "subnet-bbb", "zone": "eu-west-1b"},
    {"id": "subnet-ccc", "zone": "eu-west-1c"},
]
# What docker+machine needs, and the cache bucket.
AWS = {
    "region": "eu-west-1",
    "vpc_id": "vpc-0a1b2c3d",
    "worker_subnets": SUBNETS,
    "worker_security_group": "ci-workers",
    "worker_instance_profile": "ci-worker-profile",
    "worker_ami": "ami-0worker",
    "cache_bucket": "ci-cache",
}
MACHINE_FACTS = ("region", "vpc_id", "worker_security_group", "worker_instance_profile")
NUMBER_KEYS = ("limit", "request_concurrency", "max_instances", "capacity_per_instance", "max_builds", "root_size")
COUNT_KEYS = ("idle_count", "idle_time")
NON_DOCKER = ("shell", "custom")
# Machine periods are matched second by second: 7 fields with "*" seconds (see _runner_config.check_periods).
MACHINE_PERIODS = ["* * 9-17 * * mon-fri *"]


def entry(executor: str = "shell", **settings) -> dict:
    """A runner entry as the role takes it, with `settings` added or replaced."""
    return {"name": "r1", "executor": executor, "id": 101, "token": TOKEN, **settings}


def build(*entries: dict, aws: dict | None = None, **options) -> dict:
    options = {"gitlab_url": URL, "fleet_name": FLEET, **options}
    return fleet_config(list(entries), aws=AWS if aws is None else aws, **options)


def table_of(one: dict, **options) -> dict:
    config = build(one, **options)
    assert len(config["runners"]) == 1
    return config["runners"][0]


def machine_options(one: dict, **options) -> dict[str, str]:
    """The entry's MachineOptions as {flag without amazonec2-: value}; each flag given once."""
    flags = table_of(one, **options)["machine"]["MachineOptions"]
    assert all(isinstance(flag, str) and flag.startswith("amazonec2-") and "=" in flag for flag in flags), flags
    pairs = [flag.removeprefix("amazonec2-").split("=", 1) for flag in flags]
    assert len({name for name, _value in pairs}) == len(pairs), flags
    return dict(pairs)


def problems_of(runners: object, aws: dict | None = None, **options) -> list[str]:
    options = {"gitlab_url": URL, "fleet_name": FLEET, **options}
    with pytest.raises(FleetError) as caught:
        fleet_config(runners, aws=AWS if aws is None else aws, **options)
    assert str(caught.value) == "; ".join(caught.value.problems)
    return caught.value.problems


def only_problem(runners: object, aws: dict | None = None, **options) -> str:
    problems = problems_of(runners, aws, **options)
    assert len(problems) == 1, problems
    return problems[0]


def assert_renders(config: dict) -> str:
    """The config is valid for the runner: it renders, and reads back as its normalized self."""
    text = render(config, header="")
    assert tomllib.loads(text) == normalize(config)
    return text


def without_aws(*facts: str) -> dict:
    return {key: value for key, value in AWS.items() if key not in facts}


# ------------------------------------------------------------------------------------------- each executor's table

CACHE = {
    "Type": "s3",
    "Path": "r1",
    "Shared": False,
    "s3": {
        "ServerAddress": "s3.amazonaws.com",
        "BucketName": "ci-cache",
        "BucketLocation": "eu-west-1",
        "AuthenticationType": "iam",
        "ServerSideEncryption": "S3",
    },
}
DOCKER = {"image": "alpine:3.20", "privileged": False, "volumes": ["/cache"]}


def test_a_docker_autoscaler_entry_gets_the_fleeting_plugin_tables() -> None:
    assert table_of(entry("docker-autoscaler")) == {
        "name": "r1",
        "url": URL,
        "id": 101,
        "token": TOKEN,
        "executor": "docker-autoscaler",
        "limit": 10,
        "docker": DOCKER,
        "cache": CACHE,
        "autoscaler": {
            "plugin": "aws",
            "capacity_per_instance": 1,
            "max_use_count": 1,
            "max_instances": 10,
            "plugin_config": {"name": "ci-r1"},
            "connector_config": {"username": "ec2-user", "use_external_addr": False},
            "policy": [{"periods": ["* * * * *"], "idle_count": 0, "idle_time": "1800s"}],
        },
    }


def test_a_docker_machine_entry_gets_the_machine_table() -> None:
    assert table_of(entry("docker+machine")) == {
        "name": "r1",
        "url": URL,
        "id": 101,
        "token": TOKEN,
        "executor": "docker+machine",
        "limit": 10,
        "docker": DOCKER,
        "cache": CACHE,
        "machine": {
            "IdleCount": 0,
            "IdleTime": 1800,
            "MaxBuilds": 10,
            "MachineDriver": "amazonec2",
            "MachineName": "ci-r1-%s",
            "MachineOptions": [
                "amazonec2-region=eu-west-1",
                "amazonec2-vpc-id=vpc-0a1b2c3d",
                "amazonec2-subnet-id=subnet-aaa",
                "amazonec2-zone=a",
                "amazonec2-security-group=ci-workers",
                "amazonec2-security-group-readonly=true",
                "amazonec2-iam-instance-profile=ci-worker-profile",
                "amazonec2-instance-type=m5.large",
                "amazonec2-ami=ami-0worker",
                "amazonec2-root-size=30",
                "amazonec2-volume-type=gp3",
                "amazonec2-volume-encrypted=true",
                "amazonec2-metadata-token=required",
                "amazonec2-metadata-token-response-hop-limit=2",
                "amazonec2-private-address-only=true",
                "amazonec2-use-private-address=true",
                "amazonec2-ssh-user=ubuntu",
                "amazonec2-request-spot-instance=true",
            ],
        },
    }


def test_a_docker_entry_gets_the_docker_table_only() -> None:
    assert table_of(entry("docker")) == {
        "name": "r1",
        "url": URL,
        "id": 101,
        "token": TOKEN,
        "executor": "docker",
        "limit": 1,
        "docker": DOCKER,
        "cache": CACHE,
    }


@pytest.mark.parametrize("executor", NON_DOCKER)
def test_shell_and_custom_entries_get_no_docker_machine_or_autoscaler_table(executor: str) -> None:
    assert table_of(entry(executor)) == {
        "name": "r1",
        "url": URL,
        "id": 101,
        "token": TOKEN,
        "executor": executor,
        "limit": 1,
        "cache": CACHE,
    }


def test_a_custom_entry_takes_its_custom_table_through_config() -> None:
    custom = {"run_exec": "/opt/ci/run.sh", "prepare_exec": "/opt/ci/prepare.sh"}
    config = build(entry("custom", config={"custom": custom}))

    assert config["runners"][0]["custom"] == custom
    assert tomllib.loads(assert_renders(config))["runners"][0]["custom"] == custom


@pytest.mark.parametrize("executor", EXECUTORS)
def test_every_executor_renders_with_defaults(executor: str) -> None:
    assert_renders(build(entry(executor)))


@pytest.mark.parametrize("executor", EXECUTORS)
def test_every_executor_renders_with_every_entry_setting(executor: str) -> None:
    """Every key of ENTRY_KEYS set: what is built is still valid for the runner."""
    full = entry(
        executor,
        token_obtained_at="2026-01-31T12:00:00Z",
        token_expires_at="2026-04-30T12:00:00Z",
        token_parameter="/runnerfleet/ci/runners/r1/token",
        limit=4,
        request_concurrency=2,
        image="ubuntu:24.04",
        privileged=True,
        cache=True,
        cache_shared=True,
        instance_type="c6i.xlarge",
        spot=True,
        spot_price="0.08",
        ami="ami-0entry",
        root_size=64,
        volume_type="io2",
        zone="eu-west-1c",
        ssh_user="admin",
        idle_count=2,
        idle_time=600,
        max_builds=5,
        max_instances=8,
        capacity_per_instance=2,
        autoscaling=[{"periods": MACHINE_PERIODS, "timezone": "Europe/Berlin", "idle_count": 4, "idle_time": 900}],
        autoscaling_group="ci-own-group",
        config={"environment": ["FOO=bar"], "output_limit": 8192},
    )
    assert set(full) == ENTRY_KEYS
    aws = {**AWS, "worker_ebs_kms_key_id": "alias/ebs", "cache_kms_key_id": "alias/cache", "tags": {"team": "ci"}}

    config = build(full, aws=aws)
    text = assert_renders(config)

    assert TOKEN in text
    assert "token_parameter" not in text
    assert tomllib.loads(text)["runners"][0]["limit"] == 4


def test_several_entries_render_in_their_order() -> None:
    entries = [
        entry(executor, name=f"r-{index}", id=index + 1, token=f"glrt-{index}")
        for index, executor in enumerate(EXECUTORS)
    ]
    config = build(*entries)

    assert [table["name"] for table in config["runners"]] == [f"r-{index}" for index in range(len(EXECUTORS))]
    assert [table["executor"] for table in config["runners"]] == list(EXECUTORS)
    read_back = tomllib.loads(assert_renders(config))
    assert [table["id"] for table in read_back["runners"]] == [1, 2, 3, 4, 5]


def test_the_runner_table_carries_the_gitlab_url_and_the_entry_identity() -> None:
    table = table_of(entry(name="build-7", id=9876, token="glrt-xyz"), gitlab_url="https://git.corp.example")

    assert (table["name"], table["url"], table["id"], table["token"]) == (
        "build-7",
        "https://git.corp.example",
        9876,
        "glrt-xyz",
    )


@pytest.mark.parametrize("executor", sorted(_runner_fleet.DOCKER_IMAGE_EXECUTORS))
def test_docker_image_default_option_and_override(executor: str) -> None:
    assert table_of(entry(executor))["docker"]["image"] == "alpine:3.20"
    assert table_of(entry(executor), default_image="debian:12")["docker"]["image"] == "debian:12"
    assert table_of(entry(executor, image="node:22"), default_image="debian:12")["docker"]["image"] == "node:22"


@pytest.mark.parametrize("executor", sorted(_runner_fleet.DOCKER_IMAGE_EXECUTORS))
def test_privileged_is_off_by_default_and_on_when_asked(executor: str) -> None:
    assert table_of(entry(executor))["docker"]["privileged"] is False
    assert table_of(entry(executor, privileged=True))["docker"]["privileged"] is True
    assert table_of(entry(executor, privileged=False))["docker"]["privileged"] is False


@pytest.mark.parametrize("executor", NON_DOCKER)
def test_image_and_privileged_make_no_docker_table_for_other_executors(executor: str) -> None:
    assert "docker" not in table_of(entry(executor, image="node:22", privileged=True))


def test_request_concurrency_only_when_given() -> None:
    assert "request_concurrency" not in table_of(entry())
    assert table_of(entry(request_concurrency=3))["request_concurrency"] == 3


# ------------------------------------------------------------------------------------ docker+machine's amazonec2


def test_machine_options_put_machines_in_the_first_worker_subnet_by_default() -> None:
    options = machine_options(entry("docker+machine"))

    assert options["region"] == "eu-west-1"
    assert options["vpc-id"] == "vpc-0a1b2c3d"
    assert (options["subnet-id"], options["zone"]) == ("subnet-aaa", "a")


@pytest.mark.parametrize(
    ("zone", "subnet", "letter"),
    [("eu-west-1a", "subnet-aaa", "a"), ("eu-west-1b", "subnet-bbb", "b"), ("eu-west-1c", "subnet-ccc", "c")],
)
def test_machine_options_use_the_subnet_of_the_entry_zone(zone: str, subnet: str, letter: str) -> None:
    options = machine_options(entry("docker+machine", zone=zone))

    assert (options["subnet-id"], options["zone"]) == (subnet, letter)


def test_the_first_usable_subnet_is_the_default() -> None:
    """Subnets without an id or a zone are not candidates."""
    subnets = [{"id": "subnet-nozone"}, {"zone": "eu-west-1a"}, "subnet-x", {"id": "subnet-ddd", "zone": "eu-west-1d"}]
    options = machine_options(entry("docker+machine"), aws={**AWS, "worker_subnets": subnets})

    assert (options["subnet-id"], options["zone"]) == ("subnet-ddd", "d")


def test_machine_options_keep_machines_private_with_imdsv2_and_the_fleet_group() -> None:
    options = machine_options(entry("docker+machine"))

    assert options["security-group"] == "ci-workers"
    assert options["security-group-readonly"] == "true"
    assert options["iam-instance-profile"] == "ci-worker-profile"
    assert options["metadata-token"] == "required"
    assert options["metadata-token-response-hop-limit"] == "2"
    assert options["private-address-only"] == "true"
    assert options["use-private-address"] == "true"
    assert options["volume-encrypted"] == "true"
    assert not {"access-key", "secret-key", "session-token"} & set(options)


def test_machine_options_defaults_from_the_role_documentation() -> None:
    options = machine_options(entry("docker+machine"))

    assert options["instance-type"] == "m5.large"
    assert options["root-size"] == "30"
    assert options["volume-type"] == "gp3"
    assert options["ssh-user"] == "ubuntu"
    assert options["ami"] == "ami-0worker"


def test_machine_options_entry_overrides() -> None:
    options = machine_options(
        entry(
            "docker+machine",
            instance_type="c6i.2xlarge",
            ami="ami-0entry",
            root_size=120,
            volume_type="io2",
            ssh_user="admin",
        )
    )

    assert options["instance-type"] == "c6i.2xlarge"
    assert options["ami"] == "ami-0entry"
    assert options["root-size"] == "120"
    assert options["volume-type"] == "io2"
    assert options["ssh-user"] == "admin"


def test_the_entry_ami_is_enough_without_worker_ami() -> None:
    options = machine_options(entry("docker+machine", ami="ami-0entry"), aws=without_aws("worker_ami"))

    assert options["ami"] == "ami-0entry"


def test_volume_kms_key_only_with_an_ebs_key() -> None:
    assert "volume-kms-key" not in machine_options(entry("docker+machine"))
    assert "volume-kms-key" not in machine_options(entry("docker+machine"), aws={**AWS, "worker_ebs_kms_key_id": ""})

    options = machine_options(entry("docker+machine"), aws={**AWS, "worker_ebs_kms_key_id": "arn:aws:kms:k/1"})
    assert options["volume-kms-key"] == "arn:aws:kms:k/1"
    assert options["volume-encrypted"] == "true"


def test_spot_is_on_by_default_without_a_price() -> None:
    options = machine_options(entry("docker+machine"))

    assert options["request-spot-instance"] == "true"
    assert "spot-price" not in options


@pytest.mark.parametrize(("price", "shown"), [("0.05", "0.05"), (0.12, "0.12")])
def test_a_spot_price_is_passed_when_given(price: object, shown: str) -> None:
    options = machine_options(entry("docker+machine", spot_price=price))

    assert options["request-spot-instance"] == "true"
    assert options["spot-price"] == shown


def test_an_empty_spot_price_means_the_on_demand_price() -> None:
    assert "spot-price" not in machine_options(entry("docker+machine", spot_price=""))


def test_spot_off_removes_the_request_and_the_price() -> None:
    options = machine_options(entry("docker+machine", spot=False, spot_price="0.05"))

    assert "request-spot-instance" not in options
    assert "spot-price" not in options


def test_tags_are_sorted_key_value_pairs() -> None:
    aws = {**AWS, "tags": {"team": "ci", "env": "prod", "Cost Center": 42}}

    assert machine_options(entry("docker+machine"), aws=aws)["tags"] == "Cost Center,42,env,prod,team,ci"


@pytest.mark.parametrize("tags", [None, {}], ids=["none", "empty"])
def test_no_tags_flag_without_tags(tags: dict | None) -> None:
    assert "tags" not in machine_options(entry("docker+machine"), aws={**AWS, "tags": tags})


def test_machine_name_and_idle_defaults() -> None:
    machine = table_of(entry("docker+machine", name="big-jobs"), fleet_name="prod-eu")["machine"]

    assert machine["MachineName"] == "prod-eu-big-jobs-%s"
    assert machine["MachineDriver"] == "amazonec2"
    assert (machine["IdleCount"], machine["IdleTime"], machine["MaxBuilds"]) == (0, 1800, 10)
    assert "autoscaling" not in machine


def test_machine_idle_settings_from_the_entry() -> None:
    machine = table_of(entry("docker+machine", idle_count=3, idle_time=0, max_builds=1))["machine"]

    assert (machine["IdleCount"], machine["IdleTime"], machine["MaxBuilds"]) == (3, 0, 1)


def test_autoscaling_periods_become_machine_autoscaling_tables() -> None:
    policies = [
        {"periods": MACHINE_PERIODS, "timezone": "Europe/Berlin", "idle_count": 5, "idle_time": 3600},
        {"periods": ["* * * * * sat,sun *", "* * 0-6 * * * *"]},
    ]
    config = build(entry("docker+machine", idle_count=1, idle_time=60, autoscaling=policies))

    assert config["runners"][0]["machine"]["autoscaling"] == [
        {"Periods": MACHINE_PERIODS, "Timezone": "Europe/Berlin", "IdleCount": 5, "IdleTime": 3600},
        {"Periods": ["* * * * * sat,sun *", "* * 0-6 * * * *"], "IdleCount": 0, "IdleTime": 1800},
    ]
    read_back = tomllib.loads(assert_renders(config))
    assert read_back["runners"][0]["machine"]["autoscaling"][0]["Timezone"] == "Europe/Berlin"


def test_empty_autoscaling_makes_no_machine_autoscaling() -> None:
    assert "autoscaling" not in table_of(entry("docker+machine", autoscaling=[]))["machine"]


def test_a_machine_period_the_runner_cannot_match_is_refused_when_rendered() -> None:
    """The role documents 7 fields with "*" seconds for docker-machine: the check at render names the period."""
    config = build(entry("docker+machine", autoscaling=[{"periods": ["* 9-17 * * mon-fri"]}]))

    with pytest.raises(ConfigError) as caught:
        render(config)
    assert caught.value.problems[0].startswith("runners[0].machine.autoscaling[0].Periods[0]: ")


def test_the_zone_letter_of_a_local_zone() -> None:
    aws = {**AWS, "worker_subnets": [{"id": "subnet-lax", "zone": "us-west-2-lax-1a"}]}

    options = machine_options(entry("docker+machine", zone="us-west-2-lax-1a"), aws=aws)
    assert (options["subnet-id"], options["zone"]) == ("subnet-lax", "a")


# ------------------------------------------------------------------------------------------ docker-autoscaler


def autoscaler(one: dict | None = None, **options) -> dict:
    return table_of(one or entry("docker-autoscaler"), **options)["autoscaler"]


def test_the_fleeting_plugin_default_and_a_pinned_one() -> None:
    assert autoscaler()["plugin"] == "aws"
    assert autoscaler(fleeting_plugin="aws:1.0.0")["plugin"] == "aws:1.0.0"


def test_capacity_and_instances_defaults_and_overrides() -> None:
    assert (autoscaler()["capacity_per_instance"], autoscaler()["max_instances"]) == (1, 10)

    table = autoscaler(entry("docker-autoscaler", capacity_per_instance=4, max_instances=25))
    assert (table["capacity_per_instance"], table["max_instances"]) == (4, 25)


def test_max_use_count_is_one_by_default_and_max_builds_otherwise() -> None:
    assert autoscaler()["max_use_count"] == 1
    assert autoscaler(entry("docker-autoscaler", max_builds=20))["max_use_count"] == 20


def test_the_plugin_names_the_fleet_group_or_the_entry_own() -> None:
    assert autoscaler(entry("docker-autoscaler", name="arm"), fleet_name="prod")["plugin_config"] == {
        "name": "prod-arm"
    }
    named = autoscaler(entry("docker-autoscaler", autoscaling_group="legacy-asg"))
    assert named["plugin_config"] == {"name": "legacy-asg"}


def test_the_connector_reaches_workers_privately_as_ec2_user() -> None:
    assert autoscaler()["connector_config"] == {"username": "ec2-user", "use_external_addr": False}
    table = autoscaler(entry("docker-autoscaler", ssh_user="ubuntu"))
    assert table["connector_config"] == {"username": "ubuntu", "use_external_addr": False}


def test_the_default_policy_takes_the_entry_idle_settings() -> None:
    assert autoscaler()["policy"] == [{"periods": ["* * * * *"], "idle_count": 0, "idle_time": "1800s"}]

    table = autoscaler(entry("docker-autoscaler", idle_count=2, idle_time=300))
    assert table["policy"] == [{"periods": ["* * * * *"], "idle_count": 2, "idle_time": "300s"}]


def test_given_policies_with_idle_time_in_seconds() -> None:
    policies = [
        {"periods": ["* 7-19 * * mon-fri"], "timezone": "Europe/Berlin", "idle_count": 6, "idle_time": 1200},
        {"periods": ["* * * * sat,sun"], "idle_time": 0},
        {"periods": ["* * * * *"]},
    ]
    config = build(entry("docker-autoscaler", idle_count=1, idle_time=90, autoscaling=policies))

    assert config["runners"][0]["autoscaler"]["policy"] == [
        {"periods": ["* 7-19 * * mon-fri"], "idle_count": 6, "idle_time": "1200s", "timezone": "Europe/Berlin"},
        {"periods": ["* * * * sat,sun"], "idle_count": 1, "idle_time": "0s"},
        {"periods": ["* * * * *"], "idle_count": 1, "idle_time": "90s"},
    ]
    read_back = tomllib.loads(assert_renders(config))
    assert [policy["idle_time"] for policy in read_back["runners"][0]["autoscaler"]["policy"]] == ["1200s", "0s", "90s"]


def test_autoscaler_settings_do_not_leak_into_other_executors() -> None:
    settings = {"max_instances": 3, "capacity_per_instance": 2, "autoscaling_group": "g", "max_builds": 2}
    for executor in ("docker", "shell", "custom", "docker+machine"):
        assert "autoscaler" not in table_of(entry(executor, **settings))
    for executor in ("docker-autoscaler", "docker", "shell", "custom"):
        assert "machine" not in table_of(entry(executor))


# ------------------------------------------------------------------------------------------------------ the cache


@pytest.mark.parametrize("executor", EXECUTORS)
def test_the_cache_is_s3_with_the_instance_profile_and_no_keys(executor: str) -> None:
    cache = table_of(entry(executor))["cache"]

    assert cache == CACHE
    assert not {"AccessKey", "SecretKey", "SessionToken"} & set(cache["s3"])


def test_the_cache_path_is_the_entry_name_and_shared_when_asked() -> None:
    cache = table_of(entry(name="linux-small", cache_shared=True))["cache"]

    assert (cache["Path"], cache["Shared"]) == ("linux-small", True)


def test_the_bucket_location_is_the_bucket_region_else_the_region() -> None:
    assert table_of(entry())["cache"]["s3"]["BucketLocation"] == "eu-west-1"
    aws = {**AWS, "cache_bucket_region": "us-east-1"}
    assert table_of(entry(), aws=aws)["cache"]["s3"]["BucketLocation"] == "us-east-1"


def test_the_s3_server_address_fact() -> None:
    aws = {**AWS, "s3_server_address": "s3.eu-west-1.amazonaws.com"}

    assert table_of(entry(), aws=aws)["cache"]["s3"]["ServerAddress"] == "s3.eu-west-1.amazonaws.com"


def test_the_cache_is_encrypted_with_s3_keys_or_the_kms_key() -> None:
    s3 = table_of(entry())["cache"]["s3"]
    assert s3["ServerSideEncryption"] == "S3"
    assert "ServerSideEncryptionKeyID" not in s3

    s3 = table_of(entry(), aws={**AWS, "cache_kms_key_id": "arn:aws:kms:eu-west-1:1:key/abc"})["cache"]["s3"]
    assert s3["ServerSideEncryption"] == "KMS"
    assert s3["ServerSideEncryptionKeyID"] == "arn:aws:kms:eu-west-1:1:key/abc"
    assert_renders(build(entry(), aws={**AWS, "cache_kms_key_id": "arn:aws:kms:eu-west-1:1:key/abc"}))


@pytest.mark.parametrize("executor", EXECUTORS)
def test_cache_false_omits_the_cache(executor: str) -> None:
    assert "cache" not in table_of(entry(executor, cache=False))


def test_cache_true_with_a_bucket_is_the_default_table() -> None:
    assert table_of(entry(cache=True))["cache"] == CACHE


def test_no_bucket_and_no_cache_setting_means_no_cache() -> None:
    assert "cache" not in table_of(entry(), aws=without_aws("cache_bucket"))
    assert "cache" not in table_of(entry(), aws={**AWS, "cache_bucket": ""})
    assert "cache" not in table_of(entry("docker-autoscaler"), aws={})


def test_cache_true_without_a_bucket_is_a_problem() -> None:
    problem = only_problem([entry(cache=True)], aws=without_aws("cache_bucket"))

    assert problem == "runners[0].cache: is true, but the AWS facts name no cache bucket (cache_bucket)"


def test_cache_false_without_a_bucket_is_fine() -> None:
    assert "cache" not in table_of(entry(cache=False), aws=without_aws("cache_bucket"))


# ------------------------------------------------------------------------------------------- limits and concurrent


@pytest.mark.parametrize(
    ("one", "limit"),
    [
        pytest.param(entry("docker-autoscaler"), 10, id="autoscaler-default"),
        pytest.param(entry("docker-autoscaler", max_instances=4, capacity_per_instance=3), 12, id="autoscaler-4x3"),
        pytest.param(entry("docker-autoscaler", max_instances=7), 7, id="autoscaler-max-instances"),
        pytest.param(entry("docker-autoscaler", capacity_per_instance=2), 20, id="autoscaler-capacity"),
        pytest.param(entry("docker+machine"), 10, id="machine"),
        pytest.param(entry("docker"), 1, id="docker"),
        pytest.param(entry("shell"), 1, id="shell"),
        pytest.param(entry("custom"), 1, id="custom"),
    ],
)
def test_the_default_limit_per_executor(one: dict, limit: int) -> None:
    config = build(one)

    assert config["runners"][0]["limit"] == limit
    assert config["concurrent"] == limit


@pytest.mark.parametrize("executor", EXECUTORS)
def test_an_explicit_limit(executor: str) -> None:
    config = build(entry(executor, limit=3, max_instances=9, capacity_per_instance=9))

    assert (config["runners"][0]["limit"], config["concurrent"]) == (3, 3)


def test_concurrent_is_the_sum_of_the_limits() -> None:
    config = build(
        entry("docker-autoscaler", name="a", id=1, token="glrt-a", max_instances=5, capacity_per_instance=2),
        entry("docker+machine", name="b", id=2, token="glrt-b"),
        entry("docker", name="c", id=3, token="glrt-c", limit=4),
        entry("shell", name="d", id=4, token="glrt-d"),
    )

    assert [table["limit"] for table in config["runners"]] == [10, 10, 4, 1]
    assert config["concurrent"] == 25
    assert tomllib.loads(assert_renders(config))["concurrent"] == 25


def test_no_entries_make_a_config_with_no_runners() -> None:
    config = build()

    assert config == {"concurrent": 1, "runners": []}
    assert_renders(config)


def test_settings_override_concurrent_and_add_global_keys() -> None:
    settings = {
        "concurrent": 3,
        "check_interval": 5,
        "log_format": "json",
        "shutdown_timeout": 600,
        "session_server": {"listen_address": "[::]:8093", "session_timeout": 1800},
    }
    config = build(entry("docker+machine"), settings=settings)

    assert config["concurrent"] == 3
    assert config["check_interval"] == 5
    assert config["log_format"] == "json"
    assert config["session_server"] == {"listen_address": "[::]:8093", "session_timeout": 1800}
    assert len(config["runners"]) == 1
    read_back = tomllib.loads(assert_renders(config))
    assert (read_back["concurrent"], read_back["shutdown_timeout"]) == (3, 600)


def test_settings_are_deep_merged_and_not_mutated() -> None:
    settings = {"session_server": {"listen_address": "[::]:8093"}, "labels": {"fleet": "ci"}}
    before = copy.deepcopy(settings)

    config = build(entry(), settings=settings)

    assert config["session_server"] == {"listen_address": "[::]:8093"}
    assert config["labels"] == {"fleet": "ci"}
    assert config["concurrent"] == 1
    assert settings == before
    assert_renders(config)


def test_settings_do_not_replace_the_entries_tables() -> None:
    config = build(entry(), settings={"runners": [{"name": "other", "url": URL, "token": "glrt-o"}]})

    assert [table["name"] for table in config["runners"]] == ["r1"]


def test_settings_unknown_to_the_runner_are_refused_when_rendered() -> None:
    config = build(entry(), settings={"concurent": 2})

    with pytest.raises(ConfigError) as caught:
        render(config)
    assert caught.value.problems[0].startswith("concurent: unknown key")


def test_concurrent_counts_a_limit_given_through_config() -> None:
    config = build(entry("shell", config={"limit": 5}))

    assert config["runners"][0]["limit"] == 5
    assert config["concurrent"] == 5


# ------------------------------------------------------------------------------------------ the config passthrough


def test_config_tables_merge_key_by_key() -> None:
    table = table_of(entry("docker", config={"docker": {"shm_size": 268435456, "privileged": True}}))

    assert table["docker"] == {"image": "alpine:3.20", "privileged": True, "volumes": ["/cache"], "shm_size": 268435456}


def test_config_nested_tables_merge_at_every_depth() -> None:
    table = table_of(entry("docker", config={"cache": {"s3": {"DualStack": True}, "MaxUploadedArchiveSize": 9}}))

    assert table["cache"]["s3"] == {**CACHE["s3"], "DualStack": True}
    assert table["cache"]["MaxUploadedArchiveSize"] == 9
    assert table["cache"]["Path"] == "r1"


def test_config_lists_replace() -> None:
    table = table_of(entry("docker", config={"docker": {"volumes": ["/certs/client"]}}))
    assert table["docker"]["volumes"] == ["/certs/client"]

    options = ["amazonec2-region=eu-west-1", "amazonec2-instance-type=t3.small"]
    machine = table_of(entry("docker+machine", config={"machine": {"MachineOptions": options}}))["machine"]
    assert machine["MachineOptions"] == options
    assert machine["MachineName"] == "ci-r1-%s"


def test_config_overrides_built_values_and_adds_keys() -> None:
    config = build(
        entry(
            "docker-autoscaler",
            config={
                "executor": "docker-autoscaler",
                "output_limit": 16384,
                "environment": ["DOCKER_TLS_CERTDIR="],
                "autoscaler": {"plugin_config": {"name": "other-asg", "profile": "ci"}, "max_use_count": 3},
            },
        )
    )
    table = config["runners"][0]

    assert table["output_limit"] == 16384
    assert table["environment"] == ["DOCKER_TLS_CERTDIR="]
    assert table["autoscaler"]["plugin_config"] == {"name": "other-asg", "profile": "ci"}
    assert table["autoscaler"]["max_use_count"] == 3
    assert table["autoscaler"]["max_instances"] == 10
    assert_renders(config)


def test_config_is_not_mutated() -> None:
    runners = [entry("docker", config={"docker": {"volumes": ["/x"], "shm_size": 1}})]
    before = copy.deepcopy(runners)

    build(*runners)

    assert runners == before


@pytest.mark.parametrize(
    ("config", "path"),
    [
        pytest.param({"dokcer": {"image": "x"}}, "runners[0].dokcer", id="runner-key"),
        pytest.param({"docker": {"privilegd": True}}, "runners[0].docker.privilegd", id="docker-key"),
        pytest.param({"cache": {"s3": {"bucketname": "x"}}}, "runners[0].cache.s3.bucketname", id="s3-key"),
    ],
)
def test_unknown_config_keys_are_refused_when_rendered_with_their_path(config: dict, path: str) -> None:
    built = build(entry("docker", config=config))

    with pytest.raises(ConfigError) as caught:
        render(built)
    assert [problem.split(": ")[0] for problem in caught.value.problems] == [path]
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize("value", [["docker"], "docker: {}", 5])
def test_config_that_is_not_a_dictionary_is_a_problem(value: object) -> None:
    problem = only_problem([entry(config=value)])

    assert problem == "runners[0].config: must be a dictionary of config.toml [[runners]] keys"


# ---------------------------------------------------------------------------------------------------- token fields


def test_token_times_are_passed_through_and_render_as_datetimes() -> None:
    config = build(
        entry(token_obtained_at="2026-01-31T12:00:00Z", token_expires_at="2026-04-30T12:00:00+00:00"),
    )
    table = config["runners"][0]

    assert table["token_obtained_at"] == "2026-01-31T12:00:00Z"
    assert table["token_expires_at"] == "2026-04-30T12:00:00+00:00"
    read_back = tomllib.loads(assert_renders(config))["runners"][0]
    assert read_back["token_obtained_at"] == datetime.datetime(2026, 1, 31, 12, tzinfo=datetime.UTC)
    assert read_back["token_expires_at"] == datetime.datetime(2026, 4, 30, 12, tzinfo=datetime.UTC)


def test_token_times_are_left_out_when_not_given() -> None:
    table = table_of(entry())
    assert "token_obtained_at" not in table
    assert "token_expires_at" not in table

    table = table_of(entry(token_obtained_at="", token_expires_at=None))
    assert "token_obtained_at" not in table
    assert "token_expires_at" not in table


def test_the_token_parameter_is_not_written_to_config() -> None:
    config = build(entry("docker+machine", token_parameter="/runnerfleet/ci/runners/r1/token"))

    assert "token_parameter" not in config["runners"][0]
    assert "/runnerfleet/ci/runners/r1/token" not in assert_renders(config)


def test_the_entries_and_facts_are_not_mutated() -> None:
    runners = [
        entry("docker+machine", autoscaling=[{"periods": MACHINE_PERIODS}], config={"docker": {"shm_size": 1}}),
        entry("docker-autoscaler", name="r2", id=102, token="glrt-2", autoscaling=[{"periods": ["* * * * *"]}]),
    ]
    aws = {**AWS, "tags": {"team": "ci"}}
    before = copy.deepcopy((runners, aws))

    build(*runners, aws=aws)

    assert (runners, aws) == before


# ---------------------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("runners", "kind"),
    [(None, "NoneType"), ({"name": "r1"}, "dict"), ("r1", "str"), (b"r1", "bytes"), (5, "int")],
)
def test_runners_must_be_a_list(runners: object, kind: str) -> None:
    assert only_problem(runners) == f"runners: must be a list of runner entries, got {kind}"


def test_a_tuple_of_entries_is_a_list() -> None:
    config = fleet_config((entry(),), gitlab_url=URL, fleet_name=FLEET, aws=AWS)

    assert config["runners"][0]["name"] == "r1"


@pytest.mark.parametrize(("value", "kind"), [("r1", "str"), (["r1"], "list"), (None, "NoneType"), (3, "int")])
def test_an_entry_must_be_a_dictionary(value: object, kind: str) -> None:
    problems = problems_of([entry(), value])

    assert problems == [f"runners[1]: must be a dictionary, got {kind}"]


@pytest.mark.parametrize(
    "name",
    ["Runner", "r_1", "r.1", "-r1", "r1-", "a" * 41, "", "r 1", "r1\n", "ré", None, 12],
    ids=["uppercase", "underscore", "dot", "leading-hyphen", "trailing-hyphen", "41-chars", "empty", "space",
         "newline", "non-ascii", "none", "int"],
)  # fmt: skip
def test_a_bad_name_is_a_problem(name: object) -> None:
    problem = only_problem([entry(name=name)])

    assert problem.startswith("runners[0].name: must be 1 to 40 lowercase letters, digits and hyphens")
    assert problem.endswith(f"got {name!r}")


def test_a_missing_name_is_a_problem() -> None:
    one = entry()
    del one["name"]

    assert only_problem([one]).startswith("runners[0].name: must be 1 to 40")


@pytest.mark.parametrize("name", ["a", "7", "a" * 40, "linux-2xl", "0-a-b-c-9"])
def test_good_names(name: str) -> None:
    assert table_of(entry(name=name))["name"] == name


def test_unknown_entry_keys_are_a_problem_pointing_to_config() -> None:
    problem = only_problem([entry(privilegd=True, shm_size=1)])

    assert problem == "runners[0]: unknown keys privilegd, shm_size; config.toml keys go under 'config'"


@pytest.mark.parametrize("executor", ["kubernetes", "Docker", "docker_machine", "", None, 1])
def test_an_invalid_executor_is_a_problem(executor: object) -> None:
    problem = only_problem([entry(executor=executor)])

    assert problem == (
        "runners[0].executor: must be one of docker-autoscaler, docker+machine, docker, shell, custom, "
        f"got {executor!r}"
    )


@pytest.mark.parametrize("runner_id", [0, -5, True, False, "101", 1.0, None])
def test_an_invalid_id_is_a_problem(runner_id: object) -> None:
    assert only_problem([entry(id=runner_id)]) == "runners[0].id: must be the runner's GitLab id, a positive integer"


def test_a_runner_previewed_before_gitlab_made_it_renders_with_the_placeholders() -> None:
    """Check mode's preview of a new entry (fleet_host_runners(preview=true)): id 0 only with the placeholder token."""
    pending = entry(id=_runner_fleet.PENDING_ID, token=_runner_fleet.PENDING_TOKEN)
    assert table_of(pending)["id"] == 0  # renders, where any other entry with id 0 is refused
    assert only_problem([entry(id=False, token=_runner_fleet.PENDING_TOKEN)]) == (
        "runners[0].id: must be the runner's GitLab id, a positive integer"
    )
    assert only_problem([entry(id=0, token="glrt-real")]) == (
        "runners[0].id: must be the runner's GitLab id, a positive integer"
    )


def test_two_new_entries_in_one_preview_render_side_by_side() -> None:
    """Each previewed entry has a placeholder of its own: config.toml refuses one token twice."""
    first = entry(name="one", id=_runner_fleet.PENDING_ID, token=_runner_fleet.pending_token("one"))
    second = entry(name="two", id=_runner_fleet.PENDING_ID, token=_runner_fleet.pending_token("two"))
    text = render(build(first, second))
    assert tomllib.loads(text)["runners"][1]["token"] == f"{_runner_fleet.PENDING_TOKEN}-two"
    assert _runner_fleet.is_pending_token(first["token"]) and not _runner_fleet.is_pending_token("glrt-real")


def test_a_missing_id_is_a_problem() -> None:
    one = entry()
    del one["id"]

    assert only_problem([one]) == "runners[0].id: must be the runner's GitLab id, a positive integer"


@pytest.mark.parametrize("token", ["", None, 1234, ["glrt-a"]], ids=["empty", "none", "int", "list"])
def test_an_invalid_token_is_a_problem(token: object) -> None:
    problem = only_problem([entry(token=token)])

    assert problem == "runners[0].token: must be the runner's authentication token (a non-empty string)"


def test_a_missing_token_is_a_problem() -> None:
    one = entry()
    del one["token"]

    assert only_problem([one]) == "runners[0].token: must be the runner's authentication token (a non-empty string)"


@pytest.mark.parametrize("key", NUMBER_KEYS)
@pytest.mark.parametrize("value", [0, -1, True, "2", 2.5])
def test_numbers_must_be_positive_integers(key: str, value: object) -> None:
    problem = only_problem([entry("docker-autoscaler", **{key: value})])

    assert problem == f"runners[0].{key}: must be a positive integer, got {value!r}"


@pytest.mark.parametrize("key", COUNT_KEYS)
@pytest.mark.parametrize("value", [-1, True, "0", 1.5])
def test_idle_counts_must_be_zero_or_more(key: str, value: object) -> None:
    problem = only_problem([entry("docker+machine", **{key: value})])

    assert problem == f"runners[0].{key}: must be an integer of 0 or more, got {value!r}"


@pytest.mark.parametrize(("key", "machine_key"), [("idle_count", "IdleCount"), ("idle_time", "IdleTime")])
def test_idle_counts_may_be_zero(key: str, machine_key: str) -> None:
    assert table_of(entry("docker+machine", **{key: 0}))["machine"][machine_key] == 0


def test_docker_machine_needs_an_ami() -> None:
    problem = only_problem([entry("docker+machine")], aws=without_aws("worker_ami"))

    assert problem == "runners[0].ami: is needed for docker+machine (or worker_ami in the AWS facts)"
    assert only_problem([entry("docker+machine", ami="")], aws=without_aws("worker_ami")).startswith("runners[0].ami: ")


@pytest.mark.parametrize("fact", MACHINE_FACTS)
def test_docker_machine_needs_each_aws_fact(fact: str) -> None:
    problem = only_problem([entry("docker+machine")], aws=without_aws(fact))

    assert problem == f"runners[0]: docker+machine needs the AWS fact {fact}, which is missing"
    assert only_problem([entry("docker+machine")], aws={**AWS, fact: ""}) == problem


@pytest.mark.parametrize(
    "subnets", [None, [], [{"id": "subnet-a"}], [{"zone": "eu-west-1a"}]], ids=["missing", "empty", "no-zone", "no-id"]
)
def test_docker_machine_needs_worker_subnets(subnets: object) -> None:
    aws = {**AWS, "worker_subnets": subnets} if subnets is not None else without_aws("worker_subnets")

    assert only_problem([entry("docker+machine")], aws=aws) == (
        "runners[0]: docker+machine needs the AWS fact worker_subnets (a list of {id, zone}), which is empty"
    )


def test_docker_machine_with_no_aws_facts_reports_every_missing_one() -> None:
    problems = problems_of([entry("docker+machine")], aws={})

    assert problems == [
        "runners[0].ami: is needed for docker+machine (or worker_ami in the AWS facts)",
        "runners[0]: docker+machine needs the AWS fact region, which is missing",
        "runners[0]: docker+machine needs the AWS fact vpc_id, which is missing",
        "runners[0]: docker+machine needs the AWS fact worker_security_group, which is missing",
        "runners[0]: docker+machine needs the AWS fact worker_instance_profile, which is missing",
        "runners[0]: docker+machine needs the AWS fact worker_subnets (a list of {id, zone}), which is empty",
    ]


@pytest.mark.parametrize("executor", ["docker-autoscaler", "docker", "shell", "custom"])
def test_other_executors_need_no_aws_facts(executor: str) -> None:
    for aws in ({}, None):
        config = fleet_config([entry(executor)], gitlab_url=URL, fleet_name=FLEET, aws=aws)
        assert "cache" not in config["runners"][0]
        assert_renders(config)


def test_a_zone_without_a_worker_subnet_is_a_problem_listing_the_zones() -> None:
    problem = only_problem([entry("docker+machine", zone="eu-west-1d")])

    assert problem == (
        "runners[0].zone: must be a zone of the worker subnets (eu-west-1a, eu-west-1b, eu-west-1c), got 'eu-west-1d'"
    )


@pytest.mark.parametrize("zone", ["b", "eu-west-1", ""])
def test_a_zone_is_the_full_zone_name(zone: object) -> None:
    assert only_problem([entry("docker+machine", zone=zone)]).startswith("runners[0].zone: must be a zone of")


@pytest.mark.parametrize(
    "tags", [{"a,b": "x"}, {"team": "ci,cd"}], ids=["comma-in-key", "comma-in-value"]
)  # fmt: skip
def test_a_tag_with_a_comma_is_a_problem(tags: dict) -> None:
    problem = only_problem([entry("docker+machine")], aws={**AWS, "tags": tags})

    assert problem.startswith("runners[0]: the tag ")
    assert "has a comma, which docker-machine's amazonec2-tags cannot carry" in problem
    ((key, value),) = tags.items()
    assert f"{key!r}={value!r}" in problem


def test_a_tag_with_a_comma_is_no_problem_without_docker_machine() -> None:
    config = build(entry("docker-autoscaler"), aws={**AWS, "tags": {"team": "ci,cd"}})

    assert config["runners"][0]["executor"] == "docker-autoscaler"


def test_duplicate_names_are_a_problem() -> None:
    problems = problems_of(
        [entry(id=1, token="glrt-1"), entry(name="r2", id=2, token="glrt-2"), entry(id=3, token="glrt-3")]
    )

    assert problems == ["runners[2]: name 'r1' is also the name of entry 0; names must be unique"]


def test_a_duplicate_name_names_the_first_entry_that_has_it() -> None:
    problems = problems_of([entry(id=index + 1, token=f"glrt-{index}") for index in range(3)])

    assert problems == [
        "runners[1]: name 'r1' is also the name of entry 0; names must be unique",
        "runners[2]: name 'r1' is also the name of entry 0; names must be unique",
    ]


def test_duplicate_ids_are_a_problem() -> None:
    problems = problems_of([entry(id=7), entry(name="r2", id=8), entry(name="r3", id=7)])

    assert problems == ["runners[2]: id 7 is also the id of entry 0"]


@pytest.mark.parametrize("policies", ["* * * * *", {"periods": ["* * * * *"]}, 3])
def test_autoscaling_must_be_a_list(policies: object) -> None:
    problem = only_problem([entry("docker-autoscaler", autoscaling=policies)])

    assert problem == "runners[0].autoscaling: must be a list of {periods, timezone, idle_count, idle_time}"


@pytest.mark.parametrize(
    "policy",
    [{}, {"timezone": "UTC"}, {"periods": []}, {"periods": "* * * * *"}, {"periods": [5]}, {"periods": None}],
    ids=["empty", "no-periods", "empty-periods", "periods-text", "periods-int", "periods-none"],
)
def test_a_policy_needs_periods(policy: dict) -> None:
    problem = only_problem([entry("docker+machine", autoscaling=[{"periods": MACHINE_PERIODS}, policy])])

    assert problem == "runners[0].autoscaling[1].periods: must be a non-empty list of cron lines"


def test_a_policy_with_unknown_keys_is_a_problem() -> None:
    problem = only_problem([entry("docker+machine", autoscaling=[{"periods": MACHINE_PERIODS, "IdleCount": 2}])])

    assert problem == (
        "runners[0].autoscaling[0]: unknown keys IdleCount; allowed: idle_count, idle_time, periods, timezone"
    )


def test_a_policy_that_is_not_a_dictionary_is_a_problem() -> None:
    problem = only_problem([entry("docker-autoscaler", autoscaling=["* * * * *"])])

    assert problem == "runners[0].autoscaling[0]: must be a dictionary"


@pytest.mark.parametrize("key", COUNT_KEYS)
def test_a_policy_idle_setting_must_be_zero_or_more(key: str) -> None:
    problem = only_problem([entry("docker-autoscaler", autoscaling=[{"periods": ["* * * * *"], key: -1}])])

    assert problem == f"runners[0].autoscaling[0].{key}: must be an integer of 0 or more, got -1"


@pytest.mark.parametrize("group", ["", 5])
def test_an_empty_autoscaling_group_is_a_problem(group: object) -> None:
    problem = only_problem([entry("docker-autoscaler", autoscaling_group=group)])

    assert problem == "runners[0].autoscaling_group: must be the name of the entry's Auto Scaling group"


@pytest.mark.parametrize("url", ["", None])
def test_the_gitlab_url_is_needed(url: object) -> None:
    problem = only_problem([entry()], gitlab_url=url)

    assert problem.startswith("runners: the GitLab URL is empty")


def test_every_problem_is_reported_at_once() -> None:
    runners = [
        entry("docker+machine", name="Bad", zone="eu-west-9z", limit=-1, autoscaling=[{"idle_count": 1}]),
        "not an entry",
        entry("docker", name="r2", id=0, token="", extra=1),
        entry("kubernetes", name="r3", id=3),
        entry("docker-autoscaler", name="r2", id=4, cache=True, max_builds=0),
    ]
    problems = problems_of(runners, aws=without_aws("vpc_id", "cache_bucket"), gitlab_url="")

    assert problems == [
        "runners[0].name: must be 1 to 40 lowercase letters, digits and hyphens, not starting or ending with a "
        "hyphen, got 'Bad'",
        "runners[0].limit: must be a positive integer, got -1",
        "runners[0].autoscaling[0].periods: must be a non-empty list of cron lines",
        "runners[0]: docker+machine needs the AWS fact vpc_id, which is missing",
        "runners[0].zone: must be a zone of the worker subnets (eu-west-1a, eu-west-1b, eu-west-1c), got 'eu-west-9z'",
        "runners[1]: must be a dictionary, got str",
        "runners[2]: unknown keys extra; config.toml keys go under 'config'",
        "runners[2].id: must be the runner's GitLab id, a positive integer",
        "runners[2].token: must be the runner's authentication token (a non-empty string)",
        "runners[3].executor: must be one of docker-autoscaler, docker+machine, docker, shell, custom, "
        "got 'kubernetes'",
        "runners[4].max_builds: must be a positive integer, got 0",
        "runners[4].cache: is true, but the AWS facts name no cache bucket (cache_bucket)",
        "runners[4]: name 'r2' is also the name of entry 2; names must be unique",
        "runners: the GitLab URL is empty; set the URL of the GitLab instance the runners belong to",
    ]


def test_problems_start_with_the_variable_name_given() -> None:
    runners = [entry("docker+machine", name="X", zone="nowhere"), 5, entry(id=0)]
    problems = problems_of(runners, aws={}, variable="runner_host_runners", gitlab_url="")

    assert len(problems) >= 8
    assert all(problem.startswith(("runner_host_runners[", "runner_host_runners: ")) for problem in problems), problems
    assert problems_of(None, variable="my_runners") == ["my_runners: must be a list of runner entries, got NoneType"]


BAD_WITH_TOKEN = [
    pytest.param([entry(name="BAD")], {}, id="name"),
    pytest.param([entry(executor="ssh")], {}, id="executor"),
    pytest.param([entry(id=None)], {}, id="id"),
    pytest.param([entry(limit=0, idle_time=-1)], {}, id="numbers"),
    pytest.param([entry(token_value=TOKEN)], {}, id="unknown-key"),
    pytest.param([entry(config=TOKEN)], {}, id="config-text"),
    pytest.param([entry("docker+machine", zone="x")], {}, id="zone"),
    pytest.param([entry("docker+machine")], {"aws": {}}, id="machine-facts"),
    pytest.param([entry(cache=True)], {"aws": {}}, id="cache"),
    pytest.param([entry(autoscaling=[{"periods": TOKEN, "x": 1}])], {}, id="policy"),
    pytest.param([entry(), entry()], {}, id="duplicates"),
    pytest.param([entry(), TOKEN], {}, id="entry-text"),
    pytest.param([entry()], {"gitlab_url": ""}, id="url"),
]


@pytest.mark.parametrize(("runners", "options"), BAD_WITH_TOKEN)
def test_no_problem_shows_the_token(runners: list, options: dict) -> None:
    problems = problems_of(runners, **options)

    assert problems
    assert not [problem for problem in problems if TOKEN in problem]


# ------------------------------------------------------------------------------------------------- found bugs


@pytest.mark.parametrize(
    ("one", "where", "default"),
    [
        pytest.param(entry("docker-autoscaler", max_instances=None), ("autoscaler", "max_instances"), 10, id="max_i"),
        pytest.param(
            entry("docker-autoscaler", capacity_per_instance=None), ("autoscaler", "capacity_per_instance"), 1, id="cap"
        ),
        pytest.param(entry("docker-autoscaler", max_builds=None), ("autoscaler", "max_use_count"), 1, id="use-count"),
        pytest.param(entry("docker+machine", max_builds=None), ("machine", "MaxBuilds"), 10, id="max-builds"),
    ],
)
def test_a_null_number_gets_its_documented_default(one: dict, where: tuple[str, str], default: int) -> None:
    try:
        config = build(one)
    except FleetError:
        return  # refusing null is an answer too
    table, key = where
    assert config["runners"][0][table][key] == default


@pytest.mark.parametrize("bad", [{"name": ["r1"]}, {"id": [101]}, {"id": {"value": 101}}], ids=["name", "id", "id-d"])
def test_an_unhashable_name_or_id_is_a_problem(bad: dict) -> None:
    problems = problems_of([entry(**bad)])

    assert problems[0].startswith(f"runners[0].{next(iter(bad))}: ")


def test_missing_ids_are_not_reported_as_duplicates() -> None:
    one, two = entry(), entry(name="r2", token="glrt-2")
    del one["id"], two["id"]

    assert problems_of([one, two]) == [
        "runners[0].id: must be the runner's GitLab id, a positive integer",
        "runners[1].id: must be the runner's GitLab id, a positive integer",
    ]


@pytest.mark.parametrize(
    ("one", "is_off"),
    [
        pytest.param(
            entry("docker", privileged="false"), lambda table: table["docker"]["privileged"] is False, id="privileged"
        ),
        pytest.param(
            entry("docker+machine", spot="false"),
            lambda table: not any("request-spot-instance" in flag for flag in table["machine"]["MachineOptions"]),
            id="spot",
        ),
    ],
)
def test_a_false_given_as_text_is_not_read_as_true(one: dict, is_off) -> None:
    try:
        config = build(one)
        normalize(config)
    except (FleetError, ConfigError):
        return  # refusing a non-boolean is an answer too
    assert is_off(config["runners"][0])


# ------------------------------------------------------------------------------------------ the role's documentation


def entry_options() -> dict:
    specs = yaml.safe_load(ARGUMENT_SPECS.read_text(encoding="utf-8"))
    return specs["argument_specs"]["main"]["options"]["runner_host_runners"]["options"]


def test_the_documented_entry_options_are_the_entry_keys() -> None:
    assert set(entry_options()) == ENTRY_KEYS


def test_the_documented_executors_are_the_executors() -> None:
    assert entry_options()["executor"]["choices"] == list(EXECUTORS)


def test_the_documented_required_options_are_checked() -> None:
    required = {name for name, spec in entry_options().items() if spec.get("required")}
    assert required == {"name", "executor", "id", "token"}
    for name in required:
        one = entry()
        del one[name]
        assert problems_of([one])[0].startswith(f"runners[0].{name}: ")


@pytest.mark.parametrize(
    ("option", "read"),
    [
        ("privileged", lambda config: config["runners"][0]["docker"]["privileged"]),
        ("cache_shared", lambda config: config["runners"][0]["cache"]["Shared"]),
        ("instance_type", lambda config: option_value(config, "instance-type")),
        ("spot", lambda config: option_value(config, "request-spot-instance") == "true"),
        ("root_size", lambda config: int(option_value(config, "root-size"))),
        ("volume_type", lambda config: option_value(config, "volume-type")),
        ("idle_count", lambda config: config["runners"][0]["machine"]["IdleCount"]),
        ("idle_time", lambda config: config["runners"][0]["machine"]["IdleTime"]),
    ],
)
def test_the_documented_defaults_are_applied(option: str, read) -> None:
    documented = entry_options()[option]["default"]

    assert read(build(entry("docker+machine"))) == documented


def option_value(config: dict, flag: str) -> str:
    for option in config["runners"][0]["machine"]["MachineOptions"]:
        name, _separator, value = option.partition("=")
        if name == f"amazonec2-{flag}":
            return value
    raise AssertionError(f"no amazonec2-{flag}")


def test_the_documented_default_image_is_the_default_image() -> None:
    specs = yaml.safe_load(ARGUMENT_SPECS.read_text(encoding="utf-8"))
    documented = specs["argument_specs"]["main"]["options"]["runner_host_default_image"]["default"]

    assert documented == _runner_fleet.DEFAULT_IMAGE
