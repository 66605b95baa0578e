# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's records and the runner model's rules (contract §2 and §7).

One Store holds everything behind one lock: the server is threaded, and a lock around each request keeps the
model consistent without per-record locking. Records use slots so that 10,000 runners stay small.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
import threading
from collections.abc import Iterator

GUEST, REPORTER, DEVELOPER, MAINTAINER, OWNER = 10, 20, 30, 40, 50

INSTANCE_TYPE, GROUP_TYPE, PROJECT_TYPE = "instance_type", "group_type", "project_type"
RUNNER_TYPES = (INSTANCE_TYPE, GROUP_TYPE, PROJECT_TYPE)
ACCESS_LEVELS = ("not_protected", "ref_protected")
STATUS_FILTERS = ("online", "offline", "never_contacted", "stale", "active", "paused")
LEGACY_SCOPES = ("specific", "shared")
AVAILABLE_SCOPES = (*LEGACY_SCOPES, *RUNNER_TYPES, *STATUS_FILTERS)
TOKEN_SCOPES = ("api", "read_api", "read_user", "create_runner", "manage_runner")

ONLINE_CONTACT_TIMEOUT = datetime.timedelta(hours=2)  # §2.4 (1 h in GitLab <= 15.x)
STALE_TIMEOUT = datetime.timedelta(days=7)
TEXT_MAX_LENGTH = 1024  # description and maintenance_note, §2.2
TAG_LIST_MAX_LENGTH = 50
MINIMUM_TIMEOUT_SECONDS = 600

REGISTRATION_TOKEN_PREFIX = "GR1348941"  # noqa: S105 (a public prefix, not a secret)
CREATED_RUNNER_TOKEN_PREFIX = "glrt-"  # noqa: S105 (a public prefix, not a secret)
REGISTERED_RUNNER_TOKEN_PREFIX = "glrtr-"  # noqa: S105 (a public prefix, not a secret)
PERSONAL_TOKEN_PREFIX = "glpat-"  # noqa: S105 (a public prefix, not a secret)
LEGACY_SYSTEM_ID = "<legacy>"

# Rails' human attribute names, for full messages ("Tags list can not be empty ...").
HUMAN_ATTRIBUTE = {
    "tags_list": "Tags list",
    "maximum_timeout": "Maximum timeout",
    "description": "Description",
    "maintenance_note": "Maintenance note",
}


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(15)  # 20 URL-safe characters


@dataclasses.dataclass(slots=True)
class User:
    id: int
    username: str
    name: str
    is_admin: bool
    created_at: datetime.datetime
    state: str = "active"


@dataclasses.dataclass(slots=True)
class AccessToken:
    token: str
    user_id: int
    scopes: frozenset[str]
    expires_at: datetime.datetime | None = None


@dataclasses.dataclass(slots=True)
class Group:
    id: int
    name: str
    path: str
    full_path: str
    parent_id: int | None
    created_at: datetime.datetime
    runners_token: str
    members: dict[int, int] = dataclasses.field(default_factory=dict)
    allow_runner_registration_token: bool = True
    shared_runners_setting: str = "enabled"

    @property
    def shared_runners_enabled(self) -> bool:
        return self.shared_runners_setting == "enabled"


@dataclasses.dataclass(slots=True)
class Project:
    id: int
    name: str
    path: str
    namespace_id: int
    path_with_namespace: str
    created_at: datetime.datetime
    runners_token: str
    members: dict[int, int] = dataclasses.field(default_factory=dict)
    shared_runners_enabled: bool = True
    group_runners_enabled: bool = True


@dataclasses.dataclass(slots=True)
class Manager:
    id: int
    system_id: str
    created_at: datetime.datetime
    contacted_at: datetime.datetime | None = None
    version: str | None = None
    revision: str | None = None
    platform: str | None = None
    architecture: str | None = None
    ip_address: str | None = None


@dataclasses.dataclass(slots=True)
class Runner:
    id: int
    runner_type: str
    token: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    registration_type: str
    creator_id: int | None = None
    description: str | None = None
    name: str | None = None
    active: bool = True
    locked: bool = False
    run_untagged: bool = True
    access_level: str = "not_protected"
    maximum_timeout: int | None = None
    maintenance_note: str | None = None
    tag_list: list[str] = dataclasses.field(default_factory=list)
    token_expires_at: datetime.datetime | None = None
    contacted_at: datetime.datetime | None = None
    creation_state: str = "started"
    project_ids: list[int] = dataclasses.field(default_factory=list)  # the first is the owner project (§2.3)
    group_id: int | None = None
    managers: list[Manager] = dataclasses.field(default_factory=list)
    running_jobs: int = 0

    # §2.4: derived values
    def online(self, now: datetime.datetime) -> bool | None:
        if self.contacted_at is None:
            return None
        return self.contacted_at > now - ONLINE_CONTACT_TIMEOUT

    def stale(self, now: datetime.datetime) -> bool:
        last_seen = max(self.created_at, self.contacted_at) if self.contacted_at else self.created_at
        return last_seen <= now - STALE_TIMEOUT

    def status(self, now: datetime.datetime) -> str:
        if self.stale(now):
            return "stale"
        if self.contacted_at is None:
            return "never_contacted"
        if self.active:
            return "online" if self.online(now) else "offline"
        return "paused"

    def matches_status(self, status: str, now: datetime.datetime) -> bool:
        """The status filters' semantics, which differ from the `status` field (§2.4)."""
        if status == "online":
            return self.contacted_at is not None and self.contacted_at > now - ONLINE_CONTACT_TIMEOUT
        if status == "offline":
            return self.contacted_at is not None and self.contacted_at <= now - ONLINE_CONTACT_TIMEOUT
        if status == "never_contacted":
            return self.contacted_at is None
        if status == "stale":
            return self.stale(now)
        if status == "active":
            return self.active
        return not self.active  # paused

    def latest_manager(self) -> Manager | None:
        contacted = [manager for manager in self.managers if manager.contacted_at]
        return max(contacted, key=lambda manager: manager.contacted_at) if contacted else None

    def token_valid(self, token: str, now: datetime.datetime) -> bool:
        return secrets.compare_digest(self.token, token) and (
            self.token_expires_at is None or self.token_expires_at > now
        )


@dataclasses.dataclass(slots=True)
class Settings:
    """Instance-wide settings a test can change (PUT /-/sandbox/settings)."""

    registration_token: str
    allow_runner_registration_token: bool = False  # disabled by default since GitLab 17.0
    runner_token_expiration_interval: int | None = None  # seconds
    version: str = "18.6.0"
    revision: str = "5f3a4a1e2c9"


def validate_runner(runner: Runner, tags_changed: bool, changed: set[str]) -> dict[str, list[str]]:
    """The model validations of §2.2, as {attribute: [message, ...]}; empty when the runner is valid."""
    errors: dict[str, list[str]] = {}
    if not runner.run_untagged and not runner.tag_list:
        errors.setdefault("tags_list", []).append("can not be empty when runner is not allowed to pick untagged jobs")
    if tags_changed and len(runner.tag_list) > TAG_LIST_MAX_LENGTH:
        errors.setdefault("tags_list", []).append(
            f"Too many tags specified. Please limit the number of tags to {TAG_LIST_MAX_LENGTH}"
        )
    if runner.maximum_timeout is not None and runner.maximum_timeout < MINIMUM_TIMEOUT_SECONDS:
        errors.setdefault("maximum_timeout", []).append("needs to be at least 10 minutes")
    for attribute in ("description", "maintenance_note"):
        value = getattr(runner, attribute)
        if attribute in changed and value is not None and len(value) > TEXT_MAX_LENGTH:
            errors.setdefault(attribute, []).append(f"is too long (maximum is {TEXT_MAX_LENGTH} characters)")
    return errors


def full_messages_sentence(errors: dict[str, list[str]]) -> str:
    """Rails' errors.full_messages.to_sentence."""
    messages = [
        f"{HUMAN_ATTRIBUTE.get(attribute, attribute)} {text}" for attribute, texts in errors.items() for text in texts
    ]
    if len(messages) <= 1:
        return "".join(messages)
    return ", ".join(messages[:-1]) + " and " + messages[-1]


class Store:
    """All of the emulator's state. Callers hold `lock` for the whole of a request."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[int, User] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.groups: dict[int, Group] = {}
        self.projects: dict[int, Project] = {}
        self.runners: dict[int, Runner] = {}  # insertion order is id order: ids only grow
        self.runner_ids_by_token: dict[str, int] = {}
        self.settings = Settings(registration_token=new_token(REGISTRATION_TOKEN_PREFIX))
        self.reset_counters()

    def reset_counters(self) -> None:
        self._next_runner_id = 1
        self._next_manager_id = 1

    # --- lookups -------------------------------------------------------------------------------------------
    def user_for_token(self, token: str) -> tuple[User, AccessToken] | None:
        access = self.tokens.get(token)
        if access is None:
            return None
        return self.users[access.user_id], access

    def find_group(self, key: str) -> Group | None:
        """By numeric id or full path (§C)."""
        if key.isdigit():
            return self.groups.get(int(key))
        return next((group for group in self.groups.values() if group.full_path == key), None)

    def find_project(self, key: str) -> Project | None:
        if key.isdigit():
            return self.projects.get(int(key))
        return next((project for project in self.projects.values() if project.path_with_namespace == key), None)

    def group_chain(self, group_id: int | None) -> Iterator[Group]:
        """The group and its ancestors, nearest first."""
        while group_id is not None:
            group = self.groups[group_id]
            yield group
            group_id = group.parent_id

    def top_level_group(self, group_id: int) -> Group:
        return list(self.group_chain(group_id))[-1]

    def is_descendant_group(self, group: Group, ancestor_id: int) -> bool:
        return any(item.id == ancestor_id for item in self.group_chain(group.id))

    def runner_for_token(self, token: str, now: datetime.datetime) -> Runner | None:
        runner_id = self.runner_ids_by_token.get(token)
        runner = self.runners.get(runner_id) if runner_id else None
        return runner if runner and runner.token_valid(token, now) else None

    # --- access levels (inherited from ancestor groups) -----------------------------------------------------
    def group_access(self, user: User, group: Group) -> int:
        return max((item.members.get(user.id, 0) for item in self.group_chain(group.id)), default=0)

    def project_access(self, user: User, project: Project) -> int:
        return max(project.members.get(user.id, 0), self.group_access(user, self.groups[project.namespace_id]))

    def can_see_group(self, user: User | None, group: Group) -> bool:
        """Private groups are visible to admins, members (inherited) and members of a project inside them."""
        if user is None:
            return False
        if user.is_admin or self.group_access(user, group) > 0:
            return True
        return any(
            project.members.get(user.id, 0) > 0
            and self.is_descendant_group(self.groups[project.namespace_id], group.id)
            for project in self.projects.values()
        )

    def can_see_project(self, user: User | None, project: Project) -> bool:
        return user is not None and (user.is_admin or self.project_access(user, project) > 0)

    # --- runners --------------------------------------------------------------------------------------------
    def token_expiry(self, now: datetime.datetime) -> datetime.datetime | None:
        interval = self.settings.runner_token_expiration_interval
        return now + datetime.timedelta(seconds=interval) if interval else None

    def add_runner(self, runner_type: str, registration_type: str, now: datetime.datetime, **fields) -> Runner:
        prefix = (
            CREATED_RUNNER_TOKEN_PREFIX if registration_type == "authenticated_user" else REGISTERED_RUNNER_TOKEN_PREFIX
        )
        runner = Runner(
            id=self._next_runner_id,
            runner_type=runner_type,
            token=new_token(prefix),
            created_at=now,
            updated_at=now,
            registration_type=registration_type,
            token_expires_at=self.token_expiry(now),
            **fields,
        )
        self._next_runner_id += 1
        self.runners[runner.id] = runner
        self.runner_ids_by_token[runner.token] = runner.id
        return runner

    def rotate_token(self, runner: Runner, now: datetime.datetime) -> None:
        self.runner_ids_by_token.pop(runner.token, None)
        prefix = runner.token[: runner.token.index("-") + 1] if "-" in runner.token else CREATED_RUNNER_TOKEN_PREFIX
        runner.token = new_token(prefix)
        runner.token_expires_at = self.token_expiry(now)
        self.runner_ids_by_token[runner.token] = runner.id

    def delete_runner(self, runner: Runner) -> None:
        self.runner_ids_by_token.pop(runner.token, None)
        del self.runners[runner.id]

    def heartbeat(self, runner: Runner, system_id: str | None, now: datetime.datetime) -> None:
        """What verify and reset_authentication_token do to a runner (§4.19, §4.20)."""
        runner.contacted_at = now
        runner.creation_state = "finished"
        system_id = system_id or LEGACY_SYSTEM_ID
        manager = next((item for item in runner.managers if item.system_id == system_id), None)
        if manager is None:
            manager = self.add_manager(runner, system_id, now)
        manager.contacted_at = now

    def add_manager(self, runner: Runner, system_id: str, now: datetime.datetime) -> Manager:
        manager = Manager(id=self._next_manager_id, system_id=system_id, created_at=now)
        self._next_manager_id += 1
        runner.managers.append(manager)
        return manager
