# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a runner entry asks for, checked before any API call, and how it compares with a runner GitLab has.

Pure functions only (no I/O): the gitlab_runner module's validation and its change detection, unit-tested on
their own.

Note that this module util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import dataclasses
import datetime

RUNNER_TYPES = ("instance_type", "group_type", "project_type")
ACCESS_LEVELS = ("not_protected", "ref_protected")
TOKEN_RESET_POLICIES = ("if_invalid", "if_missing", "always", "never")
# How a given token is judged: `verify` asks GitLab (POST /runners/verify, which GitLab counts as a contact from the
# runner); `expiry` asks nothing when the runner's id is known, and counts the token valid until its recorded expiry.
TOKEN_CHECKS = ("verify", "expiry")
# The attributes GitLab lets a client set on a runner (PUT /runners/:id, POST /user/runners).
ATTRIBUTES = (
    "description",
    "paused",
    "locked",
    "run_untagged",
    "tag_list",
    "access_level",
    "maximum_timeout",
    "maintenance_note",
)
TEXT_LIMIT = 1024  # description and maintenance_note (Ci::Runner validations)
TAG_LIMIT = 50  # TAG_LIST_MAX_LENGTH
MINIMUM_TIMEOUT = 600  # maximum_timeout "needs to be at least 10 minutes"
# What GitLab gives a new runner for the attributes a create leaves out.
NEW_RUNNER_DEFAULTS = {
    "paused": False,
    "locked": False,
    "run_untagged": True,
    "tag_list": [],
    "access_level": "not_protected",
    "maximum_timeout": None,
    "maintenance_note": None,
}
OWNER_OPTION = {"group_type": "group", "project_type": "project"}


def option(label: str, name: str) -> str:
    """How a message names an option: `maximum_timeout` in the single form, `runners[3].maximum_timeout` in bulk."""
    return f"{label}.{name}" if label else name


def about(label: str) -> str:
    """The prefix of a message about a whole entry: nothing in the single form, `runners[3]: ` in bulk."""
    return f"{label}: " if label else ""


class SpecError(ValueError):
    """An entry that cannot be sent to GitLab; the message names the option and what is allowed."""


@dataclasses.dataclass(frozen=True)
class Owner:
    """Where a runner lives: the instance, or a group or project given by numeric id or full path."""

    kind: str  # instance, group or project
    ref: int | str | None = None

    @property
    def scope_name(self) -> str:
        return "the instance" if self.kind == "instance" else f"{self.kind} {self.ref}"


@dataclasses.dataclass(frozen=True)
class RunnerSpec:
    """One runner entry, validated: identity (id, token, or description within its owner) and wanted attributes."""

    label: str  # how messages name the entry: "" in the single form, "runners[3]" in bulk
    state: str
    runner_type: str | None
    owner: Owner | None
    description: str | None
    attributes: dict  # only what the entry manages; absent keys are left as GitLab has them
    runner_id: int | None
    token: str | None
    registration_token: str | None
    token_reset: str
    token_check: str = "verify"  # noqa: S105 - a policy name
    token_expires_at: str | None = None  # the expiry recorded with the given token, for token_check expiry

    @property
    def discoverable(self) -> bool:
        return self.owner is not None and self.description is not None

    def names(self) -> str:
        if self.description is not None:
            return f"runner {self.description!r}"
        return f"runner {self.runner_id}" if self.runner_id is not None else "the runner of the given token"


def owner_ref(value: object, option: str) -> int | str:
    """A group or project: a numeric id (int, or a string of digits) or a full path."""
    if isinstance(value, bool) or value is None:
        raise SpecError(f"{option} must be a numeric id or a full path, got {value!r}")
    if isinstance(value, int):
        if value <= 0:
            raise SpecError(f"{option} must be a positive id, got {value}")
        return value
    text = str(value).strip().strip("/")
    if not text:
        raise SpecError(f"{option} must be a numeric id or a full path such as platform/infra, got {value!r}")
    if text.isdigit():
        if int(text) <= 0:
            raise SpecError(f"{option} must be a positive id, got {value!r}")
        return int(text)
    return text


def normalize_tags(tags: list, option: str) -> list:
    """Tags as GitLab stores them: stripped, no blanks, no repeats. A comma would split a tag in two."""
    normalized: list = []
    for index, tag in enumerate(tags):
        text = str(tag).strip()
        if "," in text:
            raise SpecError(
                f"{option}[{index}] {text!r} contains a comma: GitLab splits tags on commas, so give each tag "
                "as its own list item"
            )
        if text and text not in normalized:
            normalized.append(text)
    if len(normalized) > TAG_LIMIT:
        raise SpecError(f"{option} has {len(normalized)} tags; GitLab allows at most {TAG_LIMIT}")
    return normalized


def _wanted_attributes(entry: dict, label: str) -> dict:
    wanted = {name: entry[name] for name in ATTRIBUTES if entry.get(name) is not None}
    for name in ("description", "maintenance_note"):
        if name in wanted and len(wanted[name]) > TEXT_LIMIT:
            raise SpecError(f"{option(label, name)} is {len(wanted[name])} characters long; GitLab allows {TEXT_LIMIT}")
    if "access_level" in wanted and wanted["access_level"] not in ACCESS_LEVELS:
        raise SpecError(f"{option(label, 'access_level')} must be one of {', '.join(ACCESS_LEVELS)}")
    if "maximum_timeout" in wanted:
        timeout = wanted["maximum_timeout"]
        if timeout != 0 and timeout < MINIMUM_TIMEOUT:
            raise SpecError(
                f"{option(label, 'maximum_timeout')} is {timeout}; GitLab needs at least {MINIMUM_TIMEOUT} seconds "
                "(0 means no limit)"
            )
    if "tag_list" in wanted:
        wanted["tag_list"] = normalize_tags(wanted["tag_list"], option(label, "tag_list"))
        if not wanted["tag_list"] and wanted.get("run_untagged") is False:
            raise SpecError(
                f"{about(label)}a runner with run_untagged false needs at least one tag in tag_list, or it could "
                "never pick a job"
            )
    return wanted


def _owner(entry: dict, label: str) -> Owner | None:
    runner_type = entry.get("runner_type")
    for kind in ("group", "project"):
        if entry.get(kind) is not None and runner_type != f"{kind}_type":
            raise SpecError(f"{option(label, kind)} is only for runner_type {kind}_type (runner_type is {runner_type})")
    if runner_type is None:
        return None
    if runner_type not in RUNNER_TYPES:
        raise SpecError(f"{option(label, 'runner_type')} must be one of {', '.join(RUNNER_TYPES)}, got {runner_type!r}")
    if runner_type == "instance_type":
        return Owner("instance")
    kind = OWNER_OPTION[runner_type]
    if entry.get(kind) is None:
        raise SpecError(
            f"{option(label, kind)} is required for runner_type {runner_type} (its numeric id or full path)"
        )
    return Owner(kind, owner_ref(entry[kind], option(label, kind)))


def _runner_id(value: object, label: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit() or int(value) <= 0:
        raise SpecError(f"{option(label, 'id')} must be a runner's positive numeric id, got {value!r}")
    return int(value)


def build_spec(entry: dict, label: str) -> RunnerSpec:
    """Validate one entry (the module's options, or one item of `runners` merged with the shared options)."""
    state = entry.get("state") or "present"
    token_reset = entry.get("token_reset") or "if_invalid"
    if token_reset not in TOKEN_RESET_POLICIES:
        raise SpecError(f"{option(label, 'token_reset')} must be one of {', '.join(TOKEN_RESET_POLICIES)}")
    token_check = entry.get("token_check") or "verify"
    if token_check not in TOKEN_CHECKS:
        raise SpecError(f"{option(label, 'token_check')} must be one of {', '.join(TOKEN_CHECKS)}")
    token_expires_at = entry.get("token_expires_at") or None
    if token_expires_at is not None and moment(token_expires_at) is None:
        raise SpecError(
            f"{option(label, 'token_expires_at')} must be an ISO 8601 time such as 2027-01-01T00:00:00Z, "
            f"got {token_expires_at!r}"
        )
    description = entry.get("description")
    if description is not None and not description.strip():
        raise SpecError(f"{option(label, 'description')} is empty: a runner's description is how it is found again")
    runner_id = _runner_id(entry.get("id"), label)
    owner = _owner(entry, label)
    spec = RunnerSpec(
        label=label,
        state=state,
        runner_type=entry.get("runner_type"),
        owner=owner,
        description=description,
        attributes=_wanted_attributes(entry, label) if state == "present" else {},
        runner_id=runner_id,
        token=entry.get("token") or None,
        registration_token=entry.get("registration_token") or None,
        token_reset=token_reset,
        token_check=token_check,
        token_expires_at=token_expires_at,
    )
    if state == "present" and not (spec.description and spec.runner_type):
        raise SpecError(
            f"{about(label)}state present needs description and runner_type (with group or project for group and "
            "project runners): they say where the runner lives and how to find it without duplicating it"
        )
    if state == "absent" and runner_id is None and spec.token is None and not spec.discoverable:
        raise SpecError(
            f"{about(label)}state absent needs id, token, or description with runner_type to find the runner"
        )
    return spec


def scope_key(owner: Owner) -> tuple:
    """An owner as GitLab tells owners apart: full paths are case-insensitive."""
    return (owner.kind, owner.ref.lower() if isinstance(owner.ref, str) else owner.ref)


def check_unique(specs: list) -> None:
    """Two entries that would find the same runner would fight over it: refuse them before any call."""
    seen_ids: dict = {}
    seen_names: dict = {}
    seen_tokens: dict = {}
    for spec in specs:
        if spec.token is not None:
            if spec.token in seen_tokens:  # never print the token itself
                raise SpecError(f"{seen_tokens[spec.token]} and {spec.label} give the same token")
            seen_tokens[spec.token] = spec.label
        if spec.runner_id is not None:
            if spec.runner_id in seen_ids:
                raise SpecError(f"{seen_ids[spec.runner_id]} and {spec.label} both name runner id {spec.runner_id}")
            seen_ids[spec.runner_id] = spec.label
        if spec.discoverable:
            key = (scope_key(spec.owner), spec.description)
            if key in seen_names:
                raise SpecError(
                    f"{seen_names[key]} and {spec.label} both describe runner {spec.description!r} in "
                    f"{spec.owner.scope_name}: descriptions must be unique within a scope"
                )
            seen_names[key] = spec.label


def sorted_tags(tags: object) -> list:
    return sorted(set(tags or []))


def comparable(runner: dict | None) -> dict:
    """A runner's managed attributes in one shape, for comparison and for diffs (tags sorted, no token)."""
    if not runner:
        return {}
    view = {name: runner.get(name) for name in ATTRIBUTES}
    if "paused" not in runner and "active" in runner:  # GitLab before 14.8
        view["paused"] = not runner["active"]
    view["tag_list"] = sorted_tags(runner.get("tag_list"))
    view["maximum_timeout"] = runner.get("maximum_timeout") or None
    view["runner_type"] = runner.get("runner_type")
    return view


def wanted_value(name: str, value: object) -> object:
    if name == "tag_list":
        return sorted_tags(value)
    if name == "maximum_timeout":
        return value or None  # 0 asks for no limit, which GitLab shows as null
    return value


def changes_needed(runner: dict, wanted: dict) -> dict:
    """The wanted attributes that differ from the runner's, as wanted (tags compared as sets)."""
    current = comparable(runner)
    return {name: value for name, value in wanted.items() if wanted_value(name, value) != current.get(name)}


def update_body(changes: dict, supports_paused: bool) -> dict:
    """PUT /runners/:id body: `paused` from 14.8, `active` before; 0 timeout as null (no limit)."""
    body = dict(changes)
    if "paused" in body and not supports_paused:
        body["active"] = not body.pop("paused")
    if "maximum_timeout" in body:
        body["maximum_timeout"] = body["maximum_timeout"] or None
    return body


def create_body(spec: RunnerSpec, owner_id: int | None) -> dict:
    """POST /user/runners body: the type, the owner's numeric id and every attribute the entry sets."""
    body = {"runner_type": spec.runner_type}
    if spec.owner is not None and spec.owner.kind != "instance":
        body[f"{spec.owner.kind}_id"] = owner_id
    for name, value in spec.attributes.items():
        if name == "maximum_timeout" and not value:
            continue  # a new runner has no limit already
        body[name] = value
    return body


def predicted_runner(runner: dict | None, spec: RunnerSpec) -> dict:
    """What GitLab would answer after the change (check mode): the runner with the wanted attributes applied."""
    predicted = dict(runner or dict(NEW_RUNNER_DEFAULTS, id=None, runner_type=spec.runner_type))
    for name, value in spec.attributes.items():
        predicted[name] = (value or None) if name == "maximum_timeout" else value
    if "active" in predicted and "paused" in spec.attributes:
        predicted["active"] = not spec.attributes["paused"]
    return predicted


def owner_mismatch(runner: dict, owner: Owner, owner_id: int | None) -> str | None:
    """Why `runner` is not owned by `owner` (None when it is). Compares ids when the owner's id is known, else
    the path GitLab shows (a project's path_with_namespace, a group's web_url); None means "cannot tell"."""
    if owner.kind == "instance":
        return None
    records = runner.get(f"{owner.kind}s") or []
    if not records:
        return f"it shows no {owner.kind} the token's user can see"
    first = records[0]  # the first project is the owner; a group runner has exactly one group
    if owner_id is not None:
        return None if first.get("id") == owner_id else f"its {owner.kind} is {first.get('id')}"
    if isinstance(owner.ref, int):
        return None if first.get("id") == owner.ref else f"its {owner.kind} is {first.get('id')}"
    return None if shown_path(first, owner.kind).lower() == owner.ref.lower() else "unknown"


def shown_path(record: dict, kind: str) -> str:
    if kind == "project":
        return str(record.get("path_with_namespace") or "")
    web_url = str(record.get("web_url") or "")
    marker = "/groups/"
    return web_url.split(marker, 1)[1].rstrip("/") if marker in web_url else ""


def token_reset_reason(
    policy: str, token_given: bool, token_valid: bool | None, why_invalid: str | None = None
) -> str | None:
    """Why the runner's token must be reset under `policy`, or None. token_valid is None when not judged."""
    if policy == "never":
        return None
    if policy == "always":
        return "token_reset is always"
    if token_given and token_valid is False:
        return why_invalid or "GitLab rejected the given token"
    if not token_given and policy == "if_missing":
        return "no token was given and token_reset is if_missing"
    return None


# datetime.UTC is Python 3.11's; module utils also run on the older Pythons of managed hosts.
UTC = datetime.timezone.utc  # noqa: UP017


def moment(text: object) -> datetime.datetime | None:
    """An ISO 8601 time as GitLab writes it (2027-01-01T00:00:00.000Z), timezone-aware; None when unreadable."""
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def has_expired(expires_at: str | None, now: datetime.datetime | None = None) -> bool:
    """Whether a recorded token expiry has passed; a token recorded without one never expires."""
    when = moment(expires_at)
    return when is not None and when <= (now or datetime.datetime.now(UTC))


def version_at_least(version: str, wanted: tuple) -> bool:
    """`16.11.2-ee` >= (14, 8): compares the numeric release; an unreadable version counts as current."""
    numbers = []
    for part in version.split("-", 1)[0].split("."):
        if not part.isdigit():
            break
        numbers.append(int(part))
    return not numbers or tuple(numbers) >= wanted
