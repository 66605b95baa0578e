# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What tests need and GitLab does not have: request counts, fault injection and the /-/sandbox/ hooks.

The hooks are documented in sandbox/gitlab/README.md. They need the admin's token, are not counted and are never
faulted, so that a test can look at the emulator without changing what it measures.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import json
import random
import re
import threading
from collections.abc import Callable
from typing import Any

from sandbox.gitlab import entities, seed
from sandbox.gitlab.model import (
    ACCESS_LEVELS,
    GROUP_TYPE,
    LEGACY_SYSTEM_ID,
    PERSONAL_TOKEN_PREFIX,
    PROJECT_TYPE,
    RUNNER_TYPES,
    TOKEN_SCOPES,
    AccessToken,
    Manager,
    Store,
    new_token,
    utcnow,
)
from sandbox.gitlab.web import ApiError, Request, Response, Route, json_response, no_content

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOG_LENGTH = 10_000
FAULT_KINDS = ("500", "502", "429", "drop", "slow", "after", "after_drop")


class RequestLog:
    """Every /api/v4 request: counts by route template and the last LOG_LENGTH requests, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self.by_route: collections.Counter[str] = collections.Counter()
            self.total = 0
            self.mutating = 0
            self.log: collections.deque[dict] = collections.deque(maxlen=LOG_LENGTH)

    def record(self, method: str, route: str, path: str, status: int) -> None:
        with self._lock:
            self.by_route[f"{method} {route}"] += 1
            self.total += 1
            self.mutating += method in MUTATING_METHODS
            self.log.append({"method": method, "route": route, "path": path, "status": status})

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": self.total,
                "mutating": self.mutating,
                "by_route": dict(self.by_route),
                "log": list(self.log),
            }


@dataclasses.dataclass
class FaultPlan:
    rate: float = 1.0
    kinds: list[str] = dataclasses.field(default_factory=lambda: ["500"])
    methods: list[str] | None = None
    path: str | None = None
    count: int | None = None
    seed: int = 0
    retry_after: int = 1
    delay: float = 0.5


class Faults:
    """Decides, request by request, whether and how to fail (reproducibly: the random source is seeded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.plan: FaultPlan | None = None
        self.injected = 0
        self._random = random.Random(0)  # noqa: S311 (test fault injection, not cryptography)
        self._path: re.Pattern | None = None

    def configure(self, body: dict) -> None:
        plan = FaultPlan(**_only_known(body, FaultPlan))
        if not 0 <= plan.rate <= 1:
            raise _hook_error("rate must be between 0 and 1")
        unknown = [kind for kind in plan.kinds if kind not in FAULT_KINDS]
        if unknown or not plan.kinds:
            raise _hook_error(f"kinds must be a non-empty list of {', '.join(FAULT_KINDS)}; got {plan.kinds}")
        try:
            path = re.compile(plan.path) if plan.path else None
        except re.error as error:
            raise _hook_error(f"path is not a regular expression: {error}") from error
        with self._lock:
            self.plan, self._path, self.injected = plan, path, 0
            self._random = random.Random(plan.seed)  # noqa: S311

    def clear(self) -> None:
        with self._lock:
            self.plan, self._path, self.injected = None, None, 0

    def choose(self, method: str, path: str) -> str | None:
        with self._lock:
            plan = self.plan
            if plan is None or (plan.count is not None and self.injected >= plan.count):
                return None
            if plan.methods and method not in plan.methods:
                return None
            if self._path and not self._path.search(path):
                return None
            if self._random.random() >= plan.rate:
                return None
            self.injected += 1
            return self._random.choice(plan.kinds)

    def describe(self) -> dict:
        with self._lock:
            plan = dataclasses.asdict(self.plan) if self.plan else None
            return {"plan": plan, "injected": self.injected}


def _hook_error(message: str) -> ApiError:
    return ApiError(400, {"error": message})


def _only_known(body: Any, record: type) -> dict:
    if not isinstance(body, dict):
        raise _hook_error("the body must be a JSON object")
    known = {field.name for field in dataclasses.fields(record)}
    unknown = sorted(set(body) - known)
    if unknown:
        raise _hook_error(f"unknown keys {unknown}; allowed: {sorted(known)}")
    return body


def _json_body(request: Request) -> dict:
    if not request.body.strip():
        return {}
    try:
        body = json.loads(request.body)
    except ValueError as error:
        raise _hook_error(f"the body is not JSON: {error}") from error
    if not isinstance(body, dict):
        raise _hook_error("the body must be a JSON object")
    return body


def _check_keys(body: dict, allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _hook_error(f"unknown keys {unknown}; allowed: {sorted(allowed)}")


def _time(value: Any, name: str) -> datetime.datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise _hook_error(f"{name} must be an ISO 8601 time or null") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


@dataclasses.dataclass
class HookContext:
    store: Store
    request: Request
    arguments: dict[str, str]
    requests: RequestLog
    faults: Faults
    admin_token: str

    @property
    def body(self) -> dict:
        return _json_body(self.request)


def reset(ctx: HookContext) -> Response:
    seed.populate(ctx.store, ctx.admin_token)
    ctx.requests.clear()
    ctx.faults.clear()
    return no_content()


def get_requests(ctx: HookContext) -> Response:
    return json_response(200, ctx.requests.snapshot())


def clear_requests(ctx: HookContext) -> Response:
    ctx.requests.clear()
    return no_content()


def mint_token(ctx: HookContext) -> Response:
    body = ctx.body
    _check_keys(body, {"username", "scopes", "expires_at"})
    user = next((user for user in ctx.store.users.values() if user.username == body.get("username")), None)
    if user is None:
        raise _hook_error(f"username must be one of {[user.username for user in ctx.store.users.values()]}")
    scopes = body.get("scopes") or ["api"]
    if not isinstance(scopes, list) or not set(scopes) <= set(TOKEN_SCOPES):
        raise _hook_error(f"scopes must be a list of {', '.join(TOKEN_SCOPES)}")
    token = new_token(PERSONAL_TOKEN_PREFIX)
    ctx.store.tokens[token] = AccessToken(
        token, user.id, frozenset(scopes), _time(body.get("expires_at"), "expires_at")
    )
    return json_response(201, {"token": token})


RUNNER_TEMPLATE_KEYS = {
    "count",
    "runner_type",
    "group_id",
    "project_id",
    "description",
    "tag_list",
    "paused",
    "contacted",
    "locked",
    "run_untagged",
    "access_level",
    "maximum_timeout",
}


def bulk_runners(ctx: HookContext) -> Response:
    body = ctx.body
    _check_keys(body, RUNNER_TEMPLATE_KEYS)
    count = body.pop("count", 1)
    if not isinstance(count, int) or count < 1:
        raise _hook_error("count must be a positive integer")
    runner_type = body.get("runner_type", RUNNER_TYPES[0])
    if runner_type not in RUNNER_TYPES:
        raise _hook_error(f"runner_type must be one of {', '.join(RUNNER_TYPES)}")
    if runner_type == GROUP_TYPE and body.get("group_id") not in ctx.store.groups:
        raise _hook_error(f"a group runner needs group_id, one of {sorted(ctx.store.groups)}")
    if runner_type == PROJECT_TYPE and body.get("project_id") not in ctx.store.projects:
        raise _hook_error(f"a project runner needs project_id, one of {sorted(ctx.store.projects)}")
    if body.get("access_level", ACCESS_LEVELS[0]) not in ACCESS_LEVELS:
        raise _hook_error(f"access_level must be one of {', '.join(ACCESS_LEVELS)}")
    created = seed.add_runners(ctx.store, count, body)
    return json_response(201, {"ids": [runner.id for runner in created]})


def _runner(ctx: HookContext):
    runner = ctx.store.runners.get(int(ctx.arguments["id"])) if ctx.arguments["id"].isdigit() else None
    if runner is None:
        raise ApiError(404, {"message": "404 Runner Not Found"})
    return runner


def patch_runner(ctx: HookContext) -> Response:
    body = ctx.body
    _check_keys(body, {"contacted_at", "created_at", "running_jobs", "managers"})
    runner = _runner(ctx)
    if "contacted_at" in body:
        runner.contacted_at = _time(body["contacted_at"], "contacted_at")
    if "created_at" in body:
        runner.created_at = _time(body["created_at"], "created_at") or runner.created_at
    if "running_jobs" in body:
        runner.running_jobs = int(body["running_jobs"])
    for entry in body.get("managers") or []:
        _check_keys(
            entry, {"system_id", "version", "revision", "platform", "architecture", "ip_address", "contacted_at"}
        )
        manager = next((item for item in runner.managers if item.system_id == entry.get("system_id")), None)
        if manager is None:
            manager = ctx.store.add_manager(runner, str(entry.get("system_id") or LEGACY_SYSTEM_ID), utcnow())
        _update_manager(manager, entry)
    admin = ctx.store.users[seed.ADMIN_ID]
    return json_response(200, entities.runner_details(ctx.store, runner, admin, utcnow(), ctx.request.base_url))


def _update_manager(manager: Manager, entry: dict) -> None:
    for key in ("version", "revision", "platform", "architecture", "ip_address"):
        if key in entry:
            setattr(manager, key, entry[key])
    if "contacted_at" in entry:
        manager.contacted_at = _time(entry["contacted_at"], "contacted_at")


def runner_token(ctx: HookContext) -> Response:
    runner = _runner(ctx)
    return json_response(200, entities.reset_token_result(runner))


SETTINGS_KEYS = {"allow_runner_registration_token", "runner_token_expiration_interval", "version", "revision"}


def settings_body(store: Store) -> dict:
    settings = store.settings
    body = {key: getattr(settings, key) for key in sorted(SETTINGS_KEYS)}
    body["runners_registration_token"] = settings.registration_token
    return body


def get_settings(ctx: HookContext) -> Response:
    return json_response(200, settings_body(ctx.store))


def put_settings(ctx: HookContext) -> Response:
    body = ctx.body
    _check_keys(body, SETTINGS_KEYS)
    interval = body.get("runner_token_expiration_interval")
    if interval is not None and (not isinstance(interval, int) or interval < 1):
        raise _hook_error("runner_token_expiration_interval must be a positive number of seconds or null")
    for key, value in body.items():
        setattr(ctx.store.settings, key, value)
    return json_response(200, settings_body(ctx.store))


def _patch(record: Any, body: dict, allowed: dict[str, Callable[[Any], bool]]) -> Response:
    """Set the given attributes of a group or project; `allowed` maps each settable key to its value check."""
    _check_keys(body, set(allowed))
    for key, value in body.items():
        if not allowed[key](value):
            raise _hook_error(f"{key} has a value not allowed: {value!r}")
        setattr(record, key, value)
    return json_response(200, {"id": record.id, **body})


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def patch_group(ctx: HookContext) -> Response:
    group = ctx.store.find_group(ctx.arguments["id"])
    if group is None:
        raise ApiError(404, {"message": "404 Group Not Found"})
    settings = {
        "allow_runner_registration_token": _is_bool,
        "shared_runners_setting": lambda value: value in ("enabled", "disabled_and_unoverridable"),
    }
    return _patch(group, ctx.body, settings)


def patch_project(ctx: HookContext) -> Response:
    project = ctx.store.find_project(ctx.arguments["id"])
    if project is None:
        raise ApiError(404, {"message": "404 Project Not Found"})
    return _patch(project, ctx.body, {"shared_runners_enabled": _is_bool, "group_runners_enabled": _is_bool})


def get_faults(ctx: HookContext) -> Response:
    return json_response(200, ctx.faults.describe())


def put_faults(ctx: HookContext) -> Response:
    ctx.faults.configure(ctx.body)
    return json_response(200, ctx.faults.describe())


def clear_faults(ctx: HookContext) -> Response:
    ctx.faults.clear()
    return no_content()


PREFIX = "/-/sandbox"
HOOKS: list[Route] = [
    Route("POST", f"{PREFIX}/reset", reset),
    Route("GET", f"{PREFIX}/requests", get_requests),
    Route("DELETE", f"{PREFIX}/requests", clear_requests),
    Route("POST", f"{PREFIX}/tokens", mint_token),
    Route("POST", f"{PREFIX}/runners", bulk_runners),
    Route("PATCH", f"{PREFIX}/runners/:id", patch_runner),
    Route("GET", f"{PREFIX}/runners/:id/token", runner_token),
    Route("GET", f"{PREFIX}/settings", get_settings),
    Route("PUT", f"{PREFIX}/settings", put_settings),
    Route("PATCH", f"{PREFIX}/groups/:id", patch_group),
    Route("PATCH", f"{PREFIX}/projects/:id", patch_project),
    Route("GET", f"{PREFIX}/faults", get_faults),
    Route("PUT", f"{PREFIX}/faults", put_faults),
    Route("DELETE", f"{PREFIX}/faults", clear_faults),
]


def handle(ctx: HookContext, handler: Callable[[HookContext], Response]) -> Response:
    with ctx.store.lock:
        found = ctx.store.user_for_token(ctx.request.headers.get("PRIVATE-TOKEN") or "")
        if found is None or not found[0].is_admin:
            return json_response(401, {"message": "401 Unauthorized"})
        try:
            return handler(ctx)
        except ApiError as error:
            return error.response
