# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox GitLab's authentication, token scopes and parameter handling (contract §1.1 to §1.3), over raw HTTP.

Least-privilege tokens are minted for the admin (root), so that only the token's scope, never the user's role,
decides the outcome. A refused mutating request must leave the sandbox exactly as it was.
"""

from __future__ import annotations

import pytest

UNAUTHORIZED = {"message": "401 Unauthorized"}
INSUFFICIENT_SCOPE = "insufficient_scope"
INSUFFICIENT_SCOPE_DESCRIPTION = "The request requires higher privileges than provided by the access token."
AT_LEAST_ONE = (
    "description, active, paused, tag_list, run_untagged, locked, access_level, maximum_timeout, maintenance_note "
    "are missing, at least one parameter must be provided"
)
SCOPES = ("api", "read_api", "manage_runner", "create_runner")

# (method, path, JSON body, expected status per scope in SCOPES order; None: the contract does not say)
# {I} is an instance runner; {P} a project runner owned by project 21 and also assigned to project 22.
SCOPE_MATRIX = (
    ("GET", "/runners/{I}", None, (200, 200, 200, 403)),
    ("GET", "/runners/{P}", None, (200, 200, 200, 403)),
    ("GET", "/runners/{I}/managers", None, (200, 200, 200, 403)),
    ("PUT", "/runners/{I}", {"description": "changed"}, (200, 403, 200, 403)),
    ("PUT", "/runners/{P}", {"paused": True}, (200, 403, 200, 403)),
    ("POST", "/runners/{I}/reset_authentication_token", None, (201, 403, 201, None)),
    ("DELETE", "/runners/{I}", None, (204, 403, 204, 403)),
    ("GET", "/runners", None, (200, 200, 403, 403)),
    ("GET", "/runners/all", None, (200, 200, 403, None)),
    ("GET", "/projects/21/runners", None, (200, 200, 403, 403)),
    ("GET", "/groups/11/runners", None, (200, 200, 403, None)),
    ("POST", "/projects/23/runners", {"runner_id": "{P}"}, (201, 403, 401, 401)),
    ("DELETE", "/projects/22/runners/{P}", None, (204, 403, 401, 401)),
    ("POST", "/user/runners", {"runner_type": "instance_type"}, (201, 403, None, 201)),
)

TRUE_WORDS = ("true", "TRUE", "True", "1", "t", "T", "yes", "YES", "Yes", "y", "Y", "on", "ON", "On")
FALSE_WORDS = ("false", "FALSE", "False", "0", "f", "F", "no", "NO", "No", "n", "N", "off", "OFF", "Off")


def scope_cases():
    for method, path, body, expectations in SCOPE_MATRIX:
        for scope, status in zip(SCOPES, expectations, strict=True):
            if status is not None:
                yield pytest.param(scope, method, path, body, status, id=f"{scope}-{method} {path}")


@pytest.fixture
def runners(gitlab_sandbox) -> dict[str, int]:
    """An instance runner I and a project runner P (owner project 21, also assigned to project 22)."""
    instance = gitlab_sandbox.create_runner(description="instance")["id"]
    project = gitlab_sandbox.create_runner(runner_type="project_type", project_id=21, description="project")["id"]
    assigned = gitlab_sandbox.api(
        "POST", "/projects/22/runners", gitlab_sandbox.admin_token, json={"runner_id": project}
    )
    assert assigned.status_code == 201, assigned.text
    return {"I": instance, "P": project}


def fill(template, runners: dict[str, int]):
    """A path or JSON body with {I} and {P} replaced by the runners' ids (a whole "{P}" value becomes an int)."""
    if isinstance(template, dict):
        return {key: fill(value, runners) for key, value in template.items()}
    if isinstance(template, str):
        if template in ("{I}", "{P}"):
            return runners[template[1]]
        return template.format(**runners)
    return template


def snapshot(gitlab_sandbox, runners: dict[str, int]) -> dict:
    """What the admin can see of the sandbox's runners, plus their current authentication tokens."""
    token = gitlab_sandbox.admin_token
    listing = gitlab_sandbox.api("GET", "/runners/all", token, params={"per_page": 100})
    assert listing.status_code == 200, listing.text
    state = {"all": listing.json()}
    for name, runner_id in runners.items():
        details = gitlab_sandbox.api("GET", f"/runners/{runner_id}", token)
        state[name] = (details.status_code, details.json())
        if details.status_code == 200:
            state[f"{name} token"] = gitlab_sandbox.hook("GET", f"runners/{runner_id}/token").json()
    return state


def runner_details(gitlab_sandbox, runner_id: int) -> dict:
    response = gitlab_sandbox.api("GET", f"/runners/{runner_id}", gitlab_sandbox.admin_token)
    assert response.status_code == 200, response.text
    return response.json()


def assert_insufficient_scope(response) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["error"] == INSUFFICIENT_SCOPE, body
    assert body["error_description"] == INSUFFICIENT_SCOPE_DESCRIPTION, body


# §1.2: the ways a user's token may travel


@pytest.mark.parametrize("username", ["root", "alice"])
@pytest.mark.parametrize("way", ["PRIVATE-TOKEN header", "private_token query", "Authorization Bearer"])
def test_every_documented_way_of_sending_a_token_is_accepted(gitlab_sandbox, username, way):
    """Contract §1.2: PRIVATE-TOKEN header, private_token query parameter and Authorization: Bearer all
    authenticate the user."""
    token = gitlab_sandbox.admin_token if username == "root" else gitlab_sandbox.mint(username)
    kwargs = {
        "PRIVATE-TOKEN header": {"headers": {"PRIVATE-TOKEN": token}},
        "private_token query": {"params": {"private_token": token}},
        "Authorization Bearer": {"headers": {"Authorization": f"Bearer {token}"}},
    }[way]
    user = gitlab_sandbox.api("GET", "/user", **kwargs)
    assert user.status_code == 200, user.text
    assert user.json()["username"] == username
    listing = gitlab_sandbox.api("GET", "/runners", **kwargs)
    assert listing.status_code == 200, listing.text


BAD_CREDENTIALS = {
    "no token": {},
    "wrong PRIVATE-TOKEN": {"headers": {"PRIVATE-TOKEN": "glpat-not-a-real-token-000"}},
    "wrong private_token": {"params": {"private_token": "glpat-not-a-real-token-000"}},
    "wrong Bearer": {"headers": {"Authorization": "Bearer glpat-not-a-real-token-000"}},
    "JOB-TOKEN random": {"headers": {"JOB-TOKEN": "glcbt-64_not-a-real-job-token"}},
    "JOB-TOKEN with a valid PAT": "admin",
}

ANONYMOUS_REQUESTS = (
    ("GET", "/runners", None),
    ("GET", "/runners/all", None),
    ("GET", "/runners/{I}", None),
    ("PUT", "/runners/{I}", {"description": "hijacked"}),
    ("DELETE", "/runners/{I}", None),
    ("POST", "/user/runners", {"runner_type": "instance_type"}),
    ("GET", "/projects/21/runners", None),
)


@pytest.mark.parametrize(
    ("method", "path", "body"), ANONYMOUS_REQUESTS, ids=[f"{m} {p}" for m, p, _body in ANONYMOUS_REQUESTS]
)
@pytest.mark.parametrize("credentials", list(BAD_CREDENTIALS))
def test_missing_wrong_or_job_token_is_401(gitlab_sandbox, runners, *, credentials, method, path, body):
    """Contract §1.2 and §1.3: no token, a wrong token, or a JOB-TOKEN (even one holding a valid PAT: no
    runner-management endpoint accepts job tokens) is anonymous: 401 {"message":"401 Unauthorized"}, no effect."""
    kwargs = BAD_CREDENTIALS[credentials]
    if kwargs == "admin":
        kwargs = {"headers": {"JOB-TOKEN": gitlab_sandbox.admin_token}}
    before = snapshot(gitlab_sandbox, runners)
    response = gitlab_sandbox.api(method, fill(path, runners), json=body, **kwargs)
    assert response.status_code == 401, response.text
    assert response.json() == UNAUTHORIZED
    assert snapshot(gitlab_sandbox, runners) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/no_such_thing"), ("GET", "/runners/1/no_such_thing"), ("POST", "/no/such/route"), ("GET", "/runner")],
)
def test_unknown_route_is_404(gitlab_sandbox, method, path):
    """Contract §1.3: an unknown route answers 404 {"error":"404 Not Found"}."""
    response = gitlab_sandbox.api(method, path, gitlab_sandbox.admin_token)
    assert response.status_code == 404, response.text
    assert response.json() == {"error": "404 Not Found"}


# §1.2: the scope matrix


@pytest.mark.parametrize(("scope", "method", "path", "body", "status"), list(scope_cases()))
def test_scope_matrix(gitlab_sandbox, runners, *, scope, method, path, body, status):
    """Contract §1.2 (scope table), §4.1, §4.3, §4.4, §4.6, §4.10, §4.12, §4.14: read_api is GET-only (403
    insufficient_scope otherwise); manage_runner reaches only /runners/:id… (403 on the lists, 401 on project
    assign/unassign); create_runner reaches only POST /user/runners (403 on runner GET/PUT/DELETE and the lists, 401
    on project assign/unassign). A refused request changes nothing; an accepted mutating one does."""
    token = gitlab_sandbox.mint("root", scope)
    before = snapshot(gitlab_sandbox, runners)
    response = gitlab_sandbox.api(method, fill(path, runners), token, json=fill(body, runners))
    assert response.status_code == status, response.text
    after = snapshot(gitlab_sandbox, runners)
    if status == 401:
        assert response.json() == UNAUTHORIZED
    elif status == 403:
        assert_insufficient_scope(response)
    elif status == 204:
        assert response.content == b""
    if status >= 400:
        assert after == before
    elif method != "GET":
        assert after != before


# §1.1: parameter sources and coercion


def send_as(source: str, values: dict) -> dict:
    """requests keyword arguments that send `values` as a query string, a urlencoded form, multipart or JSON."""
    if source == "json":
        return {"json": values}
    as_text = {key: value if isinstance(value, str) else str(value).lower() for key, value in values.items()}
    if source == "query":
        return {"params": as_text}
    if source == "form":
        return {"data": as_text}
    assert source == "multipart"
    return {"files": {key: (None, value) for key, value in as_text.items()}}


@pytest.mark.parametrize("source", ["json", "form", "multipart", "query"])
def test_put_accepts_parameters_from_every_source(gitlab_sandbox, source):
    """Contract §1.1: query string, urlencoded form, multipart form and JSON body are all accepted, with strings
    coerced to the declared types."""
    runner = gitlab_sandbox.create_runner(description="before")["id"]
    values = {"description": f"via {source}", "maximum_timeout": 3600, "paused": True, "access_level": "ref_protected"}
    response = gitlab_sandbox.api("PUT", f"/runners/{runner}", gitlab_sandbox.admin_token, **send_as(source, values))
    assert response.status_code == 200, response.text
    for details in (response.json(), runner_details(gitlab_sandbox, runner)):
        assert details["description"] == f"via {source}"
        assert details["maximum_timeout"] == 3600
        assert details["paused"] is True
        assert details["active"] is False
        assert details["access_level"] == "ref_protected"


@pytest.mark.parametrize("source", ["json", "form", "multipart"])
def test_create_accepts_parameters_from_every_body_source(gitlab_sandbox, source):
    """Contract §1.1 and §4.14: POST /user/runners takes its parameters from a form as well as from JSON, integers
    such as project_id coerced from strings."""
    values = {"runner_type": "project_type", "project_id": "21", "description": f"made via {source}", "locked": "true"}
    response = gitlab_sandbox.api("POST", "/user/runners", gitlab_sandbox.admin_token, **send_as(source, values))
    assert response.status_code == 201, response.text
    details = runner_details(gitlab_sandbox, response.json()["id"])
    assert details["runner_type"] == "project_type"
    assert [project["id"] for project in details["projects"]] == [21]
    assert details["description"] == f"made via {source}"
    assert details["locked"] is True


@pytest.mark.parametrize("source", ["json", "form", "query"])
@pytest.mark.parametrize(
    ("word", "expected"), [(w, True) for w in TRUE_WORDS] + [(w, False) for w in FALSE_WORDS] + [(True, True)]
)
def test_booleans_are_coerced_from_words(gitlab_sandbox, source, word, expected):
    """Contract §1.1: booleans accept true/false, 1/0, t/f, yes/no, y/n, on/off in any case (and JSON booleans)."""
    runner = gitlab_sandbox.create_runner(paused=not expected, locked=not expected)["id"]
    values = {"paused": word, "locked": word}
    response = gitlab_sandbox.api("PUT", f"/runners/{runner}", gitlab_sandbox.admin_token, **send_as(source, values))
    assert response.status_code == 200, response.text
    details = runner_details(gitlab_sandbox, runner)
    assert (details["paused"], details["active"], details["locked"]) == (expected, not expected, expected)


@pytest.mark.parametrize("source", ["json", "form", "query"])
@pytest.mark.parametrize("word", ["maybe", "2", "tru", "yess", "-1", "offf"])
@pytest.mark.parametrize("param", ["paused", "locked", "run_untagged"])
def test_invalid_boolean_is_400(gitlab_sandbox, param, word, source):
    """Contract §1.1 and §1.3: a boolean that is none of the accepted words gives 400 {"error":"<param> is invalid"}
    and changes nothing."""
    runner = gitlab_sandbox.create_runner(description="unchanged")["id"]
    before = runner_details(gitlab_sandbox, runner)
    response = gitlab_sandbox.api(
        "PUT", f"/runners/{runner}", gitlab_sandbox.admin_token, **send_as(source, {param: word})
    )
    assert response.status_code == 400, response.text
    assert response.json() == {"error": f"{param} is invalid"}
    assert runner_details(gitlab_sandbox, runner) == before


def test_several_parameter_failures_are_joined(gitlab_sandbox):
    """Contract §1.3: several Grape parameter failures come in one 400 {"error"}, joined with ", "."""
    runner = gitlab_sandbox.create_runner()["id"]
    response = gitlab_sandbox.api(
        "PUT", f"/runners/{runner}", gitlab_sandbox.admin_token, data={"paused": "maybe", "maximum_timeout": "abc"}
    )
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error"}
    assert sorted(response.json()["error"].split(", ")) == ["maximum_timeout is invalid", "paused is invalid"]


def test_invalid_boolean_on_create_is_400(gitlab_sandbox):
    """Contract §1.1 and §1.3: POST /user/runners with paused=maybe gives 400 {"error":"paused is invalid"}."""
    response = gitlab_sandbox.api(
        "POST", "/user/runners", gitlab_sandbox.admin_token, json={"runner_type": "instance_type", "paused": "maybe"}
    )
    assert response.status_code == 400, response.text
    assert response.json() == {"error": "paused is invalid"}
    assert gitlab_sandbox.api("GET", "/runners/all", gitlab_sandbox.admin_token).json() == []


@pytest.mark.parametrize("source", ["json", "form", "query"])
@pytest.mark.parametrize("value", ["abc", "12ab", "ten minutes"])
def test_non_numeric_integer_is_400(gitlab_sandbox, value, source):
    """Contract §1.1 and §1.3: a non-numeric integer gives 400 {"error":"<param> is invalid"}."""
    runner = gitlab_sandbox.create_runner()["id"]
    before = runner_details(gitlab_sandbox, runner)
    response = gitlab_sandbox.api(
        "PUT", f"/runners/{runner}", gitlab_sandbox.admin_token, **send_as(source, {"maximum_timeout": value})
    )
    assert response.status_code == 400, response.text
    assert response.json() == {"error": "maximum_timeout is invalid"}
    assert runner_details(gitlab_sandbox, runner) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "error"),
    [
        ("GET", "/runners/abc", None, "id is invalid"),
        ("PUT", "/runners/abc", {"description": "x"}, "id is invalid"),
        ("POST", "/projects/21/runners", {"runner_id": "abc"}, "runner_id is invalid"),
        ("POST", "/user/runners", {"runner_type": "group_type", "group_id": "platform"}, "group_id is invalid"),
        (
            "POST",
            "/user/runners",
            {"runner_type": "project_type", "project_id": "other/tools"},
            "project_id is invalid",
        ),
        (
            "POST",
            "/user/runners",
            {"runner_type": "instance_type", "maximum_timeout": "1h"},
            "maximum_timeout is invalid",
        ),
    ],
)
def test_non_numeric_integer_parameters_elsewhere_are_400(gitlab_sandbox, method, path, body, error):
    """Contract §1.1, §4.3, §4.11 and §4.14: ids and integers that are not numbers give 400 {"error":"... is
    invalid"} (a full path is no group_id or project_id)."""
    response = gitlab_sandbox.api(method, path, gitlab_sandbox.admin_token, json=body)
    assert response.status_code == 400, response.text
    assert response.json() == {"error": error}


def test_integer_strings_are_coerced(gitlab_sandbox):
    """Contract §1.1: an integer may arrive as a numeric string, from a form or in JSON."""
    runner = gitlab_sandbox.create_runner()["id"]
    for kwargs, expected in [
        ({"data": {"maximum_timeout": "700"}}, 700),
        ({"json": {"maximum_timeout": "1800"}}, 1800),
    ]:
        response = gitlab_sandbox.api("PUT", f"/runners/{runner}", gitlab_sandbox.admin_token, **kwargs)
        assert response.status_code == 200, response.text
        assert response.json()["maximum_timeout"] == expected


def test_unknown_parameters_are_ignored(gitlab_sandbox):
    """Contract §1.1, §4.4 and §4.14: undeclared parameters are silently ignored, never rejected; runner_type is not
    updatable and POST /user/runners has no `active` parameter."""
    token = gitlab_sandbox.admin_token
    created = gitlab_sandbox.api(
        "POST", "/user/runners", token, json={"runner_type": "instance_type", "active": False, "colour": "blue"}
    )
    assert created.status_code == 201, created.text
    runner = created.json()["id"]
    assert runner_details(gitlab_sandbox, runner)["paused"] is False
    updated = gitlab_sandbox.api(
        "PUT", f"/runners/{runner}", token, json={"description": "d", "runner_type": "group_type", "colour": "red"}
    )
    assert updated.status_code == 200, updated.text
    details = runner_details(gitlab_sandbox, runner)
    assert (details["description"], details["runner_type"]) == ("d", "instance_type")
    assert "colour" not in details
    with_query = gitlab_sandbox.api("GET", f"/runners/{runner}", token, params={"colour": "green", "sort": "sideways"})
    assert with_query.status_code == 200, with_query.text


def test_only_unknown_parameters_count_as_none(gitlab_sandbox):
    """Contract §1.1 and §4.4: a PUT whose every key is unknown has none of the declared ones: 400 at least one."""
    runner = gitlab_sandbox.create_runner()["id"]
    response = gitlab_sandbox.api("PUT", f"/runners/{runner}", gitlab_sandbox.admin_token, json={"colour": "blue"})
    assert response.status_code == 400, response.text
    assert response.json() == {"error": AT_LEAST_ONE}


TAG_LISTS = [
    pytest.param({"json": {"tag_list": "a, b,c"}}, ["a", "b", "c"], id="json string"),
    pytest.param({"data": {"tag_list": "a, b,c"}}, ["a", "b", "c"], id="form string"),
    pytest.param({"params": {"tag_list": "a, b,c"}}, ["a", "b", "c"], id="query string"),
    pytest.param({"json": {"tag_list": ["a", "b"]}}, ["a", "b"], id="json array"),
    pytest.param({"json": {"tag_list": ["a, b", "c,d ", " e"]}}, ["a", "b", "c", "d", "e"], id="json array of csv"),
    pytest.param({"data": [("tag_list[]", "a,b"), ("tag_list[]", "c")]}, ["a", "b", "c"], id="form array of csv"),
    pytest.param({"json": {"tag_list": "x,,y, ,x"}}, ["x", "y"], id="blanks and duplicates"),
    pytest.param({"json": {"tag_list": ["x", "x,y", "y"]}}, ["x", "y"], id="duplicates across elements"),
]


@pytest.mark.parametrize(("kwargs", "expected"), TAG_LISTS)
def test_tag_list_on_update(gitlab_sandbox, kwargs, expected):
    """Contract §1.1 (CommaSeparatedToArray) and §4.4: tag_list as a comma string or an array whose elements are
    split on commas, stripped, blanks dropped, de-duplicated; it replaces the whole list (compared as sets)."""
    runner = gitlab_sandbox.create_runner(tag_list=["old"])["id"]
    response = gitlab_sandbox.api("PUT", f"/runners/{runner}", gitlab_sandbox.admin_token, **kwargs)
    assert response.status_code == 200, response.text
    assert sorted(response.json()["tag_list"]) == expected
    assert sorted(runner_details(gitlab_sandbox, runner)["tag_list"]) == expected


@pytest.mark.parametrize(("kwargs", "expected"), TAG_LISTS)
def test_tag_list_on_create(gitlab_sandbox, kwargs, expected):
    """Contract §1.1 (CommaSeparatedToArray) and §4.14: POST /user/runners parses tag_list the same way."""
    kwargs = dict(kwargs)
    if "params" in kwargs:
        kwargs["json"] = {"runner_type": "instance_type"}
    elif isinstance(kwargs.get("data"), list):
        kwargs["data"] = [*kwargs["data"], ("runner_type", "instance_type")]
    else:
        key = "json" if "json" in kwargs else "data"
        kwargs[key] = {**kwargs[key], "runner_type": "instance_type"}
    response = gitlab_sandbox.api("POST", "/user/runners", gitlab_sandbox.admin_token, **kwargs)
    assert response.status_code == 201, response.text
    assert sorted(runner_details(gitlab_sandbox, response.json()["id"])["tag_list"]) == expected


@pytest.mark.parametrize("kwargs", [{"data": {"tag_list": ""}}, {"json": {"tag_list": []}}, {"json": {"tag_list": ""}}])
def test_empty_tag_list_clears_the_tags(gitlab_sandbox, kwargs):
    """Contract §4.4 and §1.1: an empty string or [] as tag_list clears the list (run_untagged stays true)."""
    runner = gitlab_sandbox.create_runner(tag_list="a,b")["id"]
    response = gitlab_sandbox.api("PUT", f"/runners/{runner}", gitlab_sandbox.admin_token, **kwargs)
    assert response.status_code == 200, response.text
    assert runner_details(gitlab_sandbox, runner)["tag_list"] == []
