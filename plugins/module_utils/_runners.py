# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converging runner entries against GitLab: find (by id, token, or description within the owner), create once,
update what differs, re-key, delete. The gitlab_runner module is a thin adapter around RunnerService.

Identity is the runner id. A description identifies a runner only within its owner (the instance, a group, a
project) and only when exactly one runner there carries it; more than one is an error, never a silent pick.

Note that this module util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import dataclasses

from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._gitlab import (
    GitLabApi,
    GitLabApiError,
    TransientFailure,
    path_segment,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._runner_spec import (
    Owner,
    RunnerSpec,
    about,
    changes_needed,
    comparable,
    create_body,
    has_expired,
    owner_mismatch,
    predicted_runner,
    token_reset_reason,
    update_body,
    version_at_least,
)

# POST /runners/verify registers a runner manager for the system id it is sent (GitLab calls it a heartbeat).
# A recognisable id keeps the module's checks apart from the real managers in GitLab's runner view.
VERIFY_SYSTEM_ID = "runnerfleet-ansible-verify"
PAUSED_SINCE = (14, 8)  # `paused` replaced `active` in GitLab 14.8


# What a run does to one runner (a check-mode run: what a real run would do). re-key: its token is reset, its
# attributes updated too where they differed.
OPERATIONS = ("create", "update", "re-key", "delete", "none")


class RunnerError(Exception):
    """A runner that cannot be converged as asked (ambiguous, of another type or owner, ...)."""


@dataclasses.dataclass
class Outcome:
    """One entry's result: what the module returns for it, and the before/after of its attributes for diffs."""

    changed: bool
    runner: dict | None
    token: str | None = None
    token_expires_at: str | None = None
    token_source: str | None = None  # given, created or reset; None when no token is known
    before: dict = dataclasses.field(default_factory=dict)
    after: dict = dataclasses.field(default_factory=dict)
    # What the run did to the runner, or in check mode what a real run would do: OPERATIONS.
    operation: str = "none"
    # GitLab's runner managers of the runner (GET /runners/:id/managers), when asked for; None when not read.
    managers: list | None = None

    def as_result(self, description: str | None) -> dict:
        return {
            "description": description if description is not None else (self.runner or {}).get("description"),
            "changed": self.changed,
            "id": (self.runner or {}).get("id"),
            "runner": self.runner,
            "token": self.token,
            "token_expires_at": self.token_expires_at,
            "token_source": self.token_source,
            "operation": self.operation,
            "managers": self.managers,
        }


class RunnerService:
    """Runner operations for one module run. Listings are cached per owner, so a bulk run lists each scope once;
    in check mode every mutating request is replaced by its predicted result."""

    def __init__(self, api: GitLabApi, check_mode: bool) -> None:
        self.api = api
        self.check_mode = check_mode
        self.warnings: list = []
        self._listings: dict = {}
        self._owner_ids: dict = {}
        self._supports_paused: bool | None = None

    # ----------------------------------------------------------------------------------------- entry points

    def prepare(self, spec: RunnerSpec) -> None:
        """Reads that can fail, made for every entry before any entry changes anything: the listing the entry
        will search, so that an unknown group or project fails here, not after other runners were made."""
        if spec.state == "present" and spec.discoverable and spec.runner_id is None and spec.token is None:
            self.listing(spec.owner)

    def refuse_one_runner_twice(self, specs: list) -> None:
        """Entries naming one group or project both by id and by path are told apart only by the path's id:
        two entries for one runner would flip its attributes back and forth on every run."""
        entries = [spec for spec in specs if spec.discoverable and spec.owner.kind != "instance"]
        for kind in ("group", "project"):
            refs = [spec.owner.ref for spec in entries if spec.owner.kind == kind]
            if not (any(isinstance(ref, int) for ref in refs) and any(isinstance(ref, str) for ref in refs)):
                continue  # one form only: the entries' validation already compared them
            seen: dict = {}
            for spec in (spec for spec in entries if spec.owner.kind == kind):
                key = (self.owner_id(spec.owner), spec.description)
                if key in seen:
                    raise RunnerError(
                        f"{seen[key].label} and {spec.label} both describe runner {spec.description!r} in {kind} "
                        f"{key[0]} ({seen[key].owner.ref} and {spec.owner.ref} are the same {kind})"
                    )
                seen[key] = spec

    def converge(self, spec: RunnerSpec) -> Outcome:
        if spec.state == "absent":
            return self.ensure_absent(spec)
        return self.ensure_present(spec)

    def ensure_present(self, spec: RunnerSpec) -> Outcome:
        runner = self._runner_by_id(spec)
        token, token_valid, expires, why_invalid = spec.token, None, spec.token_expires_at, None
        if token and spec.token_reset != "never":  # noqa: S105 - a policy name
            if spec.token_check == "expiry" and spec.runner_id is not None:  # noqa: S105 - a policy name
                token_valid, why_invalid = self._judge_by_expiry(spec, runner)
            elif not self.check_mode:
                runner, token_valid, expires = self._check_token(spec, runner)
        if runner is None:
            runner = self.discover(spec)
        if runner is None:
            return self.create(spec)
        self.check_identity(runner, spec)
        before = comparable(runner)
        changes = changes_needed(runner, spec.attributes)
        if changes:
            runner = self.update(runner, changes, spec)
        outcome = Outcome(bool(changes), runner, token, expires, "given" if token else None, before, comparable(runner))
        outcome.operation = "update" if changes else "none"
        reason = token_reset_reason(spec.token_reset, bool(token), token_valid, why_invalid)
        if reason:
            outcome.token, outcome.token_expires_at = self.reset_token(runner, reason)
            outcome.changed, outcome.token_source, outcome.operation = True, "reset", "re-key"
        return outcome

    def ensure_absent(self, spec: RunnerSpec) -> Outcome:
        if spec.runner_id is not None:
            runner = self.get_runner(spec.runner_id)
            if runner is not None and spec.runner_type:
                self.check_identity(runner, spec)
        elif spec.discoverable:
            runner = self.discover(spec)
        else:
            return self.delete_by_token(spec)
        if runner is None:
            return Outcome(False, None)
        self.delete(runner)
        return Outcome(True, runner, before=comparable(runner), operation="delete")

    # ----------------------------------------------------------------------------------------------- reads

    def get_runner(self, runner_id: int) -> dict | None:
        runner = self.api.get_or_none(f"/runners/{runner_id}", f"read runner {runner_id}")
        if runner is not None and self._supports_paused is None:
            self._supports_paused = "paused" in runner  # detected once, from the first runner seen
        return runner

    def _runner_by_id(self, spec: RunnerSpec) -> dict | None:
        if spec.runner_id is None:
            return None
        runner = self.get_runner(spec.runner_id)
        if runner is None:
            self.warnings.append(
                f"{about(spec.label)}runner {spec.runner_id} no longer exists in GitLab; looking for "
                f"{spec.names()} in {spec.owner.scope_name} instead"
            )
        return runner

    @staticmethod
    def _judge_by_expiry(spec: RunnerSpec, runner: dict | None) -> tuple:
        """token_check expiry, with the runner's id known: no request (no heartbeat). The token stands while its
        runner exists and its recorded expiry has not passed. Returns (valid, why not)."""
        if runner is None:
            return False, f"runner {spec.runner_id}, whose token was given, no longer exists"
        if has_expired(spec.token_expires_at):
            return False, f"the given token expired at {spec.token_expires_at}"
        return True, None

    def read_managers(self, outcome: Outcome) -> None:
        """GitLab's runner managers of a runner that exists (GET /runners/:id/managers, GitLab 17 and later):
        who last contacted it, with which version. None when GitLab has no such endpoint (404 on older ones)."""
        runner_id = (outcome.runner or {}).get("id")
        if not runner_id or outcome.operation in ("create", "delete"):
            return  # a runner made in this run (or predicted) has no manager yet; a deleted one has none left
        try:
            what = f"list runner {runner_id}'s managers"
            outcome.managers = self.api.list_all(f"/runners/{runner_id}/managers", what)
        except GitLabApiError as error:
            if error.status != 404:
                raise

    def _check_token(self, spec: RunnerSpec, runner: dict | None) -> tuple:
        """Verify the given token (a heartbeat: see the module's notes). Returns (runner, valid, expires_at)."""
        verified = self.verify(spec.token)
        if verified is None:
            return runner, False, None
        verified_id, expires = verified
        if verified_id is None:  # GitLab before 16 answers verify without the runner's id
            return runner, True, expires
        if runner is not None and runner["id"] != verified_id:
            raise RunnerError(
                f"the given token belongs to runner {verified_id}, not to runner {runner['id']} (id): "
                "fix the id or the token"
            )
        if runner is None and spec.runner_id is not None:
            raise RunnerError(
                f"runner {spec.runner_id} (id) does not exist, but the given token belongs to runner {verified_id}: "
                "fix the id or the token"
            )
        return runner or self.get_runner(verified_id), True, expires

    def verify(self, token: str) -> tuple | None:
        """(id, token_expires_at) when GitLab accepts the token, None when it refuses it."""
        try:
            answer = self.api.call(
                "post",
                "/runners/verify",
                "verify the given runner token",
                body={"token": token, "system_id": VERIFY_SYSTEM_ID},
            )
        except GitLabApiError as error:
            if error.status in (403, 422):  # unknown or expired token; 422: the runner is orphaned
                return None
            raise
        if isinstance(answer, dict):
            return answer.get("id"), answer.get("token_expires_at")
        return None, None

    def owner_id(self, owner: Owner) -> int | None:
        """The numeric id of a group or project (POST /user/runners takes no path): resolved once per run."""
        if owner.kind == "instance":
            return None
        if isinstance(owner.ref, int):
            return owner.ref
        if owner not in self._owner_ids:
            record = self.api.get_or_none(f"/{owner.kind}s/{path_segment(owner.ref)}", f"look up {owner.scope_name}")
            if record is None:
                raise RunnerError(f"{owner.kind} {owner.ref!r} does not exist, or the token's user cannot see it")
            self._owner_ids[owner] = record["id"]
        return self._owner_ids[owner]

    def listing(self, owner: Owner, refresh: bool = False) -> list:
        """The runners of the owner's scope, of the owner's type (filtered by GitLab), every page."""
        if refresh or owner not in self._listings:
            if owner.kind == "instance":
                path, query = "/runners/all", {"type": "instance_type"}
            else:
                path, query = f"/{owner.kind}s/{path_segment(owner.ref)}/runners", {"type": f"{owner.kind}_type"}
            try:
                self._listings[owner] = self.api.list_all(path, f"list the runners of {owner.scope_name}", query)
            except GitLabApiError as error:
                if error.status == 404:
                    raise RunnerError(
                        f"{owner.kind} {owner.ref!r} does not exist, or the token's user cannot see it"
                    ) from None
                raise
        return self._listings[owner]

    def discover(self, spec: RunnerSpec, refresh: bool = False) -> dict | None:
        """The one runner of the spec's owner with its exact description; None when there is none."""
        if not spec.discoverable:
            return None
        candidates = [item for item in self.listing(spec.owner, refresh) if item.get("description") == spec.description]
        if spec.owner.kind == "instance":
            self._refuse_ambiguity(spec, [item["id"] for item in candidates])
            return self.get_runner(candidates[0]["id"]) if candidates else None
        # A group's listing holds its ancestors' runners too, a project's the runners shared with it: only the
        # runner the owner owns is this entry's.
        owned = [runner for runner in map(self.get_runner, (item["id"] for item in candidates)) if runner]
        owned = [runner for runner in owned if self.owned_by(runner, spec.owner)]
        self._refuse_ambiguity(spec, [runner["id"] for runner in owned])
        return owned[0] if owned else None

    @staticmethod
    def _refuse_ambiguity(spec: RunnerSpec, ids: list) -> None:
        if len(ids) > 1:
            raise RunnerError(
                f"{len(ids)} runners in {spec.owner.scope_name} are described {spec.description!r} (ids "
                f"{', '.join(map(str, ids))}): give the id of the one to manage, or delete the others"
            )

    def owned_by(self, runner: dict, owner: Owner) -> bool:
        reason = owner_mismatch(runner, owner, self._owner_ids.get(owner))
        if reason == "unknown":  # the path shown differs from the one given: compare the ids
            reason = owner_mismatch(runner, owner, self.owner_id(owner))
        return reason is None

    def check_identity(self, runner: dict, spec: RunnerSpec) -> None:
        """A runner found by id or token must be of the entry's type and owner: neither can change."""
        if spec.runner_type and runner.get("runner_type") != spec.runner_type:
            raise RunnerError(
                f"runner {runner['id']} is a {runner.get('runner_type')} runner, but runner_type is "
                f"{spec.runner_type}. A runner's type cannot change: fix runner_type, or drop id and token to "
                "create a new runner"
            )
        if spec.owner is not None and not self.owned_by(runner, spec.owner):
            raise RunnerError(
                f"runner {runner['id']} does not belong to {spec.owner.scope_name}. A runner's owner cannot change: "
                "fix the owner, or drop id and token to create a new runner there"
            )

    def supports_paused(self) -> bool:
        if self._supports_paused is None:
            self._supports_paused = version_at_least(self.api.version(), PAUSED_SINCE)
        return self._supports_paused

    # -------------------------------------------------------------------------------------------- changes

    def create(self, spec: RunnerSpec) -> Outcome:
        """Create the runner once. An answer lost to a fault (5xx, 429, a dropped connection) may hide a runner
        GitLab did make: look again before another attempt, and adopt (re-key) what the lost attempt made."""
        if self.check_mode:
            predicted = predicted_runner(None, spec)
            return Outcome(True, predicted, after=comparable(predicted), operation="create")
        what = f"create {spec.names()} in {spec.owner.scope_name}"
        owner_id = self.owner_id(spec.owner)
        attempts = self.api.attempts(what)
        while True:
            try:
                answer = self._create_once(spec, owner_id, what)
                break
            except TransientFailure as failure:
                attempts.wait(failure)
                made = self.discover(spec, refresh=True)
                if made is not None:
                    self.warnings.append(
                        f"{about(spec.label)}GitLab created {spec.names()} (id {made['id']}) but its answer was "
                        "lost; the runner was adopted and its token reset instead of creating another"
                    )
                    token, expires = self.reset_token(made, "the create's answer was lost")
                    return Outcome(True, made, token, expires, "reset", after=comparable(made), operation="create")
        runner = self.get_runner(answer["id"]) or predicted_runner(dict(answer), spec)
        if spec.registration_token:
            self._check_registered(runner, spec)
        if spec.owner in self._listings:  # later entries of a bulk run see it without listing again
            self._listings[spec.owner].append(runner)
        return Outcome(
            True,
            runner,
            answer.get("token"),
            answer.get("token_expires_at"),
            "created",
            {},
            comparable(runner),
            operation="create",
        )

    def _create_once(self, spec: RunnerSpec, owner_id: int | None, what: str) -> dict:
        if not spec.registration_token:
            return self.api.send("post", "/user/runners", what, body=create_body(spec, owner_id))
        body = update_body(dict(spec.attributes, token=spec.registration_token), self.supports_paused())
        if body.get("maximum_timeout") is None:
            body.pop("maximum_timeout", None)  # no limit is what a new runner has
        try:
            return self.api.send("post", "/runners", f"register {spec.names()} with the registration token", body=body)
        except GitLabApiError as error:
            if isinstance(error, TransientFailure) or error.status not in (403, 410):
                raise
            if error.status == 410:
                raise RunnerError(
                    "GitLab refuses registration tokens (410 runner registration disallowed; the default since "
                    "GitLab 17.0): drop registration_token to create the runner with the API token instead, or "
                    "allow registration tokens on the instance and the group"
                ) from None
            raise RunnerError("GitLab does not accept the registration token (403 invalid token supplied)") from None

    def _check_registered(self, runner: dict, spec: RunnerSpec) -> None:
        """A registration token decides the runner's type and owner; undo a registration that landed elsewhere."""
        try:
            self.check_identity(runner, spec)
        except RunnerError as error:
            self.delete(runner)
            raise RunnerError(
                f"the registration token registered runner {runner['id']} elsewhere than asked, so it was deleted "
                f"again: {error}"
            ) from None

    def update(self, runner: dict, changes: dict, spec: RunnerSpec) -> dict:
        if self.check_mode:
            return predicted_runner(runner, dataclasses.replace(spec, attributes=changes))
        body = update_body(changes, self.supports_paused())
        return self.api.call("put", f"/runners/{runner['id']}", f"update runner {runner['id']}", body=body)

    def reset_token(self, runner: dict, reason: str) -> tuple:
        """A new authentication token (the old one stops working). Repeating a reset whose answer was lost is
        harmless: the next one answers a token that works."""
        if self.check_mode or runner.get("id") is None:
            return None, None
        answer = self.api.call(
            "post",
            f"/runners/{runner['id']}/reset_authentication_token",
            f"reset runner {runner['id']}'s token ({reason})",
        )
        return answer["token"], answer.get("token_expires_at")

    def delete(self, runner: dict) -> None:
        if self.check_mode:
            return
        try:
            self.api.call("delete", f"/runners/{runner['id']}", f"delete runner {runner['id']}")
        except GitLabApiError as error:
            if error.status != 404:  # gone already: an earlier attempt whose answer was lost deleted it
                raise

    def delete_by_token(self, spec: RunnerSpec) -> Outcome:
        """DELETE /runners?token=: GitLab answers 403 alike for an unknown token and a deleted runner."""
        if self.check_mode:
            self.warnings.append(
                f"{about(spec.label)}check mode cannot tell whether the token's runner exists without a request "
                "that changes GitLab; give id, or description and runner_type, to check it"
            )
            return Outcome(False, None)
        attempts = self.api.attempts("delete the runner of the given token")
        faulted = False
        while True:
            try:
                self.api.send("delete", "/runners", "delete the runner of the given token", query={"token": spec.token})
                return Outcome(True, None, operation="delete")
            except TransientFailure as failure:
                faulted = True
                attempts.wait(failure)
            except GitLabApiError as error:
                if error.status != 403:
                    raise
                # After a lost answer, a 403 most likely means the first attempt deleted the runner.
                return Outcome(faulted, None, operation="delete" if faulted else "none")
