# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GitLab's runner REST API (contract §4), on top of the model, the policy and the entities.

Each handler follows GitLab's order of checks: authentication (and the token's scope), then Grape's parameter
validation, then lookups (404), then permissions (403), then the model's validations (400), then the change.
"""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import re
import zlib
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl, urlencode

from sandbox.gitlab import entities, policy
from sandbox.gitlab.model import (
    ACCESS_LEVELS,
    AVAILABLE_SCOPES,
    GROUP_TYPE,
    INSTANCE_TYPE,
    MAINTAINER,
    OWNER,
    PROJECT_TYPE,
    REGISTRATION_TOKEN_PREFIX,
    RUNNER_TYPES,
    STATUS_FILTERS,
    AccessToken,
    Group,
    Project,
    Runner,
    Store,
    User,
    full_messages_sentence,
    new_token,
    utcnow,
    validate_runner,
)
from sandbox.gitlab.params import Declared, ParamError
from sandbox.gitlab.policy import ScopeClass, ScopeVerdict
from sandbox.gitlab.web import (
    ApiError,
    Request,
    Response,
    Route,
    bad_request,
    forbidden,
    json_response,
    no_content,
    not_found,
    param_error,
    unauthorized,
    validation_error,
)

API = "/api/v4"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100  # Kaminari's max_per_page: larger values are capped, not refused (§1.5)
COUNT_LIMIT = 10_000  # above it GitLab stops counting: no X-Total, X-Total-Pages or rel="last"
UPDATABLE = (
    "description",
    "active",
    "paused",
    "tag_list",
    "run_untagged",
    "locked",
    "access_level",
    "maximum_timeout",
    "maintenance_note",
)
INSUFFICIENT_SCOPE_DESCRIPTION = "The request requires higher privileges than provided by the access token."
VERSION_PREFIX = re.compile(r"^[\d+.]+")


@dataclasses.dataclass
class Context:
    store: Store
    request: Request
    arguments: dict[str, str]
    now: datetime.datetime
    user: User | None = None

    @property
    def params(self) -> dict:
        return {**self.request.params, **self.arguments}

    @property
    def base_url(self) -> str:
        return self.request.base_url

    def declared(self) -> Declared:
        return Declared(self.params)

    def signed_in(self) -> User:
        if self.user is None:  # routes with a scope always authenticate first: this is a routing bug
            raise RuntimeError("a signed-in user was needed on a route that does not authenticate")
        return self.user


# --- authentication (§1.2) ----------------------------------------------------------------------------------
def presented_token(request: Request) -> str | None:
    """PRIVATE-TOKEN, private_token or Authorization: Bearer. A JOB-TOKEN is not accepted here: anonymous."""
    token = request.headers.get("PRIVATE-TOKEN")
    if token:
        return token
    authorization = request.headers.get("Authorization") or ""
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    token = request.params.get("private_token") or request.params.get("access_token")
    return token if isinstance(token, str) and token else None


def presented_access(ctx: Context) -> tuple[User, AccessToken]:
    """The user and the live access token the request presents; 401 otherwise."""
    token = presented_token(ctx.request)
    found = ctx.store.user_for_token(token) if token else None
    if found is None:
        raise unauthorized()
    _check_token_alive(found[1], ctx.now)
    return found


def authenticate(ctx: Context, scope_class: ScopeClass) -> None:
    user, access = presented_access(ctx)
    verdict = policy.check_scope(access, scope_class)
    if verdict is ScopeVerdict.UNUSABLE:
        raise unauthorized()
    if verdict is ScopeVerdict.INSUFFICIENT:
        allowed = " ".join(policy.ALLOWED_SCOPES[scope_class])
        body = {"error": "insufficient_scope", "error_description": INSUFFICIENT_SCOPE_DESCRIPTION, "scope": allowed}
        raise ApiError(403, body)
    ctx.user = user


def _check_token_alive(access: AccessToken, now: datetime.datetime) -> None:
    if access.expires_at is not None and access.expires_at <= now:
        raise ApiError(401, {"error": "invalid_token", "error_description": "Token has expired."})


# --- shared lookups ---------------------------------------------------------------------------------------
def find_project(ctx: Context, key: str) -> Project:
    project = ctx.store.find_project(key)
    if project is None or not ctx.store.can_see_project(ctx.user, project):
        raise not_found("Project")
    return project


def find_group(ctx: Context, key: str) -> Group:
    group = ctx.store.find_group(key)
    if group is None or not ctx.store.can_see_group(ctx.user, group):
        raise not_found("Group")
    return group


def runner_id_argument(ctx: Context, name: str = "id") -> int:
    declared = ctx.declared()
    declared.integer(name, required=True)
    return checked(declared)[name]


def find_runner(ctx: Context, runner_id: int) -> Runner:
    runner = ctx.store.runners.get(runner_id)
    if runner is None:
        raise not_found("Runner")
    return runner


def checked(declared: Declared) -> dict:
    try:
        return declared.check()
    except ParamError as error:
        raise param_error(error) from error


# --- pagination (§1.5) ------------------------------------------------------------------------------------
def declare_pagination(declared: Declared) -> None:
    declared.integer("page")
    declared.integer("per_page")
    page, per_page = declared.values.get("page"), declared.values.get("per_page")
    if page is not None and page <= 0:
        declared.errors.append("page does not have a valid value")
    if per_page == 0:
        declared.errors.append("per_page has a value not allowed")
    elif per_page is not None and per_page < 0:
        declared.errors.append("per_page does not have a valid value")


def paginated(ctx: Context, items: list, render: Callable) -> Response:
    values = ctx.declared()
    declare_pagination(values)
    page_number = checked(values).get("page") or 1
    per_page = min(values.values.get("per_page") or DEFAULT_PER_PAGE, MAX_PER_PAGE)
    total = len(items)
    total_pages = max(1, -(-total // per_page))
    start = (page_number - 1) * per_page
    chunk = items[start : start + per_page]
    has_next = start + per_page < total
    has_prev = page_number > 1
    headers = [
        ("X-Per-Page", str(per_page)),
        ("X-Page", str(page_number)),
        ("X-Next-Page", str(page_number + 1) if has_next else ""),
        ("X-Prev-Page", str(page_number - 1) if has_prev else ""),
    ]
    counted = total <= COUNT_LIMIT
    if counted:
        headers += [("X-Total", str(total)), ("X-Total-Pages", str(total_pages))]
    links = []
    if has_prev:
        links.append(f'<{page_link(ctx.request, page_number - 1, per_page)}>; rel="prev"')
    if has_next:
        links.append(f'<{page_link(ctx.request, page_number + 1, per_page)}>; rel="next"')
    links.append(f'<{page_link(ctx.request, 1, per_page)}>; rel="first"')
    if counted:
        links.append(f'<{page_link(ctx.request, total_pages, per_page)}>; rel="last"')
    headers.append(("Link", ", ".join(links)))
    return json_response(200, [render(item) for item in chunk], headers)


def page_link(request: Request, page: int, per_page: int) -> str:
    """The request's own URL, every query parameter kept, page and per_page set (python-gitlab follows it)."""
    kept = [
        (key, value)
        for key, value in parse_qsl(request.query, keep_blank_values=True)
        if key not in ("page", "per_page")
    ]
    query = urlencode([*kept, ("page", str(page)), ("per_page", str(per_page))])
    return f"{request.base_url}{request.path}?{query}"


# --- runner lists (§4.1, 4.2, 4.10, 4.13) ------------------------------------------------------------------
@dataclasses.dataclass
class RunnerFilters:
    scope: str | None = None
    runner_type: str | None = None
    status: str | None = None
    paused: bool | None = None
    tags: list[str] = dataclasses.field(default_factory=list)
    version_prefix: str | None = None

    def keeps(self, runner: Runner, now: datetime.datetime) -> bool:
        if self.scope and not _in_scope(runner, self.scope, now):
            return False
        if self.runner_type and runner.runner_type != self.runner_type:
            return False
        if self.status and not runner.matches_status(self.status, now):
            return False
        if self.paused is not None and runner.active == self.paused:
            return False
        if self.tags and not set(self.tags) <= set(runner.tag_list):
            return False
        return not self.version_prefix or any(
            (manager.version or "").startswith(self.version_prefix) for manager in runner.managers
        )


def _in_scope(runner: Runner, scope: str, now: datetime.datetime) -> bool:
    if scope == "shared":
        return runner.runner_type == INSTANCE_TYPE
    if scope == "specific":
        return runner.runner_type != INSTANCE_TYPE
    if scope in RUNNER_TYPES:
        return runner.runner_type == scope
    return runner.matches_status(scope, now)


def list_filters(ctx: Context, scope_allowed: Iterable[str] | None) -> RunnerFilters:
    """The list parameters; scope_allowed None means the endpoint has no scope parameter (it is ignored)."""
    declared = ctx.declared()
    if scope_allowed is not None:
        declared.choice("scope", AVAILABLE_SCOPES)
    declared.choice("type", RUNNER_TYPES)
    declared.choice("status", STATUS_FILTERS)
    declared.boolean("paused")
    declared.tag_list("tag_list")
    declared.string("version_prefix")
    prefix = declared.values.get("version_prefix")
    if prefix is not None and not VERSION_PREFIX.match(prefix):
        declared.errors.append("version_prefix is invalid")
    declare_pagination(declared)
    values = checked(declared)
    scope = values.get("scope")
    if scope is not None and scope not in set(scope_allowed or ()):
        raise ApiError(400, {"message": "Scope contains invalid value"})
    return RunnerFilters(
        scope=scope,
        runner_type=values.get("type"),
        status=values.get("status"),
        paused=values.get("paused"),
        tags=values.get("tag_list") or [],
        version_prefix=prefix,
    )


def runner_list(ctx: Context, candidates: Iterable[Runner], filters: RunnerFilters) -> Response:
    kept = [runner for runner in candidates if filters.keeps(runner, ctx.now)]
    return paginated(ctx, kept, lambda runner: entities.runner(ctx.store, runner, ctx.now, ctx.base_url))


def get_runners(ctx: Context) -> Response:
    """§4.1: project runners of projects the user maintains, group runners of groups the user owns."""
    filters = list_filters(ctx, STATUS_FILTERS)
    user, store = ctx.signed_in(), ctx.store
    maintained = {pid for pid, project in store.projects.items() if store.project_access(user, project) >= MAINTAINER}
    owned = {gid for gid, group in store.groups.items() if store.group_access(user, group) >= OWNER}
    available = (
        runner
        for runner in store.runners.values()
        if (runner.runner_type == PROJECT_TYPE and maintained.intersection(runner.project_ids))
        or (runner.runner_type == GROUP_TYPE and runner.group_id in owned)
    )
    return runner_list(ctx, available, filters)


def get_all_runners(ctx: Context) -> Response:
    """§4.2: every runner; administrators only."""
    filters = list_filters(ctx, AVAILABLE_SCOPES)
    if not ctx.signed_in().is_admin:
        raise forbidden()
    return runner_list(ctx, ctx.store.runners.values(), filters)


def get_project_runners(ctx: Context) -> Response:
    """§4.10: the project's runners, its ancestor groups' (when enabled) and the instance's (when enabled)."""
    filters = list_filters(ctx, AVAILABLE_SCOPES)
    project = find_project(ctx, ctx.arguments["id"])
    if not policy.maintains_project(ctx.store, ctx.signed_in(), project):
        raise forbidden()
    ancestors = {group.id for group in ctx.store.group_chain(project.namespace_id)}

    def available(runner: Runner) -> bool:
        if runner.runner_type == PROJECT_TYPE:
            return project.id in runner.project_ids
        if runner.runner_type == GROUP_TYPE:
            return project.group_runners_enabled and runner.group_id in ancestors
        return project.shared_runners_enabled

    return runner_list(ctx, filter(available, ctx.store.runners.values()), filters)


def get_group_runners(ctx: Context) -> Response:
    """§4.13: the group's and its ancestors' runners (not descendants'), and the instance's when allowed."""
    filters = list_filters(ctx, None)
    group = find_group(ctx, ctx.arguments["id"])
    if not policy.maintains_group(ctx.store, ctx.signed_in(), group):
        raise forbidden()
    chain = {item.id for item in ctx.store.group_chain(group.id)}

    def available(runner: Runner) -> bool:
        if runner.runner_type == GROUP_TYPE:
            return runner.group_id in chain
        return runner.runner_type == INSTANCE_TYPE and group.shared_runners_enabled

    return runner_list(ctx, filter(available, ctx.store.runners.values()), filters)


# --- one runner (§4.3 to 4.8) -----------------------------------------------------------------------------
def permitted_runner(ctx: Context, runner_id: int, allowed: Callable[[Store, User, Runner], bool]) -> Runner:
    """The runner, when it exists (else 404) and the caller may act on it (else 403)."""
    runner = find_runner(ctx, runner_id)
    if not allowed(ctx.store, ctx.signed_in(), runner):
        raise forbidden(policy.NO_ACCESS)
    return runner


def readable_runner(ctx: Context) -> Runner:
    """The runner named by :id, for the endpoints that take no other parameter."""
    return permitted_runner(ctx, runner_id_argument(ctx), policy.can_read_runner)


def details(ctx: Context, runner: Runner) -> dict:
    return entities.runner_details(ctx.store, runner, ctx.signed_in(), ctx.now, ctx.base_url)


def get_runner(ctx: Context) -> Response:
    declared = ctx.declared()
    declared.integer("id", required=True)
    declared.boolean("include_projects")
    values = checked(declared)
    body = details(ctx, permitted_runner(ctx, values["id"], policy.can_read_runner))
    if not values.get("include_projects", True):
        del body["projects"]  # §3.2: the key is exposed only when include_projects is true
    return json_response(200, body)


def put_runner(ctx: Context) -> Response:
    """§4.4: update; the model errors come back as an attribute hash."""
    declared = ctx.declared()
    declared.integer("id", required=True)
    declared.string("description")
    declared.boolean("active")
    declared.boolean("paused")
    declared.tag_list("tag_list")
    declared.boolean("run_untagged")
    declared.boolean("locked")
    declared.choice("access_level", ACCESS_LEVELS)
    declared.integer("maximum_timeout", allow_null=True)
    declared.string("maintenance_note")
    declared.at_least_one_of(*UPDATABLE)
    declared.mutually_exclusive("active", "paused")
    values = checked(declared)
    runner = permitted_runner(ctx, values.pop("id"), policy.can_update_runner)
    updated = apply_attributes(runner, values)
    errors = validate_runner(updated, set(updated.tag_list) != set(runner.tag_list), changed_fields(runner, updated))
    if errors:
        raise validation_error(errors)
    if changed_fields(runner, updated):
        updated.updated_at = ctx.now
    ctx.store.runners[runner.id] = updated
    return json_response(200, details(ctx, updated))


def apply_attributes(runner: Runner, values: dict) -> Runner:
    """A copy of the runner with the given attributes; `paused` is stored as active = not paused (§2.4)."""
    changes = {key: value for key, value in values.items() if key not in ("paused", "active")}
    if "paused" in values:
        changes["active"] = not values["paused"]
    elif "active" in values:
        changes["active"] = values["active"]
    return dataclasses.replace(runner, **changes)


def changed_fields(before: Runner, after: Runner) -> set[str]:
    names = ("description", "active", "tag_list", "run_untagged", "locked", "access_level", "maximum_timeout")
    changed = {name for name in names if getattr(before, name) != getattr(after, name)}
    if before.maintenance_note != after.maintenance_note:
        changed.add("maintenance_note")
    return changed


def delete_runner(ctx: Context) -> Response:
    """§4.5: 204; 412 when If-Unmodified-Since predates the runner's last update."""
    runner = find_runner(ctx, runner_id_argument(ctx))
    refusal = policy.delete_refusal(ctx.store, ctx.signed_in(), runner)
    if refusal is not None:
        raise forbidden(refusal)
    check_unmodified_since(ctx.request, runner)
    ctx.store.delete_runner(runner)
    return no_content()


def check_unmodified_since(request: Request, runner: Runner) -> None:
    header = request.headers.get("If-Unmodified-Since")
    if not header:
        return
    try:
        since = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return  # an unparsable date is ignored, as Rails does
    if since.tzinfo is None:
        since = since.replace(tzinfo=datetime.UTC)
    if runner.updated_at.replace(microsecond=0) > since:
        raise ApiError(412, {"message": "412 Precondition Failed"})


def reset_runner_token(ctx: Context) -> Response:
    """§4.6: a new authentication token; the old one stops working at once."""
    runner = permitted_runner(ctx, runner_id_argument(ctx), policy.can_update_runner)
    ctx.store.rotate_token(runner, ctx.now)
    return json_response(201, entities.reset_token_result(runner))


def get_runner_managers(ctx: Context) -> Response:
    """§4.7: the whole array, not paginated."""
    runner = readable_runner(ctx)
    return json_response(200, [entities.manager(item, runner, ctx.now) for item in runner.managers])


def get_runner_projects(ctx: Context) -> Response:
    """§4.8: the runner's projects the caller may see, paginated."""
    runner = readable_runner(ctx)
    user = ctx.signed_in()
    visible = [ctx.store.projects[pid] for pid in sorted(runner.project_ids)]
    visible = [project for project in visible if ctx.store.can_see_project(user, project)]
    return paginated(ctx, visible, lambda project: entities.basic_project(project, ctx.store, ctx.base_url))


# --- project assignment (§4.11, 4.12) ----------------------------------------------------------------------
def assign_runner(ctx: Context) -> Response:
    declared = ctx.declared()
    declared.integer("runner_id", required=True)
    runner_id = checked(declared)["runner_id"]
    project = find_project(ctx, ctx.arguments["id"])
    user = ctx.signed_in()
    if not policy.maintains_project(ctx.store, user, project):
        raise forbidden()
    runner = find_runner(ctx, runner_id)
    refusal = policy.assign_refusal(ctx.store, user, runner)
    if refusal is not None:
        raise forbidden(refusal)
    if runner.runner_type == INSTANCE_TYPE:
        raise bad_request("Transitioning an instance runner to a project runner is not supported")
    if project.id in runner.project_ids:
        raise ApiError(400, {"message": "Assign to Runner has already been taken - runner_error"})
    runner.project_ids.append(project.id)
    runner.updated_at = ctx.now
    return json_response(201, entities.runner(ctx.store, runner, ctx.now, ctx.base_url))


def unassign_runner(ctx: Context) -> Response:
    declared = ctx.declared()
    declared.integer("runner_id", required=True)
    runner_id = checked(declared)["runner_id"]
    project = find_project(ctx, ctx.arguments["id"])
    runner = ctx.store.runners.get(runner_id)
    if runner is None or project.id not in runner.project_ids:
        raise not_found("Runner")
    refusal = policy.unassign_refusal(ctx.store, ctx.signed_in(), runner, project)
    if refusal is not None:
        raise forbidden(refusal)
    check_unmodified_since(ctx.request, runner)
    runner.project_ids.remove(project.id)
    runner.updated_at = ctx.now
    return no_content()


# --- creation (§4.14, §4.16) --------------------------------------------------------------------------------
def declare_runner_attributes(declared: Declared) -> None:
    declared.string("description")
    declared.string("maintenance_note")
    declared.boolean("paused")
    declared.boolean("locked")
    declared.boolean("run_untagged")
    declared.tag_list("tag_list")
    declared.choice("access_level", ACCESS_LEVELS)
    declared.integer("maximum_timeout")


def new_runner_fields(values: dict) -> dict:
    fields = {
        key: values[key]
        for key in (
            "description",
            "maintenance_note",
            "locked",
            "run_untagged",
            "tag_list",
            "access_level",
            "maximum_timeout",
        )
        if key in values
    }
    if "paused" in values:
        fields["active"] = not values["paused"]
    elif "active" in values:
        fields["active"] = values["active"]
    return fields


def create_user_runner(ctx: Context) -> Response:
    """§4.14 POST /user/runners: always a new runner; the token is shown here and never again."""
    declared = ctx.declared()
    declared.choice("runner_type", RUNNER_TYPES, required=True)
    runner_type = declared.values.get("runner_type")
    declared.integer("group_id", required=runner_type == GROUP_TYPE)
    declared.integer("project_id", required=runner_type == PROJECT_TYPE)
    declare_runner_attributes(declared)
    values = checked(declared)
    user = ctx.signed_in()
    owner: Group | Project | None = None
    if runner_type == GROUP_TYPE:
        owner = ctx.store.groups.get(values["group_id"])
        if owner is None:
            raise bad_request("Missing/invalid group")
    elif runner_type == PROJECT_TYPE:
        owner = ctx.store.projects.get(values["project_id"])
        if owner is None:
            raise bad_request("Missing/invalid project")
    if not policy.can_create_runner(ctx.store, user, runner_type, owner):
        raise forbidden("Insufficient permissions")
    candidate = Runner(id=0, runner_type=runner_type, token="", created_at=ctx.now, updated_at=ctx.now,
                       registration_type="authenticated_user", **new_runner_fields(values))  # fmt: skip
    errors = validate_runner(candidate, tags_changed=True, changed={"description", "maintenance_note"})
    if errors:
        raise bad_request(full_messages_sentence(errors))
    runner = ctx.store.add_runner(
        runner_type,
        "authenticated_user",
        ctx.now,
        creator_id=user.id,
        project_ids=[owner.id] if isinstance(owner, Project) else [],
        group_id=owner.id if isinstance(owner, Group) else None,
        **new_runner_fields(values),
    )
    return json_response(201, entities.registration_details(runner))


def register_runner(ctx: Context) -> Response:
    """§4.16 legacy POST /runners with a registration token (410 when registration tokens are disallowed)."""
    declared = ctx.declared()
    declared.string("token", required=True)
    declared.mutually_exclusive("maintenance_note", "maintainer_note")
    declared.mutually_exclusive("active", "paused")
    declare_runner_attributes(declared)
    declared.boolean("active")
    declared.string("maintainer_note")
    values = checked(declared)
    if "maintainer_note" in values:
        values["maintenance_note"] = values.pop("maintainer_note")
    info = ctx.params.get("info") if isinstance(ctx.params.get("info"), dict) else {}
    runner_type, owner = registration_target(ctx, values["token"] or "")
    candidate = Runner(id=0, runner_type=runner_type, token="", created_at=ctx.now, updated_at=ctx.now,
                       registration_type="registration_token", **new_runner_fields(values))  # fmt: skip
    errors = validate_runner(candidate, tags_changed=True, changed={"description", "maintenance_note"})
    if errors:
        raise validation_error(errors)
    runner = ctx.store.add_runner(
        runner_type,
        "registration_token",
        ctx.now,
        name=str(info["name"])[:256] if info.get("name") else None,
        project_ids=[owner.id] if isinstance(owner, Project) else [],
        group_id=owner.id if isinstance(owner, Group) else None,
        **new_runner_fields(values),
    )
    return json_response(201, entities.registration_details(runner))


def registration_target(ctx: Context, token: str) -> tuple[str, Group | Project | None]:
    store = ctx.store
    gone = ApiError(410, {"message": "410 Gone - runner registration disallowed"})
    if token and not store.settings.allow_runner_registration_token:
        raise gone
    if token and token == store.settings.registration_token:
        return INSTANCE_TYPE, None
    for project in store.projects.values():
        if token and token == project.runners_token:
            if not store.top_level_group(project.namespace_id).allow_runner_registration_token:
                raise gone
            return PROJECT_TYPE, project
    for group in store.groups.values():
        if token and token == group.runners_token:
            if not store.top_level_group(group.id).allow_runner_registration_token:
                raise gone
            return GROUP_TYPE, group
    raise forbidden("invalid token supplied")


# --- runner-facing, by authentication token (§4.17, 4.19, 4.20) ----------------------------------------------
def runner_by_token(ctx: Context) -> Runner:
    declared = ctx.declared()
    declared.string("token", required=True)
    runner = ctx.store.runner_for_token(checked(declared)["token"] or "", ctx.now)
    if runner is None:
        raise forbidden()
    return runner


def delete_runner_by_token(ctx: Context) -> Response:
    ctx.store.delete_runner(runner_by_token(ctx))
    return no_content()


def delete_runner_manager(ctx: Context) -> Response:
    """§4.18: what `gitlab-runner unregister` sends for one of the runner's processes."""
    declared = ctx.declared()
    declared.string("token", required=True)
    declared.string("system_id", required=True)
    values = checked(declared)
    runner = ctx.store.runner_for_token(values["token"] or "", ctx.now)
    if runner is None:
        raise forbidden()
    manager = next((item for item in runner.managers if item.system_id == values["system_id"]), None)
    if manager is None:
        raise not_found("Runner manager not found")  # GitLab's own, odd, wording
    runner.managers.remove(manager)
    return no_content()


def verify_runner(ctx: Context) -> Response:
    """§4.19: 200, and a heartbeat: contacted_at now, a manager for system_id (or <legacy>)."""
    runner = runner_by_token(ctx)
    system_id = ctx.params.get("system_id")
    ctx.store.heartbeat(runner, str(system_id) if system_id else None, ctx.now)
    return json_response(200, entities.registration_details(runner))


def reset_token_by_token(ctx: Context) -> Response:
    runner = runner_by_token(ctx)
    ctx.store.rotate_token(runner, ctx.now)
    ctx.store.heartbeat(runner, None, ctx.now)
    return json_response(201, entities.reset_token_result(runner))


# --- registration-token resets (§4.15) --------------------------------------------------------------------
def reset_instance_registration_token(ctx: Context) -> Response:
    if not ctx.signed_in().is_admin:
        raise forbidden()
    ctx.store.settings.registration_token = new_token(REGISTRATION_TOKEN_PREFIX)
    return json_response(201, {"token": ctx.store.settings.registration_token})


def reset_project_registration_token(ctx: Context) -> Response:
    project = find_project(ctx, ctx.arguments["id"])
    if not policy.maintains_project(ctx.store, ctx.signed_in(), project):
        raise forbidden()
    project.runners_token = new_token(REGISTRATION_TOKEN_PREFIX)
    return json_response(201, {"token": project.runners_token})


def reset_group_registration_token(ctx: Context) -> Response:
    group = find_group(ctx, ctx.arguments["id"])
    if not policy.owns_group(ctx.store, ctx.signed_in(), group):
        raise forbidden()
    group.runners_token = new_token(REGISTRATION_TOKEN_PREFIX)
    return json_response(201, {"token": group.runners_token})


# --- supporting endpoints (§C) ------------------------------------------------------------------------------
def get_version(ctx: Context) -> Response:
    settings = ctx.store.settings
    body = {
        "version": settings.version,
        "revision": settings.revision,
        "kas": {"enabled": False, "externalUrl": None, "externalK8sProxyUrl": None, "version": None},
        "enterprise": False,
    }
    return json_response(200, body)


def get_own_token(ctx: Context) -> Response:
    """GET /personal_access_tokens/self (GitLab 15.5+): the presented token's own record, whatever its scopes."""
    user, access = presented_access(ctx)
    expires = access.expires_at.date().isoformat() if access.expires_at else None
    body = {
        "id": zlib.crc32(access.token.encode()) % 100000,
        "name": f"{user.username}-token",
        "revoked": False,
        "created_at": user.created_at.isoformat(),
        "scopes": sorted(access.scopes),
        "user_id": user.id,
        "last_used_at": ctx.now.isoformat(),
        "active": True,
        "expires_at": expires,
    }
    return json_response(200, body)


def get_user(ctx: Context) -> Response:
    return json_response(200, entities.current_user(ctx.signed_in(), ctx.base_url))


def get_project(ctx: Context) -> Response:
    project = find_project(ctx, ctx.arguments["id"])
    return json_response(200, entities.project(ctx.store, project, ctx.signed_in(), ctx.base_url))


def get_group(ctx: Context) -> Response:
    group = find_group(ctx, ctx.arguments["id"])
    return json_response(200, entities.group(ctx.store, group, ctx.signed_in(), ctx.base_url))


def _route(method: str, path: str, handler: Callable[[Context], Response], scope: ScopeClass | None) -> Route:
    return Route(method, API + path, handler, scope)


# Order matters where a literal segment and a parameter could both match: /runners/all before /runners/:id.
ROUTES = [
    _route("GET", "/version", get_version, ScopeClass.READ_USER),
    _route("GET", "/user", get_user, ScopeClass.READ_USER),
    _route("GET", "/personal_access_tokens/self", get_own_token, None),
    _route("POST", "/user/runners", create_user_runner, ScopeClass.CREATE_RUNNER),
    _route("GET", "/runners", get_runners, ScopeClass.LIST_RUNNERS),
    _route("POST", "/runners", register_runner, None),
    _route("DELETE", "/runners", delete_runner_by_token, None),
    _route("GET", "/runners/all", get_all_runners, ScopeClass.LIST_RUNNERS),
    _route("DELETE", "/runners/managers", delete_runner_manager, None),
    _route("POST", "/runners/verify", verify_runner, None),
    _route("POST", "/runners/reset_authentication_token", reset_token_by_token, None),
    _route("POST", "/runners/reset_registration_token", reset_instance_registration_token, ScopeClass.WRITE),
    _route("GET", "/runners/:id", get_runner, ScopeClass.READ_RUNNER),
    _route("PUT", "/runners/:id", put_runner, ScopeClass.WRITE_RUNNER),
    _route("DELETE", "/runners/:id", delete_runner, ScopeClass.WRITE_RUNNER),
    _route("POST", "/runners/:id/reset_authentication_token", reset_runner_token, ScopeClass.WRITE_RUNNER),
    _route("GET", "/runners/:id/managers", get_runner_managers, ScopeClass.READ_RUNNER),
    _route("GET", "/runners/:id/projects", get_runner_projects, ScopeClass.READ_RUNNER),
    _route("GET", "/projects/:id", get_project, ScopeClass.READ),
    _route("GET", "/projects/:id/runners", get_project_runners, ScopeClass.LIST_RUNNERS),
    _route("POST", "/projects/:id/runners", assign_runner, ScopeClass.PROJECT_RUNNERS),
    _route(
        "POST", "/projects/:id/runners/reset_registration_token", reset_project_registration_token, ScopeClass.WRITE
    ),
    _route("DELETE", "/projects/:id/runners/:runner_id", unassign_runner, ScopeClass.PROJECT_RUNNERS),
    _route("GET", "/groups/:id", get_group, ScopeClass.READ),
    _route("GET", "/groups/:id/runners", get_group_runners, ScopeClass.LIST_RUNNERS),
    _route("POST", "/groups/:id/runners/reset_registration_token", reset_group_registration_token, ScopeClass.WRITE),
]


def handle(store: Store, route: Route, arguments: dict[str, str], request: Request) -> Response:
    """Run one API route under the store's lock; every error becomes GitLab's answer for it."""
    with store.lock:
        ctx = Context(store=store, request=request, arguments=arguments, now=utcnow())
        try:
            if route.scope is not None:
                authenticate(ctx, route.scope)
            return route.handler(ctx)
        except ApiError as error:
            return error.response
