# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GitLab Runner's config.toml: checked against the runner's own structs, written as TOML, merged with the host's.

Three steps, each a pure function:

- `normalize(config)` checks a dictionary shaped like config.toml against the schema generated from the runner's Go
  structs (_runner_config_schema) and the rules the runner applies when it loads the file, and returns it with
  every table's keys in the runner's declaration order. It raises ConfigError listing every problem, each with
  its path (`runners[1].docker.privilegd`).
- `dumps(normalized)` writes TOML: same input, same bytes.
- `merge_runner_state(desired, current)` keeps what the runner writes into config.toml itself (its id, the time
  its token was obtained and expires, and a token it rotated on its own), so a playbook never undoes a rotation.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import datetime
import difflib
import fractions
import functools
import math
import re
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping, Sequence

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._cronexpr import cron_problem, runs_every_second
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config_schema import (
    ROOT_TABLE,
    RUNNER_VERSION,
    TABLES,
)

MANAGED_HEADER = (
    "# Managed by Ansible (runnerfleet.gitlab_aws.runner_config_toml): edits made here are undone on the next run.\n"
    "# GitLab Runner re-reads this file by itself; the token it rotates on its own is kept by runner_config_merge.\n"
)


def comment_block(text: str) -> str:
    """A user's header as TOML comment lines: each line starts with '#', the block ends with a newline."""
    lines = text.rstrip("\n").split("\n") if text else []
    return "".join((line if line.startswith("#") else f"# {line}".rstrip()) + "\n" for line in lines)


MAX_REPORTED_ERRORS = 25

# The executors GitLab Runner registers (executors/*), and which of them run jobs in Docker.
EXECUTORS = frozenset(
    {
        "shell",
        "ssh",
        "docker",
        "docker-windows",
        "docker+machine",
        "docker-autoscaler",
        "instance",
        "kubernetes",
        "custom",
        "parallels",
        "virtualbox",
    }
)
# docker-machine settings the runner still decodes but has ignored since 14.0 (it only logs a deprecation).
OFF_PEAK_KEYS = ("OffPeakPeriods", "OffPeakTimezone", "OffPeakIdleCount", "OffPeakIdleTime")
DOCKER_EXECUTORS = frozenset({"docker", "docker-windows", "docker+machine", "docker-autoscaler"})
AUTOSCALER_EXECUTORS = frozenset({"docker-autoscaler", "instance"})
# common/labels.go: what a label may look like, and how many a runner may carry (global ones included).
# Go's `$` is the end of the text; Python's `\Z` is (its `$` also matches before a final newline).
LABEL_KEY = re.compile(r"^[a-zA-Z0-9_][a-zA-Z0-9._-]{2,64}\Z")
LABEL_VALUE = re.compile(r"^[a-zA-Z0-9._-]{1,256}\Z")
MAX_LABELS = 32

# Keys whose values are never repeated in a message (runner tokens, cache and registry credentials).
SECRET_KEYS = frozenset(
    {
        "token",
        "password",
        "AccessKey",
        "SecretKey",
        "SessionToken",
        "PrivateKey",
        "AccountKey",
        "bearer_token",
        "sentry_dsn",
    }
)
INT_RANGES = {
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**63 - 1),  # TOML integers are signed 64-bit
}
# Go's time.ParseDuration: "300ms", "1.5h", "2h45m", "-1m"; a bare "0" too.
GO_DURATION = re.compile(r"^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)\Z")
GO_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)")
DURATION_UNITS_NS = {
    "ns": 1,
    "us": 10**3,
    "µs": 10**3,
    "μs": 10**3,
    "ms": 10**6,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}
BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+\Z")
TIME_TYPES = (datetime.datetime, datetime.date, datetime.time)


class ConfigError(ValueError):
    """config.toml content GitLab Runner would refuse or misread; `problems` holds each one with its path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_REPORTED_ERRORS]
        more = len(problems) - len(shown)
        summary = "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
        super().__init__(f"config.toml is not valid for GitLab Runner {RUNNER_VERSION}: {summary}")


# --- Paths and messages -----------------------------------------------------------------------------------------


def child_path(path: str, key: str) -> str:
    shown = key if BARE_KEY.match(key) else f"[{quote(key)}]"
    if not path:
        return shown
    return f"{path}{shown}" if shown.startswith("[") else f"{path}.{shown}"


# While checking, a path is kept as (parent, key or index) pairs and spelled out only for a message: most values
# never need theirs, and 500 runners hold tens of thousands of values.
Path = tuple | None


def spell(path: Path) -> str:
    if path is None:
        return ""
    parent, key = path
    if isinstance(key, int):
        return f"{spell(parent)}[{key}]"
    return child_path(spell(parent), key)


def type_name(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "float", str: "string", dict: "table", list: "array"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    if isinstance(value, Mapping):
        return "table"
    if isinstance(value, TIME_TYPES):
        return "datetime"
    return type(value).__name__


def with_article(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def describe(value: object) -> str:
    if isinstance(value, (Mapping, list, tuple)):
        return with_article(type_name(value))
    text = repr(value)
    return f"{type_name(value)} {text if len(text) <= 40 else text[:37] + '...'}"


def expected(kind: object) -> str:
    if isinstance(kind, tuple):
        shape, inner = kind
        if shape in ("table", "tables"):
            return "a table" if shape == "table" else "an array of tables"
        items = "item" if shape == "list" else "value"
        holder = "an array" if shape == "list" else "a table"
        return f"{holder} whose every {items} is {expected(inner)}"
    return {
        "string": "a string",
        "bool": "a boolean (true or false)",
        "float": "a number",
        "duration": 'a Go duration string such as "20m0s", "90s" or "1h"',
        "datetime": 'a datetime (a TOML datetime, or an RFC 3339 string such as "2026-01-31T12:00:00Z")',
        "string_or_list": "a string or an array of strings",
        "any": "a TOML value",
    }.get(str(kind), f"an integer ({kind})")


# --- Normalizing: types ----------------------------------------------------------------------------------------


# Each table's keys: their types, and their place in the runner's declaration order.
KEY_TYPES = {name: dict(keys) for name, keys in TABLES.items()}
KEY_ORDER = {name: {entry[0]: index for index, entry in enumerate(keys)} for name, keys in TABLES.items()}


class Normalizer:
    """Checks values against the schema, collecting every problem, and returns them in the runner's key order."""

    def __init__(self, keep_unknown_keys: bool = False) -> None:
        self.keep_unknown_keys = keep_unknown_keys
        self.problems: list[str] = []
        self.scalars: dict[str, Callable[[object, Path], object]] = {
            "string": self.string,
            "bool": self.boolean,
            "float": self.number,
            "duration": self.duration,
            "datetime": self.moment,
            "string_or_list": self.string_or_list,
            "any": self.anything,
        }

    @staticmethod
    def shown(value: object, path: Path) -> str:
        """A value for a message: only its kind when it sits under a key that holds secrets."""
        if isinstance(path, tuple) and path[1] in SECRET_KEYS:
            return f"{with_article(type_name(value))} (value not shown)"
        return describe(value)

    def problem(self, path: Path | str, message: str) -> None:
        where = path if isinstance(path, str) else spell(path)
        self.problems.append(f"{where}: {message}" if where else message)

    def value(self, value: object, kind: object, path: Path) -> object:
        if isinstance(kind, str):
            check = self.scalars.get(kind)
            return check(value, path) if check else self.integer(value, kind, path)
        shape, inner = kind
        if shape == "table":
            return self.table(value, inner, path)
        if shape == "tables":
            return self.array(value, ("table", inner), path, tables=True)
        if shape == "list":
            return self.array(value, inner, path)
        return self.open_table(value, inner, path)

    def table(self, value: object, table_name: str, path: Path) -> object:
        if not isinstance(value, (dict, Mapping)):
            self.problem(path, f"expects a table, got {self.shown(value, path)}")
            return value
        types, order = KEY_TYPES[table_name], KEY_ORDER[table_name]
        known: list[tuple[int, str, object]] = []
        for key, item in value.items():
            if item is None:
                continue  # null means "not set": TOML has no null, and the runner's default applies
            if not isinstance(key, str):
                self.problem(path, f"has a key that is not a string: {key!r}")
                continue
            if key not in types:
                if self.keep_unknown_keys and is_encodable(key):  # a newer runner's key: after the known ones
                    known.append((len(order), key, self.anything(item, (path, key))))
                else:
                    self.unknown_key(path, key, types)
                continue
            known.append((order[key], key, self.value(item, types[key], (path, key))))
        known.sort()
        return {entry[1]: entry[2] for entry in known}

    def unknown_key(self, path: Path, key: str, types: Mapping[str, object]) -> None:
        where = (path, key)
        same_letters = [name for name in types if name.lower() == key.lower()]
        close = same_letters or difflib.get_close_matches(key, list(types), n=1, cutoff=0.6)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        self.problem(where, f"unknown key (GitLab Runner {RUNNER_VERSION} has no such setting here){hint}")

    def open_table(self, value: object, inner: object, path: Path) -> object:
        if not isinstance(value, Mapping):
            self.problem(path, f"expects {expected(('map', inner))}, got {self.shown(value, path)}")
            return value
        entries = []
        for key, item in value.items():
            if item is None:
                continue
            if not isinstance(key, str) or not is_encodable(key):
                self.problem(path, f"has a key that is not a string of valid Unicode text: {key!r}")
                continue
            entries.append((key, self.value(item, inner, (path, key))))
        entries.sort(key=lambda entry: entry[0])
        return dict(entries)

    def array(self, value: object, inner: object, path: Path, tables: bool = False) -> object:
        if not isinstance(value, (list, tuple)):
            wanted = "an array of tables" if tables else expected(("list", inner))
            self.problem(path, f"expects {wanted}, got {self.shown(value, path)}")
            return value
        return [self.value(item, inner, (path, index)) for index, item in enumerate(value)]

    def string(self, value: object, path: Path) -> object:
        if not isinstance(value, str):
            self.problem(path, f"expects a string, got {self.shown(value, path)}")
        elif not is_encodable(value):
            self.problem(path, "is not valid Unicode text (it holds a lone surrogate)")
        return value

    def boolean(self, value: object, path: Path) -> object:
        if not isinstance(value, bool):
            self.problem(path, f"expects a boolean (true or false), got {self.shown(value, path)}")
        return value

    def integer(self, value: object, kind: str, path: Path) -> object:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"expects an integer ({kind}), got {self.shown(value, path)}")
            return value
        low, high = INT_RANGES[kind]
        if not low <= value <= high:
            self.problem(path, f"{value} does not fit the runner's {kind} (allowed: {low} to {high})")
        return value

    def number(self, value: object, path: Path) -> object:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path, f"expects a number, got {self.shown(value, path)}")
        return value

    def duration(self, value: object, path: Path) -> object:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.problem(
                path,
                f'expects a Go duration string such as "20m0s" or "90s", got the number {value!r}: '
                "GitLab Runner would read a number here as nanoseconds",
            )
        elif not isinstance(value, str):
            self.problem(path, f'expects a Go duration string such as "20m0s", got {self.shown(value, path)}')
        elif not GO_DURATION.match(value) or duration_overflows(value):
            self.problem(
                path, f'"{value}" is not a Go duration (a number with a unit of ns, us, ms, s, m or h, e.g. "1h30m")'
            )
        return value

    def moment(self, value: object, path: Path) -> object:
        if isinstance(value, datetime.datetime):
            return self.valid_offset(value, path)
        if isinstance(value, str):
            try:
                parsed = datetime.datetime.fromisoformat(value.upper())  # RFC 3339 allows a lowercase t and z
            except ValueError:
                parsed = None
            if parsed is None or parsed.tzinfo is None or ("T" not in value.upper() and " " not in value):
                self.problem(path, f'"{value}" is not an RFC 3339 datetime such as "2026-01-31T12:00:00Z"')
                return value
            return self.valid_offset(parsed, path)
        self.problem(path, f"expects {expected('datetime')}, got {self.shown(value, path)}")
        return value

    def valid_offset(self, value: datetime.datetime, path: Path) -> datetime.datetime:
        offset = value.utcoffset()
        if offset is not None and offset.seconds % 60:
            self.problem(path, "has a UTC offset with seconds, which TOML cannot write")
        return value

    def string_or_list(self, value: object, path: Path) -> object:
        if isinstance(value, str):
            return self.string(value, path)
        if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
            return [self.string(item, (path, index)) for index, item in enumerate(value)]
        self.problem(path, f"expects a string or an array of strings, got {self.shown(value, path)}")
        return value

    def anything(self, value: object, path: Path) -> object:  # noqa: PLR0911 one return per kind of TOML value
        """A free-form value (plugin_config, nesting_config): anything TOML can hold."""
        if isinstance(value, Mapping):
            return self.open_table(value, "any", path)
        if isinstance(value, (list, tuple)):
            return self.array(value, "any", path)
        if isinstance(value, str):
            return self.string(value, path)
        if isinstance(value, datetime.datetime):
            return self.valid_offset(value, path)
        if isinstance(value, datetime.time) and value.tzinfo is not None:
            self.problem(path, "is a time of day with a UTC offset, which TOML cannot write (give a datetime)")
            return value
        if isinstance(value, (bool, float, *TIME_TYPES)):
            return value
        if isinstance(value, int):
            return self.integer(value, "int64", path)
        self.problem(path, f"holds {self.shown(value, path)}, which TOML cannot represent")
        return value


@functools.lru_cache(maxsize=1024)
def duration_overflows(text: str) -> bool:
    """Go's durations are int64 nanoseconds (about 292 years); ParseDuration refuses more."""
    total = fractions.Fraction(0)
    for number, unit in GO_DURATION_PART.findall(text):
        total += fractions.Fraction(number + "0" if number.endswith(".") else number) * DURATION_UNITS_NS[unit]
    return total > INT_RANGES["int64"][1]


def is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- Normalizing: the runner's own rules ----------------------------------------------------------------------


def check_runner_rules(config: Mapping[str, object], problems: Normalizer) -> None:
    """What GitLab Runner checks when it loads the file or starts a runner, beyond the types."""
    concurrent = config.get("concurrent")
    if isinstance(concurrent, int) and not isinstance(concurrent, bool) and concurrent < 1:
        problems.problem("concurrent", f"must be at least 1 (the runner refuses to start with {concurrent})")
    global_labels = config.get("labels")
    check_labels(global_labels, "labels", problems)
    runners = config.get("runners")
    if not isinstance(runners, list):
        return
    tokens_seen: dict[tuple[object, object], int] = {}
    for index, runner in enumerate(runners):
        if not isinstance(runner, Mapping):
            continue
        path = f"runners[{index}]"
        check_runner(runner, path, problems)
        check_labels(runner.get("labels"), f"{path}.labels", problems, global_labels)
        identity = (runner.get("url"), runner.get("token"))
        if isinstance(identity[1], str) and identity[1]:
            if identity in tokens_seen:
                problems.problem(
                    path,
                    f"has the url and token of runners[{tokens_seen[identity]}]: the runner would ask GitLab for "
                    "jobs twice with one token; one [[runners]] entry per token",
                )
            tokens_seen.setdefault(identity, index)


def check_runner(runner: Mapping[str, object], path: str, problems: Normalizer) -> None:
    for required in ("url", "token", "executor"):
        value = runner.get(required)
        if value is None or value == "":
            problems.problem(f"{path}.{required}", "is required and must not be empty")
    url = runner.get("url")
    if isinstance(url, str) and url and "$" not in url and not re.match(r"^https?://[^/\s]+", url):
        problems.problem(f"{path}.url", f'"{url}" is not an http:// or https:// URL of a GitLab instance')
    executor = runner.get("executor")
    if isinstance(executor, str) and executor:
        check_executor(runner, executor, path, problems)
    machine = runner.get("machine")
    if isinstance(machine, Mapping):
        check_machine(machine, f"{path}.machine", problems)
    check_monitoring(runner.get("monitoring"), f"{path}.monitoring", problems)


def check_executor(runner: Mapping[str, object], executor: str, path: str, problems: Normalizer) -> None:
    if executor not in EXECUTORS:
        close = difflib.get_close_matches(executor, sorted(EXECUTORS), n=1, cutoff=0.6)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        allowed = ", ".join(sorted(EXECUTORS))
        problems.problem(f"{path}.executor", f'"{executor}" is not an executor GitLab Runner knows ({allowed}){hint}')
        return
    if executor in DOCKER_EXECUTORS and not isinstance(runner.get("docker"), Mapping):
        problems.problem(
            path,
            f'executor "{executor}" needs a [runners.docker] table '
            '(without it every job fails with "missing docker configuration")',
        )
    if executor == "docker+machine":
        machine = runner.get("machine")
        if not isinstance(machine, Mapping) or not machine.get("MachineName"):
            problems.problem(path, 'executor "docker+machine" needs [runners.machine] with MachineName (containing %s)')
    if executor in AUTOSCALER_EXECUTORS:
        autoscaler = runner.get("autoscaler")
        if not isinstance(autoscaler, Mapping) or not autoscaler.get("plugin"):
            problems.problem(
                path, f'executor "{executor}" needs [runners.autoscaler] with a plugin (e.g. plugin = "aws")'
            )


def check_machine(machine: Mapping[str, object], path: str, problems: Normalizer) -> None:
    name = machine.get("MachineName")
    if isinstance(name, str) and name and "%s" not in name:
        problems.problem(
            f"{path}.MachineName",
            f'"{name}" must contain %s, where the runner puts each machine\'s unique part (e.g. "runner-%s")',
        )
    with_name = machine.get("MachineOptionsWithName")
    if isinstance(with_name, list):
        for index, option in enumerate(with_name):
            if isinstance(option, str) and "%s" not in option:
                problems.problem(
                    f"{path}.MachineOptionsWithName[{index}]",
                    f'"{option}" must contain %s (the machine name is put there); plain options go in MachineOptions',
                )
    for key in OFF_PEAK_KEYS:
        if key in machine:
            problems.problem(
                f"{path}.{key}",
                "has had no effect since GitLab Runner 14.0 (the runner ignores it); "
                "use [[runners.machine.autoscaling]] entries with Periods instead",
            )
    check_time_periods(machine.get("autoscaling"), "Periods", "Timezone", f"{path}.autoscaling", problems)


def check_monitoring(monitoring: object, path: str, problems: Normalizer) -> None:
    durations = monitoring.get("job_queuing_durations") if isinstance(monitoring, Mapping) else None
    check_time_periods(durations, "periods", "timezone", f"{path}.job_queuing_durations", problems)


def check_time_periods(entries: object, periods_key: str, timezone_key: str, path: str, problems: Normalizer) -> None:
    """Tables whose periods the runner compiles at load with helpers/timeperiod: docker-machine's
    [[runners.machine.autoscaling]] and [[runners.monitoring.job_queuing_durations]]."""
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, Mapping):
            check_periods(entry.get(periods_key), f"{path}[{index}].{periods_key}", problems)
            check_timezone(entry.get(timezone_key), f"{path}[{index}].{timezone_key}", problems)


def check_periods(periods: object, path: str, problems: Normalizer) -> None:
    """A period is active while a cron match lies within a second of now (helpers/timeperiod), so a line whose
    seconds are fixed (5 or 6 fields, @daily, or a seventh field other than `*`) is active one second a minute."""
    for index, line in enumerate(periods if isinstance(periods, list) else []):
        if not isinstance(line, str):
            continue
        reason = cron_problem(line)
        if reason:
            problems.problem(f"{path}[{index}]", f'"{line}" is not a cron line the runner can read: {reason}')
        elif not runs_every_second(line):
            problems.problem(
                f"{path}[{index}]",
                f'"{line}" would be active only one second a minute: the runner matches periods second by second, '
                'so write 7 fields with "*" seconds first, e.g. "* * 9-17 * * mon-fri *"',
            )


def check_timezone(timezone: object, path: str, problems: Normalizer) -> None:
    if isinstance(timezone, str) and timezone and not known_timezone(timezone):
        problems.problem(
            path, f'"{timezone}" is not a time zone name (an IANA name such as "Europe/Berlin", or "UTC" or "Local")'
        )


@functools.lru_cache(maxsize=256)
def known_timezone(name: str) -> bool:
    """Go's time.LoadLocation: an IANA name, "UTC" or "Local". Unverifiable without a zone database: accepted."""
    if name in ("UTC", "Local"):
        return True
    if not zoneinfo.available_timezones():
        return True
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return False
    return True


def check_labels(labels: object, path: str, problems: Normalizer, inherited: object = None) -> None:
    if not isinstance(labels, Mapping):
        return
    for key, value in labels.items():
        if isinstance(key, str) and not LABEL_KEY.match(key):
            problems.problem(
                child_path(path, key),
                "label names are 3-65 characters of letters, digits, '.', '_' and '-', not starting with '.' or '-'",
            )
        if isinstance(value, str) and not LABEL_VALUE.match(value):
            problems.problem(
                child_path(path, key), f'"{value}" is not a label value (1-256 letters, digits, ".", "_", "-")'
            )
    merged = set(labels)
    if isinstance(inherited, Mapping):
        merged |= set(inherited)
    if len(merged) > MAX_LABELS:
        problems.problem(path, f"gives the runner {len(merged)} labels with the global ones; at most {MAX_LABELS}")


UNKNOWN_KEY_POLICIES = ("fail", "keep")


def normalize(config: object, unknown_keys: str = "fail") -> dict:
    """The config checked and put in the runner's key order; ConfigError with every problem otherwise.

    unknown_keys="keep" lets through keys this schema does not know (a runner newer than the schema), written
    after the known keys of their table; every other check still applies.
    """
    if unknown_keys not in UNKNOWN_KEY_POLICIES:
        raise ConfigError([f"unknown_keys must be one of {', '.join(UNKNOWN_KEY_POLICIES)}, got {unknown_keys!r}"])
    checker = Normalizer(keep_unknown_keys=unknown_keys == "keep")
    if not isinstance(config, Mapping):
        raise ConfigError([f"config.toml content must be a dictionary (a table), got {describe(config)}"])
    normalized = checker.table(config, ROOT_TABLE, None)
    check_runner_rules(normalized, checker)  # guarded by type checks of its own: every problem shows at once
    if checker.problems:
        raise ConfigError(checker.problems)
    return normalized


# --- Writing TOML --------------------------------------------------------------------------------------------------

ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')


def quote(text: str) -> str:
    if not NEEDS_ESCAPE.search(text):
        return f'"{text}"'
    return '"' + NEEDS_ESCAPE.sub(lambda found: ESCAPES.get(found.group(), f"\\u{ord(found.group()):04x}"), text) + '"'


@functools.lru_cache(maxsize=4096)
def toml_key(key: str) -> str:
    return key if BARE_KEY.match(key) else quote(key)


def inline(value: object) -> str:  # noqa: PLR0911 one return per kind of TOML value
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return toml_float(value)
    if isinstance(value, datetime.datetime):
        return toml_datetime(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{toml_key(key)} = {inline(item)}" for key, item in value.items())
        return f"{{ {pairs} }}" if pairs else "{}"
    return "[" + ", ".join(inline(item) for item in value) + "]"


def toml_float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def toml_datetime(value: datetime.datetime) -> str:
    text = value.isoformat()
    offset = value.utcoffset()
    if offset is not None and not offset:
        text = text[:-6] + "Z"  # how the runner writes UTC: 2026-01-31T12:00:00Z
    return text


def is_table_array(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, Mapping) for item in value)


def dumps(config: Mapping[str, object], header: str = MANAGED_HEADER) -> str:
    """TOML for a normalized config: within each table its plain keys first, then its sub-tables, in dict order."""
    lines: list[str] = [header] if header else []
    write_table(lines, "", config)
    return "".join(lines)


def write_table(lines: list[str], prefix: str, table: Mapping[str, object]) -> None:
    nested: list[tuple[str, object]] = []
    for key, value in table.items():
        if isinstance(value, Mapping) or is_table_array(value):
            nested.append((key, value))
        else:
            lines.append(f"{toml_key(key)} = {inline(value)}\n")
    for key, value in nested:
        name = f"{prefix}.{toml_key(key)}" if prefix else toml_key(key)
        if isinstance(value, Mapping):
            lines.append(f"\n[{name}]\n")
            write_table(lines, name, value)
            continue
        for item in value:
            lines.append(f"\n[[{name}]]\n")
            write_table(lines, name, item)


def render(config: object, header: str = MANAGED_HEADER, unknown_keys: str = "fail") -> str:
    """config.toml text for a dictionary shaped like it, checked first (see normalize)."""
    return dumps(normalize(config, unknown_keys), header)


MASK = "[MASKED]"


def masked(value: object) -> object:
    """value with every secret (any non-empty value under one of SECRET_KEYS) replaced by MASK, at any depth.

    Null values are left out, as render leaves them out: they mean "not set".
    """
    if isinstance(value, Mapping):
        return {
            key: MASK if key in SECRET_KEYS and item not in ("", [], {}) else masked(item)
            for key, item in value.items()
            if item is not None
        }
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def masked_text(config: object) -> str:
    """config.toml (text or dictionary) written again with its secrets masked, for diffs and for people to read.

    Not checked against the schema: it shows whatever the host holds, unknown keys included.
    """
    return dumps(masked(parse_current(config)), header="")


# --- Merging with what the runner wrote ----------------------------------------------------------------------------

ZERO_TIME = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)


def parse_current(current: object) -> dict:
    """The host's config.toml as a dictionary: text (possibly empty) or an already parsed dictionary."""
    if current is None:
        return {}
    if isinstance(current, Mapping):
        return dict(current)
    if not isinstance(current, (str, bytes)):
        raise ConfigError([f"the current config.toml must be its text or a dictionary, got {describe(current)}"])
    try:
        text = current.decode("utf-8") if isinstance(current, bytes) else current
    except UnicodeDecodeError:
        raise ConfigError(["the current config.toml on the host is not UTF-8 text"]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"the current config.toml on the host is not valid TOML ({error})"]) from None


def as_moment(value: object) -> datetime.datetime | None:
    """A token time as an aware datetime; None for absent or the runner's zero time (no expiry)."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime.datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return None if value <= ZERO_TIME else value


def match_current(desired: Mapping, candidates: Sequence[Mapping]) -> Mapping | None:
    """The host's entry for a desired runner: same id, else same token, else the only one with its url and name."""
    runner_id = desired.get("id")
    if runner_id:
        same_id = [runner for runner in candidates if runner.get("id") == runner_id]
        if same_id:
            return same_id[0]
    token = desired.get("token")
    same_token = [runner for runner in candidates if token and runner.get("token") == token]
    if same_token:
        return same_token[0]
    if not desired.get("name"):
        return None
    same_name = [
        runner
        for runner in candidates
        if runner.get("name") == desired.get("name")
        and runner.get("url") == desired.get("url")
        and not (runner_id and runner.get("id"))
    ]
    return same_name[0] if len(same_name) == 1 else None


def runner_token_is_newer(desired: Mapping, current: Mapping) -> tuple[bool, str]:
    """Whether the token in the host's file is one the runner obtained after the desired one, and why."""
    current_expires = as_moment(current.get("token_expires_at"))
    if current_expires is None:
        return False, "the host's token never expires, so the runner cannot have rotated it"
    current_obtained = as_moment(current.get("token_obtained_at"))
    desired_obtained = as_moment(desired.get("token_obtained_at"))
    if desired_obtained and current_obtained:
        return current_obtained > desired_obtained, "the host's token_obtained_at is later than the desired one's"
    desired_expires = as_moment(desired.get("token_expires_at"))
    if desired_expires:
        return current_expires > desired_expires, "the host's token_expires_at is later than the desired one's"
    # Nothing comparable says which token is newer: keeping the runner's rotated token is the safe side
    # (writing an older token back is what breaks a runner whose token it rotated).
    if desired_obtained:
        why = "the host's token has no token_obtained_at and the desired one no token_expires_at"
    else:
        why = "the desired token carries no token_obtained_at or token_expires_at"
    return True, f"{why} to compare; the runner's token is kept as the safe side"


def merge_runner_state(desired: object, current: object = None) -> dict:
    """The desired config with what the runner wrote itself kept; which runners' rotated tokens were kept."""
    if not isinstance(desired, Mapping):
        raise ConfigError([f"the desired config.toml content must be a dictionary, got {describe(desired)}"])
    existing = parse_current(current)
    current_runners = [runner for runner in existing.get("runners") or [] if isinstance(runner, Mapping)]
    merged = dict(desired)
    rotated: list[dict] = []
    runners = desired.get("runners")
    if isinstance(runners, list):
        merged["runners"] = [
            merge_runner(runner, index, current_runners, rotated) for index, runner in enumerate(runners)
        ]
    return {"config": merged, "rotated_tokens": rotated}


def merge_runner(runner: object, index: int, current_runners: Sequence[Mapping], rotated: list[dict]) -> object:
    if not isinstance(runner, Mapping):
        return runner
    current = match_current(runner, current_runners)
    if current is None:
        return runner
    merged = dict(runner)
    if not merged.get("id") and current.get("id"):
        merged["id"] = current["id"]
    if current.get("token") == runner.get("token"):
        for key in ("token_obtained_at", "token_expires_at"):
            if key in current:
                merged[key] = current[key]
        return merged
    newer, reason = runner_token_is_newer(runner, current)
    if newer and current.get("token"):
        for key in ("token", "token_obtained_at", "token_expires_at"):
            merged.pop(key, None)  # the desired token's times do not belong to the host's token
            if key in current:
                merged[key] = current[key]
        rotated.append(
            {
                "index": index,
                "name": merged.get("name"),
                "id": merged.get("id"),
                "url": merged.get("url"),
                "token": current["token"],
                "token_obtained_at": current.get("token_obtained_at"),
                "token_expires_at": current.get("token_expires_at"),
                "reason": reason,
            }
        )
    return merged
