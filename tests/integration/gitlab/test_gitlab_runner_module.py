# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""runnerfleet.gitlab_aws.gitlab_runner against the sandbox GitLab, through playbooks a user would write (issue 4,
"Done means").

Every test starts from the sandbox's seed (the autouse reset of conftest.py): groups `platform` (11),
`platform/infra` (12), projects `platform/website` (22), users root (the admin, GITLAB_API_TOKEN), alice (Owner of
`platform`) and bob (Maintainer of `platform/infra`). GitLab's state is checked through its API as the admin;
the request counters are cleared right before the run they measure, since the checks themselves are counted.
"""

from __future__ import annotations

import json

import pytest

CONVERGE = "tests/integration/playbooks/gitlab_runner/converge.yml"
SINGLE = "Converge the runner"
LOOP = "Converge each runner"
GROUP = {"runner_type": "group_type", "group": "platform/infra"}
INFRA_ID, WEBSITE_ID = 12, 22
RESULT_KEYS = {"description", "changed", "id", "runner", "token", "token_expires_at", "token_source", "operation"}


# --- helpers -------------------------------------------------------------------------------------------------------


def task_result(run, name: str = SINGLE) -> dict:
    """The registered result of the task `name` (the JSON report holds it whole, token included)."""
    assert run.report is not None, f"no JSON report; stdout:\n{run.output[-3000:]}\nstderr:\n{run.stderr[-3000:]}"
    for play in run.report["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == name:
                return task["hosts"]["localhost"]
    raise AssertionError(f"no task {name!r} in the report")


def converged(run, name: str = SINGLE) -> dict:
    """The result of a run that must have succeeded."""
    assert run.returncode == 0, run.failure_messages() or run.stderr[-3000:]
    return task_result(run, name)


def item_messages(run, name: str = LOOP) -> list[str]:
    """Each loop item's failure message (None for an item that succeeded), in order."""
    return [item.get("msg") if item.get("failed") else None for item in task_result(run, name)["results"]]


def every_runner(sb) -> list[dict]:
    """Every runner in GitLab (the admin's /runners/all, every page), as listed."""
    runners, page = [], 1
    while True:
        response = sb.api("GET", "/runners/all", sb.admin_token, params={"per_page": 100, "page": page})
        assert response.status_code == 200, response.text
        runners += response.json()
        if not response.headers.get("X-Next-Page"):
            return runners
        page += 1


def described(sb, description: str) -> list[dict]:
    """The details (GET /runners/:id) of every runner in GitLab with this exact description."""
    ids = [runner["id"] for runner in every_runner(sb) if runner["description"] == description]
    return [sb.check(sb.api("GET", f"/runners/{runner_id}", sb.admin_token), 200) for runner_id in ids]


def the_runner(sb, description: str) -> dict:
    """The one runner with this description: exactly one must exist."""
    found = described(sb, description)
    assert len(found) == 1, f"{len(found)} runners described {description!r}: {[r['id'] for r in found]}"
    return found[0]


def current_token(sb, runner_id: int) -> str:
    """The runner's authentication token as GitLab has it now (the API never shows it again; the hook does)."""
    return sb.hook("GET", f"runners/{runner_id}/token").json()["token"]


def clear_counts(sb) -> None:
    sb.hook("DELETE", "requests")


def counts(sb) -> dict:
    return sb.requests_made()


def leaks(run, *tokens: str) -> list[str]:
    """The tokens that appear anywhere in the run's output."""
    text = run.output + run.stderr
    return [token for token in tokens if token and token in text]


@pytest.fixture
def sb(gitlab_sandbox):
    return gitlab_sandbox


@pytest.fixture
def converge(playbook):
    """converge(runner_args, *ansible_playbook_args, **extra_vars): one run of converge.yml."""

    def run(runner_args: dict | None = None, *args: str, json_report: bool = True, **extra_vars):
        if runner_args is not None:
            extra_vars["runner_args"] = runner_args
        return playbook(CONVERGE, *args, extra_vars=extra_vars, json_report=json_report)

    return run


# --- 1, 2: the amazon.aws-style cycle ------------------------------------------------------------------------------


CYCLE = "cycle autoscaler"
CREATED = dict(GROUP, description=CYCLE, tag_list=["docker", "aws"], run_untagged=False, maximum_timeout=3600)
MODIFIED = dict(CREATED, tag_list=["large", "docker", "aws"], paused=True, maximum_timeout=7200, maintenance_note="m1")
ABSENT = dict(GROUP, description=CYCLE, state="absent")


def step(sb, converge, args: dict, *flags: str) -> tuple[dict, dict]:
    """One run that must succeed: its registered result, and the requests it made."""
    clear_counts(sb)
    result = converged(converge(args, *flags))
    return result, counts(sb)


def cycle_create(sb, converge) -> tuple[int, str]:
    result, made = step(sb, converge, CREATED, "--check")  # predicted; nothing sent that changes GitLab
    assert (result["changed"], made["mutating"], result["operation"]) == (True, 0, "create")
    assert result["runner"]["description"] == CYCLE
    assert sorted(result["runner"]["tag_list"]) == ["aws", "docker"]
    assert (result["token"], result["id"]) == (None, None)  # GitLab gives both only to a real create
    assert described(sb, CYCLE) == []

    result, _made = step(sb, converge, CREATED)
    assert (result["changed"], result["token_source"], result["operation"]) == (True, "created", "create")
    runner = the_runner(sb, CYCLE)
    assert result["id"] == runner["id"] == result["runner"]["id"]
    assert result["token"] == current_token(sb, runner["id"])
    assert runner["runner_type"] == "group_type"
    assert [group["id"] for group in runner["groups"]] == [INFRA_ID]
    assert sorted(runner["tag_list"]) == ["aws", "docker"]
    assert (runner["run_untagged"], runner["maximum_timeout"], runner["paused"]) == (False, 3600, False)

    again, made = step(sb, converge, CREATED)  # found by description: no change, no mutating request
    assert (again["changed"], made["mutating"], again["operation"]) == (False, 0, "none")
    assert again["id"] == runner["id"]
    assert (again["token"], again["token_source"]) == (None, None)  # no token given, none reset
    assert the_runner(sb, CYCLE)["id"] == runner["id"]
    return runner["id"], result["token"]


def cycle_known(sb, converge, runner_id: int, token: str) -> None:
    """With id and token known, a run that changes nothing costs at most 2 requests."""
    result, made = step(sb, converge, dict(CREATED, id=runner_id, token=token))
    assert result["changed"] is False
    assert made["total"] <= 2, made["by_route"]
    assert result["api_requests"] == made["total"]
    assert result["token_source"] == "given"
    assert result["token"] == token == current_token(sb, runner_id)


def cycle_modify(sb, converge, runner_id: int, token: str) -> None:
    result, made = step(sb, converge, MODIFIED, "--check")
    assert (result["changed"], made["mutating"], result["operation"]) == (True, 0, "update")
    assert (result["runner"]["paused"], result["runner"]["maximum_timeout"]) == (True, 7200)
    runner = the_runner(sb, CYCLE)
    assert (runner["paused"], runner["maximum_timeout"], runner["maintenance_note"]) == (False, 3600, None)

    result, _made = step(sb, converge, MODIFIED)
    assert (result["changed"], result["operation"]) == (True, "update")
    assert result["runner"]["maximum_timeout"] == 7200
    runner = the_runner(sb, CYCLE)
    assert runner["id"] == runner_id
    assert sorted(runner["tag_list"]) == ["aws", "docker", "large"]
    assert (runner["paused"], runner["maximum_timeout"], runner["maintenance_note"]) == (True, 7200, "m1")
    assert current_token(sb, runner_id) == token  # an update does not re-key

    result, made = step(sb, converge, dict(MODIFIED, tag_list=["aws", "large", "docker"]))  # tags as a set
    assert (result["changed"], made["mutating"]) == (False, 0)
    assert the_runner(sb, CYCLE)["id"] == runner_id


def cycle_delete(sb, converge, runner_id: int) -> None:
    result, made = step(sb, converge, ABSENT, "--check")
    assert (result["changed"], made["mutating"], result["operation"]) == (True, 0, "delete")
    assert the_runner(sb, CYCLE)["id"] == runner_id

    result, _made = step(sb, converge, ABSENT)
    assert (result["changed"], result["operation"]) == (True, "delete")
    assert described(sb, CYCLE) == []
    assert sb.api("GET", f"/runners/{runner_id}", sb.admin_token).status_code == 404

    result, made = step(sb, converge, ABSENT)
    assert (result["changed"], made["mutating"], result["operation"]) == (False, 0, "none")
    assert described(sb, CYCLE) == []


def test_create_modify_delete_cycle_with_check_mode_at_every_step(sb, converge):
    """Create, modify and delete a group runner, each in check mode first (changed, no mutating request), then
    for real, then again (no change); a run with id and token known costs at most 2 requests. GitLab holds exactly
    one runner with the description whenever it should hold one."""
    runner_id, token = cycle_create(sb, converge)
    cycle_known(sb, converge, runner_id, token)
    cycle_modify(sb, converge, runner_id, token)
    cycle_delete(sb, converge, runner_id)


# --- 3: owners by path and by numeric id; permissions; unknown owners ---------------------------------------------


@pytest.mark.parametrize(
    ("kind", "path", "owner_id"),
    [("group", "platform/infra", INFRA_ID), ("project", "platform/website", WEBSITE_ID)],
)
def test_owner_given_by_path_or_numeric_id(sb, converge, kind, path, owner_id):
    """A group or project runner created with its owner given by path lands there, and so does one created by
    numeric id; each is found again with the owner given the other way (no change, no duplicate)."""
    shared = {"runner_type": f"{kind}_type"}
    first = [{"description": f"{kind} by path", kind: path}, {"description": f"{kind} by id", kind: owner_id}]
    swapped = [{"description": f"{kind} by path", kind: owner_id}, {"description": f"{kind} by id", kind: path}]

    run = converge(runner_shared=shared, runner_loop=first)
    results = converged(run, LOOP)["results"]
    assert [item["changed"] for item in results] == [True, True]
    for item in results:
        runner = the_runner(sb, item["item"]["description"])
        assert runner["id"] == item["id"]
        assert runner["runner_type"] == f"{kind}_type"
        assert [owner["id"] for owner in runner[f"{kind}s"]] == [owner_id]

    clear_counts(sb)
    again = converged(converge(runner_shared=shared, runner_loop=swapped), LOOP)["results"]
    assert [item["changed"] for item in again] == [False, False]
    assert counts(sb)["mutating"] == 0
    assert [item["id"] for item in again] == [item["id"] for item in results]
    for item in results:
        assert the_runner(sb, item["item"]["description"])["id"] == item["id"]


def test_group_maintainer_cannot_create_a_group_runner(sb, converge):
    """bob is only Maintainer of platform/infra: creating a group runner needs Owner. The module fails with
    GitLab's 403 explained, and creates nothing; alice (Owner of platform, so of platform/infra) can."""
    bob = sb.mint("bob")
    run = converge(dict(GROUP, description="bob's runner", api_token=bob))
    assert run.returncode != 0
    message = run.final_failure
    assert "403" in message, message
    assert "create" in message and "platform/infra" in message, message
    assert "permission" in message.lower(), message
    assert described(sb, "bob's runner") == []

    alice = sb.mint("alice")
    result = converged(converge(dict(GROUP, description="alice's runner", api_token=alice)))
    assert result["changed"] is True
    assert [group["id"] for group in the_runner(sb, "alice's runner")["groups"]] == [INFRA_ID]


def test_unknown_owner_fails_naming_it(sb, converge):
    """An unknown group or project, by path or by id, fails naming it; nothing is created."""
    entries = [
        {"description": "nowhere 1", "runner_type": "group_type", "group": "platform/nope"},
        {"description": "nowhere 2", "runner_type": "group_type", "group": 999},
        {"description": "nowhere 3", "runner_type": "project_type", "project": "platform/nope-site"},
    ]
    clear_counts(sb)
    run = converge(runner_loop=entries)
    assert run.returncode != 0
    messages = item_messages(run)
    assert all(messages), messages
    assert "group" in messages[0] and "platform/nope" in messages[0], messages[0]
    assert "group" in messages[1] and "999" in messages[1], messages[1]
    assert "project" in messages[2] and "platform/nope-site" in messages[2], messages[2]
    assert counts(sb)["mutating"] == 0
    assert every_runner(sb) == []


# --- 4: legacy registration ----------------------------------------------------------------------------------------


def test_legacy_registration_token(sb, converge):
    """With registration tokens disallowed (the default: GitLab answers 410) the module explains it; once the
    instance allows them it registers the runner, and the next run finds it instead of registering another."""
    registration_token = sb.hook("GET", "settings").json()["runners_registration_token"]
    args = {
        "description": "legacy runner",
        "runner_type": "instance_type",
        "registration_token": registration_token,
        "tag_list": ["legacy"],
        "run_untagged": False,
    }

    run = converge(args)
    assert run.returncode != 0
    message = run.final_failure
    assert "410" in message and "registration" in message, message
    assert "allow" in message, message  # says how to get on: allow them, or drop registration_token
    assert registration_token not in run.output + run.stderr
    assert described(sb, "legacy runner") == []

    sb.hook("PUT", "settings", json={"allow_runner_registration_token": True})
    result = converged(converge(args))
    assert result["changed"] is True
    assert result["token_source"] == "created"
    runner = the_runner(sb, "legacy runner")
    assert result["id"] == runner["id"]
    assert result["token"] == current_token(sb, runner["id"])
    assert runner["runner_type"] == "instance_type"
    assert (runner["tag_list"], runner["run_untagged"]) == (["legacy"], False)

    clear_counts(sb)
    result = converged(converge(args))
    assert result["changed"] is False
    assert counts(sb)["mutating"] == 0
    assert the_runner(sb, "legacy runner")["id"] == runner["id"]


# --- 5, 6: re-keying -----------------------------------------------------------------------------------------------


def test_invalid_known_token_is_rekeyed(sb, converge):
    """A recorded token GitLab rejects (token_reset's default, if_invalid): the runner is re-keyed, not recreated."""
    made = sb.create_runner(runner_type="group_type", group_id=INFRA_ID, description="rekeyed")
    args = dict(GROUP, description="rekeyed", id=made["id"], token="glrt-this-token-is-not-valid")
    result = converged(converge(args))
    assert result["changed"] is True
    assert (result["token_source"], result["operation"]) == ("reset", "re-key")
    assert result["id"] == made["id"]
    assert result["token"] == current_token(sb, made["id"])
    assert result["token"] not in (made["token"], args["token"])
    assert the_runner(sb, "rekeyed")["id"] == made["id"]


def test_token_check_expiry_sends_no_heartbeat_and_rekeys_only_an_expired_token(sb, converge):
    """token_check expiry with the id known: no POST /runners/verify (GitLab keeps the runner never contacted, with
    no manager), the token stands until its recorded expiry, and an expired one is re-keyed, in check mode too."""
    made = sb.create_runner(runner_type="group_type", group_id=INFRA_ID, description="quiet")
    known = dict(GROUP, description="quiet", id=made["id"], token=made["token"], token_check="expiry", managers=True)

    result, made_requests = step(sb, converge, known)
    assert (result["changed"], result["operation"], result["token_source"]) == (False, "none", "given")
    assert "verify" not in str(made_requests["by_route"]), made_requests["by_route"]
    assert result["managers"] == []  # nothing contacted it: GitLab's own view, not a heartbeat of ours
    assert the_runner(sb, "quiet")["status"] == "never_contacted"

    expired = dict(known, token_expires_at="2020-01-01T00:00:00.000Z")
    result, made_requests = step(sb, converge, expired, "--check")
    assert (result["changed"], result["operation"], made_requests["mutating"]) == (True, "re-key", 0)
    result, _made = step(sb, converge, expired)
    assert (result["operation"], result["token_source"]) == ("re-key", "reset")
    assert result["token"] == current_token(sb, made["id"]) != made["token"]
    assert "verify" not in str(_made["by_route"])

    # Without an id, only GitLab can tell which runner a token belongs to: it is verified.
    known.pop("id")
    result, made_requests = step(sb, converge, dict(known, token=result["token"]))
    assert result["operation"] == "none"
    assert "verify" in str(made_requests["by_route"])


def test_created_but_unrecorded_runner_is_found_and_rekeyed(sb, converge):
    """A crash after the create, before the token was stored: the next run finds the runner (no duplicate); with
    token_reset: if_missing it re-keys it, and the token it returns is the one GitLab now accepts."""
    made = sb.create_runner(
        runner_type="group_type", group_id=INFRA_ID, description="crashed", tag_list=["docker"], run_untagged=False
    )
    args = dict(GROUP, description="crashed", tag_list=["docker"], run_untagged=False)

    clear_counts(sb)
    result = converged(converge(args))  # the default policy finds it and leaves its token alone
    assert result["changed"] is False
    assert counts(sb)["mutating"] == 0
    assert result["id"] == made["id"]
    assert result["token"] is None
    assert current_token(sb, made["id"]) == made["token"]

    result = converged(converge(dict(args, token_reset="if_missing")))
    assert result["changed"] is True
    assert (result["token_source"], result["operation"]) == ("reset", "re-key")
    assert result["id"] == made["id"]
    assert the_runner(sb, "crashed")["id"] == made["id"]
    assert result["token"] == current_token(sb, made["id"]) != made["token"]


@pytest.mark.parametrize("kind", ["after", "after_drop"])
def test_lost_create_answer_is_adopted_not_repeated(sb, converge, kind):
    """GitLab creates the runner but its answer is lost (a proxy's 502, a dropped connection): the module looks
    again, adopts the runner it made (re-keyed, so its token is known) and never creates a second one."""
    sb.hook(
        "PUT", "faults", json={"rate": 1.0, "kinds": [kind], "methods": ["POST"], "path": "/user/runners$", "count": 1}
    )
    result = converged(converge(dict(GROUP, description=f"lost answer {kind}")))
    assert sb.hook("GET", "faults").json()["injected"] == 1
    sb.hook("DELETE", "faults")
    runner = the_runner(sb, f"lost answer {kind}")
    assert result["changed"] is True
    assert result["id"] == runner["id"]
    assert result["token_source"] == "reset"
    assert result["token"] == current_token(sb, runner["id"])
    assert any("adopted" in warning for warning in result.get("warnings", [])), result.get("warnings")


# --- 7: fault injection --------------------------------------------------------------------------------------------

FAULT_KINDS = ["500", "502", "429", "drop", "slow", "after", "after_drop"]
BULK_SIZE, LOOP_SIZE = 10, 2


@pytest.mark.parametrize(
    ("kinds", "seed"), [([kind], 7) for kind in FAULT_KINDS] + [(FAULT_KINDS, 7)], ids=[*FAULT_KINDS, "all"]
)
def test_faults_converge_to_one_runner_per_entry(sb, converge, kinds, seed):
    """10% of the API requests fail (or are slow, or take effect with their answer lost): a bulk run of 10 group
    runners and a loop of project runners, one per task, converge with exactly one runner per description, and a
    second run (faults still on) changes nothing. Every token the first run returned (created, or reset when a lost
    create was adopted) is the one GitLab accepts now."""
    tag = "-".join(kinds) if len(kinds) == 1 else "all"
    bulk = dict(
        GROUP,
        tag_list=["faults"],
        run_untagged=False,
        runners=[{"description": f"{tag} bulk {n}", "maximum_timeout": 600 * (n + 1)} for n in range(BULK_SIZE)],
    )
    loop = [{"description": f"{tag} loop {n}", "paused": n % 2 == 0} for n in range(LOOP_SIZE)]
    shared = {"runner_type": "project_type", "project": "platform/website", "tag_list": ["faults"]}
    sb.hook("PUT", "faults", json={"rate": 0.1, "kinds": kinds, "seed": seed, "retry_after": 0, "delay": 0.1})

    first = converge(bulk, runner_shared=shared, runner_loop=loop)
    assert first.returncode == 0, first.failure_messages()
    second = converge(bulk, runner_shared=shared, runner_loop=loop)
    injected = sb.hook("GET", "faults").json()["injected"]
    sb.hook("DELETE", "faults")

    assert second.returncode == 0, second.failure_messages()
    assert second.changed == 0, second.changed_tasks()
    assert injected > 0
    assert all(not entry["changed"] for entry in task_result(second)["runners"])
    assert all(not item["changed"] for item in task_result(second, LOOP)["results"])
    for n, entry in enumerate(task_result(first)["runners"]):
        runner = the_runner(sb, f"{tag} bulk {n}")
        assert entry["id"] == runner["id"]
        assert entry["token"] == current_token(sb, runner["id"]), entry["token_source"]
        assert [group["id"] for group in runner["groups"]] == [INFRA_ID]
        assert runner["maximum_timeout"] == 600 * (n + 1)
    for n, item in enumerate(task_result(first, LOOP)["results"]):
        runner = the_runner(sb, f"{tag} loop {n}")
        assert item["id"] == runner["id"]
        assert item["token"] == current_token(sb, runner["id"]), item["token_source"]
        assert [project["id"] for project in runner["projects"]] == [WEBSITE_ID]
        assert runner["paused"] is (n % 2 == 0)


# --- 8: tokens stay out of verbose output --------------------------------------------------------------------------


def _scenario_create(sb) -> dict:
    return {"runner_args": dict(GROUP, description="verbose create", tag_list=["v"]), "runner_new_tokens": 1}


def _scenario_rekey(sb) -> dict:
    made = sb.create_runner(runner_type="group_type", group_id=INFRA_ID, description="verbose rekey")
    args = dict(GROUP, description="verbose rekey", id=made["id"], token="glrt-stale-token-0000000")
    return {"runner_args": args, "runner_new_tokens": 1}


def _scenario_bulk(sb) -> dict:
    existing = sb.create_runner(runner_type="group_type", group_id=INFRA_ID, description="verbose bulk old")
    entries = [{"description": f"verbose bulk {n}"} for n in range(3)]
    entries.append({"description": "verbose bulk old", "id": existing["id"], "token": existing["token"]})
    return {"runner_args": dict(GROUP, runners=entries), "runner_new_tokens": 3}


def _scenario_loop(sb) -> dict:
    sb.create_runner(runner_type="group_type", group_id=INFRA_ID, description="verbose loop old")  # token unknown
    known = sb.create_runner(runner_type="group_type", group_id=INFRA_ID, description="verbose loop known")
    loop = [
        {"description": "verbose loop new"},
        {"description": "verbose loop old", "token_reset": "if_missing"},
        {"description": "verbose loop known", "id": known["id"], "token": known["token"]},
    ]
    return {"runner_shared": GROUP, "runner_loop": loop, "runner_new_tokens": 2}


@pytest.mark.parametrize(
    "scenario",
    [_scenario_create, _scenario_rekey, _scenario_bulk, _scenario_loop],
    ids=["create", "rekey", "bulk", "loop"],
)
def test_tokens_never_appear_in_verbose_output(sb, converge, tmp_path, scenario):
    """-vvv with the default callback: no runner token (new, re-keyed or given) appears in the output, while the
    registered results hold them (the play asserts it, and keeps them in a file the test compares with GitLab)."""
    extra_vars = scenario(sb)
    token_file = tmp_path / "tokens.json"
    runner_args = extra_vars.pop("runner_args", None)
    run = converge(runner_args, "-vvv", json_report=False, runner_token_file=str(token_file), **extra_vars)
    assert run.returncode == 0, run.output[-3000:] + run.stderr[-3000:]
    assert "TASK [Check that the registered result holds the new tokens]" in run.output
    tokens = {str(runner["id"]): current_token(sb, runner["id"]) for runner in every_runner(sb)}
    runner_args = runner_args or {}
    given = [
        entry.get("token")
        for entry in [runner_args, *runner_args.get("runners", []), *extra_vars.get("runner_loop", [])]
    ]
    assert leaks(run, *tokens.values(), *given) == []
    kept = json.loads(token_file.read_text())
    assert len(kept) == extra_vars["runner_new_tokens"]
    assert kept == {runner_id: tokens[runner_id] for runner_id in kept}


# --- 9: the bulk form ----------------------------------------------------------------------------------------------


BULK_NAMES = ["bulk a", "bulk old", "bulk b", "bulk gone", "bulk c", None]
BULK_WANTED = {0: (["shared"], False, None), 2: (["big"], False, 7200), 4: (["shared"], True, None)}


def bulk_args(old: int, retired: int) -> dict:
    """Shared options at the top; present entries, absent ones by description (one exists, one does not) and one
    absent by id."""
    return dict(
        GROUP,
        run_untagged=False,
        tag_list=["shared"],
        runners=[
            {"description": "bulk a"},
            {"description": "bulk old", "state": "absent"},
            {"description": "bulk b", "tag_list": ["big"], "maximum_timeout": 7200},
            {"description": "bulk gone", "state": "absent"},
            {"description": "bulk c", "paused": True},
            {"id": retired, "state": "absent"},
        ],
    )


def check_bulk_created(sb, result: dict, old: int, retired: int) -> list:
    entries = result["runners"]
    assert result["changed"] is True
    assert [entry["description"] for entry in entries][:5] == BULK_NAMES[:5]
    assert all(set(entry) >= RESULT_KEYS for entry in entries), entries
    assert [entry["changed"] for entry in entries] == [True, True, True, False, True, True]
    assert described(sb, "bulk old") == [] and described(sb, "bulk gone") == []
    for runner_id in (old, retired):
        assert sb.api("GET", f"/runners/{runner_id}", sb.admin_token).status_code == 404
    assert [entries[n]["token"] for n in (1, 3, 5)] == [None] * 3
    assert (entries[3]["id"], entries[3]["runner"]) == (None, None)
    for n, (tags, paused, timeout) in BULK_WANTED.items():
        runner = the_runner(sb, BULK_NAMES[n])
        assert entries[n]["id"] == runner["id"] == entries[n]["runner"]["id"]
        assert entries[n]["token_source"] == "created"
        assert entries[n]["token"] == current_token(sb, runner["id"])
        assert (runner["tag_list"], runner["paused"], runner["maximum_timeout"]) == (tags, paused, timeout)
        assert runner["run_untagged"] is False
        assert [group["id"] for group in runner["groups"]] == [INFRA_ID]
    return entries


def test_bulk_form_mixed_entries_in_order(sb, converge):
    """The bulk form in check mode (no mutating request), for real (one result per entry, in order, with the new
    tokens), again (no change, one listing of the scope) and with ids and tokens known (at most 2 requests per
    runner)."""
    old, retired = (
        sb.create_runner(runner_type="group_type", group_id=INFRA_ID, description=name)["id"]
        for name in ("bulk old", "bulk retired")
    )
    args = bulk_args(old, retired)

    checked, made = step(sb, converge, args, "--check")
    assert [entry["changed"] for entry in checked["runners"]] == [True, True, True, False, True, True]
    assert made["mutating"] == 0
    assert len(every_runner(sb)) == 2

    result, _made = step(sb, converge, args)
    entries = check_bulk_created(sb, result, old, retired)

    again, made = step(sb, converge, args)
    assert again["changed"] is False
    assert [entry["changed"] for entry in again["runners"]] == [False] * 6
    assert [entry["id"] for entry in again["runners"]] == [
        entries[n]["id"] if n in BULK_WANTED else None for n in range(6)
    ]
    assert made["mutating"] == 0
    assert made["by_route"].get("GET /api/v4/groups/:id/runners") == 1, made["by_route"]
    assert again["api_requests"] == made["total"]

    known = [dict(args["runners"][n], id=entries[n]["id"], token=entries[n]["token"]) for n in BULK_WANTED]
    again, made = step(sb, converge, dict(args, runners=known))
    assert again["changed"] is False
    assert [entry["token_source"] for entry in again["runners"]] == ["given"] * 3
    assert [entry["token"] for entry in again["runners"]] == [entry["token"] for entry in known]
    assert made["total"] <= 2 * len(known), made["by_route"]
    assert again["api_requests"] == made["total"]


def test_bulk_run_with_an_unknown_group_fails_before_changing_anything(sb, converge):
    """Every read that can fail (here the listing of a group that does not exist) is made for every entry before
    any entry changes anything: the failure names the entry, and no runner was made."""
    args = {
        "runner_type": "group_type",
        "runners": [
            {"description": "would be made first", "group": "platform/infra"},
            {"description": "in no group", "group": "platform/nope"},
        ],
    }
    clear_counts(sb)
    run = converge(args)
    assert run.returncode != 0
    assert "runners[1]: group 'platform/nope' does not exist" in run.final_failure
    assert counts(sb)["mutating"] == 0
    assert every_runner(sb) == []


def test_failed_bulk_run_keeps_the_tokens_it_made_out_of_the_output(sb, converge):
    """GitLab refuses a later entry after an earlier one was created. A failed result is printed whole at any
    verbosity, so the created runner's token stays out of it; the message says which runner got a token and how to
    recover it, and the next run with token_reset if_missing does."""
    args = {
        "runner_type": "group_type",
        "group": "platform/infra",
        "runners": [
            {"description": "made before the failure", "tag_list": ["a"]},
            {"description": "refused by GitLab", "run_untagged": False},  # no tags: GitLab's validation refuses it
        ],
    }
    run = converge(args, "-vvv", json_report=False)
    assert run.returncode != 0
    made = the_runner(sb, "made before the failure")
    assert leaks(run, current_token(sb, made["id"])) == []
    text = run.output + run.stderr
    assert "runners[1]: Failed to create runner 'refused by GitLab'" in text
    assert f"GitLab gave new tokens to runners[0] (id {made['id']})" in text
    assert "token_reset if_missing" in text
    assert described(sb, "refused by GitLab") == []

    recovery = {"runner_type": "group_type", "group": "platform/infra", "runners": [
        {"description": "made before the failure", "tag_list": ["a"], "token_reset": "if_missing"},
    ]}  # fmt: skip
    entry = converged(converge(recovery))["runners"][0]
    assert (entry["id"], entry["token_source"]) == (made["id"], "reset")
    assert entry["token"] == current_token(sb, made["id"])
    assert the_runner(sb, "made before the failure")["id"] == made["id"]


def test_same_description_outside_the_scope_is_neither_a_match_nor_ambiguous(sb, converge):
    """A group's listing holds its ancestors' runners and the instance's, a project's its groups' too: only the
    runner the owner owns is the entry's. Same-described runners elsewhere are not matched and not ambiguous."""
    instance = sb.create_runner(description="same")["id"]
    parent = sb.create_runner(runner_type="group_type", group_id=11, description="same")["id"]
    project = sb.create_runner(runner_type="project_type", project_id=WEBSITE_ID, description="same")["id"]
    loop = [
        {"description": "same", "runner_type": "group_type", "group": "platform/infra"},  # none of its own yet
        {"description": "same", "runner_type": "project_type", "project": "platform/website"},
        {"description": "same", "runner_type": "group_type", "group": "platform"},
        {"description": "same", "runner_type": "instance_type"},
    ]
    results = converged(converge(runner_loop=loop), LOOP)["results"]
    assert [item["changed"] for item in results] == [True, False, False, False]
    assert [item["id"] for item in results[1:]] == [project, parent, instance]
    assert results[0]["id"] not in (instance, parent, project)
    assert [
        group["id"] for group in sb.check(sb.api("GET", f"/runners/{results[0]['id']}", sb.admin_token), 200)["groups"]
    ] == [INFRA_ID]
    assert len(described(sb, "same")) == 4


def test_bulk_form_refuses_two_entries_for_one_runner(sb, converge):
    """Two entries with the same description in the same scope fail before any request, naming both."""
    args = dict(
        GROUP,
        runners=[{"description": "twin"}, {"description": "single"}, {"description": "twin", "tag_list": ["x"]}],
    )
    clear_counts(sb)
    run = converge(args)
    assert run.returncode != 0
    message = run.final_failure
    assert "runners[0]" in message and "runners[2]" in message and "twin" in message, message
    assert counts(sb)["total"] == 0
    assert every_runner(sb) == []


def test_bulk_form_refuses_two_entries_for_one_runner_with_the_owner_given_two_ways(sb, converge):
    """The same group given by path in one entry and by numeric id in another is the same scope: the two entries
    describe one runner and would fight over it. The module must fail naming both, and change nothing (resolving
    the path first is fine: no mutating request)."""
    args = {
        "runner_type": "group_type",
        "runners": [
            {"description": "twin", "group": "platform/infra", "tag_list": ["a"]},
            {"description": "twin", "group": INFRA_ID, "tag_list": ["b"]},
        ],
    }
    clear_counts(sb)
    run = converge(args)
    assert run.returncode != 0, [(entry["changed"], entry["id"]) for entry in task_result(run)["runners"]]
    message = run.final_failure
    assert "runners[0]" in message and "runners[1]" in message and "twin" in message, message
    assert counts(sb)["mutating"] == 0
    assert every_runner(sb) == []


# --- 10: ambiguity -------------------------------------------------------------------------------------------------


def test_two_runners_with_the_description_fail_listing_both(sb, converge):
    """Two runners of the scope carry the description: the module names both ids and creates nothing."""
    ids = [
        sb.create_runner(runner_type="group_type", group_id=INFRA_ID, description="twins")["id"] for _twin in range(2)
    ]
    clear_counts(sb)
    run = converge(dict(GROUP, description="twins", tag_list=["x"]))
    assert run.returncode != 0
    message = run.final_failure
    assert all(str(runner_id) in message for runner_id in ids), message
    assert counts(sb)["mutating"] == 0
    assert sorted(runner["id"] for runner in described(sb, "twins")) == ids


# --- 11: input validation ------------------------------------------------------------------------------------------

INVALID = [
    ({"maximum_timeout": 300}, "maximum_timeout"),
    ({"tag_list": ["docker,aws"]}, "tag_list"),
    ({"run_untagged": False, "tag_list": []}, "run_untagged"),
    ({"runner_type": "instance_type", "group": "platform/infra"}, "group"),
    ({"access_level": "everyone"}, "access_level"),
]


def test_invalid_input_fails_naming_the_option_before_any_request(sb, converge):
    """Each invalid entry fails naming the option, in the single form (one per task) and in the bulk form
    (`runners[N].option`), and no request reaches GitLab."""
    loop = [dict(GROUP, description=f"invalid {n}", **change) for n, (change, _option) in enumerate(INVALID)]
    clear_counts(sb)
    run = converge(runner_loop=loop)
    assert run.returncode != 0
    for message, (_change, option) in zip(item_messages(run), INVALID, strict=True):
        assert message and option in message, (option, message)
    assert counts(sb)["total"] == 0

    bulk = dict(GROUP, runners=[{"description": "valid"}, {"description": "too short", "maximum_timeout": 300}])
    run = converge(bulk)
    assert run.returncode != 0
    assert "runners[1].maximum_timeout" in run.final_failure, run.final_failure
    assert counts(sb)["total"] == 0
    assert every_runner(sb) == []


# --- 12: diff mode -------------------------------------------------------------------------------------------------


def test_diff_shows_attributes_before_and_after_never_the_token(sb, converge):
    """--diff on a create and on an update: the attributes before and after, and no token."""
    args = dict(GROUP, description="diffed", tag_list=["alpha"], maximum_timeout=3600)
    created = converge(args, "--diff", json_report=False)
    assert created.returncode == 0, created.output[-3000:]
    runner = the_runner(sb, "diffed")
    first_token = current_token(sb, runner["id"])
    lines = created.output.splitlines()
    assert "--- before" in lines and "+++ after" in lines, created.output
    assert any(line.startswith("-") and "{}" in line for line in lines), created.output  # nothing before
    for shown in ("description: diffed", "maximum_timeout: 3600", "- alpha", "runner_type: group_type"):
        assert any(line.startswith("+") and shown in line for line in lines), (shown, created.output)

    modified = converge(
        dict(args, tag_list=["beta"], maximum_timeout=7200, token_reset="always"), "--diff", json_report=False
    )
    assert modified.returncode == 0, modified.output[-3000:]
    diff = modified.output
    assert "--- before" in diff and "+++ after" in diff, diff
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert any("alpha" in line for line in removed) and any("beta" in line for line in added), diff
    assert any("3600" in line for line in removed) and any("7200" in line for line in added), diff
    assert leaks(created, first_token) == []
    assert leaks(modified, first_token, current_token(sb, runner["id"])) == []
