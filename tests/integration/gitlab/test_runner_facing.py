# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox GitLab's runner-facing endpoints against the contract (§4.16-4.20): legacy registration with
registration tokens, deletion by token, verify and authentication-token reset.

These take no user credentials: the token travels as a parameter (form, JSON or query), so requests go out
anonymous. Registration tokens are disallowed at instance level in the seed; the `allowed` fixture allows them.
"""

from __future__ import annotations

import pytest

GONE = {"message": "410 Gone - runner registration disallowed"}
INVALID_TOKEN = {"message": "403 Forbidden - invalid token supplied"}
FORBIDDEN = {"message": "403 Forbidden"}
TOKEN_MISSING = {"error": "token is missing"}
REGISTRATION_KEYS = ["id", "token", "token_expires_at"]
TAGS_EMPTY = "can not be empty when runner is not allowed to pick untagged jobs"


@pytest.fixture
def sb(gitlab_sandbox):
    return gitlab_sandbox


@pytest.fixture
def allowed(sb) -> None:
    sb.hook("PUT", "settings", json={"allow_runner_registration_token": True})


def details(sb, runner_id: int) -> dict:
    return sb.check(sb.api("GET", f"/runners/{runner_id}", sb.admin_token), 200)


def all_runners(sb) -> list[dict]:
    return sb.check(sb.api("GET", "/runners/all", sb.admin_token), 200)


def registration_token(sb, kind: str, ref: int | None = None) -> str:
    """The current registration token: the instance's (from the settings hook), a group's or a project's
    (runners_token, as the admin reads it)."""
    if kind == "instance":
        return sb.hook("GET", "settings").json()["runners_registration_token"]
    return sb.check(sb.api("GET", f"/{kind}s/{ref}", sb.admin_token), 200)["runners_token"]


def register(sb, token: str, **body):
    return sb.api("POST", "/runners", json={"token": token, **body})


def registered(sb, token: str, **body) -> dict:
    created = sb.check(register(sb, token, **body), 201)
    assert list(created) == REGISTRATION_KEYS
    return created


# --- §4.16: POST /runners ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "ref", "runner_type"),
    [("instance", None, "instance_type"), ("group", 12, "group_type"), ("project", 21, "project_type")],
)
def test_register_type_follows_token(sb, allowed, kind, ref, runner_type):
    """Contract §4.16/§3.3: the registration token decides the runner type and its group or project; 201 with
    exactly id, token and token_expires_at."""
    token = registration_token(sb, kind, ref)
    created = registered(sb, token, description=f"{kind}-runner")
    assert isinstance(created["token"], str)
    assert created["token"]
    assert created["token"] != token
    assert created["token_expires_at"] is None
    runner = details(sb, created["id"])
    assert (runner["runner_type"], runner["description"]) == (runner_type, f"{kind}-runner")
    assert [group["id"] for group in runner["groups"]] == ([ref] if kind == "group" else [])
    assert [project["id"] for project in runner["projects"]] == ([ref] if kind == "project" else [])
    assert "created_by" not in runner


@pytest.mark.parametrize(
    ("path", "ref", "runner_type"),
    [
        ("/runners/reset_registration_token", None, "instance_type"),
        ("/groups/13/runners/reset_registration_token", 13, "group_type"),
        ("/projects/24/runners/reset_registration_token", 24, "project_type"),
    ],
)
def test_register_with_reset_token(sb, allowed, path, ref, runner_type):
    """Contract §4.15/§4.16: a token from a reset endpoint registers; the previous token no longer does."""
    kind = path.split("/")[1].rstrip("s")
    old = registration_token(sb, "instance" if kind == "runner" else kind, ref)
    new = sb.check(sb.api("POST", path, sb.admin_token), 201)["token"]
    assert details(sb, registered(sb, new)["id"])["runner_type"] == runner_type
    sb.check(register(sb, old), 403, INVALID_TOKEN)
    assert len(all_runners(sb)) == 1


def test_registered_project_runner_is_listed_for_the_project(sb, allowed):
    """Contract §4.16/§4.10: a runner registered with a project's token is that project's runner."""
    runner_id = registered(sb, registration_token(sb, "project", 22))["id"]
    listed = sb.check(sb.api("GET", "/projects/22/runners", sb.admin_token, params={"type": "project_type"}), 200)
    assert [runner["id"] for runner in listed] == [runner_id]


def test_register_stores_attributes(sb, allowed):
    """Contract §4.16: description, note, paused, locked, run_untagged, tag_list, access_level and maximum_timeout
    are stored; of info, only name."""
    created = registered(
        sb,
        registration_token(sb, "project", 21),
        description="docker builder",
        maintenance_note="rack 7",
        info={"name": "gitlab-runner", "version": "17.5.0", "platform": "linux", "architecture": "amd64"},
        paused=True,
        locked=True,
        run_untagged=False,
        tag_list="docker, linux",
        access_level="ref_protected",
        maximum_timeout=1800,
    )
    runner = details(sb, created["id"])
    expected = {
        "description": "docker builder",
        "maintenance_note": "rack 7",
        "name": "gitlab-runner",
        "paused": True,
        "active": False,
        "locked": True,
        "run_untagged": False,
        "access_level": "ref_protected",
        "maximum_timeout": 1800,
    }
    assert {key: runner[key] for key in expected} == expected
    assert set(runner["tag_list"]) == {"docker", "linux"}


def test_register_defaults(sb, allowed):
    """Contract §2.2/§4.16: without attributes the runner gets the model defaults and no name."""
    runner = details(sb, registered(sb, registration_token(sb, "instance"))["id"])
    expected = {
        "paused": False,
        "active": True,
        "run_untagged": True,
        "locked": False,
        "access_level": "not_protected",
        "maximum_timeout": None,
        "tag_list": [],
        "name": None,
    }
    assert {key: runner[key] for key in expected} == expected


def test_register_info_name_from_form(sb, allowed):
    """Contract §4.16/§1.1: info[name] sent as a form field is stored as the runner's name."""
    form = {"token": registration_token(sb, "instance"), "info[name]": "form-runner", "tag_list": "a,b"}
    created = sb.check(sb.api("POST", "/runners", data=form), 201)
    runner = details(sb, created["id"])
    assert runner["name"] == "form-runner"
    assert set(runner["tag_list"]) == {"a", "b"}


def test_register_maintainer_note_alias(sb, allowed):
    """Contract §4.16: maintainer_note is the deprecated alias of maintenance_note."""
    created = registered(sb, registration_token(sb, "instance"), maintainer_note="old name of the note")
    assert details(sb, created["id"])["maintenance_note"] == "old name of the note"


def test_register_active_false_means_paused(sb, allowed):
    """Contract §4.16/§2.4: the deprecated active=false registers a paused runner."""
    runner = details(sb, registered(sb, registration_token(sb, "instance"), active=False)["id"])
    assert (runner["paused"], runner["active"]) == (True, False)


def test_register_paused_and_active_are_mutually_exclusive(sb, allowed):
    """Contract §4.16/§1.3: active and paused together are 400 and register nothing."""
    response = register(sb, registration_token(sb, "instance"), active=True, paused=False)
    sb.check(response, 400, {"error": "active, paused are mutually exclusive"})
    assert all_runners(sb) == []


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"run_untagged": False}, {"tags_list": [TAGS_EMPTY]}),
        ({"maximum_timeout": 300}, {"maximum_timeout": ["needs to be at least 10 minutes"]}),
        ({"description": "d" * 1025}, {"description": ["is too long (maximum is 1024 characters)"]}),
        (
            {"tag_list": [f"t{n}" for n in range(51)]},
            {"tags_list": ["Too many tags specified. Please limit the number of tags to 50"]},
        ),
    ],
)
def test_register_model_errors(sb, allowed, body, errors):
    """Contract §4.16/§1.3: model validation failures are 400 {"message": {attribute: [...]}} and register nothing."""
    sb.check(register(sb, registration_token(sb, "instance"), **body), 400, {"message": errors})
    assert all_runners(sb) == []


def test_register_is_not_idempotent(sb, allowed):
    """Contract §4.16: each call registers another runner, with the same description."""
    token = registration_token(sb, "group", 11)
    first, second = registered(sb, token, description="twin"), registered(sb, token, description="twin")
    assert first["id"] != second["id"]
    assert first["token"] != second["token"]
    assert [(runner["id"], runner["description"]) for runner in all_runners(sb)] == [
        (first["id"], "twin"),
        (second["id"], "twin"),
    ]


@pytest.mark.parametrize(
    "token",
    ["instance", "group-11", "project-21", "GR1348941notarealtokenatall", "garbage"],
)
def test_register_disallowed_by_default(sb, token):
    """Contract §4.16/§4.15: registration tokens are disallowed at instance level in the seed: any non-empty token,
    valid or not, gets 410 and nothing is registered."""
    if token == "instance":
        token = registration_token(sb, "instance")
    elif token.startswith(("group-", "project-")):
        kind, ref = token.split("-")
        token = registration_token(sb, kind, int(ref))
    sb.check(register(sb, token, description="nope"), 410, GONE)
    assert all_runners(sb) == []


def test_register_disallowed_again_at_instance_level(sb, allowed):
    """Contract §4.16: switching the instance setting off again brings the 410 back."""
    token = registration_token(sb, "instance")
    registered(sb, token)
    sb.hook("PUT", "settings", json={"allow_runner_registration_token": False})
    sb.check(register(sb, token), 410, GONE)
    assert len(all_runners(sb)) == 1


@pytest.mark.parametrize(
    ("kind", "ref", "status"),
    [
        ("group", 11, 410),
        ("group", 12, 410),  # a subgroup follows its top-level group
        ("project", 22, 410),
        ("project", 21, 410),  # platform/infra/ci/runner-images
        ("group", 14, 201),
        ("project", 23, 201),
        ("instance", None, 201),
    ],
)
def test_register_disallowed_by_group(sb, allowed, kind, ref, status):
    """Contract §4.16/§4.15: a top-level group that disallows registration tokens makes its own, its subgroups' and
    its projects' tokens answer 410; other tokens still register."""
    sb.hook("PATCH", "groups/11", json={"allow_runner_registration_token": False})
    response = register(sb, registration_token(sb, kind, ref))
    if status == 410:
        sb.check(response, 410, GONE)
        assert all_runners(sb) == []
    else:
        sb.check(response, 201)


@pytest.mark.parametrize("token", ["GR1348941notarealtokenatall", "glrt-abcdefghijklmnopqrst", "x"])
def test_register_unknown_token(sb, allowed, token):
    """Contract §4.16: when registration is allowed, a token that matches nothing is 403 invalid token supplied."""
    sb.check(register(sb, token), 403, INVALID_TOKEN)
    assert all_runners(sb) == []


def test_register_with_runner_authentication_token(sb, allowed):
    """Contract §4.16: a runner's authentication token is no registration token."""
    sb.check(register(sb, sb.create_runner()["token"]), 403, INVALID_TOKEN)


@pytest.mark.parametrize("registration", [True, False])
@pytest.mark.parametrize("body", [{}, {"description": "no token"}])
def test_register_token_missing(sb, registration, body):
    """Contract §4.16/§1.3: without a token the answer is 400 token is missing, whatever the setting."""
    sb.hook("PUT", "settings", json={"allow_runner_registration_token": registration})
    sb.check(sb.api("POST", "/runners", json=body), 400, TOKEN_MISSING)


# --- §4.17: DELETE /runners ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["params", "data", "json"])
def test_delete_by_token(sb, source):
    """Contract §4.17/§1.1: 204 with an empty body, the token as query, form or JSON; the runner is gone and its
    token is then unknown (403)."""
    created = sb.create_runner()
    sb.check(sb.api("DELETE", "/runners", **{source: {"token": created["token"]}}), 204)
    sb.check(sb.api("GET", f"/runners/{created['id']}", sb.admin_token), 404, {"message": "404 Runner Not Found"})
    sb.check(sb.api("DELETE", "/runners", params={"token": created["token"]}), 403, FORBIDDEN)


def test_delete_registered_runner_by_token(sb, allowed):
    """Contract §4.17: a legacy-registered runner is deleted by its authentication token too."""
    created = registered(sb, registration_token(sb, "project", 24))
    sb.check(sb.api("DELETE", "/runners", params={"token": created["token"]}), 204)
    assert all_runners(sb) == []


@pytest.mark.parametrize("token", ["glrt-unknownunknownunknown", "nothing"])
def test_delete_by_unknown_token(sb, token):
    """Contract §4.17: an unknown token is 403 {"message":"403 Forbidden"} and deletes nothing."""
    runner_id = sb.create_runner()["id"]
    sb.check(sb.api("DELETE", "/runners", params={"token": token}), 403, FORBIDDEN)
    details(sb, runner_id)


def test_delete_by_registration_token_is_refused(sb, allowed):
    """Contract §4.17: the token must be a runner's authentication token; a registration token is unknown."""
    registered(sb, registration_token(sb, "instance"))
    sb.check(sb.api("DELETE", "/runners", params={"token": registration_token(sb, "instance")}), 403, FORBIDDEN)
    assert len(all_runners(sb)) == 1


def test_delete_by_token_missing(sb):
    """Contract §4.17/§1.3: without a token, 400 token is missing."""
    sb.check(sb.api("DELETE", "/runners"), 400, TOKEN_MISSING)


# --- §4.19: POST /runners/verify -----------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["json", "data", "params"])
def test_verify(sb, source):
    """Contract §4.19/§3.3/§1.1: 200 with exactly id, token and token_expires_at, the token as JSON, form or query."""
    created = sb.create_runner()
    verified = sb.check(sb.api("POST", "/runners/verify", **{source: {"token": created["token"]}}), 200)
    assert verified == {"id": created["id"], "token": created["token"], "token_expires_at": None}
    assert list(verified) == REGISTRATION_KEYS


def test_verify_heartbeats(sb):
    """Contract §4.19/§2.4: verify moves a runner from never_contacted to online and sets contacted_at."""
    created = sb.create_runner()
    before = details(sb, created["id"])
    assert (before["status"], before["online"], before["contacted_at"]) == ("never_contacted", None, None)
    sb.check(sb.api("POST", "/runners/verify", json={"token": created["token"], "system_id": "s_1"}), 200)
    after = details(sb, created["id"])
    assert (after["status"], after["online"]) == ("online", True)
    assert after["contacted_at"] is not None


def test_verify_registered_runner(sb, allowed):
    """Contract §4.19: a legacy-registered runner verifies with its authentication token."""
    created = registered(sb, registration_token(sb, "group", 12))
    verified = sb.check(sb.api("POST", "/runners/verify", json={"token": created["token"]}), 200)
    assert (verified["id"], verified["token"]) == (created["id"], created["token"])


@pytest.mark.parametrize("token", ["glrt-unknownunknownunknown", "registration", "x"])
def test_verify_bad_token(sb, allowed, token):
    """Contract §4.19: an invalid token (unknown, or a registration token) is 403 {"message":"403 Forbidden"}."""
    if token == "registration":
        token = registration_token(sb, "instance")
    sb.check(sb.api("POST", "/runners/verify", json={"token": token}), 403, FORBIDDEN)


def test_verify_token_missing(sb):
    """Contract §4.19/§1.3: without a token, 400 token is missing."""
    sb.check(sb.api("POST", "/runners/verify", json={"system_id": "s_1"}), 400, TOKEN_MISSING)


def test_verify_needs_no_user(sb):
    """Contract §4.19/§B: the runner-facing endpoints take no user credentials; a user token does not help."""
    sb.check(sb.api("POST", "/runners/verify", sb.admin_token), 400, TOKEN_MISSING)


# --- §4.20: POST /runners/reset_authentication_token ---------------------------------------------------------------


@pytest.mark.parametrize("source", ["json", "data", "params"])
def test_reset_authentication_token(sb, source):
    """Contract §4.20/§3.4: 201 {token, token_expires_at}; the old token is dead at once, the new one verifies."""
    created = sb.create_runner()
    reset = sb.check(
        sb.api("POST", "/runners/reset_authentication_token", **{source: {"token": created["token"]}}), 201
    )
    assert list(reset) == ["token", "token_expires_at"]
    assert reset["token"] != created["token"]
    assert reset["token_expires_at"] is None
    sb.check(sb.api("POST", "/runners/verify", json={"token": created["token"]}), 403, FORBIDDEN)
    sb.check(sb.api("POST", "/runners/reset_authentication_token", json={"token": created["token"]}), 403, FORBIDDEN)
    assert sb.check(sb.api("POST", "/runners/verify", json={"token": reset["token"]}), 200)["id"] == created["id"]


def test_reset_authentication_token_heartbeats(sb):
    """Contract §4.20: the reset also heartbeats the runner."""
    created = sb.create_runner()
    sb.check(sb.api("POST", "/runners/reset_authentication_token", json={"token": created["token"]}), 201)
    runner = details(sb, created["id"])
    assert (runner["status"], runner["online"]) == ("online", True)
    assert runner["contacted_at"] is not None


def test_reset_authentication_token_of_registered_runner(sb, allowed):
    """Contract §4.20: a legacy-registered runner resets its token the same way; delete by the new token works."""
    created = registered(sb, registration_token(sb, "instance"))
    new = sb.check(sb.api("POST", "/runners/reset_authentication_token", json={"token": created["token"]}), 201)[
        "token"
    ]
    sb.check(sb.api("DELETE", "/runners", params={"token": created["token"]}), 403, FORBIDDEN)
    sb.check(sb.api("DELETE", "/runners", params={"token": new}), 204)


@pytest.mark.parametrize(
    ("body", "status", "expected"), [({"token": "nope"}, 403, FORBIDDEN), ({}, 400, TOKEN_MISSING)]
)
def test_reset_authentication_token_errors(sb, body, status, expected):
    """Contract §4.20: a bad token is 403; a missing one 400 token is missing."""
    sb.check(sb.api("POST", "/runners/reset_authentication_token", json=body), status, expected)


def test_delete_runner_manager(sb):
    """Contract §4.18: DELETE /runners/managers removes one manager (204); an unknown system_id is 404 with GitLab's
    odd wording, a bad token 403, a missing system_id 400."""
    created = sb.create_runner()
    sb.check(sb.api("POST", "/runners/verify", data={"token": created["token"], "system_id": "s_one"}), 200)
    gone = {"token": created["token"], "system_id": "s_other"}
    sb.check(
        sb.api("DELETE", "/runners/managers", params=gone), 404, {"message": "404 Runner manager not found Not Found"}
    )
    sb.check(
        sb.api("DELETE", "/runners/managers", params={**gone, "token": "glrt-wrong"}), 403, {"message": "403 Forbidden"}
    )
    sb.check(
        sb.api("DELETE", "/runners/managers", params={"token": created["token"]}),
        400,
        {"error": "system_id is missing"},
    )
    sb.check(sb.api("DELETE", "/runners/managers", params={**gone, "system_id": "s_one"}), 204)
    assert sb.check(sb.api("GET", f"/runners/{created['id']}/managers", sb.admin_token), 200) == []
