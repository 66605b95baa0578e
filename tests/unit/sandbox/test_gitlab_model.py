# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox GitLab's runner model: derived status (contract §2.4), validation (§2.2), permissions (§5)."""

from __future__ import annotations

import datetime

import pytest

from sandbox.gitlab import entities, policy, seed
from sandbox.gitlab.model import AccessToken, Runner, Store, full_messages_sentence, validate_runner

NOW = datetime.datetime(2026, 11, 22, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def runner(**fields) -> Runner:
    defaults = {"id": 1, "runner_type": "instance_type", "token": "glrt-x", "created_at": NOW - HOUR,
                "updated_at": NOW - HOUR, "registration_type": "authenticated_user"}  # fmt: skip
    return Runner(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("fields", "online", "status"),
    [
        ({}, None, "never_contacted"),
        ({"contacted_at": NOW - HOUR}, True, "online"),
        ({"contacted_at": NOW - 3 * HOUR}, False, "offline"),
        ({"contacted_at": NOW - HOUR, "active": False}, True, "paused"),
        ({"active": False}, None, "never_contacted"),
        ({"created_at": NOW - 200 * HOUR, "contacted_at": NOW - 169 * HOUR}, False, "stale"),
        ({"created_at": NOW - 200 * HOUR}, None, "stale"),
    ],
)
def test_status_and_online_are_derived_in_gitlabs_order(fields, online, status):
    item = runner(**fields)
    assert item.online(NOW) is online
    assert item.status(NOW) == status


def test_the_offline_filter_excludes_never_contacted_and_includes_stale():
    stale = runner(created_at=NOW - 200 * HOUR, contacted_at=NOW - 190 * HOUR)
    assert stale.matches_status("offline", NOW)
    assert stale.matches_status("stale", NOW)
    assert not runner().matches_status("offline", NOW)
    assert runner().matches_status("never_contacted", NOW)


def test_validation_rules_and_full_messages():
    item = runner(run_untagged=False, maximum_timeout=599, description="x" * 1025, tag_list=[])
    errors = validate_runner(item, tags_changed=True, changed={"description"})
    assert errors == {
        "tags_list": ["can not be empty when runner is not allowed to pick untagged jobs"],
        "maximum_timeout": ["needs to be at least 10 minutes"],
        "description": ["is too long (maximum is 1024 characters)"],
    }
    assert full_messages_sentence(errors) == (
        "Tags list can not be empty when runner is not allowed to pick untagged jobs, "
        "Maximum timeout needs to be at least 10 minutes and Description is too long (maximum is 1024 characters)"
    )


def test_the_tag_count_is_checked_only_when_tags_change():
    item = runner(tag_list=[f"t{n}" for n in range(51)])
    assert validate_runner(item, tags_changed=False, changed=set()) == {}
    assert "tags_list" in validate_runner(item, tags_changed=True, changed=set())


def test_times_are_iso_with_milliseconds_and_z():
    moment = datetime.datetime(2021, 9, 27, 21, 5, 3, 203456, tzinfo=datetime.UTC)
    assert entities.iso(moment) == "2021-09-27T21:05:03.203Z"


@pytest.fixture
def store() -> Store:
    seeded = Store()
    seed.populate(seeded, "glpat-admin")
    return seeded


def test_group_ownership_is_inherited_by_subgroups(store):
    alice = store.users[2]
    assert store.group_access(alice, store.groups[13]) == 50
    assert store.group_access(alice, store.groups[14]) == 0
    assert store.find_group("platform/infra/ci").id == 13
    assert store.find_project("platform/infra/ci/runner-images").id == 21


def test_permission_matrix_for_a_multi_project_runner(store):
    alice, bob = store.users[2], store.users[3]
    item = runner(runner_type="project_type", project_ids=[22, 24])
    assert policy.can_read_runner(store, alice, item)
    assert policy.can_update_runner(store, alice, item)
    assert policy.delete_refusal(store, alice, item) == "Runner associated with more than one project"
    assert policy.delete_refusal(store, store.users[1], item) is None
    assert not policy.can_read_runner(store, bob, item)  # a Developer of 22 is not enough


def test_group_runners_need_an_owner_to_change(store):
    bob = store.users[3]
    item = runner(runner_type="group_type", group_id=12)
    assert policy.can_read_runner(store, bob, item)
    assert not policy.can_update_runner(store, bob, item)
    assert policy.assign_refusal(store, bob, item) == "Runner is a group runner"


@pytest.mark.parametrize(
    ("scopes", "scope_class", "verdict"),
    [
        ({"read_api"}, policy.ScopeClass.WRITE_RUNNER, policy.ScopeVerdict.INSUFFICIENT),
        ({"manage_runner"}, policy.ScopeClass.READ_RUNNER, policy.ScopeVerdict.ALLOWED),
        ({"manage_runner"}, policy.ScopeClass.LIST_RUNNERS, policy.ScopeVerdict.INSUFFICIENT),
        ({"manage_runner"}, policy.ScopeClass.PROJECT_RUNNERS, policy.ScopeVerdict.UNUSABLE),
        ({"create_runner"}, policy.ScopeClass.PROJECT_RUNNERS, policy.ScopeVerdict.UNUSABLE),
        ({"create_runner"}, policy.ScopeClass.CREATE_RUNNER, policy.ScopeVerdict.ALLOWED),
        ({"read_api"}, policy.ScopeClass.CREATE_RUNNER, policy.ScopeVerdict.INSUFFICIENT),
    ],
)
def test_token_scopes(scopes, scope_class, verdict):
    assert policy.check_scope(AccessToken("t", 1, frozenset(scopes)), scope_class) is verdict
