# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who may do what: token scopes (contract §1.2) and the runner permission matrix (§5).

Each function answers None when the action is allowed, or the reason GitLab gives when it is not (an empty
string for a bare "403 Forbidden"). Admins are always in admin mode.
"""

from __future__ import annotations

import enum

from sandbox.gitlab.model import (
    GROUP_TYPE,
    INSTANCE_TYPE,
    MAINTAINER,
    OWNER,
    PROJECT_TYPE,
    AccessToken,
    Group,
    Project,
    Runner,
    Store,
    User,
)

NO_ACCESS = "No access granted"


class ScopeClass(enum.Enum):
    """The scope rules a route falls under (§1.2 and runners_spec.rb)."""

    READ_USER = "read_user"  # GET /user, GET /version
    READ = "read"  # GET /projects/:id, GET /groups/:id
    LIST_RUNNERS = "list_runners"  # GET /runners, /runners/all, /projects/:id/runners, /groups/:id/runners
    READ_RUNNER = "read_runner"  # GET /runners/:id and /runners/:id/managers
    WRITE_RUNNER = "write_runner"  # PUT, DELETE /runners/:id, POST /runners/:id/reset_authentication_token
    CREATE_RUNNER = "create_runner"  # POST /user/runners
    PROJECT_RUNNERS = "project_runners"  # POST /projects/:id/runners, DELETE /projects/:id/runners/:runner_id
    WRITE = "write"  # the registration-token resets


# For each scope class: the scopes that may use it, and the scopes that GitLab treats as no credentials at all
# there (401 rather than 403).
ALLOWED_SCOPES: dict[ScopeClass, tuple[str, ...]] = {
    ScopeClass.READ_USER: ("api", "read_api", "read_user"),
    ScopeClass.READ: ("api", "read_api"),
    ScopeClass.LIST_RUNNERS: ("api", "read_api"),
    ScopeClass.READ_RUNNER: ("api", "read_api", "manage_runner"),
    ScopeClass.WRITE_RUNNER: ("api", "manage_runner"),
    ScopeClass.CREATE_RUNNER: ("api", "create_runner"),
    ScopeClass.PROJECT_RUNNERS: ("api",),
    ScopeClass.WRITE: ("api",),
}
UNUSABLE_SCOPES: dict[ScopeClass, tuple[str, ...]] = {
    ScopeClass.PROJECT_RUNNERS: ("manage_runner", "create_runner"),
}


class ScopeVerdict(enum.Enum):
    ALLOWED = "allowed"
    INSUFFICIENT = "insufficient"  # 403 insufficient_scope
    UNUSABLE = "unusable"  # 401, as if no token had been given


def check_scope(access: AccessToken, scope_class: ScopeClass) -> ScopeVerdict:
    if access.scopes & set(ALLOWED_SCOPES[scope_class]):
        return ScopeVerdict.ALLOWED
    if access.scopes <= set(UNUSABLE_SCOPES.get(scope_class, ())):
        return ScopeVerdict.UNUSABLE
    return ScopeVerdict.INSUFFICIENT


def _maintains_any(store: Store, user: User, project_ids: list[int]) -> bool:
    return any(store.project_access(user, store.projects[pid]) >= MAINTAINER for pid in project_ids)


def can_read_runner(store: Store, user: User, runner: Runner) -> bool:
    """§4.3 / §5: read details."""
    if user.is_admin or runner.runner_type == INSTANCE_TYPE:
        return True
    if runner.runner_type == GROUP_TYPE:
        group = store.groups[runner.group_id]
        if store.group_access(user, group) >= MAINTAINER:
            return True
        # Maintainer+ of a project under the group that inherits group runners.
        return any(
            project.group_runners_enabled
            and store.is_descendant_group(store.groups[project.namespace_id], group.id)
            and store.project_access(user, project) >= MAINTAINER
            for project in store.projects.values()
        )
    return _maintains_any(store, user, runner.project_ids)


def can_update_runner(store: Store, user: User, runner: Runner) -> bool:
    """§4.4 / §5: update and reset the authentication token."""
    if user.is_admin:
        return True
    if runner.runner_type == INSTANCE_TYPE:
        return False
    if runner.runner_type == GROUP_TYPE:
        return store.group_access(user, store.groups[runner.group_id]) >= OWNER
    # Maintainer+ of the owner project, or of any of its projects once it has several: any of them.
    return _maintains_any(store, user, runner.project_ids)


def delete_refusal(store: Store, user: User, runner: Runner) -> str | None:
    """§4.5: None when the user may delete the runner, else the 403 reason."""
    if user.is_admin:
        return None
    if runner.runner_type == PROJECT_TYPE and len(runner.project_ids) > 1:
        return "Runner associated with more than one project"
    if not can_update_runner(store, user, runner):
        return NO_ACCESS
    return None


def assign_refusal(store: Store, user: User, runner: Runner) -> str | None:
    """§4.11 checks 3 to 5, after the project and the runner were found."""
    if runner.runner_type == GROUP_TYPE:
        return "Runner is a group runner"
    if user.is_admin:
        return None
    if runner.locked:
        return "Runner is locked"
    if runner.runner_type != PROJECT_TYPE or not _maintains_any(store, user, runner.project_ids):
        return NO_ACCESS
    return None


def unassign_refusal(store: Store, user: User, runner: Runner, project: Project) -> str | None:
    """§4.12, after the runner was found among the project's runners."""
    if not maintains_project(store, user, project):
        return "User not allowed to manage project's runners"
    if runner.project_ids and runner.project_ids[0] == project.id:
        return "You cannot unassign a runner from the owner project. Delete the runner instead"
    if not user.is_admin and runner.locked:
        return "Runner is locked"
    return None


def can_create_runner(store: Store, user: User, runner_type: str, owner: Group | Project | None) -> bool:
    """§4.14 authorization: admin for instance runners, group Owner, project Maintainer+."""
    if user.is_admin:
        return True
    if runner_type == GROUP_TYPE and isinstance(owner, Group):
        return store.group_access(user, owner) >= OWNER
    if runner_type == PROJECT_TYPE and isinstance(owner, Project):
        return store.project_access(user, owner) >= MAINTAINER
    return False


def maintains_project(store: Store, user: User, project: Project) -> bool:
    """Maintainer+ (or admin): lists the project's runners, sees and resets its registration token (§4.10, §4.15)."""
    return user.is_admin or store.project_access(user, project) >= MAINTAINER


def maintains_group(store: Store, user: User, group: Group) -> bool:
    """Maintainer+ (or admin): lists the group's runners (§4.13)."""
    return user.is_admin or store.group_access(user, group) >= MAINTAINER


def owns_group(store: Store, user: User, group: Group) -> bool:
    """Owner (or admin): sees and resets the group's registration token (§4.15)."""
    return user.is_admin or store.group_access(user, group) >= OWNER
