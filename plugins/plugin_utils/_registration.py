# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registration role's data shaping: what SSM keeps of the fleet's runners, what the gitlab_runner module is
given, what is written back to SSM, and what the role hands on.

The role takes the plan's `registration` part (plugins/plugin_utils/_fleet_plan.py): `runners` (each the
gitlab_runner module's entry plus the entry's `name`), `ssm_path` and `description_prefix`. Each runner keeps up to
three parameters under the path: `<ssm_path>/<name>/token` (SecureString), `<ssm_path>/<name>/id` and
`<ssm_path>/<name>/token_expires_at` (String).

The functions are pure; the registration_* filters (plugins/filter/registration_*.py) expose them, checking
their inputs with plan_runners, gitlab_results and over_results (at the end). Some results hold tokens
(stored_by_name, gitlab_entries, parameters_to_write, runner_tokens): the role uses them only in tasks with no_log.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import refusing

# The parameters each runner keeps under the fleet's SSM path, in the order they are written and deleted:
# token_expires_at is the expiry GitLab gave with the token (NO_EXPIRY when it gave none), so that a run can tell an
# expired token without asking GitLab (gitlab_runner's token_check expiry: no verify heartbeat).
KINDS = ("token", "token_expires_at", "id")
NO_EXPIRY = "never"
_NUMBER = re.compile(r"[0-9]+")


class RegistrationError(ValueError):
    """Inputs that do not fit together (the filters turn it into AnsibleFilterError)."""


def stored_by_name(parameters: Mapping[str, object], ssm_path: str) -> dict[str, dict[str, object]]:
    """{name: {'token': ..., 'id': ...}} of the parameters `<ssm_path>/<name>/token` and `<ssm_path>/<name>/id`
    (ssm_parameter_path_info's `parameters`: value by full name). Any other parameter is left out; a runner keeps
    only the kinds found."""
    prefix = ssm_path.rstrip("/") + "/"
    found: dict[str, dict[str, object]] = {}
    for parameter, value in parameters.items():
        if not parameter.startswith(prefix):
            continue
        parts = parameter[len(prefix) :].split("/")
        if len(parts) == 2 and parts[0] and parts[1] in KINDS:
            found.setdefault(parts[0], {})[parts[1]] = value
    return found


def stored_id(kept: Mapping) -> int | None:
    """The runner id SSM keeps, when it is a number; None otherwise (a runner without one is found by description)."""
    value = kept.get("id")
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return int(text) if _NUMBER.fullmatch(text) else None


def stored_token(kept: Mapping) -> str | None:
    """The token SSM keeps, when it is a non-empty string."""
    value = kept.get("token")
    return value if isinstance(value, str) and value else None


def stored_expiry(kept: Mapping) -> str | None:
    """The token's expiry SSM keeps (ISO 8601); None when the token does not expire or none was kept."""
    value = kept.get("token_expires_at")
    return value if isinstance(value, str) and value and value != NO_EXPIRY else None


def gitlab_entries(
    runners: Sequence[Mapping], stored: Mapping[str, Mapping], *, with_tokens: bool = True
) -> list[dict]:
    """The gitlab_runner module's `runners`: each plan entry without its `name` (the module knows a runner by its
    description), with the id SSM keeps and, when with_tokens, the token SSM keeps."""
    entries = []
    for entry in runners:
        item = {key: value for key, value in entry.items() if key != "name" and value is not None}
        kept = stored.get(entry["name"]) or {}
        runner_id = stored_id(kept)
        if runner_id is not None:
            item["id"] = runner_id
        token = stored_token(kept)
        if with_tokens and token:
            item["token"] = token
            expires = stored_expiry(kept)
            if expires:
                item["token_expires_at"] = expires
        entries.append(item)
    return entries


def undescribed(stored: Mapping[str, Mapping], runners: Sequence[Mapping], description_prefix: str) -> dict:
    """The runners SSM keeps whose entry is no longer described: {'names': [...], 'entries': [...], 'parameters':
    [...]}.

    `names` (sorted) are the runners whose parameters go, `parameters` those parameters (`<name>/<kind>`, only the
    ones SSM holds); `entries` are the gitlab_runner module's entries that delete them from GitLab, by id when SSM
    keeps one, else by token; a runner SSM keeps neither for has no entry (only its parameters go)."""
    described = {entry["name"] for entry in runners}
    names = sorted(name for name in stored if name not in described)
    parameters = [f"{name}/{kind}" for name in names for kind in KINDS if kind in (stored[name] or {})]
    entries = []
    for name in names:
        kept = stored[name] or {}
        item: dict[str, object] = {"description": f"{description_prefix}{name}"}
        runner_id, token = stored_id(kept), stored_token(kept)
        if runner_id is not None:
            item["id"] = runner_id
        elif token:
            item["token"] = token
        else:
            continue
        entries.append(item)
    return {"names": names, "entries": entries, "parameters": parameters}


def paired(runners: Sequence[Mapping], results: Sequence[Mapping]) -> list[tuple[Mapping, Mapping]]:
    """Each plan entry with the module's result for it (the module answers one result per entry, in order)."""
    if len(results) != len(runners):
        raise RegistrationError(
            f"the gitlab_runner results ({len(results)}) do not match the plan's runners ({len(runners)}): "
            "give the module's `runners` result of the entries made from the same plan"
        )
    return [(entry, result or {}) for entry, result in zip(runners, results, strict=True)]


def parameters_to_write(
    results: Sequence[Mapping], runners: Sequence[Mapping], stored: Mapping[str, Mapping]
) -> list[dict]:
    """The parameters a run must write, [{name, kind, value}]: a token GitLab made or re-keyed (one that differs
    from the stored token) with its expiry, an id SSM does not hold yet (the value as a string, as SSM keeps it)."""
    found = []
    for entry, result in paired(runners, results):
        kept = stored.get(entry["name"]) or {}
        token = result.get("token")
        if token and token != (kept.get("token") or ""):
            found.append({"name": entry["name"], "kind": "token", "value": token})
            expires = result.get("token_expires_at") or NO_EXPIRY
            if expires != kept.get("token_expires_at"):
                found.append({"name": entry["name"], "kind": "token_expires_at", "value": expires})
        runner_id = result.get("id")
        if runner_id and str(runner_id) != str(kept.get("id") or ""):
            found.append({"name": entry["name"], "kind": "id", "value": str(runner_id)})
    return found


def runner_results(results: Sequence[Mapping], runners: Sequence[Mapping]) -> list[dict]:
    """registration_result.runners: {name, description, id, status, runner_type, tags, changed, operation,
    contacted_at, managers} per entry, with no token (operation: the gitlab_runner module's, what the run did or in
    check mode would do; contacted_at and managers: GitLab's view, as the runner's own managers left it, managers
    None when GitLab was not asked). What GitLab
    answered wins; `status` is V(unknown) and `tags` empty when GitLab answered no runner (check
    mode before a create), and `runner_type` is then the entry's."""
    built = []
    for entry, result in paired(runners, results):
        runner = result.get("runner") or {}
        built.append(
            {
                "name": entry["name"],
                "description": result.get("description", entry.get("description")),
                "id": result.get("id"),
                "status": runner.get("status") or "unknown",
                "runner_type": runner.get("runner_type") or entry.get("runner_type") or "",
                "tags": list(runner.get("tag_list") or []),
                "changed": bool(result.get("changed")),
                "operation": result.get("operation") or ("update" if result.get("changed") else "none"),
                "contacted_at": runner.get("contacted_at"),
                "managers": contacts(result.get("managers")),
            }
        )
    return built


# What the summary says of a runner's managers: who they are and when they last spoke to GitLab.
MANAGER_FIELDS = ("system_id", "version", "status", "contacted_at")


def contacts(managers: object) -> list[dict] | None:
    """GitLab's runner managers (GET /runners/:id/managers), as the summary reports them; None when not read."""
    if not isinstance(managers, Sequence) or isinstance(managers, str):
        return None
    return [
        {field: manager.get(field) for field in MANAGER_FIELDS} for manager in managers if isinstance(manager, Mapping)
    ]


def runner_tokens(results: Sequence[Mapping], runners: Sequence[Mapping]) -> dict[str, dict]:
    """registration_tokens: {name: {id, token, token_expires_at}} for the runner_host role (holds tokens)."""
    return {
        entry["name"]: {
            "id": result.get("id"),
            "token": result.get("token"),
            "token_expires_at": result.get("token_expires_at"),
        }
        for entry, result in paired(runners, results)
    }


# --- the registration filters' checks of their inputs ----------------------------------------------------------------


def plan_runners(filter_name: str, what: str, value: object) -> Sequence[Mapping]:
    """value when it is the plan's registration.runners (named entries), else AnsibleFilterError naming `what`."""
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or not all(isinstance(entry, Mapping) and isinstance(entry.get("name"), str) for entry in value)
    ):
        raise AnsibleFilterError(f"{filter_name}: {what} must be the plan's registration.runners (named entries)")
    return value


def gitlab_results(filter_name: str, value: object) -> Sequence[Mapping]:
    """value when it is the gitlab_runner module's `runners` result, else AnsibleFilterError."""
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or not all(entry is None or isinstance(entry, Mapping) for entry in value)
    ):
        raise AnsibleFilterError(f"{filter_name}: the input must be the gitlab_runner module's `runners` result")
    return value


def over_results(filter_name: str, function: Callable, results: object, runners: object, *extra: object):
    """function(results, runners, *extra) once both are checked, its RegistrationError refused naming the filter."""
    with refusing(filter_name, RegistrationError):
        return function(gitlab_results(filter_name, results), plan_runners(filter_name, "runners", runners), *extra)
