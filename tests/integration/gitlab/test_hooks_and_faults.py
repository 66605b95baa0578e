# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox GitLab's own test hooks (sandbox/gitlab/README.md, "Test hooks"): the health endpoint, request
counting, hook authentication and fault injection, plus python-gitlab recovering from injected transient faults.

The hooks are no part of GitLab; the faults imitate what a client meets in front of a real one (§1.3: 500 bodies;
proxies answering 502; rate limiting with Retry-After).
"""

from __future__ import annotations

import time

import gitlab
import pytest
import requests

SERVER_ERROR = {"message": "500 Internal Server Error"}


@pytest.fixture
def sb(gitlab_sandbox):
    return gitlab_sandbox


@pytest.fixture
def faults(sb):
    """faults(**plan): install a fault plan (PUT /-/sandbox/faults); the autouse reset turns it off afterwards."""

    def install(**plan) -> dict:
        return sb.hook("PUT", "faults", json=plan).json()

    return install


def raw_hook(sb, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
    """A hook call that may fail (GitLabSandbox.hook asserts success)."""
    headers = {"PRIVATE-TOKEN": token} if token else {}
    return sb.http.request(method, f"{sb.url}/-/sandbox/{path}", headers=headers, timeout=30, **kwargs)


def runner_ids(sb) -> list[int]:
    """Every runner's id, asked with faults off (hooks are never faulted, so turn them off first)."""
    sb.hook("DELETE", "faults")
    response = sb.api("GET", "/runners/all", sb.admin_token)
    assert response.status_code == 200, response.text
    return [runner["id"] for runner in response.json()]


def create(sb) -> requests.Response:
    return sb.api("POST", "/user/runners", sb.admin_token, json={"runner_type": "instance_type", "description": "f"})


# --- health and hook authentication --------------------------------------------------------------------------------


def test_health(sb):
    """README (test hooks): GET /-/health answers 200 "GitLab OK" without any token."""
    response = sb.http.get(f"{sb.url}/-/health", timeout=30)
    assert response.status_code == 200
    assert response.text == "GitLab OK"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "requests", None),
        ("DELETE", "requests", None),
        ("POST", "reset", None),
        ("GET", "settings", None),
        ("PUT", "settings", {"allow_runner_registration_token": True}),
        ("POST", "tokens", {"username": "alice", "scopes": ["api"]}),
        ("POST", "runners", {"count": 1}),
        ("GET", "faults", None),
        ("PUT", "faults", {"kinds": ["500"]}),
        ("PATCH", "groups/11", {"allow_runner_registration_token": False}),
        ("PATCH", "projects/21", {"shared_runners_enabled": False}),
    ],
)
@pytest.mark.parametrize("token", [None, "glpat-not-a-real-token"])
def test_hooks_need_the_admin_token(sb, method, path, body, token):
    """README (test hooks): hooks need the admin's token; without it they answer 401 and change nothing."""
    response = raw_hook(sb, method, path, token, json=body)
    assert response.status_code == 401, response.text
    assert response.json() == {"message": "401 Unauthorized"}
    assert sb.hook("GET", "settings").json()["allow_runner_registration_token"] is False
    assert sb.hook("GET", "faults").json()["injected"] == 0
    assert runner_ids(sb) == []


def test_hooks_refuse_non_admin_users(sb):
    """README (test hooks): a non-admin user's token is not enough for the hooks."""
    response = raw_hook(sb, "GET", "requests", sb.mint("alice"))
    assert response.status_code == 401, response.text
    assert response.json() == {"message": "401 Unauthorized"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "settings", {"bogus": 1}),
        ("PUT", "faults", {"kinds": ["500"], "bogus": 1}),
        ("PATCH", "groups/11", {"bogus": 1}),
        ("PATCH", "projects/21", {"bogus": 1}),
        ("POST", "tokens", {"username": "alice", "bogus": 1}),
    ],
)
def test_hooks_reject_unknown_keys(sb, method, path, body):
    """README (test hooks): unknown keys in a hook body give 400."""
    response = raw_hook(sb, method, path, sb.admin_token, json=body)
    assert response.status_code == 400, response.text


def test_patch_runner_hook_rejects_unknown_keys(sb):
    """README (test hooks): PATCH /-/sandbox/runners/:id with an unknown key gives 400."""
    runner_id = sb.create_runner()["id"]
    response = raw_hook(sb, "PATCH", f"runners/{runner_id}", sb.admin_token, json={"bogus": 1})
    assert response.status_code == 400, response.text


def test_runner_token_hook(sb):
    """README (test hooks): GET /-/sandbox/runners/:id/token shows the current authentication token."""
    created = sb.create_runner()
    assert sb.hook("GET", f"runners/{created['id']}/token").json() == {
        "token": created["token"],
        "token_expires_at": None,
    }
    reset = sb.api("POST", f"/runners/{created['id']}/reset_authentication_token", sb.admin_token).json()
    assert sb.hook("GET", f"runners/{created['id']}/token").json()["token"] == reset["token"]


# --- request counts ----------------------------------------------------------------------------------------------


def test_request_counts_by_route(sb):
    """README (test hooks): counts by route template, mutating count and the log (path without query, status)."""
    runner_id = sb.create_runner()["id"]
    sb.api("GET", f"/runners/{runner_id}", sb.admin_token)
    sb.api("GET", f"/runners/{runner_id}", sb.admin_token)
    sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json={"description": "x"})
    sb.api("GET", "/runners/all", sb.admin_token, params={"scope": "shared"})
    sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": runner_id})
    sb.api("DELETE", f"/projects/21/runners/{runner_id}", sb.admin_token)
    sb.api("GET", "/runners/987654", sb.admin_token)
    sb.api("DELETE", f"/runners/{runner_id}", sb.admin_token)
    counts = sb.requests_made()
    assert counts["by_route"] == {
        "POST /api/v4/user/runners": 1,
        "GET /api/v4/runners/:id": 3,
        "PUT /api/v4/runners/:id": 1,
        "GET /api/v4/runners/all": 1,
        "POST /api/v4/projects/:id/runners": 1,
        "DELETE /api/v4/projects/:id/runners/:runner_id": 1,
        "DELETE /api/v4/runners/:id": 1,
    }
    assert (counts["total"], counts["mutating"]) == (9, 5)
    assert [(entry["method"], entry["route"], entry["path"], entry["status"]) for entry in counts["log"]] == [
        ("POST", "/api/v4/user/runners", "/api/v4/user/runners", 201),
        ("GET", "/api/v4/runners/:id", f"/api/v4/runners/{runner_id}", 200),
        ("GET", "/api/v4/runners/:id", f"/api/v4/runners/{runner_id}", 200),
        ("PUT", "/api/v4/runners/:id", f"/api/v4/runners/{runner_id}", 200),
        ("GET", "/api/v4/runners/all", "/api/v4/runners/all", 200),
        ("POST", "/api/v4/projects/:id/runners", "/api/v4/projects/21/runners", 400),
        ("DELETE", "/api/v4/projects/:id/runners/:runner_id", f"/api/v4/projects/21/runners/{runner_id}", 404),
        ("GET", "/api/v4/runners/:id", "/api/v4/runners/987654", 404),
        ("DELETE", "/api/v4/runners/:id", f"/api/v4/runners/{runner_id}", 204),
    ]


def test_request_counts_runner_facing_routes(sb):
    """README (test hooks): runner-facing routes are counted under their own templates."""
    created = sb.create_runner()
    sb.api("POST", "/runners/verify", json={"token": created["token"]})
    sb.api("POST", "/runners/reset_authentication_token", json={"token": created["token"]})
    sb.api("GET", f"/runners/{created['id']}/managers", sb.admin_token)
    sb.api("DELETE", "/runners", params={"token": "nope"})
    assert sb.requests_made()["by_route"] == {
        "POST /api/v4/user/runners": 1,
        "POST /api/v4/runners/verify": 1,
        "POST /api/v4/runners/reset_authentication_token": 1,
        "GET /api/v4/runners/:id/managers": 1,
        "DELETE /api/v4/runners": 1,
    }


def test_hooks_are_not_counted(sb):
    """README (test hooks): hook calls are never counted."""
    sb.hook("GET", "settings")
    sb.hook("PUT", "settings", json={"allow_runner_registration_token": True})
    sb.mint("alice")
    sb.hook("GET", "faults")
    sb.http.get(f"{sb.url}/-/health", timeout=30)
    counts = sb.requests_made()
    assert (counts["total"], counts["mutating"], counts["by_route"], counts["log"]) == (0, 0, {}, [])


def test_clearing_and_reset_zero_the_counts(sb):
    """README (test hooks): DELETE /-/sandbox/requests answers 204 and clears counts and log; so does the reset."""
    sb.api("GET", "/version", sb.admin_token)
    sb.create_runner()
    assert sb.requests_made()["total"] == 2
    response = sb.hook("DELETE", "requests")
    assert (response.status_code, response.content) == (204, b"")
    assert sb.requests_made() == {"total": 0, "mutating": 0, "by_route": {}, "log": []}
    sb.api("GET", "/version", sb.admin_token)
    assert sb.requests_made()["by_route"] == {"GET /api/v4/version": 1}
    assert sb.hook("POST", "reset").status_code == 204
    assert sb.requests_made()["total"] == 0


# --- faults ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["500", "502", "429", "drop"])
def test_fault_without_effect(sb, faults, kind):
    """README (fault kinds): 500, 502, 429 and drop answer the fault and the request does not take effect."""
    faults(kinds=[kind], rate=1.0, retry_after=3)
    if kind == "drop":
        with pytest.raises(requests.exceptions.ConnectionError):
            create(sb)
    else:
        response = create(sb)
        assert response.status_code == int(kind), response.text
        if kind == "500":
            assert response.json() == SERVER_ERROR
        elif kind == "502":
            assert "502 Bad Gateway" in response.text
        else:
            assert response.headers["Retry-After"] == "3"
            assert any(header.lower().startswith("ratelimit-") for header in response.headers)
    assert sb.hook("GET", "faults").json()["injected"] == 1
    assert runner_ids(sb) == []
    [entry] = sb.requests_made()["log"][:1]
    assert (entry["route"], entry["status"]) == ("/api/v4/user/runners", 0 if kind == "drop" else int(kind))


@pytest.mark.parametrize("kind", ["after", "after_drop"])
def test_fault_after_effect(sb, faults, kind):
    """README (fault kinds): after answers 502 and after_drop drops the connection, but the change was made."""
    faults(kinds=[kind], rate=1.0, methods=["POST"])
    if kind == "after_drop":
        with pytest.raises(requests.exceptions.ConnectionError):
            create(sb)
    else:
        response = create(sb)
        assert response.status_code == 502, response.text
    assert len(runner_ids(sb)) == 1
    assert sb.requests_made()["log"][0]["status"] == (0 if kind == "after_drop" else 502)


def test_fault_slow(sb, faults):
    """README (fault kinds): slow answers normally, after the delay."""
    faults(kinds=["slow"], rate=1.0, delay=0.3)
    started = time.monotonic()
    response = create(sb)
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"id", "token", "token_expires_at"}
    assert elapsed >= 0.3
    assert runner_ids(sb) == [response.json()["id"]]


def test_fault_count_limits_injections(sb, faults):
    """README (fault plan): count limits how many requests are faulted; injected counts them."""
    plan = faults(kinds=["500"], rate=1.0, count=2)
    assert plan["injected"] == 0
    statuses = [sb.api("GET", "/version", sb.admin_token).status_code for _attempt in range(4)]
    assert statuses == [500, 500, 200, 200]
    assert sb.hook("GET", "faults").json()["injected"] == 2


def test_fault_methods_filter(sb, faults):
    """README (fault plan): only requests whose method is listed are faulted."""
    faults(kinds=["500"], rate=1.0, methods=["POST"])
    assert sb.api("GET", "/version", sb.admin_token).status_code == 200
    assert sb.api("GET", "/runners/all", sb.admin_token).status_code == 200
    assert create(sb).status_code == 500
    assert sb.hook("GET", "faults").json()["injected"] == 1


def test_fault_path_filter(sb, faults):
    """README (fault plan): only requests whose path matches the regular expression are faulted."""
    faults(kinds=["502"], rate=1.0, path=r"/runners/all$")
    assert sb.api("GET", "/runners/all", sb.admin_token).status_code == 502
    assert sb.api("GET", "/runners", sb.admin_token).status_code == 200
    assert sb.api("GET", "/version", sb.admin_token).status_code == 200
    assert create(sb).status_code == 201


def test_fault_rate_is_reproducible_with_a_seed(sb, faults):
    """README (fault plan): rate is a probability, seeded by seed, so the same plan faults the same requests."""

    def run() -> list[int]:
        faults(kinds=["500"], rate=0.5, seed=7)
        return [sb.api("GET", "/version", sb.admin_token).status_code for _attempt in range(24)]

    first, second = run(), run()
    assert first == second
    assert set(first) == {200, 500}
    assert sb.hook("GET", "faults").json()["injected"] == first.count(500)


def test_faults_spare_hooks_and_health(sb, faults):
    """README (test hooks): hooks and the health endpoint are never faulted."""
    faults(kinds=["500"], rate=1.0)
    assert sb.http.get(f"{sb.url}/-/health", timeout=30).status_code == 200
    assert sb.hook("GET", "settings").status_code == 200
    assert sb.requests_made()["total"] == 0
    assert sb.hook("GET", "faults").json()["injected"] == 0


def test_fault_plan_is_turned_off(sb, faults):
    """README (fault plan): DELETE /-/sandbox/faults answers 204 and turns faults off; so does the reset."""
    faults(kinds=["500"], rate=1.0)
    assert sb.api("GET", "/version", sb.admin_token).status_code == 500
    response = sb.hook("DELETE", "faults")
    assert (response.status_code, response.content) == (204, b"")
    assert sb.api("GET", "/version", sb.admin_token).status_code == 200
    faults(kinds=["500"], rate=1.0)
    sb.hook("POST", "reset")
    assert sb.api("GET", "/version", sb.admin_token).status_code == 200


def test_fault_plan_is_described(sb, faults):
    """README (fault plan): GET /-/sandbox/faults returns the plan and how many faults were injected."""
    faults(kinds=["502", "429"], rate=1.0, methods=["GET"], path="runners", count=5, seed=3, retry_after=2)
    sb.api("GET", "/runners/all", sb.admin_token)
    described = sb.hook("GET", "faults").json()
    assert described["injected"] == 1
    expected = {
        "kinds": ["502", "429"],
        "rate": 1.0,
        "methods": ["GET"],
        "path": "runners",
        "count": 5,
        "seed": 3,
        "retry_after": 2,
    }
    assert {key: described["plan"][key] for key in expected} == expected
    sb.hook("DELETE", "faults")
    assert sb.hook("GET", "faults").json() == {"plan": None, "injected": 0}


# --- python-gitlab against transient faults -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["502", "429", "500"])
def test_python_gitlab_retries_transient_faults(sb, faults, kind):
    """README (fault kinds) with §6: python-gitlab with retry_transient_errors=True gets past one 502, 500 or
    429 and returns the real answer."""
    runner_id = sb.create_runner(description="seen")["id"]
    sb.hook("DELETE", "requests")
    faults(kinds=[kind], rate=1.0, count=1, retry_after=0)
    client = sb.client(retry_transient_errors=True)
    assert [runner.id for runner in client.runners_all.list()] == [runner_id]
    log = sb.requests_made()["log"]
    assert [(entry["route"], entry["status"]) for entry in log] == [
        ("/api/v4/runners/all", int(kind)),
        ("/api/v4/runners/all", 200),
    ]


def test_python_gitlab_after_fault_hides_a_done_create(sb, faults):
    """README (fault kinds): an after fault on POST /user/runners fails the client although the runner exists,
    which a retrying client would duplicate."""
    faults(kinds=["after"], rate=1.0, methods=["POST"], count=1)
    client = sb.client()
    client.auth()
    with pytest.raises(gitlab.exceptions.GitlabCreateError) as failure:
        client.user.runners.create({"runner_type": "instance_type", "description": "ghost"})
    assert failure.value.response_code == 502
    assert len(runner_ids(sb)) == 1
