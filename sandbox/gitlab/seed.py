# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The seeded instance (sandbox/gitlab/README.md lists it): users, groups with nested paths, projects."""

from __future__ import annotations

import datetime

from sandbox.gitlab.model import (
    DEVELOPER,
    INSTANCE_TYPE,
    MAINTAINER,
    OWNER,
    REGISTRATION_TOKEN_PREFIX,
    AccessToken,
    Group,
    Project,
    Runner,
    Settings,
    Store,
    User,
    new_token,
    utcnow,
)

ADMIN_ID = 1
# (id, username, name, is_admin)
USERS = (
    (1, "root", "Administrator", True),
    (2, "alice", "Alice Owner", False),
    (3, "bob", "Bob Maintainer", False),
    (4, "carol", "Carol Outsider", False),
)
# (id, path, parent id, shared runners setting, members {user id: access level})
GROUPS = (
    (11, "platform", None, "enabled", {2: OWNER}),
    (12, "infra", 11, "enabled", {3: MAINTAINER}),
    (13, "ci", 12, "enabled", {}),
    (14, "other", None, "disabled_and_unoverridable", {}),
)
# (id, path, namespace id, shared runners enabled, members)
PROJECTS = (
    (21, "runner-images", 13, True, {}),
    (22, "website", 11, True, {3: DEVELOPER}),
    (23, "secret", 14, False, {}),
    (24, "tools", 14, False, {2: MAINTAINER}),
)
EPOCH = datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC)


def populate(store: Store, admin_token: str) -> None:
    """Replace the store's content with the seed. The admin's token survives resets."""
    store.users = {uid: User(uid, username, name, admin, EPOCH) for uid, username, name, admin in USERS}
    store.tokens = {admin_token: AccessToken(admin_token, ADMIN_ID, frozenset({"api"}))}
    store.groups = {}
    for gid, path, parent_id, shared, members in GROUPS:
        full_path = f"{store.groups[parent_id].full_path}/{path}" if parent_id else path
        store.groups[gid] = Group(
            id=gid,
            name=path.capitalize(),
            path=path,
            full_path=full_path,
            parent_id=parent_id,
            created_at=EPOCH,
            runners_token=new_token(REGISTRATION_TOKEN_PREFIX),
            members=dict(members),
            shared_runners_setting=shared,
        )
    store.projects = {}
    for pid, path, namespace_id, shared, members in PROJECTS:
        store.projects[pid] = Project(
            id=pid,
            name=path,
            path=path,
            namespace_id=namespace_id,
            path_with_namespace=f"{store.groups[namespace_id].full_path}/{path}",
            created_at=EPOCH,
            runners_token=new_token(REGISTRATION_TOKEN_PREFIX),
            members=dict(members),
            shared_runners_enabled=shared,
        )
    store.runners = {}
    store.runner_ids_by_token = {}
    store.settings = Settings(registration_token=new_token(REGISTRATION_TOKEN_PREFIX))
    store.reset_counters()


def add_runners(store: Store, count: int, template: dict | None = None) -> list[Runner]:
    """Bulk runners without the API (benchmarks, large-list tests). `{n}` in the description is the index."""
    template = dict(template or {})
    runner_type = template.pop("runner_type", INSTANCE_TYPE)
    description = template.pop("description", "seeded-runner-{n}")
    contacted = template.pop("contacted", False)
    paused = template.pop("paused", None)
    project_id = template.pop("project_id", None)
    group_id = template.pop("group_id", None)
    now = utcnow()
    if paused is not None:
        template["active"] = not paused
    created = []
    for index in range(1, count + 1):
        runner = store.add_runner(
            runner_type,
            "authenticated_user",
            now,
            creator_id=ADMIN_ID,
            description=description.replace("{n}", str(index)),
            project_ids=[project_id] if project_id else [],
            group_id=group_id,
            contacted_at=now if contacted else None,
            **{key: list(value) if isinstance(value, list) else value for key, value in template.items()},
        )
        created.append(runner)
    return created
