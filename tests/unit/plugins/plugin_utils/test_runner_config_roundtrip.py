# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""runner_config's renderer, property-based: valid configs built from the schema itself read back as themselves.

The strategies walk _runner_config_schema.TABLES (a random subset of each table's keys, tables nested no deeper
than MAX_DEPTH so Kubernetes' affinity tree stays small) and then make the config one GitLab Runner accepts: each
runner gets a url, a token of its own and an executor with what that executor needs. Every generated value is
already in the form tomllib returns (lists, not tuples; aware datetimes where the schema has a datetime), so a
read back compares with ==.
"""

from __future__ import annotations

import datetime
import functools
import tomllib

import pytest
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _runner_config, _runner_config_schema
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._cronexpr import cron_problem
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import ConfigError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TABLES = _runner_config_schema.TABLES
MAX_DEPTH = 5  # Config is 0, [[runners]] 1, [runners.kubernetes] 2, its affinity 3 ...
MAX_KEYS = 6  # keys drawn per table
URL = "https://gitlab.example.com"
EXECUTORS = ("shell", "custom", "ssh", "kubernetes", "docker", "docker+machine", "docker-autoscaler", "instance")
DOCKER_FAMILY = ("docker", "docker+machine", "docker-autoscaler")
AUTOSCALED = ("docker-autoscaler", "instance")
# docker-machine and monitoring periods go through gorhill/cronexpr and are matched second by second: 7 fields,
# "*" seconds first. Autoscaler policies take 5 fields.
SECOND_BY_SECOND_PERIODS = (
    "* * 9-17 * * mon-fri *",
    "* * * * * sat,sun *",
    "* */2 8-18 ? * MON-FRI *",
    "* 0-30 9-17 * jan-jun 1-5 2026-2030",
)
POLICY_PERIODS = ("* * * * *", "* 7-19 * * mon-fri", "0 9 * * 1-5", "*/15 0-6 * * sat,sun")
# Settings the renderer refuses whatever their value: docker-machine's off-peak ones, ignored since 14.0.
OFF_PEAK_KEYS = _runner_config.OFF_PEAK_KEYS
NOT_GENERATED = frozenset(("DockerMachine", key) for key in OFF_PEAK_KEYS)
TIMEZONES = ("UTC", "Local", "Europe/Berlin", "")
INT_RANGES = _runner_config.INT_RANGES
PROPERTY_SETTINGS = settings(
    max_examples=500,
    deadline=None,
    database=None,  # no example database written into the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- Scalars ------------------------------------------------------------------------------------------------------

# Any text but lone surrogates, and often text made of what TOML gives a meaning to.
TOML_SIGNIFICANT = "aZ9_-.#=[]{},\"'\\ \t\n\r\x00\x7f\u00e9"
TEXT = st.one_of(st.text(st.characters(exclude_categories=["Cs"]), max_size=10), st.text(TOML_SIGNIFICANT, max_size=6))
# Keys: any text, and often a bare key's characters with one that is not allowed bare at the end.
BARE_ISH = st.builds(
    str.__add__, st.text("aZ9_-", max_size=4), st.sampled_from(("", "\n", " ", ".", '"', "\t", "\u00e9"))
)
KEYS = st.one_of(TEXT, BARE_ISH)
FLOATS = st.floats(allow_nan=False)  # infinities included
UNITS = ("ns", "us", "µs", "μs", "ms", "s", "m", "h")
# Small numbers: three parts of at most 99999 hours stay inside Go's Duration (about 2.5 million hours).
DURATION_NUMBERS = st.one_of(
    st.integers(0, 99999).map(str),
    st.builds(lambda whole, fraction: f"{whole}.{fraction}", st.integers(0, 99999), st.integers(0, 999)),
    st.integers(0, 999).map(lambda fraction: f".{fraction}"),
    st.integers(0, 99).map(lambda whole: f"{whole}."),
)
DURATIONS = st.one_of(
    st.sampled_from(("0", "-0", "1h30m", "90s", "250ms", "20m0s", "1.5h", "-1m", "+2h45m", "300µs")),
    st.builds(
        lambda sign, parts: sign + "".join(number + unit for number, unit in parts),
        st.sampled_from(("", "-", "+")),
        st.lists(st.tuples(DURATION_NUMBERS, st.sampled_from(UNITS)), min_size=1, max_size=3),
    ),
)
OFFSETS = st.one_of(
    st.just(datetime.UTC),
    st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(
        lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
    ),
)
AWARE = st.datetimes(timezones=OFFSETS)
DATETIMES = st.one_of(AWARE.map(lambda moment: moment.replace(microsecond=0)), AWARE)
STRING_OR_LIST = st.one_of(TEXT, st.lists(TEXT, max_size=3))
# TOML's local date-times, dates and times are values too (free-form tables only: the schema's datetimes are aware).
LOCAL_TIMES = st.one_of(st.datetimes(), st.dates(), st.times())
ANY = st.recursive(
    st.one_of(TEXT, st.integers(*INT_RANGES["int64"]), FLOATS, st.booleans(), DATETIMES, LOCAL_TIMES),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(KEYS, children, max_size=3)),
    max_leaves=8,
)
SCALARS = {
    "string": TEXT,
    "bool": st.booleans(),
    "float": FLOATS,
    "duration": DURATIONS,
    "datetime": DATETIMES,
    "string_or_list": STRING_OR_LIST,
    "any": ANY,
    **{kind: st.integers(low, high) for kind, (low, high) in INT_RANGES.items()},
}

# --- Values the runner checks beyond their type ----------------------------------------------------------------

LABEL_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
LABEL_KEYS = st.builds(
    str.__add__,
    st.sampled_from(LABEL_CHARACTERS.replace(".", "").replace("-", "")),
    st.text(LABEL_CHARACTERS, min_size=2, max_size=12),
)
LABEL_VALUES = st.text(LABEL_CHARACTERS, min_size=1, max_size=12)
# At most 8 global and 8 per runner: well inside the runner's 32.
LABELS = st.dictionaries(LABEL_KEYS, LABEL_VALUES, max_size=8)
WITH_PLACEHOLDER = st.builds(lambda before, after: f"{before}%s{after}", TEXT, TEXT)
# By key name, wherever the schema has it.
BY_KEY_NAME = {
    "labels": LABELS,
    "MachineName": WITH_PLACEHOLDER,
    "MachineOptionsWithName": st.lists(WITH_PLACEHOLDER, max_size=3),
    "Periods": st.lists(st.sampled_from(SECOND_BY_SECOND_PERIODS), max_size=2),
    "periods": st.lists(st.sampled_from(SECOND_BY_SECOND_PERIODS), max_size=2),
    "Timezone": st.sampled_from(TIMEZONES),
    "timezone": st.sampled_from(TIMEZONES),
}
BY_TABLE_AND_KEY = {
    ("Config", "concurrent"): st.integers(1, INT_RANGES["int64"][1]),
    ("Config", "runners"): st.deferred(lambda: RUNNERS),
    ("AutoscalerPolicyConfig", "periods"): st.lists(st.sampled_from(POLICY_PERIODS), max_size=2),
}


def is_table(kind: object) -> bool:
    return isinstance(kind, tuple) and kind[0] in ("table", "tables")


def value_strategy(table: str, key: str, kind: object, depth: int) -> st.SearchStrategy:
    special = BY_TABLE_AND_KEY.get((table, key), BY_KEY_NAME.get(key))
    if special is not None:
        return special
    if isinstance(kind, str):
        return SCALARS[kind]
    shape, inner = kind
    if shape == "table":
        return table_strategy(inner, depth + 1)
    if shape == "tables":
        return st.lists(table_strategy(inner, depth + 1), max_size=2)
    if shape == "list":
        return st.lists(value_strategy(table, "", inner, depth), max_size=3)
    if shape == "map":
        return st.dictionaries(KEYS, value_strategy(table, "", inner, depth), max_size=3)
    raise AssertionError(f"{table}.{key}: no strategy for the schema type {kind!r}")


@functools.cache
def table_strategy(name: str, depth: int) -> st.SearchStrategy:
    """A random subset of the table's keys, each with a value of its type; sub-tables only down to MAX_DEPTH."""
    fields = {
        key: value_strategy(name, key, kind, depth)
        for key, kind in TABLES[name]
        if (name, key) not in NOT_GENERATED and (depth < MAX_DEPTH or not is_table(kind))
    }
    if not fields:
        return st.just({})
    names = sorted(fields)

    @st.composite
    def table(draw):
        chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=MAX_KEYS))
        return {key: draw(fields[key]) for key in chosen}

    return table()


@st.composite
def runner_entries(draw):
    """[[runners]]: random keys, then what GitLab Runner needs to run the executor drawn."""
    entries = []
    for index in range(draw(st.integers(0, 3))):
        runner = draw(table_strategy("RunnerConfig", 1))
        executor = draw(st.sampled_from(EXECUTORS))
        runner["url"] = URL
        runner["token"] = f"glrt-{index}-" + draw(TEXT)  # the index makes it unique: one entry per token
        runner["executor"] = executor
        if executor in DOCKER_FAMILY and "docker" not in runner:
            runner["docker"] = draw(table_strategy("DockerConfig", 2))
        if executor == "docker+machine":
            if "machine" not in runner:
                runner["machine"] = draw(table_strategy("DockerMachine", 2))
            if "MachineName" not in runner["machine"]:
                runner["machine"]["MachineName"] = draw(WITH_PLACEHOLDER)
        if executor in AUTOSCALED:
            if "autoscaler" not in runner:
                runner["autoscaler"] = draw(table_strategy("AutoscalerConfig", 2))
            if not runner["autoscaler"].get("plugin"):
                runner["autoscaler"]["plugin"] = draw(st.sampled_from(("aws", "aws:latest", "googlecloud", "azure")))
        entries.append(runner)
    return entries


@st.composite
def configs(draw):
    """The root table, with [[runners]] even when its random keys left them out (an empty array or none)."""
    config = draw(table_strategy(_runner_config_schema.ROOT_TABLE, 0))
    if "runners" not in config:
        runners = draw(RUNNERS)
        if runners or draw(st.booleans()):
            config["runners"] = runners
    return config


RUNNERS = runner_entries()
CONFIGS = configs()


def reversed_copy(value: object) -> object:
    """The same value with every table's keys inserted in reversed order (arrays keep their order)."""
    if isinstance(value, dict):
        return {key: reversed_copy(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_copy(item) for item in value]
    return value


# --- The generator itself --------------------------------------------------------------------------------------


def test_every_type_in_the_schema_has_a_strategy():
    for name, keys in TABLES.items():
        for key, kind in keys:
            assert value_strategy(name, key, kind, 0) is not None


def test_the_fixed_choices_are_ones_the_renderer_accepts():
    assert [line for line in SECOND_BY_SECOND_PERIODS + POLICY_PERIODS if cron_problem(line)] == []
    periods = list(SECOND_BY_SECOND_PERIODS)
    machine = {"MachineName": "m-%s", "autoscaling": [{"Periods": periods, "Timezone": zone} for zone in TIMEZONES]}
    monitoring = {"job_queuing_durations": [{"periods": periods, "timezone": zone} for zone in TIMEZONES]}
    autoscaler = {"plugin": "aws", "policy": [{"periods": list(POLICY_PERIODS)}]}
    runner = {"url": URL, "token": "t", "executor": "docker+machine", "docker": {}, "machine": machine}
    runner |= {"monitoring": monitoring, "autoscaler": autoscaler}
    normalized = _runner_config.normalize({"runners": [runner]})["runners"][0]
    assert [normalized[key] for key in ("machine", "monitoring", "autoscaler")] == [machine, monitoring, autoscaler]


@pytest.mark.parametrize("key", OFF_PEAK_KEYS)
def test_the_settings_left_out_are_refused_whatever_their_value(key):
    value = {"OffPeakPeriods": ["* * * * * * *"], "OffPeakTimezone": "UTC"}.get(key, 1)
    machine = {"MachineName": "m-%s", key: value}
    runner = {"url": URL, "token": "t", "executor": "docker+machine", "docker": {}, "machine": machine}
    with pytest.raises(ConfigError, match=rf"runners\[0\]\.machine\.{key}: has had no effect"):
        _runner_config.normalize({"runners": [runner]})


@settings(PROPERTY_SETTINGS, max_examples=100)
@given(CONFIGS)
def test_the_generated_configs_are_valid(config):
    assert _runner_config.normalize(config) == config


# --- The properties --------------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(CONFIGS)
def test_a_rendered_config_reads_back_as_itself(config):
    assert tomllib.loads(_runner_config.render(config)) == config


@PROPERTY_SETTINGS
@given(CONFIGS)
def test_rendering_is_deterministic_and_ignores_insertion_order(config):
    rendered = _runner_config.render(config)
    assert _runner_config.render(config) == rendered
    assert _runner_config.render(reversed_copy(config)) == rendered


@PROPERTY_SETTINGS
@given(CONFIGS)
def test_rendering_what_was_read_back_gives_the_same_text(config):
    rendered = _runner_config.render(config)
    assert _runner_config.render(tomllib.loads(rendered)) == rendered


# --- Found while writing the strategies ------------------------------------------------------------------------
# Python's `$` also matches before a final newline (Go's, in the runner, only at the very end of the text): the
# renderer's key, label and duration patterns used it until 40c7820, and the properties found the key case
# ({"nesting_config": {"0\n": []}} written as a bare `0` and a line break). These stay as regression tests.


@pytest.mark.parametrize("key", ["FF_X\n", "0\n"])
def test_a_bare_looking_key_ending_in_a_newline_is_quoted(key):
    config = {"runners": [{"url": URL, "token": "t", "executor": "shell", "feature_flags": {key: True}}]}
    assert tomllib.loads(_runner_config.render(config)) == config


@pytest.mark.parametrize(
    "labels", [{"team\n": "infra"}, {"team": "infra\n"}], ids=["key-with-newline", "value-with-newline"]
)
def test_a_label_ending_in_a_newline_is_refused(labels):
    with pytest.raises(ConfigError, match="label"):
        _runner_config.normalize({"labels": labels})


@pytest.mark.parametrize("duration", ["1h\n", "1h0", "00", "0h0"])
def test_a_duration_go_cannot_parse_is_refused(duration):
    """Go's time.ParseDuration: no trailing newline, and a bare 0 only as the whole duration ("missing unit")."""
    with pytest.raises(ConfigError, match="is not a Go duration"):
        _runner_config.normalize({"connection_max_age": duration})


def free_form(value: object) -> dict:
    autoscaler = {"plugin": "aws", "plugin_config": {"since": value}}
    return {"runners": [{"url": URL, "token": "t", "executor": "instance", "autoscaler": autoscaler}]}


def test_a_free_form_time_of_day_with_an_offset_is_refused():
    with pytest.raises(ConfigError, match=r"plugin_config\.since: is a time of day with a UTC offset"):
        _runner_config.render(free_form(datetime.time(12, 0, tzinfo=datetime.UTC)))


def test_a_free_form_datetime_whose_offset_has_seconds_is_refused():
    moment = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(seconds=30)))
    with pytest.raises(ConfigError, match=r"plugin_config\.since: has a UTC offset with seconds"):
        _runner_config.render(free_form(moment))
