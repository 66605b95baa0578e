# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox GitLab's runner model against the contract: derived values (§2.4), defaults and validation (§2.2),
quoted tags (§1.1), creators (§3.1) and authentication-token expiry (§2.5).

Clocks are moved with the PATCH /-/sandbox/runners/:id hook rather than by waiting.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest

ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
USER_BASIC_KEYS = {"id", "username", "public_email", "name", "state", "locked", "avatar_url", "web_url"}
FORBIDDEN = {"message": "403 Forbidden"}
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def sb(gitlab_sandbox):
    return gitlab_sandbox


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ago(delta: timedelta) -> str:
    return iso(datetime.now(UTC) - delta)


def parse(value: str) -> datetime:
    assert ISO_MS.match(value), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def check(response, status: int) -> dict | list:
    request = response.request
    assert response.status_code == status, f"{request.method} {request.url}: {response.status_code} {response.text}"
    return response.json()


def details(sb, runner_id: int) -> dict:
    return check(sb.api("GET", f"/runners/{runner_id}", sb.admin_token), 200)


def listed(sb, runner_id: int) -> dict:
    """The runner as GET /runners/all shows it."""
    [runner] = [item for item in check(sb.api("GET", "/runners/all", sb.admin_token), 200) if item["id"] == runner_id]
    return runner


def clock(sb, runner_id: int, **fields) -> dict:
    """Set the runner's clocks (and other internals) through the hook."""
    return sb.hook("PATCH", f"runners/{runner_id}", json=fields).json()


def runner_at(sb, created: timedelta, contacted: timedelta | None, paused: bool = False) -> int:
    """A new instance runner created `created` ago, last contacted `contacted` ago (None: never)."""
    runner_id = sb.create_runner(paused=paused)["id"]
    clock(sb, runner_id, created_at=ago(created), contacted_at=None if contacted is None else ago(contacted))
    return runner_id


def enable_registration_tokens(sb) -> str:
    """Allow legacy registration and return the instance registration token."""
    sb.hook("PUT", "settings", json={"allow_runner_registration_token": True})
    return check(sb.api("POST", "/runners/reset_registration_token", sb.admin_token), 201)["token"]


# --- §2.4: online, status ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("created", "contacted", "paused", "expected"),
    [
        (DAY, None, False, (None, "never_contacted")),
        (DAY, HOUR, False, (True, "online")),
        (DAY, 2 * HOUR - 5 * MINUTE, False, (True, "online")),
        (DAY, 2 * HOUR + 5 * MINUTE, False, (False, "offline")),
        (DAY, 3 * HOUR, False, (False, "offline")),
        (6 * DAY + HOUR, 6 * DAY, False, (False, "offline")),
        (8 * DAY, 8 * DAY, False, (False, "stale")),
        (8 * DAY, None, False, (None, "stale")),
        (7 * DAY + HOUR, None, False, (None, "stale")),
        (6 * DAY, None, False, (None, "never_contacted")),
        (8 * DAY, HOUR, False, (True, "online")),
        (DAY, HOUR, True, (True, "paused")),
        (DAY, 3 * HOUR, True, (False, "paused")),
        (DAY, None, True, (None, "never_contacted")),
        (8 * DAY, 8 * DAY, True, (False, "stale")),
    ],
)
def test_online_and_status(sb, created, contacted, paused, expected):
    """Contract §2.4: online is null when never contacted, true within 2 h; status is stale, else never_contacted,
    else online/offline when active, else paused (a paused runner that never made contact is never_contacted)."""
    runner_id = runner_at(sb, created, contacted, paused)
    runner = details(sb, runner_id)
    assert (runner["online"], runner["status"]) == expected
    assert runner["paused"] is paused
    assert (listed(sb, runner_id)["online"], listed(sb, runner_id)["status"]) == expected


def test_clocks_round_trip_in_iso_milliseconds(sb):
    """Contract §2.5/§3.1/§3.2: times are ISO 8601 with milliseconds and Z, as set."""
    runner_id = sb.create_runner()["id"]
    created, contacted = ago(3 * DAY), ago(HOUR)
    clock(sb, runner_id, created_at=created, contacted_at=contacted)
    runner = details(sb, runner_id)
    assert (runner["created_at"], runner["contacted_at"]) == (created, contacted)
    assert listed(sb, runner_id)["created_at"] == created


def test_created_at_is_now_in_iso_milliseconds(sb):
    """Contract §2.5/§3.1: created_at of a new runner is the creation time, ISO 8601 with milliseconds and Z."""
    before = datetime.now(UTC) - timedelta(seconds=5)
    runner = details(sb, sb.create_runner()["id"])
    assert before <= parse(runner["created_at"]) <= datetime.now(UTC) + timedelta(seconds=5)
    assert runner["contacted_at"] is None


def test_verify_sets_contacted_at_now(sb):
    """Contract §4.19/§2.4/§2.5: a heartbeat sets contacted_at to now (ISO ms Z), online true, status online."""
    created = sb.create_runner()
    before = datetime.now(UTC) - timedelta(seconds=5)
    check(sb.api("POST", "/runners/verify", json={"token": created["token"], "system_id": "s_1"}), 200)
    runner = details(sb, created["id"])
    assert before <= parse(runner["contacted_at"]) <= datetime.now(UTC) + timedelta(seconds=5)
    assert (runner["online"], runner["status"]) == (True, "online")
    [manager] = check(sb.api("GET", f"/runners/{created['id']}/managers", sb.admin_token), 200)
    parse(manager["created_at"])
    parse(manager["contacted_at"])


# --- §2.4: status filters -----------------------------------------------------------------------------------------


@pytest.fixture
def clocked(sb) -> dict[str, int]:
    """Runners in every state: fresh (never contacted), online, offline, stale (contacted long ago), paused and
    online, stale and never contacted, paused and never contacted."""
    return {
        "fresh": runner_at(sb, DAY, None),
        "online": runner_at(sb, DAY, HOUR),
        "offline": runner_at(sb, DAY, 3 * HOUR),
        "stale": runner_at(sb, 8 * DAY, 8 * DAY),
        "paused_online": runner_at(sb, DAY, HOUR, paused=True),
        "stale_never": runner_at(sb, 8 * DAY, None),
        "paused_never": runner_at(sb, DAY, None, paused=True),
    }


@pytest.mark.parametrize("parameter", ["status", "scope"])
@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("online", {"online", "paused_online"}),
        ("offline", {"offline", "stale"}),
        ("never_contacted", {"fresh", "stale_never", "paused_never"}),
        ("stale", {"stale", "stale_never"}),
        ("active", {"fresh", "online", "offline", "stale", "stale_never"}),
        ("paused", {"paused_online", "paused_never"}),
    ],
)
def test_status_filters(sb, clocked, parameter, value, names):
    """Contract §2.4/§4.2: online = contacted within 2 h; offline = contacted before (never-contacted excluded,
    stale included); never_contacted = no contact; stale = created and contacted 7+ days ago; active/paused = flag."""
    response = sb.api("GET", "/runners/all", sb.admin_token, params={parameter: value})
    assert [runner["id"] for runner in check(response, 200)] == sorted(clocked[name] for name in names)


def test_status_filter_on_group_runners(sb):
    """Contract §4.13/§2.4: the status filter has the same semantics on GET /groups/:id/runners."""
    online = sb.create_runner(runner_type="group_type", group_id=11)["id"]
    offline = sb.create_runner(runner_type="group_type", group_id=11)["id"]
    clock(sb, online, contacted_at=ago(HOUR))
    clock(sb, offline, contacted_at=ago(5 * HOUR))
    for status, expected in (("online", [online]), ("offline", [offline]), ("never_contacted", [])):
        response = sb.api("GET", "/groups/11/runners", sb.admin_token, params={"status": status, "type": "group_type"})
        assert [runner["id"] for runner in check(response, 200)] == expected, status


# --- §2.4: job_execution_status, is_shared --------------------------------------------------------------------------


@pytest.mark.parametrize(("running_jobs", "expected"), [(0, "idle"), (1, "active"), (3, "active")])
def test_job_execution_status(sb, running_jobs, expected):
    """Contract §2.4/§3.1: job_execution_status is active while the runner has running jobs, else idle."""
    runner_id = runner_at(sb, DAY, MINUTE)
    clock(sb, runner_id, running_jobs=running_jobs)
    assert details(sb, runner_id)["job_execution_status"] == expected
    assert listed(sb, runner_id)["job_execution_status"] == expected


@pytest.mark.parametrize(
    ("body", "shared"),
    [
        ({"runner_type": "instance_type"}, True),
        ({"runner_type": "group_type", "group_id": 12}, False),
        ({"runner_type": "project_type", "project_id": 22}, False),
    ],
)
def test_is_shared(sb, body, shared):
    """Contract §3.1: is_shared is runner_type == instance_type."""
    runner_id = sb.create_runner(**body)["id"]
    assert (details(sb, runner_id)["is_shared"], details(sb, runner_id)["runner_type"]) == (shared, body["runner_type"])
    assert listed(sb, runner_id)["is_shared"] is shared


# --- §3.1: created_by ----------------------------------------------------------------------------------------------


def test_created_by_for_api_created_runner(sb):
    """Contract §3.1/§4.14: a runner created through POST /user/runners shows its creator as UserBasic."""
    alice = sb.mint("alice")
    runner_id = sb.create_runner(alice, runner_type="group_type", group_id=11)["id"]
    for runner in (details(sb, runner_id), listed(sb, runner_id)):
        creator = runner["created_by"]
        assert set(creator) == USER_BASIC_KEYS
        assert (creator["id"], creator["username"], creator["state"]) == (2, "alice", "active")
        assert creator["web_url"] == f"{sb.url}/alice"


def test_created_by_absent_for_registration_token_runner(sb):
    """Contract §3.1: a legacy registration-token runner has no creator: the created_by key is absent."""
    registration_token = enable_registration_tokens(sb)
    response = sb.api("POST", "/runners", json={"token": registration_token, "description": "legacy"})
    runner_id = check(response, 201)["id"]
    assert "created_by" not in details(sb, runner_id)
    assert "created_by" not in listed(sb, runner_id)
    assert details(sb, runner_id)["description"] == "legacy"


# --- §2.2: defaults and validation ---------------------------------------------------------------------------------


def test_defaults(sb):
    """Contract §2.2/§4.14: a runner created with runner_type only is active, runs untagged jobs, is unlocked,
    not_protected, without timeout, tags, note, name, IP or manager versions, and never contacted."""
    runner = details(sb, sb.create_runner()["id"])
    assert runner["description"] in (None, "")
    expected = {
        "active": True,
        "paused": False,
        "run_untagged": True,
        "locked": False,
        "access_level": "not_protected",
        "maximum_timeout": None,
        "tag_list": [],
        "maintenance_note": None,
        "ip_address": None,
        "name": None,
        "online": None,
        "status": "never_contacted",
        "job_execution_status": "idle",
        "version": None,
        "revision": None,
        "platform": None,
        "architecture": None,
        "contacted_at": None,
        "is_shared": True,
        "runner_type": "instance_type",
    }
    assert {key: runner[key] for key in expected} == expected


def test_description_is_not_unique(sb):
    """Contract §2.2: the same description on many runners is legal."""
    first = sb.create_runner(description="dup")["id"]
    second = sb.create_runner(description="dup")["id"]
    assert details(sb, first)["description"] == details(sb, second)["description"] == "dup"


@pytest.mark.parametrize(
    ("body", "ok"),
    [
        ({"maximum_timeout": 600}, True),
        ({"maximum_timeout": 599}, False),
        ({"description": "d" * 1024}, True),
        ({"description": "d" * 1025}, False),
        ({"maintenance_note": "m" * 1024}, True),
        ({"maintenance_note": "m" * 1025}, False),
        ({"tag_list": [f"t{n}" for n in range(50)]}, True),
        ({"tag_list": [f"t{n}" for n in range(51)]}, False),
        ({"run_untagged": False, "tag_list": ["a"]}, True),
        ({"run_untagged": False, "tag_list": []}, False),
    ],
)
def test_validation_boundaries_on_create(sb, body, ok):
    """Contract §2.2/§4.14: maximum_timeout ≥ 600, description and note ≤ 1024, ≤ 50 tags, tags needed when
    untagged jobs are refused; a failure is 400 "400 Bad request - …" and creates nothing."""
    response = sb.api("POST", "/user/runners", sb.admin_token, json={"runner_type": "instance_type", **body})
    if ok:
        check(response, 201)
    else:
        message = check(response, 400)["message"]
        assert isinstance(message, str)
        assert message.startswith("400 Bad request - ")
        assert check(sb.api("GET", "/runners/all", sb.admin_token), 200) == []


# --- §1.1: quoted tags (the other parsing rules are in test_auth_and_scopes.py) --------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ('"a, b", c', {"a, b", "c"}),
        ("'a, b', c", {"a, b", "c"}),
        (['"build, test"', "deploy"], {"build, test", "deploy"}),
    ],
)
def test_quoted_tags(sb, tags, expected):
    """Contract §1.1: the tag parser honours quoted tags, which keep their commas."""
    runner = details(sb, sb.create_runner(tag_list=tags)["id"])
    assert len(runner["tag_list"]) == len(expected)
    assert set(runner["tag_list"]) == expected


# --- §3.2: version fields come from the most recently contacted manager -------------------------------------------


def test_version_fields_from_latest_manager(sb):
    """Contract §3.2/§3.5: version, revision, platform and architecture come from the most recently contacted
    manager; each manager has its own status."""
    runner_id = sb.create_runner()["id"]
    managers = [
        {
            "system_id": "s_old",
            "version": "16.11.0",
            "revision": "aaaa1111",
            "platform": "windows",
            "architecture": "386",
            "ip_address": "10.0.0.1",
            "contacted_at": ago(3 * HOUR),
        },
        {
            "system_id": "s_new",
            "version": "17.5.1",
            "revision": "bbbb2222",
            "platform": "linux",
            "architecture": "arm64",
            "ip_address": "10.0.0.2",
            "contacted_at": ago(10 * MINUTE),
        },
    ]
    clock(sb, runner_id, managers=managers, contacted_at=ago(10 * MINUTE))
    runner = details(sb, runner_id)
    assert (runner["version"], runner["revision"], runner["platform"], runner["architecture"]) == (
        "17.5.1",
        "bbbb2222",
        "linux",
        "arm64",
    )
    listed_managers = check(sb.api("GET", f"/runners/{runner_id}/managers", sb.admin_token), 200)
    assert {manager["system_id"]: manager["status"] for manager in listed_managers} == {
        "s_old": "offline",
        "s_new": "online",
    }
    assert {manager["system_id"]: manager["version"] for manager in listed_managers} == {
        "s_old": "16.11.0",
        "s_new": "17.5.1",
    }


# --- §2.5: token expiry --------------------------------------------------------------------------------------------


def test_token_expires_at_null_by_default(sb):
    """Contract §2.5: without an expiration interval, token_expires_at is null on create, verify and reset."""
    created = sb.create_runner()
    assert created["token_expires_at"] is None
    verified = check(sb.api("POST", "/runners/verify", json={"token": created["token"]}), 200)
    assert verified["token_expires_at"] is None
    reset = check(sb.api("POST", f"/runners/{created['id']}/reset_authentication_token", sb.admin_token), 201)
    assert reset["token_expires_at"] is None


def test_token_expires_at_with_interval(sb):
    """Contract §2.5: with runner_token_expiration_interval set, token_expires_at is now + interval, ISO ms Z,
    on create, verify and reset."""
    sb.hook("PUT", "settings", json={"runner_token_expiration_interval": 3600})
    expected = datetime.now(UTC) + HOUR
    created = sb.create_runner()
    assert abs(parse(created["token_expires_at"]) - expected) < MINUTE
    verified = check(sb.api("POST", "/runners/verify", json={"token": created["token"]}), 200)
    assert verified["token_expires_at"] == created["token_expires_at"]
    reset = check(sb.api("POST", f"/runners/{created['id']}/reset_authentication_token", sb.admin_token), 201)
    assert abs(parse(reset["token_expires_at"]) - expected) < MINUTE


def test_expired_token_is_refused(sb):
    """Contract §2.5/§4.19/§4.17: once the token has expired the runner cannot authenticate: 403."""
    sb.hook("PUT", "settings", json={"runner_token_expiration_interval": 1})
    created = sb.create_runner()
    assert created["token_expires_at"] is not None
    time.sleep(1.1)
    verify = sb.api("POST", "/runners/verify", json={"token": created["token"]})
    assert check(verify, 403) == FORBIDDEN
    delete = sb.api("DELETE", "/runners", params={"token": created["token"]})
    assert check(delete, 403) == FORBIDDEN
    details(sb, created["id"])
