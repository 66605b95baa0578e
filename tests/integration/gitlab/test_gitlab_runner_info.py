# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""runnerfleet.gitlab_aws.gitlab_runner_info as a user runs it: playbooks against the sandbox GitLab.

Which runners each scope lists follows the contract (§4.1, 4.2, 4.10, 4.13); the sandbox's seed
(sandbox/gitlab/README.md) gives the groups, projects and users. Every test starts from the seed.
"""

from __future__ import annotations

import datetime

import pytest

LIST = "tests/integration/playbooks/gitlab_runner_info/list.yml"
AUDIT = "tests/integration/playbooks/gitlab_runner_info/fleet_audit.yml"
LIST_TASK = "List the runners"

# Seeded groups and projects (sandbox/gitlab/README.md).
PLATFORM, INFRA, CI, OTHER = 11, 12, 13, 14
RUNNER_IMAGES, WEBSITE, SECRET, TOOLS = 21, 22, 23, 24

# The fleet every composition and filter test lists: description -> what POST /user/runners gets.
FLEET = {
    "inst-a": {"runner_type": "instance_type", "tag_list": ["docker", "aws"]},
    "grp-platform": {"runner_type": "group_type", "group_id": PLATFORM},
    "grp-infra": {"runner_type": "group_type", "group_id": INFRA, "tag_list": ["docker"]},
    "grp-ci": {"runner_type": "group_type", "group_id": CI},
    "grp-other": {"runner_type": "group_type", "group_id": OTHER},
    "proj-website": {"runner_type": "project_type", "project_id": WEBSITE, "tag_list": ["aws"]},
    "proj-images": {"runner_type": "project_type", "project_id": RUNNER_IMAGES, "paused": True},
    "proj-tools": {"runner_type": "project_type", "project_id": TOOLS},
}


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def fleet(gitlab_sandbox) -> dict[str, int]:
    """The FLEET created as the admin, with clocks set so that inst-a is online, grp-infra offline and
    proj-website stale (the others never made contact); description -> id. Request counts start at zero."""
    ids = {name: gitlab_sandbox.create_runner(description=name, **body)["id"] for name, body in FLEET.items()}
    now = datetime.datetime.now(datetime.UTC)
    gitlab_sandbox.hook("PATCH", f"runners/{ids['inst-a']}", json={"contacted_at": iso(now)})
    gitlab_sandbox.hook(
        "PATCH",
        f"runners/{ids['grp-infra']}",
        json={"contacted_at": iso(now - datetime.timedelta(hours=3))},
    )
    gitlab_sandbox.hook(
        "PATCH", f"runners/{ids['proj-website']}", json={"created_at": iso(now - datetime.timedelta(days=8))}
    )
    gitlab_sandbox.hook("DELETE", "requests")
    return ids


def task_result(run, name: str = LIST_TASK) -> dict:
    for play in run.report["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == name:
                return task["hosts"]["localhost"]
    raise AssertionError(f"task {name!r} did not run; failures: {run.failure_messages()}")


def listed(playbook, *args: str, **extra_vars) -> dict:
    """Run list.yml with the given variables; the module's result, after checking the run succeeded."""
    run = playbook(LIST, *args, extra_vars=extra_vars)
    assert run.returncode == 0, run.failure_messages() or run.stderr
    result = task_result(run)
    assert result["changed"] is False
    assert result["count"] == len(result["runners"])
    assert all("token" not in runner for runner in result["runners"])
    return result


def names(result: dict) -> list[str]:
    return [runner["description"] for runner in result["runners"]]


def failed(playbook, **extra_vars) -> str:
    run = playbook(LIST, extra_vars=extra_vars)
    assert run.returncode != 0, f"the run did not fail: {run.output[-2000:]}"
    return run.final_failure


# --- scopes and their composition -------------------------------------------------------------------------
def test_admin_lists_every_runner_of_the_instance_by_id_ascending(playbook, fleet, gitlab_sandbox):
    result = listed(playbook)
    assert names(result) == list(FLEET)
    assert [runner["id"] for runner in result["runners"]] == sorted(fleet.values())
    assert result["api_requests"] == 1
    assert gitlab_sandbox.requests_made()["by_route"] == {"GET /api/v4/runners/all": 1}


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        # §4.13: the group's and its ancestors' group runners (not its subgroups'), and instance runners when the
        # group allows shared runners.
        ("platform/infra", ["inst-a", "grp-platform", "grp-infra"]),
        (INFRA, ["inst-a", "grp-platform", "grp-infra"]),
        ("platform", ["inst-a", "grp-platform"]),
        ("platform/infra/ci", ["inst-a", "grp-platform", "grp-infra", "grp-ci"]),
        ("other", ["grp-other"]),  # shared runners disabled
        (str(OTHER), ["grp-other"]),  # an id given as a string
    ],
)
def test_group_listing_has_the_group_runners_of_the_group_and_its_ancestors(playbook, fleet, group, expected):
    result = listed(playbook, runner_group=group)
    assert names(result) == expected
    assert result["api_requests"] == 1


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        # §4.10: the project's runners, its ancestor groups' when group runners are enabled, the instance's when
        # shared runners are enabled.
        ("platform/website", ["inst-a", "grp-platform", "proj-website"]),
        (WEBSITE, ["inst-a", "grp-platform", "proj-website"]),
        ("platform/infra/ci/runner-images", ["inst-a", "grp-platform", "grp-infra", "grp-ci", "proj-images"]),
        (RUNNER_IMAGES, ["inst-a", "grp-platform", "grp-infra", "grp-ci", "proj-images"]),
        ("other/secret", ["grp-other"]),  # shared runners disabled, no runner of its own
    ],
)
def test_project_listing_has_its_runners_and_the_group_and_instance_runners_it_may_use(
    playbook, fleet, project, expected
):
    result = listed(playbook, runner_project=project)
    assert names(result) == expected
    assert result["api_requests"] == 1


def test_project_listing_follows_the_projects_runner_settings(playbook, fleet, gitlab_sandbox):
    gitlab_sandbox.hook("PATCH", f"projects/{WEBSITE}", json={"group_runners_enabled": False})
    assert names(listed(playbook, runner_project="platform/website")) == ["inst-a", "proj-website"]
    gitlab_sandbox.hook("PATCH", f"projects/{WEBSITE}", json={"shared_runners_enabled": False})
    assert names(listed(playbook, runner_project="platform/website")) == ["proj-website"]


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        # Owner of platform (so of its subgroups, and Maintainer+ of their projects), Maintainer of other/tools.
        ("alice", ["grp-platform", "grp-infra", "grp-ci", "proj-website", "proj-images", "proj-tools"]),
        # Maintainer of platform/infra: no group it owns; Maintainer of runner-images by inheritance.
        ("bob", ["proj-images"]),
        ("carol", []),
    ],
)
def test_available_scope_lists_what_the_user_looks_after_without_instance_runners(
    playbook, fleet, gitlab_sandbox, user, expected
):
    result = listed(playbook, runner_scope="available", runner_api_token=gitlab_sandbox.mint(user))
    assert names(result) == expected
    assert gitlab_sandbox.requests_made()["by_route"] == {"GET /api/v4/runners": 1}


# --- filters ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"runner_type": "group_type"}, ["grp-platform", "grp-infra", "grp-ci", "grp-other"]),
        ({"runner_type": "instance_type"}, ["inst-a"]),
        ({"runner_status": "online"}, ["inst-a"]),
        ({"runner_status": "offline"}, ["grp-infra"]),
        ({"runner_status": "stale"}, ["proj-website"]),
        # §2.4: never_contacted is "contacted_at is null", so a stale runner that never made contact is one too.
        (
            {"runner_status": "never_contacted"},
            ["grp-platform", "grp-ci", "grp-other", "proj-website", "proj-images", "proj-tools"],
        ),
        ({"runner_paused": True}, ["proj-images"]),
        ({"runner_paused": False}, [name for name in FLEET if name != "proj-images"]),
        ({"runner_tags": ["docker"]}, ["inst-a", "grp-infra"]),
        ({"runner_tags": ["docker", "aws"]}, ["inst-a"]),  # every tag given (AND)
        ({"runner_tags": ["gpu"]}, []),
        ({"runner_description": "grp-infra"}, ["grp-infra"]),
        ({"runner_description": "grp"}, []),  # exact, not a substring
        ({"runner_description_pattern": "^grp-(platform|infra)$"}, ["grp-platform", "grp-infra"]),
        ({"runner_description_pattern": "tools"}, ["proj-tools"]),  # searched anywhere
        ({"runner_type": "group_type", "runner_description_pattern": "^grp-o"}, ["grp-other"]),
        ({"runner_group": "platform/infra", "runner_tags": ["docker"]}, ["inst-a", "grp-infra"]),
        ({"runner_project": "platform/website", "runner_type": "project_type"}, ["proj-website"]),
    ],
)
def test_filters(playbook, fleet, gitlab_sandbox, filters, expected):
    result = listed(playbook, **filters)
    assert names(result) == expected
    assert result["count"] == len(expected)
    assert gitlab_sandbox.requests_made()["total"] == 1


# --- details ----------------------------------------------------------------------------------------------
def test_details_replace_each_runner_by_its_details_at_one_request_per_runner(playbook, fleet, gitlab_sandbox):
    result = listed(playbook, runner_group="platform/infra", runner_details=True)
    assert names(result) == ["inst-a", "grp-platform", "grp-infra"]
    by_name = {runner["description"]: runner for runner in result["runners"]}
    assert set(by_name["inst-a"]["tag_list"]) == {"docker", "aws"}
    assert by_name["grp-infra"]["tag_list"] == ["docker"]
    assert by_name["grp-platform"]["tag_list"] == []
    assert [group["id"] for group in by_name["grp-infra"]["groups"]] == [INFRA]
    for runner in result["runners"]:
        assert {"run_untagged", "locked", "maximum_timeout", "access_level", "projects", "groups"} <= set(runner)
    assert result["api_requests"] == 1 + 3
    assert gitlab_sandbox.requests_made()["by_route"] == {
        "GET /api/v4/groups/:id/runners": 1,
        "GET /api/v4/runners/:id": 3,
    }


def test_details_are_read_only_for_the_runners_the_filters_keep(playbook, fleet, gitlab_sandbox):
    result = listed(playbook, runner_description_pattern="^proj-", runner_details=True)
    assert names(result) == ["proj-website", "proj-images", "proj-tools"]
    assert [runner["projects"][0]["id"] for runner in result["runners"]] == [WEBSITE, RUNNER_IMAGES, TOOLS]
    assert gitlab_sandbox.requests_made()["by_route"] == {"GET /api/v4/runners/all": 1, "GET /api/v4/runners/:id": 3}


def test_details_refused_for_a_runner_keep_its_listing_with_a_warning(playbook, fleet, gitlab_sandbox):
    # bob maintains platform/infra, so he lists platform's group runner too; once no project under platform that
    # he maintains uses group runners, he may no longer read it (§4.3, §5).
    gitlab_sandbox.hook("PATCH", f"projects/{RUNNER_IMAGES}", json={"group_runners_enabled": False})
    bob = gitlab_sandbox.mint("bob")
    run = playbook(LIST, extra_vars={"runner_group": "platform/infra", "runner_details": True, "runner_api_token": bob})
    assert run.returncode == 0, run.failure_messages()
    result = task_result(run)
    assert names(result) == ["inst-a", "grp-platform", "grp-infra"]
    by_name = {runner["description"]: runner for runner in result["runners"]}
    assert "tag_list" in by_name["grp-infra"]
    assert "tag_list" not in by_name["grp-platform"]
    assert any(f"runner(s) {fleet['grp-platform']} (403)" in warning for warning in result["warnings"])


# --- pagination -------------------------------------------------------------------------------------------
def test_more_than_a_page_comes_back_whole_in_pages_of_100(playbook, gitlab_sandbox):
    seeded = gitlab_sandbox.seed_runners(250)
    result = listed(playbook)
    assert [runner["id"] for runner in result["runners"]] == seeded
    assert result["count"] == 250
    assert result["api_requests"] == 3
    assert gitlab_sandbox.requests_made()["by_route"] == {"GET /api/v4/runners/all": 3}


def test_client_side_filters_apply_across_every_page(playbook, gitlab_sandbox):
    gitlab_sandbox.seed_runners(250, runner_type="group_type", group_id=INFRA)
    result = listed(playbook, runner_group="platform/infra", runner_description_pattern=r"-(1|150|250)$")
    assert names(result) == ["seeded-runner-1", "seeded-runner-150", "seeded-runner-250"]
    assert gitlab_sandbox.requests_made()["by_route"] == {"GET /api/v4/groups/:id/runners": 3}


# --- check mode, module_defaults, tokens ------------------------------------------------------------------
def test_check_mode_lists_the_same_runners_and_changes_nothing(playbook, fleet, gitlab_sandbox):
    run = playbook(LIST, "--check", extra_vars={"runner_group": "platform/infra", "runner_details": True})
    assert run.returncode == 0, run.failure_messages()
    assert run.changed == 0
    assert names(task_result(run)) == ["inst-a", "grp-platform", "grp-infra"]
    made = gitlab_sandbox.requests_made()
    assert made["mutating"] == 0
    assert made["total"] == 4


def test_module_defaults_of_the_gitlab_action_group_reach_the_module(playbook, fleet, sandbox):
    extra = {
        "audit_gitlab_url": sandbox.endpoints["GITLAB_URL"],
        "audit_group": "platform/infra/ci",
        "audit_pattern": "^grp-(infra|ci)$",
        "audit_tags": [],
        "audit_expected_count": 2,
    }
    # GITLAB_URL points nowhere: only module_defaults can give the module GitLab's address.
    run = playbook(AUDIT, extra_vars=extra, env={"GITLAB_URL": "http://127.0.0.1:9"})
    assert run.returncode == 0, run.failure_messages()
    run = playbook(AUDIT, extra_vars=dict(extra, audit_tags=["docker"]), env={"GITLAB_URL": "http://127.0.0.1:9"})
    assert run.returncode != 0
    assert "runners without docker: ['grp-ci']" in run.final_failure


def test_no_token_appears_even_in_verbose_output(playbook, gitlab_sandbox):
    tokens = [
        gitlab_sandbox.create_runner(description="secretive", tag_list=["docker"])["token"],
        gitlab_sandbox.create_runner(description="group-secretive", runner_type="group_type", group_id=INFRA)["token"],
    ]
    assert all(token.startswith("glrt-") for token in tokens)
    run = playbook(LIST, "-vvv", extra_vars={"runner_details": True}, json_report=False)
    assert run.returncode == 0, run.output[-2000:]
    assert "secretive" in run.output
    assert "glrt-" not in run.output + run.stderr
    assert not any(token in run.output + run.stderr for token in tokens)


# --- failures ---------------------------------------------------------------------------------------------
def test_a_non_admin_listing_every_runner_is_refused_with_the_403(playbook, fleet, gitlab_sandbox):
    bob = gitlab_sandbox.mint("bob")
    message = failed(playbook, runner_api_token=bob)
    assert "Failed to list every runner of the instance" in message
    assert "403" in message
    assert "administrator" in message
    assert "scope=available" in message


def test_a_read_only_token_lists_but_a_manage_runner_token_is_told_its_scope(playbook, fleet, gitlab_sandbox):
    reader = gitlab_sandbox.mint("root", "read_api")
    assert names(listed(playbook, runner_api_token=reader, runner_type="instance_type")) == ["inst-a"]
    manager = gitlab_sandbox.mint("root", "manage_runner")
    message = failed(playbook, runner_api_token=manager)
    assert "lacks the scope" in message


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"runner_group": "platform/nope"}, "group platform/nope does not exist or the token's user cannot see it"),
        ({"runner_group": 999}, "group 999 does not exist or the token's user cannot see it"),
        ({"runner_project": "platform/nope"}, "project platform/nope does not exist or the token's user cannot see"),
    ],
)
def test_an_unknown_group_or_project_fails_naming_it(playbook, fleet, variables, named):
    assert named in failed(playbook, **variables)


def test_a_group_the_user_cannot_see_fails_as_unknown(playbook, fleet, gitlab_sandbox):
    carol = gitlab_sandbox.mint("carol")  # no membership: private groups are invisible to her
    assert "group platform/infra does not exist or the token's user cannot see it" in failed(
        playbook, runner_group="platform/infra", runner_api_token=carol
    )


def test_a_developer_is_refused_a_projects_runners(playbook, fleet, gitlab_sandbox):
    bob = gitlab_sandbox.mint("bob")  # Developer of platform/website
    message = failed(playbook, runner_project="platform/website", runner_api_token=bob)
    assert "Failed to list the runners of project platform/website" in message
    assert "403" in message


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"runner_description_pattern": "fleet-(a"}, "description_pattern 'fleet-(a' is not a valid"),
        ({"runner_tags": ["docker,aws"]}, "tag_list[0] 'docker,aws' contains a comma"),
        ({"runner_group": "platform", "runner_project": "platform/website"}, "mutually exclusive: group|project|scope"),
        ({"runner_group": "platform", "runner_scope": "available"}, "mutually exclusive: group|project|scope"),
        ({"runner_group": 0}, "group must be a positive id"),
        ({"runner_project": "/"}, "project must be a numeric id or a full path"),
        ({"runner_status": "asleep"}, "value of status must be one of: online, offline, never_contacted, stale"),
    ],
)
def test_bad_options_fail_before_any_request_naming_the_option(playbook, gitlab_sandbox, variables, named):
    assert named in failed(playbook, **variables)
    assert gitlab_sandbox.requests_made()["total"] == 0
