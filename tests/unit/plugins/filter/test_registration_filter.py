# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registration filters (plugins/filter/registration_*.py) and the role they serve: the names Ansible finds, one
doc file per filter, wrong inputs refused as AnsibleFilterError naming the filter, the chain the role runs, and the
plan's registration part accepted whole by the role's argument spec (a role fed a plan works on its own)."""

from __future__ import annotations

import copy

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.registration_entries import registration_entries
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.registration_parameters import registration_parameters
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.registration_results import registration_results
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.registration_stored import registration_stored
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.registration_tokens import registration_tokens
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.registration_undescribed import registration_undescribed
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_plan import GITLAB_KEYS, resolve
from filter_plugins import FILTER_DIR, found_filters

FILTERS = (
    "registration_stored",
    "registration_entries",
    "registration_undescribed",
    "registration_parameters",
    "registration_results",
    "registration_tokens",
)
ROLE = FILTER_DIR.parents[1] / "roles" / "registration"
TOKEN = "glrt-registration-filter-secret"


def plan_part(runners: list | None = None) -> dict:
    description = {
        "fleet_name": "cif",
        "fleet_region": "eu-west-1",
        "fleet_gitlab_url": "https://gitlab.example.com",
        "fleet_gitlab_api_token": "glpat-registration-filter",
        "fleet_managers": {"ami": "ami-0123456789abcdef0"},
        "fleet_worker_ami": "ami-0123456789abcdef0",
        "fleet_runners": runners
        or [
            {"name": "small", "runner_type": "instance_type", "tags": ["docker"], "executor": "docker-autoscaler"},
            {
                "name": "shell",
                "runner_type": "instance_type",
                "tags": ["sh"],
                "executor": "shell",
                "allow_manager_role": True,
            },
        ],
    }
    resolved = resolve(description)
    assert resolved["problems"] == []
    return resolved["plan"]["registration"]


def test_the_filters_ansible_finds():
    found = found_filters(
        "registration_entries",
        "registration_parameters",
        "registration_results",
        "registration_stored",
        "registration_tokens",
        "registration_undescribed",
    )
    assert set(found) == set(FILTERS)


@pytest.mark.parametrize("name", FILTERS)
def test_each_filter_has_its_doc_file(name):
    doc = yaml.safe_load((FILTER_DIR / f"{name}.yml").read_text())
    assert doc["DOCUMENTATION"]["name"] == name
    assert doc["EXAMPLES"].strip()
    assert "_value" in doc["RETURN"]


def test_the_chain_the_role_runs():
    part = plan_part()
    parameters = {f"{part['ssm_path']}/small/token": TOKEN, f"{part['ssm_path']}/small/id": "5"}
    stored = registration_stored(parameters, part["ssm_path"])
    entries = registration_entries(part["runners"], stored)
    assert entries == [
        {"description": "cif-small", "runner_type": "instance_type", "tag_list": ["docker"], "id": 5, "token": TOKEN},
        {"description": "cif-shell", "runner_type": "instance_type", "tag_list": ["sh"]},
    ]
    assert all("token" not in entry for entry in registration_entries(part["runners"], stored, False))
    results = [
        {"description": "cif-small", "id": 5, "token": TOKEN, "changed": False, "runner": {"status": "online"}},
        {"description": "cif-shell", "id": 6, "token": "glrt-new", "changed": True, "token_source": "created"},
    ]
    assert registration_parameters(results, part["runners"], stored) == [
        {"name": "shell", "kind": "token", "value": "glrt-new"},
        {"name": "shell", "kind": "token_expires_at", "value": "never"},
        {"name": "shell", "kind": "id", "value": "6"},
    ]
    assert [runner["status"] for runner in registration_results(results, part["runners"])] == [
        "online",
        "unknown",
    ]
    assert set(registration_tokens(results, part["runners"])) == {"small", "shell"}
    gone = registration_undescribed({**stored, "old": {"id": "9"}}, part["runners"], "cif-")
    assert gone == {"names": ["old"], "entries": [{"description": "cif-old", "id": 9}], "parameters": ["old/id"]}


def test_stored_and_the_parameters_default_to_nothing_stored():
    part = plan_part()
    assert registration_entries(part["runners"]) == registration_entries(part["runners"], {})
    results = [{"id": 1, "token": TOKEN}, {"id": 2, "token": TOKEN}]
    assert len(registration_parameters(results, part["runners"])) == 6  # token, expiry, id each


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: registration_stored(["x"], "/p"), "registration_stored: the input .* must be a mapping"),
        (lambda: registration_stored({}, None), "registration_stored: ssm_path must be a string"),
        (lambda: registration_entries("small", {}), "registration_entries: the input must be the plan"),
        (lambda: registration_entries([{"tags": []}], {}), "registration_entries: the input must be"),
        (lambda: registration_entries([], []), "registration_entries: stored .* must be a mapping"),
        (lambda: registration_entries([], {}, "no"), "registration_entries: with_tokens must be true"),
        (lambda: registration_undescribed({}, None, "cif-"), "registration_undescribed: runners must"),
        (lambda: registration_undescribed({}, [], 3), "registration_undescribed: description_prefix"),
        (lambda: registration_parameters("x", []), "registration_parameters: the input must be the"),
        (lambda: registration_parameters([1], []), "registration_parameters: the input must be the"),
        (lambda: registration_parameters([], [], []), "registration_parameters: stored .* mapping"),
        (lambda: registration_results([{}], []), r"registration_results: the gitlab_runner results \(1\)"),
        (lambda: registration_tokens([], [{"name": "a"}]), "registration_tokens: the gitlab_runner res"),
    ],
)
def test_wrong_inputs_are_refused_naming_the_filter(call, message):
    with pytest.raises(AnsibleFilterError, match=message):
        call()


def test_a_refusal_never_shows_a_token():
    with pytest.raises(AnsibleFilterError) as raised:
        registration_tokens([{"id": 1, "token": TOKEN}], [])
    assert TOKEN not in str(raised.value)


# --- the role -------------------------------------------------------------------------------------------------------


def role_spec() -> dict:
    return yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]


def validate(plan: dict) -> list[str]:
    arguments = {"registration_state": "present", "registration_plan": plan, "registration_gitlab_api_token": TOKEN}
    return ArgumentSpecValidator(role_spec()).validate(arguments, validate_role_argument_spec=True).error_messages


def test_the_role_takes_the_plans_registration_part_whole():
    every_attribute = {
        "name": "grp",
        "executor": "shell",
        "allow_manager_role": True,
        "runner_type": "group_type",
        "group": "platform/infra",
        "tags": ["a"],
        "run_untagged": False,
        "paused": False,
        "access_level": "ref_protected",
        "maximum_timeout": 3600,
        "maintenance_note": "n",
    }
    project = {"name": "prj", "executor": "docker", "runner_type": "project_type", "project": 42, "locked": True}
    assert set(GITLAB_KEYS) <= set(every_attribute) | set(project)
    assert validate(plan_part([every_attribute, project])) == []
    assert validate(plan_part()) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda plan: plan.pop("ssm_path"), "ssm_path"),
        (lambda plan: plan["fleet"].pop("region"), "region"),
        (lambda plan: plan["runners"][0].pop("description"), "description"),
        (lambda plan: plan["runners"][0].update(executor="shell"), "executor"),
        (lambda plan: plan["runners"][0].update(access_level="all"), "access_level"),
    ],
)
def test_the_role_refuses_a_plan_that_is_not_its_part(change, message):
    plan = copy.deepcopy(plan_part())
    change(plan)
    errors = validate(plan)
    assert errors
    assert any(message in error for error in errors), errors


def test_no_jinja_program_in_the_role():
    for path in ROLE.rglob("*.yml"):
        assert "{%" not in path.read_text(), path
