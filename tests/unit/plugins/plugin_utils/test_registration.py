# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registration role's data shaping (plugin_utils/_registration): what SSM keeps read back by runner, the
gitlab_runner entries given the stored ids and tokens, the parameters a run writes, the runners no longer described,
and the role's two outputs (registration_result.runners without tokens, registration_tokens)."""

from __future__ import annotations

import pytest
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._registration import (
    RegistrationError,
    gitlab_entries,
    parameters_to_write,
    runner_results,
    runner_tokens,
    stored_by_name,
    stored_id,
    stored_token,
    undescribed,
)

PATH = "/runnerfleet/cif/runners"
TOKEN_A = "glrt-registration-unit-A"
TOKEN_B = "glrt-registration-unit-B"
RUNNERS = [
    {"name": "small", "description": "cif-small", "runner_type": "instance_type", "tag_list": ["docker"]},
    {"name": "grp", "description": "cif-grp", "runner_type": "group_type", "group": "platform/infra", "paused": True},
]


# --- what SSM keeps -----------------------------------------------------------------------------------------------


def test_stored_parameters_by_runner_and_kind():
    parameters = {
        f"{PATH}/small/token": TOKEN_A,
        f"{PATH}/small/id": "12",
        f"{PATH}/grp/token": TOKEN_B,
    }
    assert stored_by_name(parameters, PATH) == {"small": {"token": TOKEN_A, "id": "12"}, "grp": {"token": TOKEN_B}}


def test_stored_parameters_other_than_a_runners_token_or_id_are_left_out():
    parameters = {
        f"{PATH}/small/id": "12",
        f"{PATH}/small/note": "x",  # not a kind the role keeps
        f"{PATH}/small/token/old": "y",  # too deep
        f"{PATH}/loose": "z",  # not under a runner
        f"{PATH}//id": "3",  # no runner name
        "/runnerfleet/cif/docker-machine/ca": "w",  # another path
        "/runnerfleet/cif/runners-old/small/id": "4",  # a path that only begins like it
    }
    assert stored_by_name(parameters, PATH) == {"small": {"id": "12"}}


def test_stored_parameters_under_a_path_given_with_a_trailing_slash():
    assert stored_by_name({f"{PATH}/small/id": "12"}, f"{PATH}/") == {"small": {"id": "12"}}


def test_nothing_stored():
    assert stored_by_name({}, PATH) == {}


@pytest.mark.parametrize(
    ("kept", "expected"),
    [
        ({"id": "12"}, 12),
        ({"id": 12}, 12),
        ({"id": " 7 "}, 7),
        ({"id": "12a"}, None),
        ({"id": "-3"}, None),
        ({"id": ""}, None),
        ({"id": None}, None),
        ({"id": True}, None),
        ({}, None),
    ],
)
def test_a_stored_id_counts_only_when_it_is_a_number(kept, expected):
    assert stored_id(kept) == expected


@pytest.mark.parametrize(
    ("kept", "expected"),
    [({"token": TOKEN_A}, TOKEN_A), ({"token": ""}, None), ({"token": None}, None), ({"token": 5}, None), ({}, None)],
)
def test_a_stored_token_counts_only_when_it_is_a_non_empty_string(kept, expected):
    assert stored_token(kept) == expected


# --- what the gitlab_runner module is given -----------------------------------------------------------------------


def test_entries_without_name_with_the_stored_id_and_token():
    stored = {"small": {"token": TOKEN_A, "id": "12"}}
    assert gitlab_entries(RUNNERS, stored) == [
        {
            "description": "cif-small",
            "runner_type": "instance_type",
            "tag_list": ["docker"],
            "id": 12,
            "token": TOKEN_A,
        },
        {"description": "cif-grp", "runner_type": "group_type", "group": "platform/infra", "paused": True},
    ]


def test_entries_for_deleting_carry_no_token():
    stored = {"small": {"token": TOKEN_A, "id": "12"}, "grp": {"token": TOKEN_B}}
    entries = gitlab_entries(RUNNERS, stored, with_tokens=False)
    assert [entry.get("id") for entry in entries] == [12, None]
    assert not any("token" in entry for entry in entries)


def test_entries_leave_out_an_id_that_is_not_a_number_an_empty_token_and_null_attributes():
    runners = [{"name": "small", "description": "cif-small", "maintenance_note": None}]
    assert gitlab_entries(runners, {"small": {"id": "x", "token": ""}}) == [{"description": "cif-small"}]


def test_entries_do_not_change_the_plan():
    runners = [dict(entry) for entry in RUNNERS]
    gitlab_entries(runners, {"small": {"token": TOKEN_A, "id": "12"}})
    assert runners == RUNNERS


# --- runners no longer described ----------------------------------------------------------------------------------


def test_undescribed_runners_by_id_else_by_token_else_only_their_parameters():
    stored = {
        "small": {"token": TOKEN_A, "id": "12"},  # described: kept
        "old": {"token": TOKEN_B, "id": "40"},  # by id
        "half": {"token": TOKEN_B},  # by token (a run killed before the id was written)
        "bad-id": {"id": "n/a", "token": TOKEN_A},  # an id that is no number: by token
        "bare": {"id": ""},  # nothing to find it by: only its parameters go
    }
    assert undescribed(stored, RUNNERS, "cif-") == {
        "names": ["bad-id", "bare", "half", "old"],
        "entries": [
            {"description": "cif-bad-id", "token": TOKEN_A},
            {"description": "cif-half", "token": TOKEN_B},
            {"description": "cif-old", "id": 40},
        ],
        # only the parameters SSM holds go
        "parameters": ["bad-id/token", "bad-id/id", "bare/id", "half/token", "old/token", "old/id"],
    }


def test_no_runner_undescribed():
    nothing = {"names": [], "entries": [], "parameters": []}
    assert undescribed({"small": {"id": "1"}, "grp": {"id": "2"}}, RUNNERS, "cif-") == nothing
    assert undescribed({}, [], "cif-") == nothing


def test_a_runners_expiry_parameter_goes_with_it():
    stored = {"old": {"token": TOKEN_B, "token_expires_at": "never", "id": "40"}}
    assert undescribed(stored, RUNNERS, "cif-")["parameters"] == ["old/token", "old/token_expires_at", "old/id"]


def test_every_stored_runner_is_undescribed_when_the_plan_has_none():
    assert undescribed({"small": {"id": "1"}}, [], "cif-")["entries"] == [{"description": "cif-small", "id": 1}]


# --- what a run writes ------------------------------------------------------------------------------------------


def result(runner_id: int | None, token: str | None, **more) -> dict:
    return {"description": "d", "id": runner_id, "token": token, "changed": False, "runner": None, **more}


def test_a_created_runner_writes_its_token_its_expiry_then_its_id():
    expiring = result(13, TOKEN_B, token_expires_at="2027-01-01T00:00:00.000Z")
    written = parameters_to_write([result(12, TOKEN_A), expiring], RUNNERS, {})
    assert written == [
        {"name": "small", "kind": "token", "value": TOKEN_A},
        {"name": "small", "kind": "token_expires_at", "value": "never"},  # GitLab set no expiry
        {"name": "small", "kind": "id", "value": "12"},
        {"name": "grp", "kind": "token", "value": TOKEN_B},
        {"name": "grp", "kind": "token_expires_at", "value": "2027-01-01T00:00:00.000Z"},
        {"name": "grp", "kind": "id", "value": "13"},
    ]


def test_nothing_written_when_ssm_holds_the_token_and_id():
    stored = {"small": {"token": TOKEN_A, "id": "12"}, "grp": {"token": TOKEN_B, "id": 13}}
    assert parameters_to_write([result(12, TOKEN_A), result(13, TOKEN_B)], RUNNERS, stored) == []


def test_a_re_keyed_runner_writes_only_its_new_token():
    stored = {"small": {"token": TOKEN_A, "id": "12"}, "grp": {"token": TOKEN_B, "id": "13"}}
    written = parameters_to_write([result(12, "glrt-new"), result(13, TOKEN_B)], RUNNERS, stored)
    assert written == [
        {"name": "small", "kind": "token", "value": "glrt-new"},
        {"name": "small", "kind": "token_expires_at", "value": "never"},
    ]


def test_a_re_keyed_token_with_the_same_expiry_keeps_the_stored_expiry():
    stored = {"small": {"token": TOKEN_A, "token_expires_at": "never", "id": "12"}}
    written = parameters_to_write([result(12, "glrt-new"), result(None, None)], RUNNERS, stored)
    assert written == [{"name": "small", "kind": "token", "value": "glrt-new"}]


def test_the_stored_expiry_goes_with_the_token_to_the_module_never_the_no_expiry_mark():
    stored = {
        "small": {"token": TOKEN_A, "token_expires_at": "2027-01-01T00:00:00Z", "id": "12"},
        "grp": {"token": TOKEN_B, "token_expires_at": "never", "id": "13"},
    }
    entries = gitlab_entries(RUNNERS, stored)
    assert entries[0]["token_expires_at"] == "2027-01-01T00:00:00Z"
    assert "token_expires_at" not in entries[1]
    assert "token_expires_at" not in gitlab_entries(RUNNERS, stored, with_tokens=False)[0]


def test_an_id_ssm_does_not_hold_yet_is_written_alone():
    stored = {"small": {"token": TOKEN_A}, "grp": {"token": TOKEN_B, "id": "99"}}
    written = parameters_to_write([result(12, TOKEN_A), result(13, TOKEN_B)], RUNNERS, stored)
    assert written == [
        {"name": "small", "kind": "id", "value": "12"},
        {"name": "grp", "kind": "id", "value": "13"},
    ]


def test_nothing_written_for_a_runner_without_id_or_token():
    # check mode before a create; or a runner found whose token GitLab did not show
    assert parameters_to_write([result(None, None), {}], RUNNERS, {}) == []


# --- what the role hands on ---------------------------------------------------------------------------------------


def test_results_take_gitlabs_answer_and_hold_no_token():
    answered = {
        "status": "online",
        "runner_type": "instance_type",
        "tag_list": ["docker", "aws"],
        "contacted_at": "2026-12-07T10:00:00.000Z",
    }
    managers = [{"id": 3, "system_id": "s_0a1b", "version": "18.9.0", "status": "online", "contacted_at": "2026",
                 "platform": "linux"}]  # fmt: skip
    results = [
        result(
            12,
            TOKEN_A,
            description="cif-small",
            changed=True,
            runner=answered,
            token_source="created",
            managers=managers,
        ),
        result(13, TOKEN_B, description="cif-grp", runner={"status": "never_contacted", "runner_type": "group_type"}),
    ]
    assert runner_results(results, RUNNERS) == [
        {
            "name": "small",
            "description": "cif-small",
            "id": 12,
            "status": "online",
            "runner_type": "instance_type",
            "tags": ["docker", "aws"],
            "changed": True,
            "operation": "update",  # a result without one (an older module's) is read from changed
            "contacted_at": "2026-12-07T10:00:00.000Z",
            "managers": [{"system_id": "s_0a1b", "version": "18.9.0", "status": "online", "contacted_at": "2026"}],
        },
        {
            "name": "grp",
            "description": "cif-grp",
            "id": 13,
            "status": "never_contacted",
            "runner_type": "group_type",
            "tags": [],
            "changed": False,
            "operation": "none",
            "contacted_at": None,
            "managers": None,  # GitLab was not asked
        },
    ]
    assert TOKEN_A not in repr(runner_results(results, RUNNERS))


def test_results_when_gitlab_answered_no_runner_fall_back_to_the_entry():
    runners = [*RUNNERS, {"name": "untyped", "description": "cif-untyped"}]
    results = [{"id": None, "runner": None}, {"description": "cif-grp", "runner": {}}, {}]
    assert runner_results(results, runners) == [
        {
            "name": "small",
            "description": "cif-small",
            "id": None,
            "status": "unknown",
            "runner_type": "instance_type",
            "tags": [],
            "changed": False,
            "operation": "none",
            "contacted_at": None,
            "managers": None,
        },
        {
            "name": "grp",
            "description": "cif-grp",
            "id": None,
            "status": "unknown",
            "runner_type": "group_type",
            "tags": [],
            "changed": False,
            "operation": "none",
            "contacted_at": None,
            "managers": None,
        },
        {
            "name": "untyped",
            "description": "cif-untyped",
            "id": None,
            "status": "unknown",
            "runner_type": "",
            "tags": [],
            "changed": False,
            "operation": "none",
            "contacted_at": None,
            "managers": None,
        },
    ]


def test_tokens_by_runner_name_for_the_runner_hosts():
    results = [result(12, TOKEN_A, token_expires_at="2027-01-01T00:00:00.000Z"), result(13, None)]
    assert runner_tokens(results, RUNNERS) == {
        "small": {"id": 12, "token": TOKEN_A, "token_expires_at": "2027-01-01T00:00:00.000Z"},
        "grp": {"id": 13, "token": None, "token_expires_at": None},
    }


def test_no_runner_no_token():
    assert runner_tokens([], []) == {}
    assert runner_results([], []) == []


@pytest.mark.parametrize("shape", [runner_results, runner_tokens])
def test_results_that_are_not_one_per_entry_are_refused(shape):
    with pytest.raises(RegistrationError, match=r"results \(1\) do not match the plan's runners \(2\)"):
        shape([result(12, TOKEN_A)], RUNNERS)


def test_parameters_from_results_that_are_not_one_per_entry_are_refused():
    with pytest.raises(RegistrationError, match="do not match"):
        parameters_to_write([result(12, TOKEN_A)] * 3, RUNNERS, {})
