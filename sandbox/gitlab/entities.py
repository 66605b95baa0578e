# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Response bodies with the exact key sets and order of contract §3 and §C."""

from __future__ import annotations

import datetime
from typing import Any

from sandbox.gitlab import policy
from sandbox.gitlab.model import INSTANCE_TYPE, ONLINE_CONTACT_TIMEOUT, Group, Manager, Project, Runner, Store, User


def iso(moment: datetime.datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and Z, as GitLab serializes times: 2021-09-27T21:05:03.203Z."""
    if moment is None:
        return None
    moment = moment.astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def user_basic(user: User, base_url: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "public_email": None,
        "name": user.name,
        "state": user.state,
        "locked": False,
        "avatar_url": None,
        "web_url": f"{base_url}/{user.username}",
    }


def current_user(user: User, base_url: str) -> dict[str, Any]:
    """GET /user: UserPublic for everyone, with is_admin (UserWithAdmin) for admins."""
    body = user_basic(user, base_url)
    body.update(
        {
            "created_at": iso(user.created_at),
            "bio": "",
            "location": None,
            "email": f"{user.username}@sandbox.invalid",
            "two_factor_enabled": False,
            "external": False,
            "private_profile": False,
        }
    )
    if user.is_admin:
        body["is_admin"] = True
    return body


def runner(store: Store, item: Runner, now: datetime.datetime, base_url: str) -> dict[str, Any]:
    """§3.1 Runner."""
    body: dict[str, Any] = {
        "id": item.id,
        "description": item.description,
        "ip_address": None,
        "active": item.active,
        "paused": not item.active,
        "is_shared": item.runner_type == INSTANCE_TYPE,
        "runner_type": item.runner_type,
        "name": item.name,
        "online": item.online(now),
    }
    creator = store.users.get(item.creator_id) if item.creator_id else None
    if creator is not None:
        body["created_by"] = user_basic(creator, base_url)
    body["created_at"] = iso(item.created_at)
    body["status"] = item.status(now)
    body["job_execution_status"] = "active" if item.running_jobs else "idle"
    return body


def basic_project(project: Project, store: Store, base_url: str) -> dict[str, Any]:
    namespace = store.groups[project.namespace_id]
    return {
        "id": project.id,
        "description": None,
        "name": project.name,
        "name_with_namespace": " / ".join([*_group_names(store, namespace), project.name]),
        "path": project.path,
        "path_with_namespace": project.path_with_namespace,
        "created_at": iso(project.created_at),
        "default_branch": "main",
        "tag_list": [],
        "topics": [],
        "web_url": f"{base_url}/{project.path_with_namespace}",
    }


def _group_names(store: Store, group: Group) -> list[str]:
    return [item.name for item in reversed(list(store.group_chain(group.id)))]


def runner_details(store: Store, item: Runner, user: User, now: datetime.datetime, base_url: str) -> dict[str, Any]:
    """§3.2 RunnerDetails: the Runner keys, then the details; only the projects and groups the caller may see."""
    body = runner(store, item, now, base_url)
    manager = item.latest_manager()
    body.update(
        {
            "tag_list": sorted(item.tag_list),  # GitLab gives no order; clients must compare as sets
            "run_untagged": item.run_untagged,
            "locked": item.locked,
            "maximum_timeout": item.maximum_timeout,
            "access_level": item.access_level,
            "version": manager.version if manager else None,
            "revision": manager.revision if manager else None,
            "platform": manager.platform if manager else None,
            "architecture": manager.architecture if manager else None,
            "contacted_at": iso(item.contacted_at),
            "maintenance_note": item.maintenance_note if policy.can_update_runner(store, user, item) else None,
            "projects": [
                basic_project(store.projects[pid], store, base_url)
                for pid in item.project_ids
                if store.can_see_project(user, store.projects[pid])
            ],
            "groups": [],
        }
    )
    if item.group_id is not None and store.can_see_group(user, store.groups[item.group_id]):
        group = store.groups[item.group_id]
        body["groups"] = [{"id": group.id, "web_url": f"{base_url}/groups/{group.full_path}", "name": group.name}]
    return body


def manager(item: Manager, runner_item: Runner, now: datetime.datetime) -> dict[str, Any]:
    """§3.5 RunnerManager."""
    if item.contacted_at is None:
        status = "never_contacted"
    elif runner_item.stale(now):
        status = "stale"
    else:
        status = "online" if item.contacted_at > now - ONLINE_CONTACT_TIMEOUT else "offline"
    return {
        "id": item.id,
        "system_id": item.system_id,
        "version": item.version,
        "revision": item.revision,
        "platform": item.platform,
        "architecture": item.architecture,
        "created_at": iso(item.created_at),
        "contacted_at": iso(item.contacted_at),
        "ip_address": item.ip_address,
        "status": status,
        "job_execution_status": "active" if runner_item.running_jobs else "idle",
    }


def registration_details(item: Runner) -> dict[str, Any]:
    """§3.3: the only place, with the resets, where a runner's token is shown."""
    return {"id": item.id, "token": item.token, "token_expires_at": iso(item.token_expires_at)}


def reset_token_result(item: Runner) -> dict[str, Any]:
    """§3.4 for an (expirable) runner authentication token."""
    return {"token": item.token, "token_expires_at": iso(item.token_expires_at)}


def namespace(group: Group, base_url: str) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "path": group.path,
        "kind": "group",
        "full_path": group.full_path,
        "parent_id": group.parent_id,
        "avatar_url": None,
        "web_url": f"{base_url}/groups/{group.full_path}",
    }


def project(store: Store, item: Project, user: User, base_url: str) -> dict[str, Any]:
    body = basic_project(item, store, base_url)
    body.update(
        {
            "visibility": "private",
            "namespace": namespace(store.groups[item.namespace_id], base_url),
            "archived": False,
            "shared_runners_enabled": item.shared_runners_enabled,
            "group_runners_enabled": item.group_runners_enabled,
        }
    )
    if policy.maintains_project(store, user, item):
        body["runners_token"] = item.runners_token
    return body


def group(store: Store, item: Group, user: User, base_url: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": item.id,
        "web_url": f"{base_url}/groups/{item.full_path}",
        "name": item.name,
        "path": item.path,
        "description": "",
        "visibility": "private",
        "full_name": " / ".join(_group_names(store, item)),
        "full_path": item.full_path,
        "parent_id": item.parent_id,
        "created_at": iso(item.created_at),
        "shared_runners_setting": item.shared_runners_setting,
    }
    if policy.owns_group(store, user, item):
        body["runners_token"] = item.runners_token
    return body
