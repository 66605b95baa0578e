# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner_config_fleet and runner_config_mask filters: the names Ansible finds, keyword-only options checked
before the build, FleetError and ConfigError as AnsibleFilterError without the token, and the chain the runner_host
role runs (fleet, merge, toml, mask) with the options its vars/main.yml passes."""

from __future__ import annotations

import inspect
import re
import tomllib

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.runner_config_fleet import runner_config_fleet
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.runner_config_mask import runner_config_mask
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.runner_config_merge import runner_config_merge
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.runner_config_toml import runner_config_toml
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import MASK, masked_text
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_fleet import fleet_config
from filter_plugins import FILTER_DIR, found_filters

URL = "https://gitlab.example.com"
TOKEN = "glrt-filter-unit-secret-41d0"
ROLE_VARS = FILTER_DIR.parents[1] / "roles" / "runner_host" / "vars" / "main.yml"
AWS = {
    "region": "eu-west-1",
    "vpc_id": "vpc-1",
    "worker_subnets": [{"id": "subnet-a", "zone": "eu-west-1a"}],
    "worker_security_group": "ci-workers",
    "worker_instance_profile": "ci-worker",
    "worker_ami": "ami-1",
    "cache_bucket": "ci-cache",
}


def entries() -> list[dict]:
    return [
        {"name": "machine", "executor": "docker+machine", "id": 1, "token": TOKEN},
        {"name": "asg", "executor": "docker-autoscaler", "id": 2, "token": "glrt-filter-second-secret"},
    ]


def fleet(runners: object = None, **options) -> dict:
    options = {"gitlab_url": URL, "fleet_name": "ci", "aws": AWS, **options}
    return runner_config_fleet(entries() if runners is None else runners, **options)


def filter_error(call, *args, **options) -> str:
    with pytest.raises(AnsibleFilterError) as raised:
        call(*args, **options)
    return str(raised.value)


def test_ansible_finds_the_fleet_and_mask_filters() -> None:
    filters = found_filters("runner_config_fleet", "runner_config_mask", "runner_config_merge", "runner_config_toml")

    assert filters["runner_config_fleet"] is runner_config_fleet
    assert filters["runner_config_mask"] is runner_config_mask


# ----------------------------------------------------------------------------------------- runner_config_fleet


def test_the_filter_builds_what_fleet_config_builds() -> None:
    options = {
        "gitlab_url": URL,
        "fleet_name": "ci",
        "aws": AWS,
        "settings": {"check_interval": 3},
        "fleeting_plugin": "aws:1.0.0",
        "default_image": "debian:12",
        "variable": "runner_host_runners",
    }

    config = runner_config_fleet(entries(), **options)

    assert config == fleet_config(entries(), **options)
    assert config["check_interval"] == 3
    assert config["runners"][1]["autoscaler"]["plugin"] == "aws:1.0.0"
    assert config["runners"][0]["docker"]["image"] == "debian:12"
    assert config["runners"][0]["machine"]["MachineName"] == "ci-machine-%s"


def test_the_options_are_keyword_only() -> None:
    parameters = inspect.signature(runner_config_fleet).parameters
    keyword_only = [name for name, parameter in parameters.items() if parameter.kind is parameter.KEYWORD_ONLY]

    assert next(iter(parameters)) == "runners"
    assert keyword_only == [
        "gitlab_url",
        "fleet_name",
        "aws",
        "settings",
        "fleeting_plugin",
        "default_image",
        "variable",
    ]
    with pytest.raises(TypeError):
        runner_config_fleet(entries(), URL, "ci")  # type: ignore[misc]


def test_the_role_passes_only_options_the_filter_takes() -> None:
    """roles/runner_host/vars/main.yml calls the filter with keywords: each must be one the filter has."""
    role_vars = yaml.safe_load(ROLE_VARS.read_text(encoding="utf-8"))
    call = role_vars["runner_host_desired_config"]
    assert "runner_config_fleet(" in call
    passed = set(re.findall(r"\b(\w+)=", call.split("runner_config_fleet(", 1)[1]))

    assert passed == {"gitlab_url", "fleet_name", "aws", "settings", "fleeting_plugin", "default_image", "variable"}
    assert passed <= set(inspect.signature(runner_config_fleet).parameters)


def test_defaults_match_fleet_config() -> None:
    assert fleet(settings=None) == fleet_config(entries(), gitlab_url=URL, fleet_name="ci", aws=AWS)
    assert fleet()["runners"][1]["autoscaler"]["plugin"] == "aws"


def test_problems_become_one_filter_error_without_the_token() -> None:
    runners = [
        {"name": "Machine", "executor": "docker+machine", "id": 1, "token": TOKEN},
        {"name": "asg", "executor": "ssh", "id": 0, "token": TOKEN},
    ]

    message = filter_error(fleet, runners, aws={}, variable="runner_host_runners")

    assert message.startswith("runner_config_fleet: runner_host_runners[0].name: must be 1 to 40")
    assert "runner_host_runners[0].ami: is needed for docker+machine" in message
    assert "runner_host_runners[0]: docker+machine needs the AWS fact region, which is missing" in message
    assert "runner_host_runners[1].executor: must be one of" in message
    assert "runner_host_runners[1].id: must be the runner's GitLab id" in message
    assert TOKEN not in message


def test_runners_that_are_not_a_list_become_a_filter_error() -> None:
    message = filter_error(fleet, {"name": "a"})

    assert message == "runner_config_fleet: runners: must be a list of runner entries, got dict"


@pytest.mark.parametrize("option", ["aws", "settings"])
@pytest.mark.parametrize(("value", "kind"), [(["a"], "list"), ("region: x", "str"), (3, "int")])
def test_aws_and_settings_must_be_dictionaries(option: str, value: object, kind: str) -> None:
    message = filter_error(fleet, **{option: value})

    assert message == f"runner_config_fleet: {option} must be a dictionary, got {kind}"


@pytest.mark.parametrize("option", ["aws", "settings"])
def test_aws_and_settings_may_be_left_out(option: str) -> None:
    config = fleet([{"name": "a", "executor": "shell", "id": 1, "token": TOKEN}], **{option: None})

    assert config["runners"][0]["name"] == "a"


@pytest.mark.parametrize("name", [None, "", 5, ["ci"]])
def test_the_fleet_name_is_required(name: object) -> None:
    message = filter_error(fleet, fleet_name=name)

    assert message == "runner_config_fleet: fleet_name must be the fleet's name (a non-empty string)"


def test_the_fleet_name_left_out_is_an_error() -> None:
    message = filter_error(runner_config_fleet, entries(), gitlab_url=URL, aws=AWS)

    assert "fleet_name must be the fleet's name" in message


@pytest.mark.parametrize("url", [None, ""])
def test_the_gitlab_url_is_required(url: object) -> None:
    message = filter_error(fleet, gitlab_url=url)

    assert message.startswith("runner_config_fleet: runners: the GitLab URL is empty")


# ------------------------------------------------------------------------------------------- runner_config_mask


def test_mask_of_text() -> None:
    text = 'concurrent = 2\n\n[[runners]]\nname = "a"\ntoken = "glrt-mask-text-secret"\n\n[runners.cache.s3]\n'
    text += 'AccessKey = "AKIAUNITSECRET"\nBucketName = "b"\n'

    masked = runner_config_mask(text)

    assert tomllib.loads(masked) == {
        "concurrent": 2,
        "runners": [{"name": "a", "token": MASK, "cache": {"s3": {"AccessKey": MASK, "BucketName": "b"}}}],
    }
    assert "glrt-mask-text-secret" not in masked
    assert "AKIAUNITSECRET" not in masked


def test_mask_of_a_dictionary_is_masked_text() -> None:
    config = fleet()

    assert runner_config_mask(config) == masked_text(config)
    assert TOKEN not in runner_config_mask(config)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ('[[runners]]\ntoken = "glrt-broken-secret" x\n', "not valid TOML"),
        (42, "must be its text or a dictionary"),
    ],
    ids=["broken", "int"],
)
def test_mask_errors_become_a_filter_error(source: object, fragment: str) -> None:
    message = filter_error(runner_config_mask, source)

    assert message.startswith("runner_config_mask: ")
    assert fragment in message
    assert "glrt-broken-secret" not in message


# ----------------------------------------------------------------------------------------------- the role's chain


def role_chain(current_text: str) -> tuple[str, str, dict]:
    """What roles/runner_host/vars/main.yml computes: desired config, merged with the host's, rendered, masked."""
    desired = fleet(
        settings={"check_interval": 3},
        fleeting_plugin="aws:1.0.0",
        default_image="alpine:3.20",
        variable="runner_host_runners",
    )
    merged = runner_config_merge(desired, current_text)
    text = runner_config_toml(merged["config"])
    return text, runner_config_mask(text), merged


def test_the_role_chain_on_a_new_host() -> None:
    text, masked, merged = role_chain("")

    assert merged["rotated_tokens"] == []
    assert TOKEN in text
    assert TOKEN not in masked
    assert "glrt-filter-second-secret" not in masked
    written, shown = tomllib.loads(text), tomllib.loads(masked)
    assert [runner["token"] for runner in shown["runners"]] == [MASK, MASK]
    for runner in written["runners"]:
        runner["token"] = MASK
    assert shown == written


def test_the_role_chain_keeps_and_masks_a_token_the_runner_rotated() -> None:
    host = (
        "concurrent = 20\n\n[[runners]]\n"
        'name = "machine"\nurl = "https://gitlab.example.com"\nid = 1\ntoken = "glrt-rotated-on-host"\n'
        "token_obtained_at = 2026-02-01T00:00:00Z\ntoken_expires_at = 2026-05-01T00:00:00Z\n"
        'executor = "docker+machine"\n'
    )

    text, masked, merged = role_chain(host)

    assert [rotated["name"] for rotated in merged["rotated_tokens"]] == ["machine"]
    assert 'token = "glrt-rotated-on-host"' in text
    assert "glrt-rotated-on-host" not in masked
    assert "glrt-rotated-on-host" not in runner_config_mask(host)
