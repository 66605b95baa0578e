# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox GitLab's user-facing runner endpoints against the contract (§4.1-4.15, §5 and §C).

Raw HTTP through gitlab_sandbox.api, so that status codes and bodies are checked exactly as GitLab sends them.
Seed (sandbox/gitlab/README.md): alice owns group platform (11, with 12 and 13 below it) and maintains project
other/tools (24); bob maintains group platform/infra (12) and is a Developer of platform/website (22); carol has
no membership. Every test starts from the seed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

RUNNER_KEYS = [
    "id",
    "description",
    "ip_address",
    "active",
    "paused",
    "is_shared",
    "runner_type",
    "name",
    "online",
    "created_by",
    "created_at",
    "status",
    "job_execution_status",
]
DETAIL_KEYS = [
    *RUNNER_KEYS,
    "tag_list",
    "run_untagged",
    "locked",
    "maximum_timeout",
    "access_level",
    "version",
    "revision",
    "platform",
    "architecture",
    "contacted_at",
    "maintenance_note",
    "projects",
    "groups",
]
MANAGER_KEYS = [
    "id",
    "system_id",
    "version",
    "revision",
    "platform",
    "architecture",
    "created_at",
    "contacted_at",
    "ip_address",
    "status",
    "job_execution_status",
]
# One runner of each kind, as the admin creates them: the instance runner, a group runner per group, a project
# runner per project. Their descriptions are their names.
FLEET = {
    "inst": {"runner_type": "instance_type"},
    "g11": {"runner_type": "group_type", "group_id": 11},
    "g12": {"runner_type": "group_type", "group_id": 12},
    "g13": {"runner_type": "group_type", "group_id": 13},
    "g14": {"runner_type": "group_type", "group_id": 14},
    "p21": {"runner_type": "project_type", "project_id": 21},
    "p22": {"runner_type": "project_type", "project_id": 22},
    "p23": {"runner_type": "project_type", "project_id": 23},
    "p24": {"runner_type": "project_type", "project_id": 24},
}
FORBIDDEN = {"message": "403 Forbidden"}
NO_ACCESS = {"message": "403 Forbidden - No access granted"}
INSUFFICIENT = {"message": "403 Forbidden - Insufficient permissions"}
RUNNER_NOT_FOUND = {"message": "404 Runner Not Found"}
PROJECT_NOT_FOUND = {"message": "404 Project Not Found"}
GROUP_NOT_FOUND = {"message": "404 Group Not Found"}
UPDATE_NEEDS_ONE = (
    "description, active, paused, tag_list, run_untagged, locked, access_level, maximum_timeout, maintenance_note"
    " are missing, at least one parameter must be provided"
)
TAGS_EMPTY = "can not be empty when runner is not allowed to pick untagged jobs"
TOO_LONG = "is too long (maximum is 1024 characters)"


@pytest.fixture
def sb(gitlab_sandbox):
    return gitlab_sandbox


@pytest.fixture
def token(sb):
    """token(user): the admin's token for root, else a freshly minted api-scoped token (one per user and test)."""
    minted = {"root": sb.admin_token}

    def get(user: str) -> str:
        if user not in minted:
            minted[user] = sb.mint(user)
        return minted[user]

    return get


@dataclasses.dataclass
class Fleet:
    """The FLEET runners' ids by name, with the users' tokens at hand (fleet.token(user))."""

    ids: dict[str, int]
    token: Callable[[str], str]
    sb: object

    def __getitem__(self, name: str) -> int:
        return self.ids[name]

    def values(self):
        return self.ids.values()


@pytest.fixture
def fleet(sb, token) -> Fleet:
    """The FLEET runners, created by the admin in that order (so their ids ascend in that order)."""
    return Fleet({name: sb.create_runner(description=name, **body)["id"] for name, body in FLEET.items()}, token, sb)


def status_of(body: dict) -> int:
    """The status that goes with a "<code> <reason>" message body."""
    return int(body["message"][:3])


def ids(response) -> list[int]:
    assert response.status_code == 200, f"{response.request.url}: {response.status_code} {response.text}"
    return [runner["id"] for runner in response.json()]


def expected_ids(fleet: Fleet, *names: str) -> list[int]:
    return sorted(fleet[name] for name in names)


def details(sb, runner_id: int, token: str | None = None) -> dict:
    return sb.check(sb.api("GET", f"/runners/{runner_id}", token or sb.admin_token), 200)


def verify(sb, runner_token: str, **extra):
    return sb.api("POST", "/runners/verify", json={"token": runner_token, **extra})


# --- §C: supporting endpoints -----------------------------------------------------------------------------------


def test_version(sb):
    """Contract §C: GET /version answers {version, revision}, the version the instance is configured with."""
    settings = sb.hook("GET", "settings").json()
    body = sb.check(sb.api("GET", "/version", sb.admin_token), 200)
    assert body["version"] == settings["version"]
    assert body["revision"] == settings["revision"]
    sb.hook("PUT", "settings", json={"version": "17.5.0", "revision": "abcdef12"})
    body = sb.check(sb.api("GET", "/version", sb.admin_token), 200)
    assert (body["version"], body["revision"]) == ("17.5.0", "abcdef12")


def test_current_user_admin(sb):
    """Contract §C: GET /user for the admin is root with is_admin true and a web_url under the base URL."""
    body = sb.check(sb.api("GET", "/user", sb.admin_token), 200)
    assert body["id"] == 1
    assert body["username"] == "root"
    assert body["state"] == "active"
    assert body["is_admin"] is True
    assert body["web_url"] == f"{sb.url}/root"
    assert isinstance(body["name"], str)


def test_current_user_non_admin(sb, token):
    """Contract §C: GET /user for a non-admin is that user, never flagged as an admin."""
    body = sb.check(sb.api("GET", "/user", token("alice")), 200)
    assert (body["id"], body["username"], body["state"]) == (2, "alice", "active")
    assert body["web_url"] == f"{sb.url}/alice"
    assert not body.get("is_admin")


@pytest.mark.parametrize("ref", ["21", "platform%2Finfra%2Fci%2Frunner-images"])
def test_project_by_id_and_path(sb, ref):
    """Contract §C/§4.10: GET /projects/:id takes the numeric id or the URL-encoded full path."""
    body = sb.check(sb.api("GET", f"/projects/{ref}", sb.admin_token), 200)
    assert body["id"] == 21
    assert body["path_with_namespace"] == "platform/infra/ci/runner-images"
    assert isinstance(body["name"], str)
    assert body["name"]
    assert body["shared_runners_enabled"] is True
    assert body["group_runners_enabled"] is True
    assert body["runners_token"].startswith("GR1348941")


def test_project_shared_runners_flag(sb):
    """Contract §C: shared_runners_enabled reflects the project's setting (other/secret has it disabled)."""
    body = sb.check(sb.api("GET", "/projects/other%2Fsecret", sb.admin_token), 200)
    assert (body["id"], body["shared_runners_enabled"], body["group_runners_enabled"]) == (23, False, True)


@pytest.mark.parametrize(
    ("user", "ref", "sees_token"),
    [
        ("bob", "21", True),  # Maintainer through group platform/infra
        ("alice", "22", True),  # Owner through group platform
        ("alice", "24", True),  # Maintainer
        ("bob", "22", False),  # Developer
    ],
)
def test_project_runners_token_needs_maintainer(sb, token, user, ref, sees_token):
    """Contract §C/§4.15: runners_token is shown to a project Maintainer+ only; the key is absent otherwise."""
    body = sb.check(sb.api("GET", f"/projects/{ref}", token(user)), 200)
    assert ("runners_token" in body) is sees_token


@pytest.mark.parametrize(
    ("user", "ref"),
    [("root", "999"), ("root", "no-such%2Fproject"), ("carol", "22"), ("carol", "other%2Fsecret"), ("bob", "23")],
)
def test_project_not_found(sb, token, user, ref):
    """Contract §C/§1.3: an unknown project, or a private one the user cannot see, is 404 Project Not Found."""
    sb.check(sb.api("GET", f"/projects/{ref}", token(user)), 404, PROJECT_NOT_FOUND)


@pytest.mark.parametrize("ref", ["12", "platform%2Finfra"])
def test_group_by_id_and_path(sb, ref):
    """Contract §C: GET /groups/:id takes the numeric id or the URL-encoded full path."""
    body = sb.check(sb.api("GET", f"/groups/{ref}", sb.admin_token), 200)
    assert (body["id"], body["full_path"]) == (12, "platform/infra")
    assert isinstance(body["name"], str)
    assert body["name"]
    assert body["runners_token"].startswith("GR1348941")


@pytest.mark.parametrize(
    ("user", "ref", "sees_token"), [("alice", "11", True), ("alice", "13", True), ("bob", "12", False)]
)
def test_group_runners_token_needs_owner(sb, token, user, ref, sees_token):
    """Contract §C: runners_token of a group is shown to its Owner (inherited ownership included) only."""
    body = sb.check(sb.api("GET", f"/groups/{ref}", token(user)), 200)
    assert ("runners_token" in body) is sees_token


@pytest.mark.parametrize("ref", ["999", "no-such-group", "platform%2Fnope"])
def test_group_not_found(sb, ref):
    """Contract §C/§1.3: an unknown group is 404 Group Not Found."""
    sb.check(sb.api("GET", f"/groups/{ref}", sb.admin_token), 404, GROUP_NOT_FOUND)


# --- §4.14: POST /user/runners ----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [FLEET["inst"], FLEET["g12"], FLEET["p21"]])
def test_create_returns_registration_details(sb, body):
    """Contract §4.14/§3.3: 201 with exactly id, token (glrt-…) and token_expires_at (null by default)."""
    response = sb.api("POST", "/user/runners", sb.admin_token, json=body)
    created = sb.check(response, 201)
    assert list(created) == ["id", "token", "token_expires_at"]
    assert isinstance(created["id"], int)
    assert created["token"].startswith("glrt-")
    assert created["token_expires_at"] is None


def test_create_stores_the_attributes(sb):
    """Contract §4.14: the created runner has the body's attributes, never contacted, no name, owned by the caller."""
    created = sb.create_runner(
        runner_type="project_type",
        project_id=21,
        description="builder",
        paused=True,
        locked=True,
        run_untagged=False,
        tag_list=["docker", "linux"],
        access_level="ref_protected",
        maximum_timeout=3600,
        maintenance_note="rack 4",
    )
    runner = details(sb, created["id"])
    assert list(runner) == DETAIL_KEYS
    assert "token" not in runner
    assert runner["runner_type"] == "project_type"
    assert (runner["description"], runner["paused"], runner["active"], runner["locked"]) == (
        "builder",
        True,
        False,
        True,
    )
    assert (runner["run_untagged"], set(runner["tag_list"])) == (False, {"docker", "linux"})
    assert (runner["access_level"], runner["maximum_timeout"]) == ("ref_protected", 3600)
    assert runner["maintenance_note"] == "rack 4"
    assert (runner["status"], runner["name"], runner["online"], runner["contacted_at"]) == (
        "never_contacted",
        None,
        None,
        None,
    )
    assert runner["created_by"]["username"] == "root"
    assert [project["id"] for project in runner["projects"]] == [21]
    assert runner["groups"] == []


def test_create_ignores_active(sb):
    """Contract §4.14: POST /user/runners has no active parameter; active=false is silently ignored."""
    runner = details(sb, sb.create_runner(active=False)["id"])
    assert (runner["paused"], runner["active"]) == (False, True)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "runner_type is missing, runner_type does not have a valid value"),
        ({"description": "x"}, "runner_type is missing, runner_type does not have a valid value"),
        ({"runner_type": "shared"}, "runner_type does not have a valid value"),
        ({"runner_type": "bogus_type"}, "runner_type does not have a valid value"),
        ({"runner_type": "group_type"}, "group_id is missing"),
        ({"runner_type": "group_type", "group_id": "abc"}, "group_id is invalid"),
        ({"runner_type": "group_type", "group_id": "platform/infra"}, "group_id is invalid"),
        ({"runner_type": "project_type"}, "project_id is missing"),
        ({"runner_type": "project_type", "project_id": "platform/website"}, "project_id is invalid"),
    ],
)
def test_create_parameter_errors(sb, body, error):
    """Contract §4.14/§1.3: Grape parameter failures are 400 {"error": text} and create nothing."""
    sb.check(sb.api("POST", "/user/runners", sb.admin_token, json=body), 400, {"error": error})
    assert ids(sb.api("GET", "/runners/all", sb.admin_token)) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"runner_type": "group_type", "group_id": 999}, "400 Bad request - Missing/invalid group"),
        ({"runner_type": "project_type", "project_id": 999}, "400 Bad request - Missing/invalid project"),
        (
            {"runner_type": "instance_type", "run_untagged": False},
            "400 Bad request - Tags list can not be empty when runner is not allowed to pick untagged jobs",
        ),
        (
            {"runner_type": "instance_type", "maximum_timeout": 599},
            "400 Bad request - Maximum timeout needs to be at least 10 minutes",
        ),
        (
            {"runner_type": "instance_type", "description": "d" * 1025},
            "400 Bad request - Description is too long (maximum is 1024 characters)",
        ),
    ],
)
def test_create_bad_requests(sb, body, message):
    """Contract §4.14: unknown scope and model errors are 400 {"message": "400 Bad request - <reason>"} (a string)."""
    sb.check(sb.api("POST", "/user/runners", sb.admin_token, json=body), 400, {"message": message})
    assert ids(sb.api("GET", "/runners/all", sb.admin_token)) == []


@pytest.mark.parametrize(
    ("user", "body", "allowed"),
    [
        ("alice", {"runner_type": "group_type", "group_id": 11}, True),
        ("alice", {"runner_type": "group_type", "group_id": 12}, True),
        ("alice", {"runner_type": "group_type", "group_id": 13}, True),
        ("alice", {"runner_type": "project_type", "project_id": 21}, True),
        ("alice", {"runner_type": "project_type", "project_id": 22}, True),
        ("alice", {"runner_type": "project_type", "project_id": 24}, True),
        ("bob", {"runner_type": "project_type", "project_id": 21}, True),
        ("alice", {"runner_type": "instance_type"}, False),
        ("alice", {"runner_type": "group_type", "group_id": 14}, False),
        ("alice", {"runner_type": "project_type", "project_id": 23}, False),
        ("bob", {"runner_type": "group_type", "group_id": 12}, False),
        ("bob", {"runner_type": "group_type", "group_id": 13}, False),
        ("bob", {"runner_type": "project_type", "project_id": 22}, False),
        ("carol", {"runner_type": "project_type", "project_id": 21}, False),
        ("carol", {"runner_type": "instance_type"}, False),
    ],
)
def test_create_permissions(sb, token, user, body, allowed):
    """Contract §4.14/§5: instance runners need an admin, group runners the group Owner, project runners a
    project Maintainer+; anyone else gets 403 Insufficient permissions and nothing is created."""
    response = sb.api("POST", "/user/runners", token(user), json=dict(body, description=f"by-{user}"))
    if allowed:
        runner = details(sb, sb.check(response, 201)["id"])
        assert runner["created_by"]["username"] == user
        assert runner["runner_type"] == body["runner_type"]
        if "group_id" in body:
            assert [group["id"] for group in runner["groups"]] == [body["group_id"]]
        else:
            assert [project["id"] for project in runner["projects"]] == [body["project_id"]]
    else:
        sb.check(response, 403, INSUFFICIENT)
        assert ids(sb.api("GET", "/runners/all", sb.admin_token)) == []


def test_create_is_not_idempotent(sb):
    """Contract §4.14: the same body twice creates two runners with different ids and tokens."""
    body = {"runner_type": "project_type", "project_id": 21, "description": "same"}
    first, second = (sb.create_runner(**body) for _attempt in range(2))
    assert first["id"] != second["id"]
    assert first["token"] != second["token"]
    listed = sb.check(sb.api("GET", "/runners/all", sb.admin_token), 200)
    assert [(runner["id"], runner["description"]) for runner in listed] == [
        (first["id"], "same"),
        (second["id"], "same"),
    ]


# --- §4.3: GET /runners/:id --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["inst", "g12", "p21"])
def test_details_keys(sb, fleet, name):
    """Contract §4.3/§3.1/§3.2: RunnerDetails has exactly the documented keys in order, and never a token."""
    runner = details(sb, fleet[name])
    assert list(runner) == DETAIL_KEYS
    assert runner["id"] == fleet[name]
    assert runner["description"] == name
    assert runner["ip_address"] is None


def test_details_projects_and_groups(sb, fleet):
    """Contract §3.2: projects lists the runner's projects (BasicProjectDetails), groups the group's id/web_url/name."""
    project_runner = details(sb, fleet["p21"])
    [project] = project_runner["projects"]
    assert {"id", "description", "name", "name_with_namespace", "path", "path_with_namespace", "created_at"} <= set(
        project
    )
    assert (project["id"], project["path_with_namespace"], project["path"]) == (
        21,
        "platform/infra/ci/runner-images",
        "runner-images",
    )
    assert project_runner["groups"] == []
    group_runner = details(sb, fleet["g12"])
    assert group_runner["projects"] == []
    [group] = group_runner["groups"]
    assert list(group) == ["id", "web_url", "name"]
    assert group["id"] == 12
    assert group["name"] == sb.check(sb.api("GET", "/groups/12", sb.admin_token), 200)["name"]
    assert details(sb, fleet["inst"])["groups"] == []
    assert details(sb, fleet["inst"])["projects"] == []


def test_details_include_projects_false(sb, fleet):
    """Contract §3.2/§4.3: projects is present only when include_projects is true (the default)."""
    response = sb.api("GET", f"/runners/{fleet['p21']}", sb.admin_token, params={"include_projects": "false"})
    runner = sb.check(response, 200)
    assert list(runner) == [key for key in DETAIL_KEYS if key != "projects"]
    assert "projects" in details(sb, fleet["p21"])


def test_details_projects_only_those_the_reader_may_see(sb, fleet, token):
    """Contract §3.2: admins see all of a runner's projects; others only the projects they are authorized for."""
    sb.check(sb.api("POST", "/projects/23/runners", sb.admin_token, json={"runner_id": fleet["p24"]}), 201)
    assert [project["id"] for project in details(sb, fleet["p24"])["projects"]] == [24, 23]
    assert [project["id"] for project in details(sb, fleet["p24"], token("alice"))["projects"]] == [24]


def test_runner_projects_endpoint(sb, fleet, token):
    """Contract §4.8: GET /runners/:id/projects lists the runner's projects the caller may see (paginated);
    permissions as GET /runners/:id."""
    sb.check(sb.api("POST", "/projects/23/runners", sb.admin_token, json={"runner_id": fleet["p24"]}), 201)
    response = sb.api("GET", f"/runners/{fleet['p24']}/projects", sb.admin_token)
    assert [project["id"] for project in sb.check(response, 200)] == [23, 24]
    assert response.headers["X-Total"] == "2"
    response = sb.api("GET", f"/runners/{fleet['p24']}/projects", token("alice"))
    assert [(project["id"], project["path_with_namespace"]) for project in sb.check(response, 200)] == [
        (24, "other/tools")
    ]
    sb.check(sb.api("GET", f"/runners/{fleet['p24']}/projects", token("carol")), 403, NO_ACCESS)
    sb.check(sb.api("GET", "/runners/987654/projects", sb.admin_token), 404, RUNNER_NOT_FOUND)


@pytest.mark.parametrize(
    ("user", "name", "allowed"),
    [
        ("carol", "inst", True),
        ("alice", "g11", True),
        ("alice", "g13", True),
        ("bob", "g12", True),
        ("bob", "g13", True),
        ("bob", "g11", True),  # Maintainer of project 21, which inherits group runners from platform
        ("alice", "p21", True),
        ("alice", "p24", True),
        ("bob", "p21", True),
        ("bob", "g14", False),
        ("carol", "g11", False),
        ("alice", "p23", False),
        ("bob", "p22", False),
        ("carol", "p21", False),
    ],
)
def test_details_read_permission(sb, fleet, user, name, allowed):
    """Contract §4.3/§5: who may read a runner; anyone else gets 403 No access granted."""
    response = sb.api("GET", f"/runners/{fleet[name]}", fleet.token(user))
    if allowed:
        assert sb.check(response, 200)["id"] == fleet[name]
    else:
        sb.check(response, 403, NO_ACCESS)


@pytest.mark.parametrize(("user", "name", "visible"), [("root", "inst", True), ("carol", "inst", False)])
def test_details_maintenance_note_needs_update_right(sb, token, user, name, visible):
    """Contract §3.2: maintenance_note is always present; null for a reader who cannot update the runner."""
    runner_id = sb.create_runner(maintenance_note="on the old rack")["id"]
    runner = details(sb, runner_id, token(user))
    assert "maintenance_note" in runner
    assert runner["maintenance_note"] == ("on the old rack" if visible else None)


def test_details_maintenance_note_hidden_from_group_maintainer(sb, token):
    """Contract §3.2/§5: bob (Maintainer of the group) reads a group runner but cannot update it: note is null."""
    runner_id = sb.create_runner(runner_type="group_type", group_id=12, maintenance_note="secret")["id"]
    assert details(sb, runner_id, token("bob"))["maintenance_note"] is None
    assert details(sb, runner_id, token("alice"))["maintenance_note"] == "secret"


def test_details_unknown_runner(sb):
    """Contract §4.3: an unknown id is 404 Runner Not Found."""
    sb.check(sb.api("GET", "/runners/987654", sb.admin_token), 404, RUNNER_NOT_FOUND)


@pytest.mark.parametrize("ref", ["abc", "1x"])
def test_details_non_integer_id(sb, ref):
    """Contract §4.3: a non-integer id is 400 {"error":"id is invalid"}."""
    sb.check(sb.api("GET", f"/runners/{ref}", sb.admin_token), 400, {"error": "id is invalid"})


# --- §4.4: PUT /runners/:id ---------------------------------------------------------------------------------------


@pytest.fixture
def runner_id(sb) -> int:
    """An instance runner with a description, a note and one tag."""
    return sb.create_runner(description="before", tag_list=["x"], maintenance_note="n")["id"]


@pytest.mark.parametrize(
    ("body", "changed"),
    [
        ({"description": "renamed"}, {"description": "renamed"}),
        ({"description": ""}, {"description": ""}),
        ({"paused": True}, {"paused": True, "active": False}),
        ({"active": False}, {"paused": True, "active": False}),
        ({"paused": False}, {}),
        ({"run_untagged": False}, {"run_untagged": False}),
        ({"locked": True}, {"locked": True}),
        ({"access_level": "ref_protected"}, {"access_level": "ref_protected"}),
        ({"access_level": "not_protected"}, {}),
        ({"maximum_timeout": 600}, {"maximum_timeout": 600}),
        ({"maximum_timeout": 86400 * 30}, {"maximum_timeout": 86400 * 30}),
        ({"maintenance_note": "moved to rack 9"}, {"maintenance_note": "moved to rack 9"}),
        ({"description": "d" * 1024}, {"description": "d" * 1024}),
        ({"description": "renamed", "unknown_key": 1}, {"description": "renamed"}),
    ],
)
def test_update_each_field(sb, runner_id, body, changed):
    """Contract §4.4: PUT changes exactly the given fields and answers 200 with the RunnerDetails after it."""
    before = details(sb, runner_id)
    updated = sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json=body), 200)
    assert list(updated) == DETAIL_KEYS
    assert updated == details(sb, runner_id)
    assert {key: value for key, value in updated.items() if key not in changed} == {
        key: value for key, value in before.items() if key not in changed
    }
    assert {key: updated[key] for key in changed} == changed


def test_update_paused_then_active(sb, runner_id):
    """Contract §4.4/§2.4: paused and active are inverse views of one flag."""
    assert (
        sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json={"paused": True}), 200)["active"] is False
    )
    resumed = sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json={"active": True}), 200)
    assert (resumed["paused"], resumed["active"]) == (False, True)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["a", "b"], {"a", "b"}),
        (["c"], {"c"}),
        ("", set()),
        ([], set()),
    ],
)
def test_update_tag_list_replaces(sb, runner_id, tags, expected):
    """Contract §4.4: tag_list replaces the whole list; "" or [] clears it."""
    updated = sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json={"tag_list": tags}), 200)
    assert len(updated["tag_list"]) == len(expected)
    assert set(updated["tag_list"]) == expected
    assert set(details(sb, runner_id)["tag_list"]) == expected


def test_update_maximum_timeout_null_clears(sb, runner_id):
    """Contract §4.4: JSON null for maximum_timeout clears it."""
    sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json={"maximum_timeout": 3600}), 200)
    cleared = sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json={"maximum_timeout": None}), 200)
    assert cleared["maximum_timeout"] is None


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, UPDATE_NEEDS_ONE),
        ({"unknown_key": "x"}, UPDATE_NEEDS_ONE),
        ({"active": True, "paused": True}, "active, paused are mutually exclusive"),
        ({"active": False, "paused": True}, "active, paused are mutually exclusive"),
        ({"access_level": "protected"}, "access_level does not have a valid value"),
    ],
)
def test_update_parameter_errors(sb, runner_id, body, error):
    """Contract §4.4/§1.3: Grape parameter failures are 400 {"error": text} and change nothing."""
    before = details(sb, runner_id)
    sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json=body), 400, {"error": error})
    assert details(sb, runner_id) == before


def test_update_without_any_body(sb, runner_id):
    """Contract §4.4: a PUT with no body at all is the at-least-one-parameter error."""
    sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token), 400, {"error": UPDATE_NEEDS_ONE})


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"run_untagged": False, "tag_list": ""}, {"tags_list": [TAGS_EMPTY]}),
        ({"maximum_timeout": 599}, {"maximum_timeout": ["needs to be at least 10 minutes"]}),
        ({"maximum_timeout": 0}, {"maximum_timeout": ["needs to be at least 10 minutes"]}),
        ({"description": "d" * 1025}, {"description": [TOO_LONG]}),
        ({"maintenance_note": "m" * 1025}, {"maintenance_note": [TOO_LONG]}),
        (
            {"tag_list": [f"t{n}" for n in range(51)]},
            {"tags_list": ["Too many tags specified. Please limit the number of tags to 50"]},
        ),
    ],
)
def test_update_model_errors(sb, runner_id, body, errors):
    """Contract §4.4/§2.2: model validation failures are 400 {"message": {attribute: [messages]}}; nothing changes."""
    before = details(sb, runner_id)
    sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json=body), 400, {"message": errors})
    assert details(sb, runner_id) == before


def test_update_clearing_tags_of_untagged_only_runner(sb):
    """Contract §2.2: a runner that may not run untagged jobs cannot lose its last tag."""
    runner_id = sb.create_runner(run_untagged=False, tag_list=["gpu"])["id"]
    sb.check(
        sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json={"tag_list": []}),
        400,
        {"message": {"tags_list": [TAGS_EMPTY]}},
    )


def test_update_fifty_tags_is_the_limit(sb, runner_id):
    """Contract §2.2: 50 tags are allowed."""
    tags = {f"t{n}" for n in range(50)}
    updated = sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json={"tag_list": sorted(tags)}), 200)
    assert set(updated["tag_list"]) == tags


def test_update_runner_that_already_has_too_many_tags(sb):
    """Contract §4.4/§2.2: the 50-tag check runs only when tag_list changes; other attributes stay updatable."""
    tags = [f"t{n}" for n in range(51)]
    [runner_id] = sb.hook("POST", "runners", json={"count": 1, "description": "legacy", "tag_list": tags}).json()["ids"]
    updated = sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json={"description": "still fine"}), 200)
    assert updated["description"] == "still fine"
    assert set(updated["tag_list"]) == set(tags)


def test_update_is_repeatable(sb, runner_id):
    """Contract §4.4: repeating the same PUT answers 200 with the same body."""
    body = {"description": "again", "tag_list": ["a", "b"], "maximum_timeout": 900}
    first = sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json=body), 200)
    second = sb.check(sb.api("PUT", f"/runners/{runner_id}", sb.admin_token, json=body), 200)
    assert {**second, "tag_list": set(second["tag_list"])} == {**first, "tag_list": set(first["tag_list"])}


@pytest.mark.parametrize(
    ("user", "name", "allowed"),
    [
        ("alice", "g11", True),
        ("alice", "g12", True),  # Owner through the parent group
        ("alice", "g13", True),
        ("alice", "p21", True),
        ("alice", "p24", True),
        ("bob", "p21", True),
        ("alice", "inst", False),
        ("carol", "inst", False),
        ("bob", "g12", False),  # a group Maintainer is not enough
        ("bob", "g13", False),
        ("alice", "g14", False),
        ("alice", "p23", False),
        ("bob", "p22", False),  # Developer
    ],
)
def test_update_permission(sb, fleet, user, name, allowed):
    """Contract §4.4/§5: instance runners admin only, group runners the group Owner, project runners a Maintainer+
    of the owner project; others get 403 No access granted."""
    response = sb.api("PUT", f"/runners/{fleet[name]}", fleet.token(user), json={"description": f"set by {user}"})
    if allowed:
        assert sb.check(response, 200)["description"] == f"set by {user}"
    else:
        sb.check(response, 403, NO_ACCESS)
        assert details(sb, fleet[name])["description"] == name


def test_update_unknown_runner(sb):
    """Contract §4.4: an unknown runner is 404 Runner Not Found."""
    sb.check(sb.api("PUT", "/runners/987654", sb.admin_token, json={"description": "x"}), 404, RUNNER_NOT_FOUND)


# --- §4.5: DELETE /runners/:id -----------------------------------------------------------------------------------


def test_delete_then_again(sb, runner_id):
    """Contract §4.5: 204 with an empty body, the runner is gone, a second DELETE is 404 Runner Not Found."""
    sb.check(sb.api("DELETE", f"/runners/{runner_id}", sb.admin_token), 204)
    sb.check(sb.api("GET", f"/runners/{runner_id}", sb.admin_token), 404, RUNNER_NOT_FOUND)
    sb.check(sb.api("DELETE", f"/runners/{runner_id}", sb.admin_token), 404, RUNNER_NOT_FOUND)
    assert ids(sb.api("GET", "/runners/all", sb.admin_token)) == []


@pytest.mark.parametrize(
    ("user", "name", "allowed"),
    [
        ("alice", "g12", True),
        ("alice", "p24", True),
        ("bob", "p21", True),
        ("bob", "g12", False),  # group Maintainer
        ("alice", "inst", False),
        ("bob", "p22", False),
        ("carol", "p21", False),
    ],
)
def test_delete_permission(sb, fleet, user, name, allowed):
    """Contract §4.5/§5: group runners need the Owner, project runners a Maintainer+; else 403 No access granted."""
    response = sb.api("DELETE", f"/runners/{fleet[name]}", fleet.token(user))
    if allowed:
        sb.check(response, 204)
        sb.check(sb.api("GET", f"/runners/{fleet[name]}", sb.admin_token), 404, RUNNER_NOT_FOUND)
    else:
        sb.check(response, 403, NO_ACCESS)
        details(sb, fleet[name])


def test_delete_multi_project_runner_needs_admin(sb, fleet, token):
    """Contract §4.5/§5: a non-admin can never delete a runner assigned to several projects; an admin can."""
    sb.check(sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": fleet["p24"]}), 201)
    sb.check(
        sb.api("DELETE", f"/runners/{fleet['p24']}", token("alice")),
        403,
        {"message": "403 Forbidden - Runner associated with more than one project"},
    )
    sb.check(sb.api("DELETE", f"/runners/{fleet['p24']}", sb.admin_token), 204)
    assert fleet["p24"] not in ids(sb.api("GET", "/projects/21/runners", sb.admin_token))
    assert fleet["p24"] not in ids(sb.api("GET", "/projects/24/runners", sb.admin_token))


def test_update_multi_project_runner_by_other_project_maintainer(sb, fleet, token):
    """Contract §4.4/§5: with several projects, a Maintainer+ of any assigned project may update the runner."""
    sb.check(sb.api("PUT", f"/runners/{fleet['p24']}", token("bob"), json={"description": "x"}), 403, NO_ACCESS)
    sb.check(sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": fleet["p24"]}), 201)
    assert (
        sb.check(sb.api("PUT", f"/runners/{fleet['p24']}", token("bob"), json={"description": "x"}), 200)["description"]
        == "x"
    )


@pytest.mark.parametrize(
    ("since", "status"), [("Sat, 01 Jan 2000 00:00:00 GMT", 412), ("Fri, 01 Jan 2100 00:00:00 GMT", 204)]
)
def test_delete_if_unmodified_since(sb, runner_id, since, status):
    """Contract §4.5/§1.3: If-Unmodified-Since earlier than the last update is 412 and deletes nothing."""
    response = sb.api("DELETE", f"/runners/{runner_id}", sb.admin_token, headers={"If-Unmodified-Since": since})
    if status == 412:
        sb.check(response, 412, {"message": "412 Precondition Failed"})
        details(sb, runner_id)
    else:
        sb.check(response, 204)


# --- §4.6: POST /runners/:id/reset_authentication_token ----------------------------------------------------------


def test_reset_authentication_token(sb):
    """Contract §4.6/§3.4: 201 {token, token_expires_at}; the old token stops verifying at once, the new one works."""
    created = sb.create_runner()
    reset = sb.check(sb.api("POST", f"/runners/{created['id']}/reset_authentication_token", sb.admin_token), 201)
    assert list(reset) == ["token", "token_expires_at"]
    assert reset["token"] != created["token"]
    assert reset["token_expires_at"] is None
    sb.check(verify(sb, created["token"]), 403, FORBIDDEN)
    assert sb.check(verify(sb, reset["token"]), 200)["id"] == created["id"]


@pytest.mark.parametrize(
    ("user", "name", "allowed"),
    [("alice", "g12", True), ("bob", "p21", True), ("bob", "g12", False), ("alice", "inst", False)],
)
def test_reset_authentication_token_permission(sb, fleet, user, name, allowed):
    """Contract §4.6/§5: same rights as update; others get 403 No access granted."""
    response = sb.api("POST", f"/runners/{fleet[name]}/reset_authentication_token", fleet.token(user))
    if allowed:
        assert set(sb.check(response, 201)) == {"token", "token_expires_at"}
    else:
        sb.check(response, 403, NO_ACCESS)


def test_reset_authentication_token_unknown_runner(sb):
    """Contract §4.6: unknown runner is 404 Runner Not Found."""
    sb.check(sb.api("POST", "/runners/987654/reset_authentication_token", sb.admin_token), 404, RUNNER_NOT_FOUND)


# --- §4.7: GET /runners/:id/managers -----------------------------------------------------------------------------


def test_managers_empty_until_verify(sb):
    """Contract §4.7/§3.5: an API-created runner has no managers; verify with system_id creates one."""
    created = sb.create_runner()
    sb.check(sb.api("GET", f"/runners/{created['id']}/managers", sb.admin_token), 200, [])
    sb.check(verify(sb, created["token"], system_id="s_abc"), 200)
    sb.check(verify(sb, created["token"], system_id="s_abc"), 200)
    [manager] = sb.check(sb.api("GET", f"/runners/{created['id']}/managers", sb.admin_token), 200)
    assert list(manager) == MANAGER_KEYS
    assert manager["system_id"] == "s_abc"
    assert manager["status"] == "online"
    assert manager["contacted_at"] is not None


def test_managers_legacy_system_id(sb):
    """Contract §3.5/§4.19: a verify without system_id makes the "<legacy>" manager; each system_id is its own."""
    created = sb.create_runner()
    sb.check(verify(sb, created["token"]), 200)
    sb.check(verify(sb, created["token"], system_id="s_other"), 200)
    managers = sb.check(sb.api("GET", f"/runners/{created['id']}/managers", sb.admin_token), 200)
    assert sorted(manager["system_id"] for manager in managers) == ["<legacy>", "s_other"]


def test_managers_permission_and_unknown(sb, fleet, token):
    """Contract §4.7: same permissions as GET /runners/:id; 404 for an unknown runner."""
    sb.check(sb.api("GET", f"/runners/{fleet['p21']}/managers", token("bob")), 200, [])
    sb.check(sb.api("GET", f"/runners/{fleet['p22']}/managers", token("bob")), 403, NO_ACCESS)
    sb.check(sb.api("GET", "/runners/987654/managers", sb.admin_token), 404, RUNNER_NOT_FOUND)


# --- §4.1 and §4.2: GET /runners and GET /runners/all -------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "names"),
    [
        ("alice", ["g11", "g12", "g13", "p21", "p22", "p24"]),
        ("bob", ["p21"]),
        ("carol", []),
    ],
)
def test_runners_lists_available_runners(sb, fleet, token, user, names):
    """Contract §4.1: project runners of projects where the user is Maintainer+ and group runners of groups where
    the user is Owner (descendants included); never instance runners."""
    assert ids(sb.api("GET", "/runners", token(user))) == expected_ids(fleet, *names)


def test_runners_never_lists_instance_runners_even_for_admin(sb, fleet):
    """Contract §4.1: instance runners are not included in GET /runners, even for an admin."""
    assert fleet["inst"] not in ids(sb.api("GET", "/runners", sb.admin_token))


def test_runners_entity(sb, fleet, token):
    """Contract §4.1/§3.1: list items are Runner entities: exactly the §3.1 keys in order, no token."""
    listed = sb.check(sb.api("GET", "/runners", token("alice")), 200)
    assert listed
    for runner in listed:
        assert list(runner) == RUNNER_KEYS


def test_runners_all_lists_everything(sb, fleet):
    """Contract §4.2: every runner of the instance, by id ascending, as Runner entities."""
    listed = sb.check(sb.api("GET", "/runners/all", sb.admin_token), 200)
    assert [runner["id"] for runner in listed] == sorted(fleet.values())
    assert all(list(runner) == RUNNER_KEYS for runner in listed)
    assert {runner["description"]: runner["runner_type"] for runner in listed} == {
        name: body["runner_type"] for name, body in FLEET.items()
    }


@pytest.mark.parametrize("user", ["alice", "bob", "carol"])
def test_runners_all_needs_admin(sb, token, user):
    """Contract §4.2: anyone but an admin gets 403 {"message":"403 Forbidden"}."""
    sb.check(sb.api("GET", "/runners/all", token(user)), 403, FORBIDDEN)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"scope": "shared"}, ["inst"]),
        ({"scope": "specific"}, ["g11", "g12", "g13", "g14", "p21", "p22", "p23", "p24"]),
        ({"scope": "instance_type"}, ["inst"]),
        ({"scope": "group_type"}, ["g11", "g12", "g13", "g14"]),
        ({"scope": "project_type"}, ["p21", "p22", "p23", "p24"]),
        ({"scope": "paused"}, ["p22", "g13"]),
        ({"scope": "never_contacted"}, list(FLEET)),
        ({"scope": "online"}, []),
        ({"type": "group_type"}, ["g11", "g12", "g13", "g14"]),
        ({"type": "instance_type"}, ["inst"]),
        ({"status": "paused"}, ["p22", "g13"]),
        ({"status": "active"}, ["inst", "g11", "g12", "g14", "p21", "p23", "p24"]),
        ({"paused": "true"}, ["p22", "g13"]),
        ({"paused": "false"}, ["inst", "g11", "g12", "g14", "p21", "p23", "p24"]),
        ({"type": "project_type", "paused": "true"}, ["p22"]),
        ({"scope": "specific", "status": "active", "type": "group_type"}, ["g11", "g12", "g14"]),
    ],
)
def test_runners_all_filters(sb, fleet, query, names):
    """Contract §4.2/§4.1/§2.4: scope (all AVAILABLE_SCOPES), type, status and paused filters, combined with AND."""
    for name in ("p22", "g13"):
        sb.check(sb.api("PUT", f"/runners/{fleet[name]}", sb.admin_token, json={"paused": True}), 200)
    assert ids(sb.api("GET", "/runners/all", sb.admin_token, params=query)) == expected_ids(fleet, *names)


@pytest.mark.parametrize(
    ("path", "query", "body"),
    [
        ("/runners", {"scope": "shared"}, {"message": "Scope contains invalid value"}),
        ("/runners", {"scope": "specific"}, {"message": "Scope contains invalid value"}),
        ("/runners", {"scope": "project_type"}, {"message": "Scope contains invalid value"}),
        ("/runners", {"scope": "bogus"}, {"error": "scope does not have a valid value"}),
        ("/runners/all", {"scope": "bogus"}, {"error": "scope does not have a valid value"}),
        ("/projects/21/runners", {"scope": "bogus"}, {"error": "scope does not have a valid value"}),
        ("/runners", {"type": "shared"}, {"error": "type does not have a valid value"}),
        ("/runners/all", {"type": "bogus"}, {"error": "type does not have a valid value"}),
        ("/projects/21/runners", {"type": "bogus"}, {"error": "type does not have a valid value"}),
        ("/groups/11/runners", {"type": "bogus"}, {"error": "type does not have a valid value"}),
        ("/runners", {"status": "bogus"}, {"error": "status does not have a valid value"}),
        ("/runners/all", {"status": "idle"}, {"error": "status does not have a valid value"}),
        ("/projects/21/runners", {"status": "bogus"}, {"error": "status does not have a valid value"}),
        ("/groups/11/runners", {"status": "bogus"}, {"error": "status does not have a valid value"}),
        ("/runners", {"paused": "maybe"}, {"error": "paused is invalid"}),
    ],
)
def test_list_parameter_errors(sb, path, query, body):
    """Contract §4.1/§4.2/§4.10/§4.13/§1.3: invalid scope, type, status and paused values are 400 with exact texts."""
    sb.check(sb.api("GET", path, sb.admin_token, params=query), 400, body)


@pytest.mark.parametrize("scope", ["active", "paused", "online", "offline", "never_contacted", "stale"])
def test_runners_accepts_status_scopes(sb, fleet, token, scope):
    """Contract §4.1: GET /runners takes the status scopes."""
    expected = expected_ids(fleet, "g11", "g12", "g13", "p21", "p22", "p24")
    assert ids(sb.api("GET", "/runners", token("alice"), params={"scope": scope})) == (
        expected if scope in ("active", "never_contacted") else []
    )


@pytest.mark.parametrize(
    ("tags", "names"),
    [("a", ["ab", "a"]), ("a,b", ["ab"]), ("b", ["ab", "b"]), ("a, c", []), ("b,a", ["ab"])],
)
def test_runners_tag_list_filter_is_and(sb, token, tags, names):
    """Contract §4.1: tag_list keeps runners that have all the listed tags."""
    created = {
        name: sb.create_runner(runner_type="group_type", group_id=11, tag_list=tag_list)["id"]
        for name, tag_list in (("ab", ["a", "b"]), ("a", ["a"]), ("b", ["b"]), ("none", []))
    }
    expected = sorted(created[name] for name in names)
    assert ids(sb.api("GET", "/runners/all", sb.admin_token, params={"tag_list": tags})) == expected
    assert ids(sb.api("GET", "/runners", token("alice"), params={"tag_list": tags})) == expected


def test_runners_version_prefix(sb, fleet):
    """Contract §4.1: version_prefix keeps runners having a manager whose version starts with the prefix."""
    versions = {"g11": "15.1.0", "g12": "15.10.2", "g13": "16.0.1"}
    for name, version in versions.items():
        manager = {
            "system_id": f"s_{name}",
            "version": version,
            "revision": "abcdef12",
            "platform": "linux",
            "architecture": "amd64",
            "ip_address": "10.0.0.1",
            "contacted_at": None,
        }
        sb.hook("PATCH", f"runners/{fleet[name]}", json={"managers": [manager]})
    cases = {"15": ["g11", "g12"], "15.1": ["g11", "g12"], "15.1.": ["g11"], "16": ["g13"], "17.": []}
    for prefix, names in cases.items():
        query = {"version_prefix": prefix}
        assert ids(sb.api("GET", "/runners/all", sb.admin_token, params=query)) == expected_ids(fleet, *names), prefix
    response = sb.api("GET", "/runners/all", sb.admin_token, params={"version_prefix": "V15"})
    assert response.status_code == 400, response.text
    assert "version_prefix" in response.text


# --- §4.10: GET /projects/:id/runners -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "names"),
    [
        ("21", ["inst", "g11", "g12", "g13", "p21"]),
        ("platform%2Finfra%2Fci%2Frunner-images", ["inst", "g11", "g12", "g13", "p21"]),
        ("22", ["inst", "g11", "p22"]),
        ("platform%2Fwebsite", ["inst", "g11", "p22"]),
        ("23", ["g14", "p23"]),
        ("24", ["g14", "p24"]),
    ],
)
def test_project_runners_composition(sb, fleet, ref, names):
    """Contract §4.10: own project runners + ancestor group runners (group runners enabled) + instance runners
    (shared runners enabled), by id ascending; projects 23 and 24 have shared runners disabled."""
    assert ids(sb.api("GET", f"/projects/{ref}/runners", sb.admin_token)) == expected_ids(fleet, *names)


def test_project_runners_follow_project_settings(sb, fleet):
    """Contract §4.10: disabling group runners drops the group runners, disabling shared runners the instance ones."""
    sb.hook("PATCH", "projects/21", json={"group_runners_enabled": False})
    assert ids(sb.api("GET", "/projects/21/runners", sb.admin_token)) == expected_ids(fleet, "inst", "p21")
    sb.hook("PATCH", "projects/21", json={"shared_runners_enabled": False})
    assert ids(sb.api("GET", "/projects/21/runners", sb.admin_token)) == expected_ids(fleet, "p21")
    sb.hook("PATCH", "projects/24", json={"shared_runners_enabled": True})
    assert ids(sb.api("GET", "/projects/24/runners", sb.admin_token)) == expected_ids(fleet, "inst", "g14", "p24")


def test_project_runners_include_assigned_runners(sb, fleet):
    """Contract §4.10/§4.11: a runner assigned to the project is listed there too, once."""
    sb.check(sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": fleet["p24"]}), 201)
    assert ids(sb.api("GET", "/projects/21/runners", sb.admin_token)) == expected_ids(
        fleet, "inst", "g11", "g12", "g13", "p21", "p24"
    )


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"scope": "shared"}, ["inst"]),
        ({"scope": "specific"}, ["g11", "g12", "g13", "p21"]),
        ({"type": "group_type"}, ["g11", "g12", "g13"]),
        ({"scope": "project_type"}, ["p21"]),
        ({"status": "never_contacted"}, ["inst", "g11", "g12", "g13", "p21"]),
    ],
)
def test_project_runners_filters(sb, fleet, query, names):
    """Contract §4.10: scope accepts all AVAILABLE_SCOPES here, plus type and status filters."""
    assert ids(sb.api("GET", "/projects/21/runners", sb.admin_token, params=query)) == expected_ids(fleet, *names)


@pytest.mark.parametrize(
    ("user", "ref", "body"),
    [
        ("alice", "21", None),
        ("bob", "21", None),
        ("alice", "24", None),
        ("bob", "22", FORBIDDEN),  # Developer
        ("carol", "22", PROJECT_NOT_FOUND),  # private, not a member
        ("alice", "23", PROJECT_NOT_FOUND),
        ("root", "999", PROJECT_NOT_FOUND),
    ],
)
def test_project_runners_permission(sb, fleet, user, ref, body):
    """Contract §4.10: Maintainer+ or admin; a Developer gets 403, an unknown or invisible project 404."""
    response = sb.api("GET", f"/projects/{ref}/runners", fleet.token(user))
    if body is None:
        assert fleet[f"p{ref}"] in ids(response)
    else:
        sb.check(response, status_of(body), body)


# --- §4.13: GET /groups/:id/runners -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "names"),
    [
        ("11", ["inst", "g11"]),
        ("12", ["inst", "g11", "g12"]),
        ("platform%2Finfra", ["inst", "g11", "g12"]),
        ("13", ["inst", "g11", "g12", "g13"]),
        ("14", ["g14"]),
    ],
)
def test_group_runners_composition(sb, fleet, ref, names):
    """Contract §4.13: group runners of the group and its ancestors (not descendants), plus instance runners when the
    group allows shared runners; never project runners."""
    assert ids(sb.api("GET", f"/groups/{ref}/runners", sb.admin_token)) == expected_ids(fleet, *names)


def test_group_runners_follow_shared_runners_setting(sb, fleet):
    """Contract §4.13: a group that disallows shared runners lists no instance runners."""
    sb.hook("PATCH", "groups/11", json={"shared_runners_setting": "disabled_and_unoverridable"})
    assert ids(sb.api("GET", "/groups/11/runners", sb.admin_token)) == expected_ids(fleet, "g11")


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"type": "project_type"}, []),
        ({"type": "group_type"}, ["g11", "g12"]),
        ({"type": "instance_type"}, ["inst"]),
        ({"scope": "shared"}, ["inst", "g11", "g12"]),
        ({"scope": "bogus"}, ["inst", "g11", "g12"]),
        ({"paused": "true"}, ["g12"]),
        ({"status": "active"}, ["inst", "g11"]),
    ],
)
def test_group_runners_filters(sb, fleet, query, names):
    """Contract §4.13: type, status and paused filter; type=project_type gives []; scope is ignored."""
    sb.check(sb.api("PUT", f"/runners/{fleet['g12']}", sb.admin_token, json={"paused": True}), 200)
    assert ids(sb.api("GET", "/groups/12/runners", sb.admin_token, params=query)) == expected_ids(fleet, *names)


@pytest.mark.parametrize(
    ("user", "ref", "body"),
    [
        ("alice", "11", None),
        ("alice", "13", None),
        ("root", "999", GROUP_NOT_FOUND),
        ("root", "no-such-group", GROUP_NOT_FOUND),
    ],
)
def test_group_runners_permission(sb, fleet, user, ref, body):
    """Contract §4.13: the group Owner or an admin may list; an unknown group is 404 Group Not Found."""
    response = sb.api("GET", f"/groups/{ref}/runners", fleet.token(user))
    if body is None:
        assert fleet[f"g{ref}"] in ids(response)
    else:
        sb.check(response, status_of(body), body)


def test_group_runners_denied_to_non_member(sb, token):
    """Contract §4.13 and §C: to carol, no member of it, the private group does not exist: 404 Group Not Found."""
    response = sb.api("GET", "/groups/11/runners", token("carol"))
    assert response.status_code == 404, response.text
    assert response.json() == GROUP_NOT_FOUND


# --- §4.11: POST /projects/:id/runners ----------------------------------------------------------------------------


def test_assign_runner(sb, fleet):
    """Contract §4.11: 201 with the Runner entity; the runner now lists both projects, the owner first."""
    assigned = sb.check(sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": fleet["p24"]}), 201)
    assert list(assigned) == RUNNER_KEYS
    assert (assigned["id"], assigned["runner_type"], assigned["description"]) == (fleet["p24"], "project_type", "p24")
    assert [project["id"] for project in details(sb, fleet["p24"])["projects"]] == [24, 21]


def test_assign_runner_form_encoded(sb, fleet):
    """Contract §1.1/§4.11: runner_id may come as a form field."""
    response = sb.api("POST", "/projects/21/runners", sb.admin_token, data={"runner_id": str(fleet["p24"])})
    assert sb.check(response, 201)["id"] == fleet["p24"]


def test_assign_runner_by_maintainer_of_both(sb, token):
    """Contract §4.11/§5: alice (Maintainer+ of both projects) assigns her runner of project 24 to project 21."""
    runner_id = sb.create_runner(token("alice"), runner_type="project_type", project_id=24)["id"]
    assert sb.check(sb.api("POST", "/projects/21/runners", token("alice"), json={"runner_id": runner_id}), 201)[
        "id"
    ] == (runner_id)


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({}, 400, {"error": "runner_id is missing"}),
        ({"runner_id": "abc"}, 400, {"error": "runner_id is invalid"}),
        ({"runner_id": 987654}, 404, RUNNER_NOT_FOUND),
    ],
)
def test_assign_runner_errors(sb, fleet, body, status, expected):
    """Contract §4.11: runner_id missing or invalid is 400; an unknown runner 404 Runner Not Found."""
    sb.check(sb.api("POST", "/projects/21/runners", sb.admin_token, json=body), status, expected)


def test_assign_checks_the_project_first(sb, token):
    """Contract §4.11: the caller's right on the target project is checked before the runner's existence."""
    sb.check(sb.api("POST", "/projects/22/runners", token("bob"), json={"runner_id": 987654}), 403, FORBIDDEN)


@pytest.mark.parametrize("name", ["g11", "g14"])
def test_assign_group_runner_is_forbidden(sb, fleet, name):
    """Contract §4.11/§5: a group runner can never be assigned, not even by an admin."""
    sb.check(
        sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": fleet[name]}),
        403,
        {"message": "403 Forbidden - Runner is a group runner"},
    )


def test_assign_locked_runner(sb, token):
    """Contract §4.11: a locked runner cannot be assigned by a non-admin; an admin can."""
    runner_id = sb.create_runner(token("alice"), runner_type="project_type", project_id=24, locked=True)["id"]
    sb.check(
        sb.api("POST", "/projects/21/runners", token("alice"), json={"runner_id": runner_id}),
        403,
        {"message": "403 Forbidden - Runner is locked"},
    )
    sb.check(sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": runner_id}), 201)


@pytest.mark.parametrize(
    ("user", "project", "name", "expected"),
    [
        ("alice", 21, "p23", NO_ACCESS),  # no right on the runner's project
        ("alice", 21, "inst", NO_ACCESS),  # instance runner, non-admin
        ("bob", 22, "p21", FORBIDDEN),  # Developer of the target project
        ("carol", 21, "p24", PROJECT_NOT_FOUND),  # cannot see the target project
    ],
)
def test_assign_runner_permission(fleet, user, project, name, expected):
    """Contract §4.11: the caller needs Maintainer+ on the target project and assign rights on the runner."""
    sb = fleet.sb
    response = sb.api("POST", f"/projects/{project}/runners", fleet.token(user), json={"runner_id": fleet[name]})
    sb.check(response, status_of(expected), expected)
    owners = [] if name == "inst" else [int(name[1:])]
    assert [item["id"] for item in details(sb, fleet[name])["projects"]] == owners


def test_assign_already_assigned_runner(sb, fleet):
    """Contract §4.11/§1.3: assigning a runner to a project it already has is 400 with a message, never 409."""
    response = sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": fleet["p21"]})
    body = sb.check(response, 400)
    assert list(body) == ["message"]
    assert isinstance(body["message"], str)
    assert body["message"]


# --- §4.12: DELETE /projects/:id/runners/:runner_id ---------------------------------------------------------------


def test_unassign_runner(sb, fleet, token):
    """Contract §4.12: 204 with an empty body; the runner keeps its owner project only."""
    sb.check(sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": fleet["p24"]}), 201)
    sb.check(sb.api("DELETE", f"/projects/21/runners/{fleet['p24']}", token("alice")), 204)
    assert [project["id"] for project in details(sb, fleet["p24"])["projects"]] == [24]
    assert fleet["p24"] not in ids(sb.api("GET", "/projects/21/runners", sb.admin_token))


@pytest.mark.parametrize("name", ["p22", "g11", "inst"])
def test_unassign_runner_not_assigned(sb, fleet, name):
    """Contract §4.12: a runner not assigned to the project is 404 Runner Not Found (even if listed there)."""
    sb.check(sb.api("DELETE", f"/projects/21/runners/{fleet[name]}", sb.admin_token), 404, RUNNER_NOT_FOUND)


def test_unassign_unknown_runner(sb):
    """Contract §4.12: an unknown runner id is 404 Runner Not Found."""
    sb.check(sb.api("DELETE", "/projects/21/runners/987654", sb.admin_token), 404, RUNNER_NOT_FOUND)


@pytest.mark.parametrize("shared", [False, True])
def test_unassign_from_owner_project(sb, fleet, token, shared):
    """Contract §4.12: unassigning from the owner project is 403, even when other projects remain."""
    if shared:
        sb.check(sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": fleet["p24"]}), 201)
    sb.check(
        sb.api("DELETE", f"/projects/24/runners/{fleet['p24']}", token("alice")),
        403,
        {"message": "403 Forbidden - You cannot unassign a runner from the owner project. Delete the runner instead"},
    )
    assert details(sb, fleet["p24"])["projects"][0]["id"] == 24


def test_unassign_locked_runner(sb, token):
    """Contract §4.12: a non-admin cannot unassign a locked runner; an admin can."""
    runner_id = sb.create_runner(token("alice"), runner_type="project_type", project_id=24, locked=True)["id"]
    sb.check(sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": runner_id}), 201)
    sb.check(
        sb.api("DELETE", f"/projects/21/runners/{runner_id}", token("alice")),
        403,
        {"message": "403 Forbidden - Runner is locked"},
    )
    sb.check(sb.api("DELETE", f"/projects/21/runners/{runner_id}", sb.admin_token), 204)


def test_unassign_if_unmodified_since(sb, fleet):
    """Contract §4.12/§1.3: If-Unmodified-Since earlier than the last update is 412 and unassigns nothing."""
    sb.check(sb.api("POST", "/projects/21/runners", sb.admin_token, json={"runner_id": fleet["p24"]}), 201)
    response = sb.api(
        "DELETE",
        f"/projects/21/runners/{fleet['p24']}",
        sb.admin_token,
        headers={"If-Unmodified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"},
    )
    sb.check(response, 412, {"message": "412 Precondition Failed"})
    assert [project["id"] for project in details(sb, fleet["p24"])["projects"]] == [24, 21]


# --- §4.15: registration-token resets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("root", "/runners/reset_registration_token"),
        ("root", "/projects/22/runners/reset_registration_token"),
        ("root", "/groups/14/runners/reset_registration_token"),
        ("bob", "/projects/21/runners/reset_registration_token"),
        ("alice", "/projects/24/runners/reset_registration_token"),
        ("alice", "/groups/11/runners/reset_registration_token"),
        ("alice", "/groups/13/runners/reset_registration_token"),
        ("alice", "/projects/platform%2Fwebsite/runners/reset_registration_token"),
    ],
)
def test_reset_registration_token(sb, token, user, path):
    """Contract §4.15/§3.4: 201 {"token": "GR1348941…"}, that key only, and a new token each time."""
    first = sb.check(sb.api("POST", path, token(user)), 201)
    second = sb.check(sb.api("POST", path, token(user)), 201)
    assert list(first) == ["token"]
    assert first["token"].startswith("GR1348941")
    assert len(first["token"]) > len("GR1348941")
    assert second["token"] != first["token"]


@pytest.mark.parametrize(("kind", "ref"), [("projects", "21"), ("groups", "12")])
def test_reset_registration_token_is_the_new_runners_token(sb, kind, ref):
    """Contract §4.15: the reset token is what runners_token of GET /projects/:id or /groups/:id then shows."""
    before = sb.check(sb.api("GET", f"/{kind}/{ref}", sb.admin_token), 200)["runners_token"]
    reset = sb.check(sb.api("POST", f"/{kind}/{ref}/runners/reset_registration_token", sb.admin_token), 201)["token"]
    assert reset != before
    assert sb.check(sb.api("GET", f"/{kind}/{ref}", sb.admin_token), 200)["runners_token"] == reset


def test_reset_instance_registration_token(sb):
    """Contract §4.15: the instance reset replaces the instance registration token."""
    before = sb.hook("GET", "settings").json()["runners_registration_token"]
    reset = sb.check(sb.api("POST", "/runners/reset_registration_token", sb.admin_token), 201)["token"]
    assert reset != before
    assert sb.hook("GET", "settings").json()["runners_registration_token"] == reset


@pytest.mark.parametrize(
    ("user", "path", "body"),
    [
        ("alice", "/runners/reset_registration_token", FORBIDDEN),
        ("bob", "/projects/22/runners/reset_registration_token", FORBIDDEN),  # Developer
        ("bob", "/groups/12/runners/reset_registration_token", FORBIDDEN),  # Maintainer, not Owner
        ("root", "/projects/999/runners/reset_registration_token", PROJECT_NOT_FOUND),
        ("root", "/groups/999/runners/reset_registration_token", GROUP_NOT_FOUND),
    ],
)
def test_reset_registration_token_errors(sb, token, user, path, body):
    """Contract §4.15: admin for the instance, Maintainer+ for a project, Owner for a group; otherwise 403;
    an unknown (or invisible) project or group is 404."""
    sb.check(sb.api("POST", path, token(user)), status_of(body), body)
