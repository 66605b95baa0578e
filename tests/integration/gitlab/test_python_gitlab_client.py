# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox GitLab driven through python-gitlab (8.x), the real client, as a user would drive GitLab.

Covers contract §6 (python-gitlab calls and the HTTP they make) end to end: the current user, the version, runner
creation of the three types, get/save/update/delete, verify, legacy registration, project assignment, the list
managers and their pagination (§1.5), token resets, managers and the error classes the client raises (§1.3).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import gitlab
import pytest
import requests
from gitlab import exceptions as gl_exc
from gitlab.v4.objects import Runner

API = "/api/v4"
LIST_WARNING = (
    r"Calling a `list\(\)` method without specifying `get_all=True` or `iterator=True` will return a maximum of "
    r"20 items\. Your query returned 20 of 260 items\."
)


def record_requests(client: gitlab.Gitlab) -> list[requests.PreparedRequest]:
    """Every request the client sends from now on, as sent."""
    sent: list[requests.PreparedRequest] = []
    client.session.hooks["response"].append(lambda response, *args, **kwargs: sent.append(response.request))
    return sent


def calls(gitlab_sandbox, method: str, path: str) -> int:
    """How many `method /api/v4<path>` requests the emulator has answered since the last clear."""
    log = gitlab_sandbox.requests_made()["log"]
    return sum(1 for entry in log if entry["method"] == method and entry["path"] == f"{API}{path}")


def clear_requests(gitlab_sandbox) -> None:
    gitlab_sandbox.hook("DELETE", "requests")


def user_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def create(gl: gitlab.Gitlab, **attrs):
    """gl.user.runners.create, an instance runner unless told otherwise."""
    attrs.setdefault("runner_type", "instance_type")
    return gl.user.runners.create(attrs)


def registration_token(gitlab_sandbox, allow: bool | None = None) -> str:
    if allow is not None:
        gitlab_sandbox.hook("PUT", "settings", json={"allow_runner_registration_token": allow})
    return gitlab_sandbox.hook("GET", "settings").json()["runners_registration_token"]


@pytest.fixture
def many(gitlab_sandbox) -> list[int]:
    """260 instance runners, seeded in bulk."""
    return gitlab_sandbox.seed_runners(260, runner_type="instance_type", description="many-{n}")


# Current user and version (§4 C, §6)


@pytest.mark.parametrize(("username", "user_id", "is_admin"), [("root", 1, True), ("alice", 2, False)])
def test_auth_fills_the_current_user(gitlab_sandbox, username, user_id, is_admin):
    """Contract §4 C and §6: gl.auth() is GET /user and fills gl.user; web_url is <base>/<username>, under the
    client's base URL, so python-gitlab does not warn."""
    token = None if username == "root" else gitlab_sandbox.mint(username)
    client = gitlab_sandbox.client(token)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.auth()
    assert user_warnings(caught) == []
    assert (client.user.id, client.user.username) == (user_id, username)
    # GitLab shows is_admin to admins only (UserWithAdmin); a non-admin may get no key at all.
    assert client.user.attributes.get("is_admin", False) is is_admin
    assert client.user.state == "active"
    assert client.user.web_url == f"{gitlab_sandbox.url}/{username}"


def test_version(gitlab_sandbox):
    """Contract §4 C and §6: gl.version() is GET /version and returns (version, revision)."""
    gitlab_sandbox.hook("PUT", "settings", json={"version": "18.6.0", "revision": "0123abcd"})
    assert gitlab_sandbox.client().version() == ("18.6.0", "0123abcd")
    gitlab_sandbox.hook("PUT", "settings", json={"version": "17.5.2", "revision": "fedcba98"})
    assert gitlab_sandbox.client().version() == ("17.5.2", "fedcba98")


# Creation (§4.14)

KINDS = {
    "instance": ({"runner_type": "instance_type"}, [], []),
    "group": ({"runner_type": "group_type", "group_id": 12}, [12], []),
    "project": ({"runner_type": "project_type", "project_id": 21}, [], [21]),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_user_runners_create(gl, kind):
    """Contract §4.14, §3.3 and §3.2: gl.user.runners.create answers only id, token (glrt-) and token_expires_at;
    the runner has every attribute sent, a never_contacted status, no name, its group or project, and no token."""
    body, groups, projects = KINDS[kind]
    created = gl.user.runners.create(
        {
            **body,
            "description": f"{kind} runner",
            "paused": True,
            "locked": True,
            "run_untagged": False,
            "tag_list": ["linux", "docker"],
            "access_level": "ref_protected",
            "maximum_timeout": 3600,
            "maintenance_note": "made by a test",
        }
    )
    assert set(created.attributes) == {"id", "token", "token_expires_at"}
    assert isinstance(created.id, int)
    assert created.token.startswith("glrt-")
    assert created.token_expires_at is None
    runner = gl.runners.get(created.id)
    assert "token" not in runner.attributes
    expected = {
        "id": created.id,
        "description": f"{kind} runner",
        "runner_type": body["runner_type"],
        "is_shared": kind == "instance",
        "paused": True,
        "active": False,
        "locked": True,
        "run_untagged": False,
        "access_level": "ref_protected",
        "maximum_timeout": 3600,
        "maintenance_note": "made by a test",
        "name": None,
        "online": None,
        "status": "never_contacted",
        "contacted_at": None,
    }
    assert {key: runner.attributes.get(key) for key in expected} == expected
    assert set(runner.tag_list) == {"linux", "docker"}
    assert [group["id"] for group in runner.groups] == groups
    assert [project["id"] for project in runner.projects] == projects
    assert runner.created_by["username"] == "root"


def test_user_runners_create_is_not_idempotent(gl):
    """Contract §4.14: every call creates a new runner, even with an identical description."""
    first = create(gl, description="same")
    second = create(gl, description="same")
    assert first.id != second.id
    assert [r.description for r in gl.runners_all.list(get_all=True)] == ["same", "same"]


# Get, save, update, delete (§4.3 to §4.5, §6)


def test_save_sends_only_the_changed_attributes(gl, gitlab_sandbox):
    """Contract §6 and §4.4: runner.save() is a PUT with a JSON body of only the changed attributes, and sends
    nothing at all when nothing changed."""
    runner_id = create(gl, description="before", tag_list=["a"]).id
    runner = gl.runners.get(runner_id)
    sent = record_requests(gl)
    runner.description = "after"
    runner.save()
    assert [(r.method, urlsplit(r.url).path) for r in sent] == [("PUT", f"{API}/runners/{runner_id}")]
    assert json.loads(sent[0].body) == {"description": "after"}
    assert runner.description == "after"
    assert gl.runners.get(runner_id).description == "after"

    runner.tag_list = ["x", "y"]
    runner.save()
    assert set(json.loads(sent[-1].body)) == {"tag_list"}
    assert set(gl.runners.get(runner_id).tag_list) == {"x", "y"}

    clear_requests(gitlab_sandbox)
    sent.clear()
    assert runner.save() is None
    assert sent == []
    assert gitlab_sandbox.requests_made()["total"] == 0


def test_runners_update(gl):
    """Contract §6 and §4.4: gl.runners.update(id, {...}) is PUT /runners/:id and returns RunnerDetails."""
    runner_id = create(gl, description="before").id
    result = gl.runners.update(runner_id, {"paused": True, "description": "updated", "maximum_timeout": 900})
    assert (result["id"], result["paused"], result["active"]) == (runner_id, True, False)
    runner = gl.runners.get(runner_id)
    assert (runner.description, runner.paused, runner.maximum_timeout) == ("updated", True, 900)


def test_delete_by_id_then_get_is_404(gl):
    """Contract §4.5 and §6: gl.runners.delete(id) removes the runner; get then raises GitlabGetError 404 and a
    second delete GitlabDeleteError 404."""
    runner_id = create(gl).id
    gl.runners.delete(runner_id)
    with pytest.raises(gl_exc.GitlabGetError) as got:
        gl.runners.get(runner_id)
    assert (got.value.response_code, got.value.error_message) == (404, "404 Runner Not Found")
    with pytest.raises(gl_exc.GitlabDeleteError) as again:
        gl.runners.delete(runner_id)
    assert (again.value.response_code, again.value.error_message) == (404, "404 Runner Not Found")


def test_object_delete(gl):
    """Contract §4.5 and §6: runner.delete() on a fetched runner is DELETE /runners/:id."""
    keep, drop = create(gl, description="keep").id, create(gl, description="drop").id
    gl.runners.get(drop).delete()
    assert [r.id for r in gl.runners_all.list(get_all=True)] == [keep]


def test_delete_by_token(gl):
    """Contract §4.17 and §6: gl.runners.delete(token=...) sends DELETE /runners?token=... and removes the runner
    the token authenticates; an unknown token gives GitlabDeleteError 403."""
    keep, drop = create(gl, description="keep"), create(gl, description="drop")
    sent = record_requests(gl)
    gl.runners.delete(token=drop.token)
    assert sent[0].method == "DELETE"
    assert urlsplit(sent[0].url).path == f"{API}/runners"
    assert parse_qs(urlsplit(sent[0].url).query) == {"token": [drop.token]}
    assert [r.id for r in gl.runners_all.list(get_all=True)] == [keep.id]
    with pytest.raises(gl_exc.GitlabDeleteError) as refused:
        gl.runners.delete(token=drop.token)
    assert (refused.value.response_code, refused.value.error_message) == (403, "403 Forbidden")


# Runner-facing calls: verify and legacy registration (§4.16, §4.19)


def test_verify_heartbeats_the_runner(gl):
    """Contract §4.19 and §6: gl.runners.verify(token) succeeds for a valid token; the runner becomes online and
    gets a "<legacy>" manager (python-gitlab sends no system_id); a bad token raises GitlabVerifyError 403."""
    created = create(gl)
    assert gl.http_list(f"/runners/{created.id}/managers") == []
    assert gl.runners.verify(created.token) is None
    runner = gl.runners.get(created.id)
    assert (runner.status, runner.online) == ("online", True)
    assert runner.contacted_at is not None
    managers = gl.http_list(f"/runners/{created.id}/managers")
    assert [manager["system_id"] for manager in managers] == ["<legacy>"]
    with pytest.raises(gl_exc.GitlabVerifyError) as refused:
        gl.runners.verify("glrt-not-a-real-token-000000")
    assert (refused.value.response_code, refused.value.error_message) == (403, "403 Forbidden")


def test_legacy_registration_when_allowed(gl, gitlab_sandbox):
    """Contract §4.16, §3.1 and §6: with registration tokens allowed, gl.runners.create({'token': reg}) registers an
    instance runner (no created_by: a registration-token runner has no creator) whose token verifies; every call
    registers another runner; an unknown token gives 403."""
    token = registration_token(gitlab_sandbox, allow=True)
    created = gl.runners.create({"token": token, "description": "legacy", "tag_list": ["l1", "l2"]})
    assert isinstance(created.id, int)
    assert created.token
    assert not created.token.startswith("glrt-")
    runner = gl.runners.get(created.id)
    assert (runner.runner_type, runner.description) == ("instance_type", "legacy")
    assert set(runner.tag_list) == {"l1", "l2"}
    assert "created_by" not in runner.attributes
    gl.runners.verify(created.token)
    again = gl.runners.create({"token": token, "description": "legacy"})
    assert again.id != created.id
    with pytest.raises(gl_exc.GitlabCreateError) as refused:
        gl.runners.create({"token": "GR1348941not-a-real-token"})
    assert (refused.value.response_code, refused.value.error_message) == (403, "403 Forbidden - invalid token supplied")


@pytest.mark.parametrize("valid", [True, False])
def test_legacy_registration_when_disallowed_is_410(gl, gitlab_sandbox, valid):
    """Contract §4.16: with registration tokens disallowed (the seed's default), any non-empty token, valid or not,
    gives GitlabCreateError 410 "410 Gone - runner registration disallowed" and registers nothing."""
    token = registration_token(gitlab_sandbox) if valid else "GR1348941not-a-real-token"
    with pytest.raises(gl_exc.GitlabCreateError) as refused:
        gl.runners.create({"token": token, "description": "legacy"})
    assert (refused.value.response_code, refused.value.error_message) == (
        410,
        "410 Gone - runner registration disallowed",
    )
    assert gl.runners_all.list(get_all=True) == []


# Project assignment and group lists (§4.11 to §4.13)


def test_project_runner_assign_and_unassign(gl):
    """Contract §4.11, §4.12, §2.3 and §6: project.runners.create({'runner_id': n}) assigns (201, a Runner), the owner
    project stays first; assigning twice is 400; project.runners.delete(n) unassigns; the owner project cannot be
    unassigned (403) and an unassigned runner gives 404."""
    runner_id = create(gl, runner_type="project_type", project_id=21).id
    website = gl.projects.get(22, lazy=True)
    assigned = website.runners.create({"runner_id": runner_id})
    assert (assigned.id, assigned.runner_type) == (runner_id, "project_type")
    assert runner_id in [r.id for r in website.runners.list(get_all=True)]
    assert [p["id"] for p in gl.runners.get(runner_id).projects] == [21, 22]
    with pytest.raises(gl_exc.GitlabCreateError) as twice:
        website.runners.create({"runner_id": runner_id})
    assert twice.value.response_code == 400

    website.runners.delete(runner_id)
    assert runner_id not in [r.id for r in website.runners.list(get_all=True)]
    assert [p["id"] for p in gl.runners.get(runner_id).projects] == [21]
    with pytest.raises(gl_exc.GitlabDeleteError) as gone:
        website.runners.delete(runner_id)
    assert (gone.value.response_code, gone.value.error_message) == (404, "404 Runner Not Found")
    with pytest.raises(gl_exc.GitlabDeleteError) as owner:
        gl.projects.get(21, lazy=True).runners.delete(runner_id)
    assert (owner.value.response_code, owner.value.error_message) == (
        403,
        "403 Forbidden - You cannot unassign a runner from the owner project. Delete the runner instead",
    )


def test_project_runners_list(gl):
    """Contract §4.10: project.runners.list() unites the project's runners, its ancestor groups' runners and instance
    runners, by id ascending; other projects' runners stay out."""
    instance = create(gl).id
    own = create(gl, runner_type="project_type", project_id=21).id
    ancestor = create(gl, runner_type="group_type", group_id=11).id
    create(gl, runner_type="project_type", project_id=22)
    create(gl, runner_type="group_type", group_id=14)
    listed = gl.projects.get(21, lazy=True).runners.list(get_all=True)
    assert [r.id for r in listed] == [instance, own, ancestor]


def test_group_runners_list(gl):
    """Contract §4.13 and §6: group.runners.list() gives the group's and its ancestors' group runners (not its
    subgroups') plus instance runners when the group allows shared runners."""
    instance = create(gl).id
    top = create(gl, runner_type="group_type", group_id=11).id
    middle = create(gl, runner_type="group_type", group_id=12).id
    create(gl, runner_type="group_type", group_id=13)
    create(gl, runner_type="project_type", project_id=21)
    other = create(gl, runner_type="group_type", group_id=14).id
    assert [r.id for r in gl.groups.get(12, lazy=True).runners.list(get_all=True)] == [instance, top, middle]
    assert [r.id for r in gl.groups.get(11, lazy=True).runners.list(get_all=True)] == [instance, top]
    assert [r.id for r in gl.groups.get(14, lazy=True).runners.list(get_all=True)] == [other]


# Instance-wide and user lists (§4.1, §4.2)


def test_runners_all_list_and_runners_all(gl):
    """Contract §4.2 and §6: gl.runners_all.list() and gl.runners.all() both reach GET /runners/all and list every
    runner by id ascending; scope=shared keeps instance runners, scope=specific the others."""
    instance = create(gl).id
    group = create(gl, runner_type="group_type", group_id=13).id
    project = create(gl, runner_type="project_type", project_id=23).id
    second = create(gl).id
    every = [instance, group, project, second]
    assert [r.id for r in gl.runners_all.list(get_all=True)] == every
    listed = gl.runners.all(get_all=True)
    assert all(isinstance(r, Runner) for r in listed)
    assert [r.id for r in listed] == every
    assert [r.id for r in gl.runners.all(scope="shared", get_all=True)] == [instance, second]
    assert [r.id for r in gl.runners.all(scope="specific", get_all=True)] == [group, project]
    assert [r.id for r in gl.runners_all.list(type="group_type", get_all=True)] == [group]


def test_runners_list_is_the_users_available_runners(gl, gitlab_sandbox):
    """Contract §4.1 and §6: gl.runners.list() (GET /runners) gives the project runners of projects the user
    maintains and the group runners of groups (and subgroups) the user owns, never instance runners."""
    create(gl)
    subgroup = create(gl, runner_type="group_type", group_id=13).id
    maintained = create(gl, runner_type="project_type", project_id=24).id
    create(gl, runner_type="project_type", project_id=23)
    alice = gitlab_sandbox.client(gitlab_sandbox.mint("alice"))
    assert [r.id for r in alice.runners.list(get_all=True)] == [subgroup, maintained]
    carol = gitlab_sandbox.client(gitlab_sandbox.mint("carol"))
    assert carol.runners.list(get_all=True) == []


# Calls without a wrapper (§4.6, §4.7)


def test_reset_authentication_token(gl, gitlab_sandbox):
    """Contract §4.6 and §3.4: POST /runners/:id/reset_authentication_token answers 201 {token, token_expires_at};
    the old token stops verifying at once and the new one verifies."""
    created = create(gl)
    clear_requests(gitlab_sandbox)
    result = gl.http_post(f"/runners/{created.id}/reset_authentication_token")
    assert gitlab_sandbox.requests_made()["log"][-1]["status"] == 201
    assert set(result) == {"token", "token_expires_at"}
    assert result["token"] != created.token
    assert result["token_expires_at"] is None
    with pytest.raises(gl_exc.GitlabVerifyError) as old:
        gl.runners.verify(created.token)
    assert old.value.response_code == 403
    gl.runners.verify(result["token"])


def test_http_list_managers(gl, gitlab_sandbox):
    """Contract §4.7 and §3.5: GET /runners/:id/managers is a bare array, [] for a runner that never made contact,
    each manager with what the runner process reported (the exact key set is test_runner_endpoints' concern)."""
    runner_id = create(gl).id
    assert gl.http_list(f"/runners/{runner_id}/managers") == []
    managers = [
        {"system_id": "s_aaa", "version": "18.6.0", "revision": "abc", "platform": "linux", "architecture": "amd64"},
        {"system_id": "s_bbb", "version": "18.5.1", "revision": "def", "platform": "linux", "architecture": "arm64"},
    ]
    gitlab_sandbox.hook("PATCH", f"runners/{runner_id}", json={"managers": managers})
    listed = gl.http_list(f"/runners/{runner_id}/managers")
    assert isinstance(listed, list)
    reported = {manager["system_id"]: (manager["version"], manager["architecture"]) for manager in listed}
    assert reported == {"s_aaa": ("18.6.0", "amd64"), "s_bbb": ("18.5.1", "arm64")}


# Pagination through python-gitlab (§1.5)

LISTERS: dict[str, tuple[str, Callable]] = {
    "runners_all.list": ("/runners/all", lambda gl, **kw: gl.runners_all.list(**kw)),
    "runners.all": ("/runners/all", lambda gl, **kw: gl.runners.all(**kw)),
    "project.runners.list": (
        "/projects/21/runners",
        lambda gl, **kw: gl.projects.get(21, lazy=True).runners.list(**kw),
    ),
    "group.runners.list": ("/groups/11/runners", lambda gl, **kw: gl.groups.get(11, lazy=True).runners.list(**kw)),
}


@pytest.mark.parametrize(("per_page", "requests_expected"), [(100, 3), (None, 13)])
@pytest.mark.parametrize("lister", list(LISTERS))
def test_get_all_returns_every_runner(gl, gitlab_sandbox, many, *, lister, per_page, requests_expected):
    """Contract §1.5: get_all=True follows Link rel="next" to the end (260 runners: 3 requests at per_page=100, 13 at
    the default 20), in id order, without python-gitlab warning about the next URL's base."""
    path, list_runners = LISTERS[lister]
    kwargs = {"per_page": per_page} if per_page else {}
    clear_requests(gitlab_sandbox)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        listed = list_runners(gl, get_all=True, **kwargs)
    assert user_warnings(caught) == []
    assert [r.id for r in listed] == many
    assert calls(gitlab_sandbox, "GET", path) == requests_expected


@pytest.mark.parametrize("lister", ["runners_all.list", "project.runners.list"])
def test_iterator_is_lazy(gl, gitlab_sandbox, many, lister):
    """Contract §1.5: iterator=True fetches one page at a time, on demand; len() reads X-Total; no base-URL warning."""
    path, list_runners = LISTERS[lister]
    clear_requests(gitlab_sandbox)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        iterator = list_runners(gl, iterator=True, per_page=100)
        assert calls(gitlab_sandbox, "GET", path) == 1
        assert len(iterator) == 260
        first = [next(iterator).id for _index in range(100)]
        assert calls(gitlab_sandbox, "GET", path) == 1
        following = next(iterator).id
        assert calls(gitlab_sandbox, "GET", path) == 2
        rest = [r.id for r in iterator]
        assert calls(gitlab_sandbox, "GET", path) == 3
    assert user_warnings(caught) == []
    assert [*first, following, *rest] == many
    assert (iterator.total, iterator.total_pages, iterator.per_page) == (260, 3, 100)


def test_pagination_follows_the_clients_own_base_url(gitlab_sandbox, many):
    """Contract §1.5: the Link URLs start with exactly the base URL the client was given (here localhost instead of
    127.0.0.1), so python-gitlab neither warns nor leaves that host."""
    parts = urlsplit(gitlab_sandbox.url)
    base = f"{parts.scheme}://localhost:{parts.port}"
    client = gitlab.Gitlab(base, private_token=gitlab_sandbox.admin_token)
    sent = record_requests(client)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        listed = client.runners_all.list(get_all=True, per_page=100)
    assert user_warnings(caught) == []
    assert [r.id for r in listed] == many
    assert len(sent) == 3
    assert all(request.url.startswith(f"{base}{API}/runners/all?") for request in sent)


def test_list_without_get_all_returns_one_page_and_warns(gl, gitlab_sandbox, many):
    """Contract §1.5: list() alone makes one request of the default 20 and python-gitlab warns that X-Total is
    larger; get_all=False silences the warning; page=N gives that page only."""
    clear_requests(gitlab_sandbox)
    with pytest.warns(UserWarning, match=LIST_WARNING):
        listed = gl.runners_all.list()
    assert [r.id for r in listed] == many[:20]
    assert calls(gitlab_sandbox, "GET", "/runners/all") == 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert [r.id for r in gl.runners_all.list(get_all=False)] == many[:20]
        assert [r.id for r in gl.runners_all.list(page=3, per_page=100)] == many[200:]
        assert [r.id for r in gl.runners.all(page=2, per_page=50)] == many[50:100]
    assert user_warnings(caught) == []


# Error classes (§1.3, §6)


def test_wrong_token_raises_authentication_error(gitlab_sandbox):
    """Contract §1.3 and §6: a 401 raises GitlabAuthenticationError with response_code 401, "401 Unauthorized"."""
    client = gitlab_sandbox.client("glpat-not-a-real-token-000")
    for call in (client.auth, client.runners.list, client.runners_all.list, lambda: client.runners.get(1)):
        with pytest.raises(gl_exc.GitlabAuthenticationError) as refused:
            call()
        assert (refused.value.response_code, refused.value.error_message) == (401, "401 Unauthorized")


ERRORS = [
    pytest.param(
        "root",
        lambda client, ids: client.runners.get(987654),
        gl_exc.GitlabGetError,
        404,
        "404 Runner Not Found",
        id="get unknown",
    ),
    pytest.param(
        "root",
        lambda client, ids: client.runners.update(ids["instance"], {"active": True, "paused": True}),
        gl_exc.GitlabUpdateError,
        400,
        "active, paused are mutually exclusive",
        id="update active and paused",
    ),
    pytest.param(
        "root",
        lambda client, ids: client.runners.update(ids["instance"], {"maximum_timeout": 60}),
        gl_exc.GitlabUpdateError,
        400,
        {"maximum_timeout": ["needs to be at least 10 minutes"]},
        id="update short timeout",
    ),
    pytest.param(
        "root",
        lambda client, ids: client.user.runners.create({"runner_type": "group_type", "group_id": 999}),
        gl_exc.GitlabCreateError,
        400,
        "400 Bad request - Missing/invalid group",
        id="create unknown group",
    ),
    pytest.param(
        "root",
        lambda client, ids: client.user.runners.create({"runner_type": "cloud_type"}),
        gl_exc.GitlabCreateError,
        400,
        "runner_type does not have a valid value",
        id="create bad type",
    ),
    pytest.param(
        "carol",
        lambda client, ids: client.runners_all.list(),
        gl_exc.GitlabListError,
        403,
        "403 Forbidden",
        id="carol lists all",
    ),
    pytest.param(
        "carol",
        lambda client, ids: client.user.runners.create({"runner_type": "instance_type"}),
        gl_exc.GitlabCreateError,
        403,
        "403 Forbidden - Insufficient permissions",
        id="carol creates an instance runner",
    ),
    pytest.param(
        "carol",
        lambda client, ids: client.runners.get(ids["group"]),
        gl_exc.GitlabGetError,
        403,
        "403 Forbidden - No access granted",
        id="carol reads a group runner",
    ),
    pytest.param(
        "bob",
        lambda client, ids: client.runners.delete(ids["group"]),
        gl_exc.GitlabDeleteError,
        403,
        "403 Forbidden - No access granted",
        id="bob deletes a group runner he maintains",
    ),
    pytest.param(
        "carol",
        lambda client, ids: client.projects.get(21, lazy=True).runners.list(),
        gl_exc.GitlabListError,
        404,
        "404 Project Not Found",
        id="carol lists an invisible project",
    ),
]


@pytest.mark.parametrize(("username", "call", "error", "code", "message"), ERRORS)
def test_errors_carry_code_and_message(gl, gitlab_sandbox, *, username, call, error, code, message):
    """Contract §1.3, §4.2 to §4.5, §4.10, §4.14 and §6: non-401 failures raise the operation's Gitlab*Error with
    response_code and error_message (the body's message, else its error; a model-validation hash as such)."""
    ids = {"instance": create(gl).id, "group": create(gl, runner_type="group_type", group_id=12).id}
    client = gl if username == "root" else gitlab_sandbox.client(gitlab_sandbox.mint(username))
    client.auth()
    with pytest.raises(error) as refused:
        call(client, ids)
    assert refused.value.response_code == code
    assert str(refused.value.error_message) == str(message)
    assert [r.id for r in gl.runners_all.list(get_all=True)] == [ids["instance"], ids["group"]]
