# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gitlab_runner module's pure logic: an entry's validation, change detection and the bodies it sends
(contract §2: the runner model's rules, ownership and the paused/active switch of 14.8)."""

from __future__ import annotations

import copy

import pytest
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils import _runner_spec
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._runner_spec import Owner, SpecError

GROUP_RUNNER = {"description": "ci-1", "runner_type": "group_type", "group": "platform/infra"}
# How messages name an option and a whole entry, in the single form (label "") and in bulk.
FORMS = [
    pytest.param("", "", "", id="single"),
    pytest.param("runners[3]", "runners[3].", "runners[3]: ", id="bulk"),
]


def spec(label: str = "", **entry) -> _runner_spec.RunnerSpec:
    return _runner_spec.build_spec(entry, label)


def refusal(entry: dict, label: str) -> str:
    with pytest.raises(SpecError) as caught:
        _runner_spec.build_spec(entry, label)
    return str(caught.value)


# ------------------------------------------------------------------------------------------------- build_spec


def test_a_minimal_instance_runner_gets_the_defaults():
    built = spec(description="ci-1", runner_type="instance_type")
    assert built == _runner_spec.RunnerSpec(
        label="",
        state="present",
        runner_type="instance_type",
        owner=Owner("instance"),
        description="ci-1",
        attributes={"description": "ci-1"},
        runner_id=None,
        token=None,
        registration_token=None,
        token_reset="if_invalid",
    )
    assert built.discoverable is True


def test_a_full_entry_keeps_every_attribute_it_sets_and_nothing_else():
    built = spec(
        "runners[0]",
        state="present",
        description="ci-1",
        runner_type="project_type",
        project=" /platform/website/ ",
        tag_list=[" docker ", "aws", "docker", "", "  "],
        run_untagged=False,
        locked=True,
        paused=False,
        access_level="ref_protected",
        maximum_timeout=3600,
        maintenance_note="owned by platform",
        id="17",
        token="glrt-abc",
        registration_token="GR1348941xyz",
        token_reset="always",
        group=None,
    )
    assert built.owner == Owner("project", "platform/website")
    assert built.attributes == {
        "description": "ci-1",
        "paused": False,
        "locked": True,
        "run_untagged": False,
        "tag_list": ["docker", "aws"],
        "access_level": "ref_protected",
        "maximum_timeout": 3600,
        "maintenance_note": "owned by platform",
    }
    assert (built.label, built.runner_id, built.token, built.registration_token, built.token_reset) == (
        "runners[0]",
        17,
        "glrt-abc",
        "GR1348941xyz",
        "always",
    )


@pytest.mark.parametrize(
    ("group", "owner"),
    [
        ("platform/infra", Owner("group", "platform/infra")),
        ("/platform/infra/", Owner("group", "platform/infra")),
        ("42", Owner("group", 42)),
        (42, Owner("group", 42)),
    ],
)
def test_a_group_is_an_id_or_a_full_path(group, owner):
    assert spec(description="ci-1", runner_type="group_type", group=group).owner == owner


@pytest.mark.parametrize("timeout", [0, 600, 86400])
def test_maximum_timeout_of_zero_or_at_least_ten_minutes_is_accepted(timeout):
    assert spec(**GROUP_RUNNER, maximum_timeout=timeout).attributes["maximum_timeout"] == timeout


@pytest.mark.parametrize(("label", "opt", "about"), FORMS)
@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            dict(GROUP_RUNNER, maximum_timeout=599),
            "{opt}maximum_timeout is 599; GitLab needs at least 600 seconds (0 means no limit)",
        ),
        (
            dict(GROUP_RUNNER, maximum_timeout=-1),
            "{opt}maximum_timeout is -1; GitLab needs at least 600 seconds (0 means no limit)",
        ),
        (
            dict(GROUP_RUNNER, description="d" * 1025),
            "{opt}description is 1025 characters long; GitLab allows 1024",
        ),
        (
            dict(GROUP_RUNNER, maintenance_note="n" * 1025),
            "{opt}maintenance_note is 1025 characters long; GitLab allows 1024",
        ),
        (
            dict(GROUP_RUNNER, access_level="protected"),
            "{opt}access_level must be one of not_protected, ref_protected",
        ),
        (
            dict(GROUP_RUNNER, run_untagged=False, tag_list=[]),
            "{about}a runner with run_untagged false needs at least one tag in tag_list, or it could never pick a job",
        ),
        (
            dict(GROUP_RUNNER, run_untagged=False, tag_list=["", "  "]),
            "{about}a runner with run_untagged false needs at least one tag in tag_list, or it could never pick a job",
        ),
        (
            dict(GROUP_RUNNER, tag_list=["docker", "aws,linux"]),
            "{opt}tag_list[1] 'aws,linux' contains a comma: GitLab splits tags on commas, so give each tag as its "
            "own list item",
        ),
        (
            dict(GROUP_RUNNER, token_reset="sometimes"),
            "{opt}token_reset must be one of if_invalid, if_missing, always, never",
        ),
        (
            dict(GROUP_RUNNER, description="   "),
            "{opt}description is empty: a runner's description is how it is found again",
        ),
        (dict(GROUP_RUNNER, id="abc"), "{opt}id must be a runner's positive numeric id, got 'abc'"),
        (dict(GROUP_RUNNER, id=0), "{opt}id must be a runner's positive numeric id, got 0"),
        (dict(GROUP_RUNNER, id=-3), "{opt}id must be a runner's positive numeric id, got -3"),
        (dict(GROUP_RUNNER, id=True), "{opt}id must be a runner's positive numeric id, got True"),
        (dict(GROUP_RUNNER, id=1.5), "{opt}id must be a runner's positive numeric id, got 1.5"),
        (
            dict(GROUP_RUNNER, runner_type="project_type"),
            "{opt}group is only for runner_type group_type (runner_type is project_type)",
        ),
        (
            {"description": "ci-1", "runner_type": "instance_type", "project": "platform/website"},
            "{opt}project is only for runner_type project_type (runner_type is instance_type)",
        ),
        (
            {"description": "ci-1", "group": 42},
            "{opt}group is only for runner_type group_type (runner_type is None)",
        ),
        (
            {"description": "ci-1", "runner_type": "shared"},
            "{opt}runner_type must be one of instance_type, group_type, project_type, got 'shared'",
        ),
        (
            {"description": "ci-1", "runner_type": "group_type"},
            "{opt}group is required for runner_type group_type (its numeric id or full path)",
        ),
        (
            {"description": "ci-1", "runner_type": "project_type"},
            "{opt}project is required for runner_type project_type (its numeric id or full path)",
        ),
        (
            dict(GROUP_RUNNER, group=0),
            "{opt}group must be a positive id, got 0",
        ),
        (
            dict(GROUP_RUNNER, group=" / "),
            "{opt}group must be a numeric id or a full path such as platform/infra, got ' / '",
        ),
        (
            {"runner_type": "instance_type"},
            "{about}state present needs description and runner_type (with group or project for group and project "
            "runners): they say where the runner lives and how to find it without duplicating it",
        ),
        (
            {"description": "ci-1", "id": 17},
            "{about}state present needs description and runner_type (with group or project for group and project "
            "runners): they say where the runner lives and how to find it without duplicating it",
        ),
        (
            {"state": "absent", "description": "ci-1"},
            "{about}state absent needs id, token, or description with runner_type to find the runner",
        ),
        (
            {"state": "absent", "token": ""},
            "{about}state absent needs id, token, or description with runner_type to find the runner",
        ),
    ],
)
def test_refusals_name_the_option(entry, message, label, opt, about):
    assert refusal(entry, label) == message.format(opt=opt, about=about)


@pytest.mark.parametrize(
    ("entry", "runner_id", "token", "owner"),
    [
        ({"id": 17}, 17, None, None),
        ({"id": " 17 "}, 17, None, None),
        ({"token": "glrt-abc"}, None, "glrt-abc", None),
        ({"description": "ci-1", "runner_type": "instance_type"}, None, None, Owner("instance")),
    ],
)
def test_absent_needs_only_a_way_to_find_the_runner(entry, runner_id, token, owner):
    built = spec(state="absent", **entry)
    assert (built.state, built.runner_id, built.token, built.owner) == ("absent", runner_id, token, owner)


def test_absent_neither_keeps_nor_checks_attributes():
    built = spec(state="absent", id=17, maximum_timeout=5, tag_list=["a,b"], access_level="protected")
    assert built.attributes == {}


def test_empty_tokens_count_as_not_given():
    built = spec(**GROUP_RUNNER, token="", registration_token="")
    assert (built.token, built.registration_token) == (None, None)


def test_run_untagged_false_without_tag_list_leaves_gitlab_s_tags_alone():
    assert spec(**GROUP_RUNNER, run_untagged=False).attributes == {"description": "ci-1", "run_untagged": False}


@pytest.mark.parametrize(
    ("entry", "names"),
    [
        ({"description": "ci-1", "runner_type": "instance_type", "id": 17}, "runner 'ci-1'"),
        ({"state": "absent", "id": 17}, "runner 17"),
        ({"state": "absent", "token": "glrt-abc"}, "the runner of the given token"),
    ],
)
def test_names(entry, names):
    assert _runner_spec.build_spec(entry, "").names() == names


@pytest.mark.parametrize(
    ("owner", "scope_name"),
    [
        (Owner("instance"), "the instance"),
        (Owner("group", "platform/infra"), "group platform/infra"),
        (Owner("project", 42), "project 42"),
    ],
)
def test_scope_names(owner, scope_name):
    assert owner.scope_name == scope_name


# ------------------------------------------------------------------------------------------------- owner_ref


@pytest.mark.parametrize(
    ("value", "expected"),
    [(7, 7), ("7", 7), (" 007 ", 7), ("platform/infra", "platform/infra"), ("/platform/infra/", "platform/infra")],
)
def test_owner_ref(value, expected):
    assert _runner_spec.owner_ref(value, "group") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "group must be a numeric id or a full path, got True"),
        (None, "group must be a numeric id or a full path, got None"),
        (0, "group must be a positive id, got 0"),
        (-4, "group must be a positive id, got -4"),
        ("", "group must be a numeric id or a full path such as platform/infra, got ''"),
        ("//", "group must be a numeric id or a full path such as platform/infra, got '//'"),
    ],
)
def test_owner_ref_refusals(value, message):
    with pytest.raises(SpecError) as caught:
        _runner_spec.owner_ref(value, "group")
    assert str(caught.value) == message


def test_owner_ref_refuses_a_zero_given_as_a_string():
    with pytest.raises(SpecError):
        _runner_spec.owner_ref("0", "group")


# ------------------------------------------------------------------------------------------------- normalize_tags


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ([], []),
        ([" b ", "a", "b", "", "  ", "c"], ["b", "a", "c"]),
        (["Docker", "docker"], ["Docker", "docker"]),
        ([5, "5"], ["5"]),
        ([f"t{n}" for n in range(50)] + ["t0"], [f"t{n}" for n in range(50)]),
    ],
)
def test_normalize_tags_strips_drops_blanks_and_repeats_keeping_order(tags, expected):
    assert _runner_spec.normalize_tags(tags, "tag_list") == expected


def test_more_than_fifty_tags_are_refused():
    with pytest.raises(SpecError) as caught:
        _runner_spec.normalize_tags([f"t{n}" for n in range(51)], "runners[2].tag_list")
    assert str(caught.value) == "runners[2].tag_list has 51 tags; GitLab allows at most 50"


# ------------------------------------------------------------------------------------------------- check_unique


def bulk(*entries: dict) -> list:
    return [_runner_spec.build_spec(entry, f"runners[{index}]") for index, entry in enumerate(entries)]


def test_two_entries_naming_one_runner_id_are_refused():
    specs = bulk(dict(GROUP_RUNNER, id=5), {"state": "absent", "id": 9}, {"state": "absent", "id": "5"})
    with pytest.raises(SpecError) as caught:
        _runner_spec.check_unique(specs)
    assert str(caught.value) == "runners[0] and runners[2] both name runner id 5"


def test_two_entries_giving_one_token_are_refused_without_printing_it():
    token = "glrt-the-same-token"
    specs = bulk(dict(GROUP_RUNNER, token=token), {"state": "absent", "token": token})
    with pytest.raises(SpecError) as caught:
        _runner_spec.check_unique(specs)
    assert str(caught.value) == "runners[0] and runners[1] give the same token"


@pytest.mark.parametrize(
    ("first", "second", "scope"),
    [
        (GROUP_RUNNER, dict(GROUP_RUNNER, group="/platform/infra/"), "group platform/infra"),
        (
            {"description": "ci-1", "runner_type": "instance_type"},
            {"state": "absent", "description": "ci-1", "runner_type": "instance_type"},
            "the instance",
        ),
        (
            {"description": "ci-1", "runner_type": "project_type", "project": 42},
            {"description": "ci-1", "runner_type": "project_type", "project": "42"},
            "project 42",
        ),
    ],
)
def test_two_entries_describing_one_runner_in_one_scope_are_refused(first, second, scope):
    with pytest.raises(SpecError) as caught:
        _runner_spec.check_unique(bulk(first, second))
    assert str(caught.value) == (
        f"runners[0] and runners[1] both describe runner 'ci-1' in {scope}: descriptions must be unique within a scope"
    )


@pytest.mark.parametrize(
    "entries",
    [
        [GROUP_RUNNER, dict(GROUP_RUNNER, description="ci-2")],
        [GROUP_RUNNER, dict(GROUP_RUNNER, group="platform/web")],
        [GROUP_RUNNER, {"description": "ci-1", "runner_type": "instance_type"}],
        [GROUP_RUNNER, {"description": "ci-1", "runner_type": "project_type", "project": "platform/infra"}],
        [{"state": "absent", "description": "ci-1", "id": 1}, {"state": "absent", "description": "ci-1", "id": 2}],
    ],
)
def test_entries_that_cannot_find_the_same_runner_pass(entries):
    assert _runner_spec.check_unique(bulk(*entries)) is None


def test_paths_differing_only_in_case_name_one_scope():
    with pytest.raises(SpecError):
        _runner_spec.check_unique(bulk(GROUP_RUNNER, dict(GROUP_RUNNER, group="Platform/Infra")))


# ------------------------------------------------------------------------------------------------- comparable


RUNNER = {
    "id": 5,
    "description": "ci-1",
    "active": True,
    "paused": False,
    "is_shared": False,
    "runner_type": "group_type",
    "status": "online",
    "tag_list": ["linux", "docker", "aws", "docker"],
    "run_untagged": False,
    "locked": False,
    "maximum_timeout": 3600,
    "access_level": "not_protected",
    "maintenance_note": None,
    "token": "glrt-secret",
    "groups": [{"id": 7, "web_url": "https://gitlab.example.com/groups/platform/infra", "name": "infra"}],
}


def test_comparable_keeps_the_managed_attributes_in_one_shape():
    assert _runner_spec.comparable(RUNNER) == {
        "description": "ci-1",
        "paused": False,
        "locked": False,
        "run_untagged": False,
        "tag_list": ["aws", "docker", "linux"],
        "access_level": "not_protected",
        "maximum_timeout": 3600,
        "maintenance_note": None,
        "runner_type": "group_type",
    }


@pytest.mark.parametrize("runner", [None, {}])
def test_comparable_of_no_runner_is_empty(runner):
    assert _runner_spec.comparable(runner) == {}


@pytest.mark.parametrize(
    ("fields", "paused", "timeout", "tags"),
    [
        ({"active": False}, True, 3600, ["aws", "docker", "linux"]),  # GitLab before 14.8: no paused
        ({"active": True}, False, 3600, ["aws", "docker", "linux"]),
        ({"paused": True, "active": True}, True, 3600, ["aws", "docker", "linux"]),  # paused wins when both
        ({"maximum_timeout": 0}, None, None, ["aws", "docker", "linux"]),
        ({"maximum_timeout": None, "tag_list": None}, None, None, []),
    ],
)
def test_comparable_derives_paused_and_normalizes_timeout_and_tags(fields, paused, timeout, tags):
    runner = {key: value for key, value in RUNNER.items() if key not in ("active", "paused")}
    view = _runner_spec.comparable(dict(runner, **fields))
    assert (view["paused"], view["maximum_timeout"], view["tag_list"]) == (paused, timeout, tags)


# ------------------------------------------------------------------------------------------------- changes_needed


@pytest.mark.parametrize(
    ("runner", "wanted", "changes"),
    [
        (RUNNER, {}, {}),
        (RUNNER, {"tag_list": ["docker", "linux", "aws"]}, {}),
        (RUNNER, {"tag_list": ["linux", "docker"]}, {"tag_list": ["linux", "docker"]}),
        (RUNNER, {"tag_list": []}, {"tag_list": []}),
        (RUNNER, {"maximum_timeout": 3600}, {}),
        (RUNNER, {"maximum_timeout": 0}, {"maximum_timeout": 0}),
        (dict(RUNNER, maximum_timeout=None), {"maximum_timeout": 0}, {}),
        (dict(RUNNER, maximum_timeout=0), {"maximum_timeout": 0}, {}),
        (dict(RUNNER, maximum_timeout=None), {"maximum_timeout": 600}, {"maximum_timeout": 600}),
        (RUNNER, {"paused": False, "locked": False, "run_untagged": False}, {}),
        (RUNNER, {"paused": True, "locked": False}, {"paused": True}),
        ({"id": 5, "active": True, "tag_list": []}, {"paused": True}, {"paused": True}),
        ({"id": 5, "active": False, "tag_list": []}, {"paused": True}, {}),
        (RUNNER, {"description": "ci-2"}, {"description": "ci-2"}),
        (RUNNER, {"maintenance_note": "note"}, {"maintenance_note": "note"}),
        (
            RUNNER,
            {"access_level": "ref_protected", "description": "ci-1", "run_untagged": True},
            {"access_level": "ref_protected", "run_untagged": True},
        ),
    ],
)
def test_changes_needed(runner, wanted, changes):
    assert _runner_spec.changes_needed(runner, wanted) == changes


# ------------------------------------------------------------------------------------------------- update_body


@pytest.mark.parametrize(
    ("changes", "supports_paused", "body"),
    [
        ({"paused": True}, True, {"paused": True}),
        ({"paused": True}, False, {"active": False}),
        ({"paused": False}, False, {"active": True}),
        ({"maximum_timeout": 0}, True, {"maximum_timeout": None}),
        ({"maximum_timeout": 3600}, False, {"maximum_timeout": 3600}),
        (
            {"description": "ci-2", "tag_list": ["a"], "paused": False, "maximum_timeout": 0},
            False,
            {"description": "ci-2", "tag_list": ["a"], "active": True, "maximum_timeout": None},
        ),
        ({}, False, {}),
    ],
)
def test_update_body(changes, supports_paused, body):
    given = copy.deepcopy(changes)
    assert _runner_spec.update_body(changes, supports_paused) == body
    assert changes == given


# ------------------------------------------------------------------------------------------------- create_body


@pytest.mark.parametrize(
    ("entry", "owner_id", "body"),
    [
        (
            {"description": "ci-1", "runner_type": "instance_type", "paused": True, "maximum_timeout": 0},
            None,
            {"runner_type": "instance_type", "description": "ci-1", "paused": True},
        ),
        (
            dict(GROUP_RUNNER, tag_list=["docker", "docker"], run_untagged=False, maximum_timeout=3600),
            7,
            {
                "runner_type": "group_type",
                "group_id": 7,
                "description": "ci-1",
                "run_untagged": False,
                "tag_list": ["docker"],
                "maximum_timeout": 3600,
            },
        ),
        (
            {"description": "ci-1", "runner_type": "project_type", "project": 42, "locked": True},
            42,
            {"runner_type": "project_type", "project_id": 42, "description": "ci-1", "locked": True},
        ),
    ],
)
def test_create_body(entry, owner_id, body):
    assert _runner_spec.create_body(_runner_spec.build_spec(entry, ""), owner_id) == body


# ------------------------------------------------------------------------------------------------- predicted_runner


def test_a_new_runner_is_predicted_with_gitlab_s_defaults_and_the_entry_s_attributes():
    defaults = copy.deepcopy(_runner_spec.NEW_RUNNER_DEFAULTS)
    built = spec(**GROUP_RUNNER, tag_list=["docker"], maximum_timeout=0, locked=True)
    assert _runner_spec.predicted_runner(None, built) == {
        "id": None,
        "runner_type": "group_type",
        "description": "ci-1",
        "paused": False,
        "locked": True,
        "run_untagged": True,
        "tag_list": ["docker"],
        "access_level": "not_protected",
        "maximum_timeout": None,
        "maintenance_note": None,
    }
    assert defaults == _runner_spec.NEW_RUNNER_DEFAULTS


@pytest.mark.parametrize(
    ("runner", "expected"),
    [
        (
            {"id": 5, "active": True, "paused": False, "maximum_timeout": 3600, "status": "online"},
            {"id": 5, "active": False, "paused": True, "maximum_timeout": None, "status": "online"},
        ),
        (
            {"id": 5, "active": True, "maximum_timeout": None},  # before 14.8
            {"id": 5, "active": False, "paused": True, "maximum_timeout": None},
        ),
    ],
)
def test_an_existing_runner_is_predicted_with_the_changes_applied(runner, expected):
    given = dict(runner)
    built = _runner_spec.RunnerSpec(
        label="",
        state="present",
        runner_type="group_type",
        owner=Owner("group", 7),
        description=None,
        attributes={"paused": True, "maximum_timeout": 0},
        runner_id=5,
        token=None,
        registration_token=None,
        token_reset="if_invalid",
    )
    assert _runner_spec.predicted_runner(runner, built) == expected
    assert runner == given


def test_an_unpaused_runner_is_predicted_active():
    built = spec(**GROUP_RUNNER, paused=False)
    predicted = _runner_spec.predicted_runner({"id": 5, "active": False, "paused": True}, built)
    assert (predicted["active"], predicted["paused"], predicted["description"]) == (True, False, "ci-1")


# ------------------------------------------------------------------------------------------------- ownership

BASE = "https://gitlab.example.com"


def group_runner(*groups: tuple) -> dict:
    return {"id": 5, "groups": [{"id": gid, "web_url": f"{BASE}/groups/{path}", "name": "x"} for gid, path in groups]}


def project_runner(*projects: tuple) -> dict:
    return {"id": 5, "projects": [{"id": pid, "path_with_namespace": path} for pid, path in projects]}


@pytest.mark.parametrize(
    ("runner", "owner", "owner_id", "reason"),
    [
        ({"id": 5}, Owner("instance"), None, None),
        (group_runner((7, "platform/infra")), Owner("instance"), None, None),
        ({"id": 5, "groups": []}, Owner("group", 7), None, "it shows no group the token's user can see"),
        ({"id": 5}, Owner("project", "platform/web"), 9, "it shows no project the token's user can see"),
        (group_runner((7, "platform/infra")), Owner("group", "platform/infra"), 7, None),
        (group_runner((7, "platform/infra")), Owner("group", "platform/infra"), 8, "its group is 7"),
        (group_runner((7, "platform/infra")), Owner("group", 7), None, None),
        (group_runner((7, "platform/infra")), Owner("group", 8), None, "its group is 7"),
        (group_runner((7, "platform/infra")), Owner("group", "platform/infra"), None, None),
        (group_runner((7, "platform/infra")), Owner("group", "Platform/INFRA"), None, None),
        (group_runner((7, "platform/infra/")), Owner("group", "platform/infra"), None, None),
        (group_runner((7, "platform")), Owner("group", "platform/infra"), None, "unknown"),
        (group_runner((7, "platform/infra/sub")), Owner("group", "platform/infra"), None, "unknown"),
        (project_runner((9, "platform/web"), (10, "platform/api")), Owner("project", "platform/web"), None, None),
        (project_runner((9, "platform/web"), (10, "platform/api")), Owner("project", "platform/api"), None, "unknown"),
        (project_runner((9, "platform/web"), (10, "platform/api")), Owner("project", 10), None, "its project is 9"),
        (project_runner((9, "platform/web"), (10, "platform/api")), Owner("project", 9), None, None),
        (project_runner((9, "platform/web")), Owner("project", "platform/api"), 9, None),
    ],
)
def test_owner_mismatch(runner, owner, owner_id, reason):
    assert _runner_spec.owner_mismatch(runner, owner, owner_id) == reason


def test_a_group_under_a_relative_url_root_is_recognised():
    runner = {"id": 5, "groups": [{"id": 7, "web_url": "https://example.com/gitlab/groups/platform/infra"}]}
    assert _runner_spec.owner_mismatch(runner, Owner("group", "platform/infra"), None) is None


@pytest.mark.parametrize(
    ("record", "kind", "path"),
    [
        ({"web_url": f"{BASE}/groups/platform/infra"}, "group", "platform/infra"),
        ({"web_url": f"{BASE}/groups/platform/groups/x/"}, "group", "platform/groups/x"),
        ({"web_url": f"{BASE}/platform/infra"}, "group", ""),
        ({"web_url": None}, "group", ""),
        ({}, "group", ""),
        ({"path_with_namespace": "platform/web", "web_url": f"{BASE}/platform/web"}, "project", "platform/web"),
        ({"path_with_namespace": None}, "project", ""),
        ({}, "project", ""),
    ],
)
def test_shown_path(record, kind, path):
    assert _runner_spec.shown_path(record, kind) == path


# ------------------------------------------------------------------------------------------------- token_reset_reason

REJECTED = "GitLab rejected the given token"
ALWAYS = "token_reset is always"
MISSING = "no token was given and token_reset is if_missing"


@pytest.mark.parametrize(
    ("policy", "token_given", "token_valid", "reason"),
    [
        ("if_invalid", True, True, None),
        ("if_invalid", True, False, REJECTED),
        ("if_invalid", True, None, None),
        ("if_invalid", False, None, None),
        ("if_missing", True, True, None),
        ("if_missing", True, False, REJECTED),
        ("if_missing", True, None, None),
        ("if_missing", False, None, MISSING),
        ("always", True, True, ALWAYS),
        ("always", True, False, ALWAYS),
        ("always", True, None, ALWAYS),
        ("always", False, None, ALWAYS),
        ("never", True, True, None),
        ("never", True, False, None),
        ("never", True, None, None),
        ("never", False, None, None),
    ],
)
def test_token_reset_reason(policy, token_given, token_valid, reason):
    assert _runner_spec.token_reset_reason(policy, token_given, token_valid) == reason


# ------------------------------------------------------------------------------------------------- version_at_least


@pytest.mark.parametrize(
    ("version", "at_least"),
    [
        ("16.11.2-ee", True),
        ("14.8.0", True),
        ("14.8", True),
        ("14.10.0", True),
        ("15.0.0-pre", True),
        ("14.7.9", False),
        ("14.7.99-rc1", False),
        ("14", False),
        ("9.5.10-ee", False),
        ("", True),
        ("unknown", True),
        ("v16.0", True),
    ],
)
def test_version_at_least(version, at_least):
    assert _runner_spec.version_at_least(version, (14, 8)) is at_least


# ---------------------------------------------------------------------------------------------- token_check expiry

NOW = _runner_spec.moment("2026-12-07T12:00:00Z")


@pytest.mark.parametrize(
    ("expires_at", "expired"),
    [
        (None, False),  # recorded without an expiry: GitLab set none
        ("", False),
        ("2026-12-07T11:59:59.000Z", True),
        ("2026-12-07T12:00:00Z", True),
        ("2026-12-07T12:00:01+00:00", False),
        ("2026-12-07T13:30:00+02:00", True),  # 11:30 UTC
        ("2027-01-01T00:00:00.000Z", False),
        ("2026-12-07T11:00:00", True),  # no zone: UTC, as GitLab writes it
    ],
)
def test_has_expired(expires_at, expired):
    assert _runner_spec.has_expired(expires_at, NOW) is expired


def test_token_check_and_expiry_are_checked_before_any_request():
    entry = {"description": "a", "runner_type": "instance_type", "id": 3, "token": "glrt-x"}
    spec = _runner_spec.build_spec(dict(entry, token_check="expiry", token_expires_at="2027-01-01T00:00:00Z"), "")
    assert (spec.token_check, spec.token_expires_at) == ("expiry", "2027-01-01T00:00:00Z")
    assert _runner_spec.build_spec(entry, "").token_check == "verify"
    with pytest.raises(SpecError, match=r"runners\[1\]\.token_check must be one of verify, expiry"):
        _runner_spec.build_spec(dict(entry, token_check="sometimes"), "runners[1]")
    with pytest.raises(SpecError, match="token_expires_at must be an ISO 8601 time"):
        _runner_spec.build_spec(dict(entry, token_expires_at="next tuesday"), "")


def test_token_reset_reason_names_why_a_token_no_longer_works():
    why = "the given token expired at 2020-01-01T00:00:00Z"
    assert _runner_spec.token_reset_reason("if_missing", True, False, why) == why
    assert _runner_spec.token_reset_reason("if_invalid", True, True, why) is None
