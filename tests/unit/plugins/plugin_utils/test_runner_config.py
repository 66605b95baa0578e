# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GitLab Runner's config.toml (plugin_utils/_runner_config): the check against the runner's schema and load-time
rules with every problem named by its path, the deterministic TOML writer, and the merge that keeps what the runner
wrote itself (its id, token times and a token it rotated). Facts: shared/specs/runner-config-notes.md."""

from __future__ import annotations

import copy
import datetime
import math
import tomllib
import types

import pytest
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _runner_config
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import (
    MANAGED_HEADER,
    ConfigError,
    dumps,
    merge_runner_state,
    normalize,
    render,
)

URL = "https://gitlab.example.com"
UTC = datetime.UTC
UNKNOWN = "unknown key (GitLab Runner 18.9 has no such setting here)"


def runner(**settings) -> dict:
    """A minimal valid [[runners]] entry (shell executor), with `settings` added or replaced."""
    return {"name": "ci-1", "url": URL, "token": "glrt-abc", "executor": "shell", **settings}


def docker_runner(**settings) -> dict:
    return runner(**{"executor": "docker", "docker": {"image": "alpine:3.20"}, **settings})


def one_runner(**settings) -> dict:
    return {"runners": [runner(**settings)]}


def problems_of(config: object, **options) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        normalize(config, **options)
    return caught.value.problems


def only_problem(config: object, **options) -> str:
    problems = problems_of(config, **options)
    assert len(problems) == 1, problems
    return problems[0]


def assert_problem(problem: str, path: str, *fragments: str) -> None:
    """The problem names the full path first, then says what is wrong."""
    assert problem.startswith(f"{path}: "), problem
    for fragment in fragments:
        assert fragment in problem, problem


def reversed_keys(value: object) -> object:
    """The same data with every table's keys given in reverse order."""
    if isinstance(value, dict):
        return {key: reversed_keys(item) for key, item in reversed(list(value.items()))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


def round_trip(config: object, **options) -> dict:
    return tomllib.loads(render(config, **options))


# ------------------------------------------------------------------------------------------------- unknown keys


@pytest.mark.parametrize(
    ("config", "path", "hint"),
    [
        pytest.param({"concurent": 4}, "concurent", 'did you mean "concurrent"?', id="root"),
        pytest.param(
            {"runners": [runner(), docker_runner(token="glrt-def", docker={"privilegd": True})]},
            "runners[1].docker.privilegd",
            'did you mean "privileged"?',
            id="docker-in-second-runner",
        ),
        pytest.param(
            one_runner(
                executor="docker+machine",
                docker={},
                machine={"MachineName": "ci-%s", "idlecount": 2},
            ),
            "runners[0].machine.idlecount",
            'did you mean "IdleCount"?',
            id="machine-case-only",
        ),
        pytest.param(
            one_runner(autoscaler={"plugin": "aws", "policy": [{"idle_count": 1}, {"idle_tme": "20m"}]}),
            "runners[0].autoscaler.policy[1].idle_tme",
            'did you mean "idle_time"?',
            id="autoscaler-policy-second-entry",
        ),
        pytest.param(
            one_runner(cache={"Type": "s3", "s3": {"bucketname": "ci-cache"}}),
            "runners[0].cache.s3.bucketname",
            'did you mean "BucketName"?',
            id="cache-s3-case-only",
        ),
        pytest.param(
            one_runner(kubernetes={"allowPrivilegeEscalation": False}),
            "runners[0].kubernetes.allowPrivilegeEscalation",
            'did you mean "allow_privilege_escalation"?',
            id="kubernetes-docs-mistake",
        ),
        pytest.param(
            one_runner(**{"tls-ca-fle": "/etc/ca.pem"}),
            "runners[0].tls-ca-fle",
            'did you mean "tls-ca-file"?',
            id="dashed-key",
        ),
    ],
)
def test_an_unknown_key_is_named_by_its_path_with_the_nearest_name(config, path, hint):
    problem = only_problem(config)
    assert_problem(problem, path, UNKNOWN, hint)


def test_an_unknown_key_with_no_near_name_gets_no_suggestion():
    problem = only_problem({"runners": [docker_runner(docker={"image": "alpine", "zzzqqq": 1})]})
    assert problem == f"runners[0].docker.zzzqqq: {UNKNOWN}"


def test_an_unknown_key_needing_quotes_is_named_with_quotes():
    problem = only_problem({"runners": [docker_runner(docker={"a key": 1})]})
    assert_problem(problem, 'runners[0].docker["a key"]', UNKNOWN)


@pytest.mark.parametrize(
    ("config", "path"),
    [
        pytest.param({1: "x"}, ""),
        pytest.param(one_runner(docker={("a", "b"): 1}), "runners[0].docker: "),
        pytest.param(one_runner(feature_flags={2: True}), "runners[0].feature_flags: "),
    ],
    ids=["root", "table", "open-map"],
)
def test_a_key_that_is_not_a_string_is_refused(config, path):
    problem = only_problem(config)
    assert problem.startswith(path)
    assert "has a key that is not a string" in problem


def test_unknown_keys_keep_writes_them_after_the_known_keys_in_name_order():
    config = {
        "future_global": "x",
        "concurrent": 2,
        "runners": [docker_runner(docker={"zz_future": 1, "image": "alpine", "aa_future": "x", "privileged": True})],
    }
    normalized = normalize(config, unknown_keys="keep")
    assert list(normalized) == ["concurrent", "runners", "future_global"]
    assert list(normalized["runners"][0]["docker"]) == ["image", "privileged", "aa_future", "zz_future"]
    text = render(config, unknown_keys="keep")
    docker = text.split("[runners.docker]\n", maxsplit=1)[1]
    assert docker == 'image = "alpine"\nprivileged = true\naa_future = "x"\nzz_future = 1\n'
    assert tomllib.loads(text)["future_global"] == "x"


def test_unknown_keys_keep_still_checks_every_known_key_and_rule():
    config = {
        "concurrent": 0,
        "runners": [docker_runner(docker={"future": 1, "privileged": "yes"})],
    }
    with pytest.raises(ConfigError) as caught:
        normalize(config, unknown_keys="keep")
    assert caught.value.problems == [
        "runners[0].docker.privileged: expects a boolean (true or false), got string 'yes'",
        "concurrent: must be at least 1 (the runner refuses to start with 0)",
    ]
    rule = only_problem({"concurrent": 0, "future": {"a": 1}}, unknown_keys="keep")
    assert_problem(rule, "concurrent", "must be at least 1")


def test_unknown_keys_keep_refuses_a_kept_value_toml_cannot_hold():
    problem = only_problem({"future": {"nested": {1, 2}}}, unknown_keys="keep")
    assert_problem(problem, "future.nested", "holds set", "which TOML cannot represent")


@pytest.mark.parametrize("policy", ["ignore", "warn", "", None, True])
def test_an_unknown_unknown_keys_policy_is_refused(policy):
    for check in (normalize, render):
        with pytest.raises(ConfigError) as caught:
            check({"concurrent": 1}, unknown_keys=policy)
        assert caught.value.problems == [f"unknown_keys must be one of fail, keep, got {policy!r}"]


# ------------------------------------------------------------------------------------------------- value types


def affinity_weight(weight: object) -> dict:
    term = {"weight": weight, "preference": {"match_expressions": [{"key": "pool", "operator": "In"}]}}
    return one_runner(
        kubernetes={"affinity": {"node_affinity": {"preferred_during_scheduling_ignored_during_execution": [term]}}}
    )


WEIGHT = "runners[0].kubernetes.affinity.node_affinity.preferred_during_scheduling_ignored_during_execution[0].weight"
NOT_A_DURATION = "is not a Go duration (a number with a unit of ns, us, ms, s, m or h"
NOT_RFC3339 = 'is not an RFC 3339 datetime such as "2026-01-31T12:00:00Z"'


@pytest.mark.parametrize(
    ("config", "path", "fragments"),
    [
        # string
        pytest.param(one_runner(name=5), "runners[0].name", ["expects a string, got integer 5"], id="string"),
        pytest.param(
            one_runner(environment=["A=1", 5]),
            "runners[0].environment[1]",
            ["expects a string, got integer 5"],
            id="string-in-list",
        ),
        pytest.param(
            one_runner(environment="A=1"),
            "runners[0].environment",
            ["expects an array whose every item is", "got string 'A=1'"],
            id="list-given-a-string",
        ),
        pytest.param({"labels": {"team": 5}}, "labels.team", ["expects a string, got integer 5"], id="string-map"),
        # bool
        pytest.param(
            {"runners": [docker_runner(docker={"privileged": "true"})]},
            "runners[0].docker.privileged",
            ["expects a boolean (true or false), got string 'true'"],
            id="bool-given-a-string",
        ),
        pytest.param(
            {"runners": [docker_runner(docker={"privileged": 1})]},
            "runners[0].docker.privileged",
            ["expects a boolean (true or false), got integer 1"],
            id="bool-given-an-int",
        ),
        # integers
        pytest.param(
            one_runner(limit=True),
            "runners[0].limit",
            ["expects an integer (int64), got boolean True"],
            id="bool-is-not-an-int",
        ),
        pytest.param(
            one_runner(limit=2.0),
            "runners[0].limit",
            ["expects an integer (int64), got float 2.0"],
            id="float-is-not-an-int",
        ),
        pytest.param(
            {"concurrent": "4"}, "concurrent", ["expects an integer (int64), got string '4'"], id="int-given-a-string"
        ),
        pytest.param(
            affinity_weight(2**31),
            WEIGHT,
            ["2147483648 does not fit the runner's int32 (allowed: -2147483648 to 2147483647)"],
            id="int32-overflow",
        ),
        pytest.param(
            affinity_weight(-(2**31) - 1),
            WEIGHT,
            ["-2147483649 does not fit the runner's int32"],
            id="int32-underflow",
        ),
        pytest.param(
            {"check_interval": 2**63},
            "check_interval",
            [
                "9223372036854775808 does not fit the runner's int64",
                "(allowed: -9223372036854775808 to 9223372036854775807)",
            ],
            id="int64-overflow",
        ),
        pytest.param(
            one_runner(kubernetes={"pod_security_context": {"supplemental_groups": [1000, "2000"]}}),
            "runners[0].kubernetes.pod_security_context.supplemental_groups[1]",
            ["expects an integer (int64), got string '2000'"],
            id="int-in-list",
        ),
        pytest.param(
            one_runner(kubernetes={"retry_limits": {"timeout": "3"}}),
            "runners[0].kubernetes.retry_limits.timeout",
            ["expects an integer (int64), got string '3'"],
            id="int-map",
        ),
        # float
        pytest.param(
            one_runner(machine={"IdleScaleFactor": "0.5"}),
            "runners[0].machine.IdleScaleFactor",
            ["expects a number, got string '0.5'"],
            id="float-given-a-string",
        ),
        pytest.param(
            one_runner(machine={"IdleScaleFactor": False}),
            "runners[0].machine.IdleScaleFactor",
            ["expects a number, got boolean False"],
            id="bool-is-not-a-float",
        ),
        pytest.param(
            one_runner(autoscaler={"plugin": "aws", "instance_creation_time_buckets": [1, "5"]}),
            "runners[0].autoscaler.instance_creation_time_buckets[1]",
            ["expects a number, got string '5'"],
            id="float-in-list",
        ),
        # duration
        pytest.param(
            one_runner(unhealthy_interval=1800),
            "runners[0].unhealthy_interval",
            ['expects a Go duration string such as "20m0s" or "90s", got the number 1800', "as nanoseconds"],
            id="duration-given-an-int",
        ),
        pytest.param(
            one_runner(autoscaler={"plugin": "aws", "policy": [{"idle_time": 1.5}]}),
            "runners[0].autoscaler.policy[0].idle_time",
            ["got the number 1.5", "GitLab Runner would read a number here as nanoseconds"],
            id="duration-given-a-float",
        ),
        pytest.param(
            one_runner(unhealthy_interval="30 minutes"),
            "runners[0].unhealthy_interval",
            [f'"30 minutes" {NOT_A_DURATION}', 'e.g. "1h30m"'],
            id="duration-in-words",
        ),
        pytest.param(
            one_runner(unhealthy_interval="20"),
            "runners[0].unhealthy_interval",
            [f'"20" {NOT_A_DURATION}'],
            id="duration-without-unit",
        ),
        pytest.param(
            one_runner(unhealthy_interval="1d"),
            "runners[0].unhealthy_interval",
            [f'"1d" {NOT_A_DURATION}'],
            id="duration-in-days",
        ),
        pytest.param(
            one_runner(unhealthy_interval=""),
            "runners[0].unhealthy_interval",
            [f'"" {NOT_A_DURATION}'],
            id="duration-empty",
        ),
        pytest.param(
            one_runner(unhealthy_interval=" 1m"),
            "runners[0].unhealthy_interval",
            [NOT_A_DURATION],
            id="duration-with-blank",
        ),
        pytest.param(
            {"connection_max_age": True},
            "connection_max_age",
            ['expects a Go duration string such as "20m0s", got boolean True'],
            id="duration-given-a-bool",
        ),
        # datetime
        pytest.param(
            one_runner(token_obtained_at="yesterday"),
            "runners[0].token_obtained_at",
            [f'"yesterday" {NOT_RFC3339}'],
            id="datetime-in-words",
        ),
        pytest.param(
            one_runner(token_obtained_at="2026-03-01"),
            "runners[0].token_obtained_at",
            [f'"2026-03-01" {NOT_RFC3339}'],
            id="date-without-time",
        ),
        pytest.param(
            one_runner(token_expires_at="2026-03-01T10:00:00"),
            "runners[0].token_expires_at",
            [f'"2026-03-01T10:00:00" {NOT_RFC3339}'],
            id="datetime-without-offset",
        ),
        pytest.param(
            one_runner(token_expires_at=1772359200),
            "runners[0].token_expires_at",
            ["expects a datetime (a TOML datetime, or an RFC 3339 string", "got integer 1772359200"],
            id="datetime-given-an-epoch",
        ),
        pytest.param(
            one_runner(token_expires_at=datetime.date(2026, 3, 1)),
            "runners[0].token_expires_at",
            ["expects a datetime (a TOML datetime, or an RFC 3339 string"],
            id="datetime-given-a-date",
        ),
        pytest.param(
            one_runner(
                token_expires_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone(datetime.timedelta(seconds=30)))
            ),
            "runners[0].token_expires_at",
            ["has a UTC offset with seconds, which TOML cannot write"],
            id="datetime-offset-with-seconds",
        ),
        # string or list
        pytest.param(
            {"runners": [docker_runner(docker={"pull_policy": ["always", 1]})]},
            "runners[0].docker.pull_policy",
            ["expects a string or an array of strings"],
            id="pull-policy-list-with-an-int",
        ),
        pytest.param(
            {"runners": [docker_runner(docker={"pull_policy": 1})]},
            "runners[0].docker.pull_policy",
            ["expects a string or an array of strings, got integer 1"],
            id="pull-policy-int",
        ),
        # tables and arrays of tables
        pytest.param(
            {"runners": [docker_runner(docker={"services": "redis:7"})]},
            "runners[0].docker.services",
            ["expects an array of tables, got string 'redis:7'"],
            id="services-given-a-string",
        ),
        pytest.param(
            {"runners": [docker_runner(docker={"services": [{"name": "postgres:16"}, "redis:7"]})]},
            "runners[0].docker.services[1]",
            ["expects a table, got string 'redis:7'"],
            id="services-entry-given-a-string",
        ),
        pytest.param(
            one_runner(docker="alpine"),
            "runners[0].docker",
            ["expects a table, got string 'alpine'"],
            id="table-given-a-string",
        ),
        pytest.param(
            {"runners": runner()}, "runners", ["expects an array of tables, got a table"], id="runners-given-a-table"
        ),
        # open maps
        pytest.param(
            one_runner(feature_flags={"FF_USE_FASTZIP": "true"}),
            "runners[0].feature_flags.FF_USE_FASTZIP",
            ["expects a boolean (true or false), got string 'true'"],
            id="feature-flag-given-a-string",
        ),
        pytest.param(
            one_runner(feature_flags="FF_USE_FASTZIP"),
            "runners[0].feature_flags",
            ["expects a table whose every value is", "got string 'FF_USE_FASTZIP'"],
            id="feature-flags-given-a-string",
        ),
        pytest.param(
            one_runner(autoscaler={"plugin": "aws", "plugin_config": {"name": "asg", "tags": {"a", "b"}}}),
            "runners[0].autoscaler.plugin_config.tags",
            ["holds set", "which TOML cannot represent"],
            id="plugin-config-set",
        ),
        pytest.param(
            one_runner(autoscaler={"plugin": "aws", "plugin_config": {"deep": {"list": [1, object()]}}}),
            "runners[0].autoscaler.plugin_config.deep.list[1]",
            ["holds object", "which TOML cannot represent"],
            id="plugin-config-nested-object",
        ),
        pytest.param(
            one_runner(autoscaler={"plugin": "aws", "plugin_config": {"a.b": b"bytes"}}),
            'runners[0].autoscaler.plugin_config["a.b"]',
            ["holds bytes", "which TOML cannot represent"],
            id="plugin-config-quoted-key",
        ),
        pytest.param(
            one_runner(autoscaler={"plugin": "aws", "plugin_config": {"n": 2**64}}),
            "runners[0].autoscaler.plugin_config.n",
            ["18446744073709551616 does not fit the runner's int64"],
            id="plugin-config-int-overflow",
        ),
        pytest.param(
            one_runner(autoscaler={"plugin": "aws", "vm_isolation": {"nesting_config": {"x": {1}}}}),
            "runners[0].autoscaler.vm_isolation.nesting_config.x",
            ["which TOML cannot represent"],
            id="nesting-config-set",
        ),
    ],
)
def test_a_value_of_the_wrong_kind_is_named_by_its_path(config, path, fragments):
    assert_problem(only_problem(config), path, *fragments)


@pytest.mark.parametrize(
    ("config", "where"),
    [
        pytest.param(one_runner(token=123456789), ("runners", 0, "token"), id="token-int"),
        pytest.param(one_runner(token=["glrt-123456789"]), ("runners", 0, "token"), id="token-list"),
        pytest.param(one_runner(ssh={"password": 123456789}), ("runners", 0, "ssh", "password"), id="ssh-password"),
        pytest.param(
            one_runner(cache={"s3": {"SecretKey": 123456789}}), ("runners", 0, "cache", "s3", "SecretKey"), id="s3"
        ),
        pytest.param({"sentry_dsn": 123456789}, ("sentry_dsn",), id="sentry-dsn"),
    ],
)
def test_a_secret_of_the_wrong_kind_is_never_repeated_in_the_message(config, where):
    with pytest.raises(ConfigError) as caught:
        normalize(config)
    problem = caught.value.problems[0]
    assert "(value not shown)" in problem
    assert "123456789" not in str(caught.value)
    assert where[-1] in problem


@pytest.mark.parametrize(
    "duration",
    ["20m0s", "1h30m", "1.5h", "300ms", "0", "90s", "-1m", "+5s", ".5s", "1us", "1\u00b5s", "1\u03bcs", "2h45m10.5s"],
)
def test_go_duration_strings_are_accepted(duration):
    normalized = normalize(one_runner(unhealthy_interval=duration))
    assert normalized["runners"][0]["unhealthy_interval"] == duration


@pytest.mark.parametrize(
    ("given", "expected_datetime"),
    [
        pytest.param(
            datetime.datetime(2026, 3, 1, 10, tzinfo=UTC), datetime.datetime(2026, 3, 1, 10, tzinfo=UTC), id="object"
        ),
        pytest.param("2026-03-01T10:00:00Z", datetime.datetime(2026, 3, 1, 10, tzinfo=UTC), id="rfc3339-z"),
        pytest.param("2026-03-01 10:00:00Z", datetime.datetime(2026, 3, 1, 10, tzinfo=UTC), id="rfc3339-space"),
        pytest.param(
            "2026-03-01T11:00:00.5+01:00",
            datetime.datetime(2026, 3, 1, 10, 0, 0, 500000, tzinfo=UTC),
            id="rfc3339-offset-fraction",
        ),
    ],
)
def test_datetimes_are_accepted_as_objects_or_rfc3339_strings(given, expected_datetime):
    value = normalize(one_runner(token_obtained_at=given))["runners"][0]["token_obtained_at"]
    assert isinstance(value, datetime.datetime)
    assert value == expected_datetime
    assert value.utcoffset() is not None


@pytest.mark.parametrize(
    ("given", "expected_policy"),
    [
        ("always", "always"),
        (["always", "if-not-present"], ["always", "if-not-present"]),
        (("never",), ["never"]),
    ],
    ids=["string", "list", "tuple"],
)
def test_pull_policy_is_a_string_or_a_list_of_strings(given, expected_policy):
    config = {"runners": [docker_runner(docker={"pull_policy": given})]}
    assert normalize(config)["runners"][0]["docker"]["pull_policy"] == expected_policy


def test_a_float_setting_takes_an_integer_and_open_maps_take_what_they_hold():
    when = datetime.datetime(2026, 3, 1, 10, tzinfo=UTC)
    plugin_config = {"name": "asg", "nested": {"list": [1, "b", {"c": True}], "when": when, "ratio": 0.5}}
    config = one_runner(
        machine={"IdleScaleFactor": 1},
        feature_flags={"FF_USE_FASTZIP": True},
        autoscaler={"plugin": "aws", "plugin_config": plugin_config},
    )
    normalized = normalize(config)["runners"][0]
    assert normalized["machine"] == {"IdleScaleFactor": 1}
    assert normalized["autoscaler"]["plugin_config"] == plugin_config
    text = render(config)
    assert "IdleScaleFactor = 1\n" in text
    assert tomllib.loads(text)["runners"][0]["autoscaler"]["plugin_config"] == plugin_config


def test_a_mapping_that_is_not_a_dict_is_a_table():
    config = types.MappingProxyType({"concurrent": 2, "runners": [types.MappingProxyType(runner())]})
    assert normalize(config) == {"concurrent": 2, "runners": [runner()]}


def test_none_means_not_set_and_is_left_out():
    config = {
        "listen_address": None,
        "concurrent": 2,
        "labels": {"team": "platform", "env": None},
        "runners": [
            docker_runner(
                limit=None,
                token_obtained_at=None,
                machine=None,
                docker={"image": "alpine", "privileged": None, "services": None},
                autoscaler={"plugin": "aws", "plugin_config": {"name": "asg", "profile": None}},
            )
        ],
    }
    normalized = normalize(config)
    assert "listen_address" not in normalized
    assert normalized["labels"] == {"team": "platform"}
    entry = normalized["runners"][0]
    assert not {"limit", "token_obtained_at", "machine"} & set(entry)
    assert entry["docker"] == {"image": "alpine"}
    assert entry["autoscaler"]["plugin_config"] == {"name": "asg"}
    text = render(config)
    assert "None" not in text
    assert "limit" not in text
    assert "privileged" not in text


# ------------------------------------------------------------------------------------------------- runner rules


@pytest.mark.parametrize("key", ["url", "token", "executor"])
@pytest.mark.parametrize("absent", ["missing", "empty"])
def test_url_token_and_executor_are_required_and_not_empty(key, absent):
    entry = runner()
    if absent == "missing":
        del entry[key]
    else:
        entry[key] = ""
    problem = only_problem({"runners": [runner(name="ok", token="glrt-other"), entry]})
    assert problem == f"runners[1].{key}: is required and must not be empty"


def test_a_runner_with_nothing_gets_all_three_required_problems():
    assert problems_of({"runners": [{}]}) == [
        "runners[0].url: is required and must not be empty",
        "runners[0].token: is required and must not be empty",
        "runners[0].executor: is required and must not be empty",
    ]


@pytest.mark.parametrize(
    "url", ["gitlab.example.com", "ftp://gitlab.example.com", "https://", "https:// x", "//gitlab"]
)
def test_a_url_that_is_not_http_is_refused(url):
    problem = only_problem(one_runner(url=url))
    assert problem == f'runners[0].url: "{url}" is not an http:// or https:// URL of a GitLab instance'


@pytest.mark.parametrize(
    "url",
    [
        "https://gitlab.example.com",
        "http://gitlab.internal:8080/",
        "https://gitlab.example.com/ci",
        "$CI_SERVER_URL",
        "${GITLAB}/",
    ],
)
def test_an_http_url_or_one_with_an_environment_variable_is_accepted(url):
    assert normalize(one_runner(url=url))["runners"][0]["url"] == url


@pytest.mark.parametrize(
    ("executor", "hint"),
    [
        ("docker+autoscaler", '; did you mean "docker-autoscaler"?'),
        ("kubernets", '; did you mean "kubernetes"?'),
        ("docker_machine", '; did you mean "docker+machine"?'),
        ("podman", ""),
    ],
)
def test_an_unknown_executor_is_refused_with_the_nearest_name(executor, hint):
    problem = only_problem(one_runner(executor=executor))
    assert problem == (
        f'runners[0].executor: "{executor}" is not an executor GitLab Runner knows (custom, docker, docker+machine, '
        f"docker-autoscaler, docker-windows, instance, kubernetes, parallels, shell, ssh, virtualbox){hint}"
    )


NEEDS_DOCKER = 'needs a [runners.docker] table (without it every job fails with "missing docker configuration")'


@pytest.mark.parametrize(
    ("executor", "settings"),
    [
        ("docker", {}),
        ("docker-windows", {}),
        ("docker+machine", {"machine": {"MachineName": "ci-%s"}}),
        ("docker-autoscaler", {"autoscaler": {"plugin": "aws"}}),
    ],
)
def test_a_docker_executor_without_a_docker_table_is_refused(executor, settings):
    problem = only_problem(one_runner(executor=executor, **settings))
    assert problem == f'runners[0]: executor "{executor}" {NEEDS_DOCKER}'
    assert normalize(one_runner(executor=executor, docker={}, **settings))["runners"][0]["docker"] == {}


@pytest.mark.parametrize(
    "machine",
    [None, {}, {"MachineName": ""}, {"IdleCount": 2}],
    ids=["no-machine", "empty-machine", "empty-name", "no-name"],
)
def test_docker_machine_without_a_machine_name_is_refused(machine):
    settings = {} if machine is None else {"machine": machine}
    problem = only_problem(one_runner(executor="docker+machine", docker={}, **settings))
    assert problem == 'runners[0]: executor "docker+machine" needs [runners.machine] with MachineName (containing %s)'


def test_a_machine_name_without_percent_s_is_refused():
    problem = only_problem(one_runner(executor="docker+machine", docker={}, machine={"MachineName": "ci-runner"}))
    assert_problem(problem, "runners[0].machine.MachineName", '"ci-runner" must contain %s', '"runner-%s"')


def test_a_machine_option_with_name_without_percent_s_is_refused_by_index():
    machine = {
        "MachineName": "ci-%s",
        "MachineOptions": ["amazonec2-region=eu-central-1"],
        "MachineOptionsWithName": ["amazonec2-tags=Name,ci-%s", "amazonec2-tags=Name,static"],
    }
    problem = only_problem(one_runner(executor="docker+machine", docker={}, machine=machine))
    assert_problem(
        problem,
        "runners[0].machine.MachineOptionsWithName[1]",
        '"amazonec2-tags=Name,static" must contain %s',
        "plain options go in MachineOptions",
    )


@pytest.mark.parametrize("executor", ["docker-autoscaler", "instance"])
@pytest.mark.parametrize(
    "autoscaler",
    [None, {}, {"plugin": ""}, {"max_instances": 3}],
    ids=["no-autoscaler", "empty-autoscaler", "empty-plugin", "no-plugin"],
)
def test_an_autoscaler_executor_without_a_plugin_is_refused(executor, autoscaler):
    settings = {"docker": {}} if executor == "docker-autoscaler" else {}
    if autoscaler is not None:
        settings["autoscaler"] = autoscaler
    problem = only_problem(one_runner(executor=executor, **settings))
    assert problem == (
        f'runners[0]: executor "{executor}" needs [runners.autoscaler] with a plugin (e.g. plugin = "aws")'
    )


def test_the_instance_executor_needs_no_docker_table():
    normalize(one_runner(executor="instance", autoscaler={"plugin": "aws"}))


# --- docker-machine periods and time zones


def machine_runner(*autoscaling: dict, **machine) -> dict:
    settings = {"MachineName": "ci-%s", **machine}
    if autoscaling:
        settings["autoscaling"] = list(autoscaling)
    return one_runner(executor="docker+machine", docker={}, machine=settings)


EVERY_SECOND = "* * * * * * *"
ONE_SECOND_A_MINUTE = (
    "would be active only one second a minute: the runner matches periods second by second, "
    'so write 7 fields with "*" seconds first, e.g. "* * 9-17 * * mon-fri *"'
)


def test_a_bad_period_is_named_by_its_index():
    config = machine_runner(
        {"Periods": ["* * 9-17 * * mon-fri *"], "IdleCount": 5},
        {"Periods": ["* * * * * sat,sun *", "* * * * * 8 *"], "Timezone": "Europe/Berlin"},
    )
    problem = only_problem(config)
    assert problem == (
        'runners[0].machine.autoscaling[1].Periods[1]: "* * * * * 8 *" is not a cron line the runner can read: '
        "day of week 8 is outside 0-7"
    )


@pytest.mark.parametrize(
    "line",
    ["* * 9-17 * * mon-fri *", "* * 8-18 * * mon-fri 2026", EVERY_SECOND, "* 0-29 * * * sat,sun *", "*  *\t9 * * * *"],
)
def test_seven_field_periods_with_every_second_are_accepted(line):
    normalized = normalize(machine_runner({"Periods": [line], "IdleCount": 1}))
    assert normalized["runners"][0]["machine"]["autoscaling"][0]["Periods"] == [line]


@pytest.mark.parametrize(
    "line",
    ["* 8-18 * * mon-fri", "* * * * * 2030", "@daily", "@hourly", "0 * 9-17 * * mon-fri *", "30 * * * * * *"],
    ids=["five-fields", "six-fields", "at-daily", "at-hourly", "seven-fields-second-0", "seven-fields-second-30"],
)
def test_a_period_whose_seconds_are_fixed_is_refused(line):
    """helpers/timeperiod: a period is active while a match lies within a second, so the seconds must be `*`."""
    problem = only_problem(machine_runner({"Periods": [EVERY_SECOND, line]}))
    assert problem == f'runners[0].machine.autoscaling[0].Periods[1]: "{line}" {ONE_SECOND_A_MINUTE}'


@pytest.mark.parametrize("line", ["0-59 * 9-17 * * mon-fri *", "*/1 * 9-17 * * mon-fri *"], ids=["range", "step"])
def test_a_seconds_field_meaning_every_second_is_accepted(line):
    normalize(machine_runner({"Periods": [line]}))


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "CEST", "../../etc/passwd", "utc+1"])
def test_a_bad_time_zone_is_refused(zone):
    config = machine_runner({"Periods": [EVERY_SECOND]}, {"Periods": [EVERY_SECOND], "Timezone": zone})
    assert only_problem(config) == (
        f'runners[0].machine.autoscaling[1].Timezone: "{zone}" is not a time zone name '
        '(an IANA name such as "Europe/Berlin", or "UTC" or "Local")'
    )


@pytest.mark.parametrize("zone", ["UTC", "Local", "Europe/Berlin", "America/New_York", ""])
def test_known_time_zones_are_accepted(zone):
    normalize(machine_runner({"Periods": [EVERY_SECOND], "Timezone": zone}))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("OffPeakPeriods", [EVERY_SECOND]),
        ("OffPeakTimezone", "Europe/Berlin"),
        ("OffPeakIdleCount", 0),
        ("OffPeakIdleTime", 0),
    ],
)
def test_off_peak_settings_are_refused_as_ignored_since_14_0(key, value):
    assert only_problem(machine_runner(**{key: value})) == (
        f"runners[0].machine.{key}: has had no effect since GitLab Runner 14.0 (the runner ignores it); "
        "use [[runners.machine.autoscaling]] entries with Periods instead"
    )


def test_monitoring_periods_and_time_zone_are_checked_like_docker_machines():
    durations = [
        {"periods": [EVERY_SECOND], "timezone": "UTC", "threshold": "1m"},
        {"periods": ["* * * * * 8 *", "* 9-17 * * *"], "timezone": "Nowhere/Zone", "threshold": "5m"},
    ]
    problems = problems_of(one_runner(monitoring={"job_queuing_durations": durations}))
    where = "runners[0].monitoring.job_queuing_durations[1]"
    assert problems == [
        f'{where}.periods[0]: "* * * * * 8 *" is not a cron line the runner can read: day of week 8 is outside 0-7',
        f'{where}.periods[1]: "* 9-17 * * *" {ONE_SECOND_A_MINUTE}',
        f'{where}.timezone: "Nowhere/Zone" is not a time zone name (an IANA name such as "Europe/Berlin", '
        'or "UTC" or "Local")',
    ]


# --- labels


LABEL_NAME_RULE = "label names are 3-65 characters of letters, digits, '.', '_' and '-', not starting with '.' or '-'"


@pytest.mark.parametrize(
    ("config", "path"),
    [
        pytest.param({"labels": {"ab": "x"}}, "labels.ab", id="global-too-short"),
        pytest.param(one_runner(labels={".team": "x"}), 'runners[0].labels[".team"]', id="leading-dot"),
        pytest.param(one_runner(labels={"-team": "x"}), "runners[0].labels.-team", id="leading-dash"),
        pytest.param(one_runner(labels={"t" * 66: "x"}), f"runners[0].labels.{'t' * 66}", id="66-characters"),
        pytest.param(one_runner(labels={"team name": "x"}), 'runners[0].labels["team name"]', id="space"),
    ],
)
def test_a_bad_label_name_is_refused(config, path):
    assert only_problem(config) == f"{path}: {LABEL_NAME_RULE}"


@pytest.mark.parametrize("value", ["has space", "", "v" * 257, "a/b", "é"])
def test_a_bad_label_value_is_refused(value):
    problem = only_problem(one_runner(labels={"team": value}))
    assert problem == f'runners[0].labels.team: "{value}" is not a label value (1-256 letters, digits, ".", "_", "-")'


def test_label_names_and_values_at_their_limits_are_accepted():
    labels = {"abc": "v", "_x.": "v" * 256, "t" * 65: "a.b_c-d", "0-9": "0"}
    assert normalize(one_runner(labels=labels))["runners"][0]["labels"] == dict(sorted(labels.items()))


def numbered_labels(first: int, count: int) -> dict:
    return {f"label{number:03d}": "v" for number in range(first, first + count)}


def test_more_than_32_labels_with_the_global_ones_are_refused():
    config = {"labels": numbered_labels(0, 20), "runners": [runner(labels=numbered_labels(20, 13))]}
    assert only_problem(config) == "runners[0].labels: gives the runner 33 labels with the global ones; at most 32"


def test_a_runner_label_overriding_a_global_one_counts_once():
    runner_labels = {**dict.fromkeys(numbered_labels(0, 20), "override"), **numbered_labels(20, 12)}
    config = {"labels": numbered_labels(0, 20), "runners": [runner(labels=runner_labels)]}
    assert len(normalize(config)["runners"][0]["labels"]) == 32


def test_more_than_32_global_labels_are_refused():
    assert only_problem({"labels": numbered_labels(0, 33)}) == (
        "labels: gives the runner 33 labels with the global ones; at most 32"
    )


# --- concurrent and duplicates


@pytest.mark.parametrize("concurrent", [0, -1])
def test_concurrent_below_one_is_refused(concurrent):
    assert only_problem({"concurrent": concurrent}) == (
        f"concurrent: must be at least 1 (the runner refuses to start with {concurrent})"
    )


def test_two_runners_with_the_same_url_and_token_are_refused():
    config = {"runners": [runner(name="a"), runner(name="b", token="glrt-other"), runner(name="c")]}
    problem = only_problem(config)
    assert_problem(problem, "runners[2]", "has the url and token of runners[0]", "one [[runners]] entry per token")


def test_the_same_token_on_two_urls_is_accepted():
    config = {"runners": [runner(), runner(url="https://gitlab.other.example")]}
    assert len(normalize(config)["runners"]) == 2


# --- many problems at once, and what is not a config at all


def test_every_rule_problem_is_reported_together():
    config = {
        "concurrent": 0,
        "runners": [
            runner(name="a", token=""),
            runner(name="b", token="glrt-b", url="gitlab.example.com"),
            runner(name="c", token="glrt-c", executor="docker+autoscaler"),
            runner(name="d", token="glrt-d", executor="docker+machine", docker={}, machine={"MachineName": "m"}),
            runner(name="e", token="glrt-e", labels={"x": "y"}),
        ],
    }
    problems = problems_of(config)
    assert [problem.split(":", maxsplit=1)[0] for problem in problems] == [
        "concurrent",
        "runners[0].token",
        "runners[1].url",
        "runners[2].executor",
        "runners[3].machine.MachineName",
        "runners[4].labels.x",
    ]


def test_every_type_problem_is_reported_together():
    config = {
        "concurrent": "4",
        "bogus": 1,
        "runners": [runner(limit="1"), docker_runner(token="glrt-2", docker={"privileged": "no"})],
    }
    problems = problems_of(config)
    assert len(problems) == 4
    assert [problem.split(":", maxsplit=1)[0] for problem in problems] == [
        "concurrent",
        "bogus",
        "runners[0].limit",
        "runners[1].docker.privileged",
    ]


def test_type_problems_and_rule_problems_are_reported_together():
    problems = problems_of({"runners": [runner(limit="1", token="")]})
    assert len(problems) == 2


def test_past_25_problems_the_message_says_how_many_more():
    config = {"runners": [runner(token=f"glrt-{index}", limit="x") for index in range(30)]}
    with pytest.raises(ConfigError) as caught:
        normalize(config)
    assert len(caught.value.problems) == 30
    message = str(caught.value)
    assert message.startswith("config.toml is not valid for GitLab Runner 18.9: runners[0].limit: ")
    assert message.endswith("; and 5 more")
    assert "runners[24].limit" in message
    assert "runners[25].limit" not in message


def test_exactly_25_problems_are_all_shown():
    config = {"runners": [runner(token=f"glrt-{index}", limit="x") for index in range(25)]}
    with pytest.raises(ConfigError) as caught:
        normalize(config)
    assert "more" not in str(caught.value)
    assert "runners[24].limit" in str(caught.value)


@pytest.mark.parametrize(
    ("config", "shown"),
    [([], "array"), (None, "NoneType None"), ("concurrent = 4", "string 'concurrent = 4'"), (42, "integer 42")],
    ids=["list", "none", "toml-text", "int"],
)
def test_a_config_that_is_not_a_dictionary_is_refused(config, shown):
    for check in (normalize, render):
        with pytest.raises(ConfigError) as caught:
            check(config)
        (problem,) = caught.value.problems
        assert problem.startswith("config.toml content must be a dictionary (a table), got ")
        assert problem.endswith(shown)


def test_a_list_is_described_as_an_array():
    problem = only_problem({"runners": [docker_runner(docker={"pull_policy": ["always", 1]})]})
    assert "got an array" in problem


# ------------------------------------------------------------------------------------------------- rendering

AWS_CONFIG = {
    "concurrent": 10,
    "check_interval": 3,
    "log_level": "info",
    "shutdown_timeout": 30,
    "session_server": {"session_timeout": 1800},
    "labels": {"team": "platform", "env": "prod"},
    "runners": [
        {
            "docker": {
                "image": "alpine:3.20",
                "privileged": False,
                "volumes": ["/cache"],
                "pull_policy": ["always", "if-not-present"],
                "services": [{"name": "redis:7", "alias": "cache"}],
            },
            "executor": "docker-autoscaler",
            "token": "glrt-abc",
            "url": URL,
            "name": "aws-1",
            "id": 42,
            "token_obtained_at": "2026-03-01T10:00:00Z",
            "token_expires_at": datetime.datetime(2026, 6, 1, 10, tzinfo=UTC),
            "shell": "sh",
            "feature_flags": {"FF_USE_FASTZIP": True, "FF_DISABLE_AUTOMATIC_TOKEN_ROTATION": False},
            "autoscaler": {
                "plugin": "aws",
                "capacity_per_instance": 1,
                "max_use_count": 1,
                "max_instances": 10,
                "plugin_config": {"region": "eu-central-1", "name": "ci-asg"},
                "connector_config": {"username": "ec2-user", "use_external_addr": True},
                "policy": [
                    {"idle_count": 5, "idle_time": "20m0s"},
                    {
                        "periods": ["* 8-18 * * mon-fri"],
                        "timezone": "Europe/Berlin",
                        "idle_count": 10,
                        "idle_time": "30m0s",
                        "scale_factor": 0.5,
                    },
                ],
            },
        }
    ],
}

AWS_TOML = """\
concurrent = 10
check_interval = 3
log_level = "info"
shutdown_timeout = 30

[session_server]
session_timeout = 1800

[labels]
env = "prod"
team = "platform"

[[runners]]
name = "aws-1"
url = "https://gitlab.example.com"
id = 42
token = "glrt-abc"
token_obtained_at = 2026-03-01T10:00:00Z
token_expires_at = 2026-06-01T10:00:00Z
executor = "docker-autoscaler"
shell = "sh"

[runners.feature_flags]
FF_DISABLE_AUTOMATIC_TOKEN_ROTATION = false
FF_USE_FASTZIP = true

[runners.docker]
image = "alpine:3.20"
privileged = false
volumes = ["/cache"]
pull_policy = ["always", "if-not-present"]

[[runners.docker.services]]
name = "redis:7"
alias = "cache"

[runners.autoscaler]
capacity_per_instance = 1
max_use_count = 1
max_instances = 10
plugin = "aws"

[runners.autoscaler.plugin_config]
name = "ci-asg"
region = "eu-central-1"

[runners.autoscaler.connector_config]
username = "ec2-user"
use_external_addr = true

[[runners.autoscaler.policy]]
idle_count = 5
idle_time = "20m0s"

[[runners.autoscaler.policy]]
periods = ["* 8-18 * * mon-fri"]
timezone = "Europe/Berlin"
idle_count = 10
idle_time = "30m0s"
scale_factor = 0.5
"""


def test_a_docker_autoscaler_config_is_written_in_the_runners_order():
    """Keys in the runner's declaration order, plain keys before sub-tables, open maps sorted, UTC as Z."""
    assert render(AWS_CONFIG) == MANAGED_HEADER + AWS_TOML


def test_the_output_starts_with_the_managed_by_comment():
    text = render({"concurrent": 1})
    assert text.startswith("# Managed by Ansible (runnerfleet.gitlab_aws.runner_config_toml)")
    assert text == MANAGED_HEADER + "concurrent = 1\n"
    assert render({"concurrent": 1}, header="") == "concurrent = 1\n"
    assert render({"concurrent": 1}, header="# mine\n") == "# mine\nconcurrent = 1\n"


def test_the_same_config_in_any_key_order_gives_the_same_bytes():
    shuffled = reversed_keys(AWS_CONFIG)
    assert list(shuffled) != list(AWS_CONFIG)
    assert render(shuffled).encode() == render(AWS_CONFIG).encode()
    assert render(copy.deepcopy(AWS_CONFIG)) == render(AWS_CONFIG)


def test_runner_keys_follow_the_schema_and_plain_keys_come_before_tables():
    config = {
        "runners": [
            {
                "docker": {"image": "alpine"},
                "executor": "docker",
                "token": "glrt-abc",
                "url": URL,
                "cache": {"Type": "s3"},
                "name": "ci-1",
                "limit": 2,
            }
        ],
        "concurrent": 2,
    }
    lines = render(config, header="").splitlines()
    assert lines == [
        "concurrent = 2",
        "",
        "[[runners]]",
        'name = "ci-1"',
        "limit = 2",
        'url = "https://gitlab.example.com"',
        'token = "glrt-abc"',
        'executor = "docker"',
        "",
        "[runners.cache]",
        'Type = "s3"',
        "",
        "[runners.docker]",
        'image = "alpine"',
    ]


def test_normalize_returns_the_runners_key_order():
    normalized = normalize(AWS_CONFIG)
    assert list(normalized) == [
        "session_server",
        "labels",
        "concurrent",
        "check_interval",
        "log_level",
        "runners",
        "shutdown_timeout",
    ]
    assert list(normalized["runners"][0])[:4] == ["name", "url", "id", "token"]
    assert list(normalized["labels"]) == ["env", "team"]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('say "hi"', id="quotes"),
        pytest.param("C:\\builds\\new", id="backslashes"),
        pytest.param("line one\nline two\r\n", id="newlines"),
        pytest.param("a\tb", id="tab"),
        pytest.param("nul\x00del\x7fbell\x07esc\x1b\x08\x0c", id="control-characters"),
        pytest.param("café 🚀 日本語", id="unicode"),
        pytest.param("\u2028\u00a0\ufeff", id="unicode-separators"),
        pytest.param("'''\"\"\"", id="triple-quotes"),
        pytest.param("", id="empty"),
        pytest.param("#not a comment = [x]", id="toml-syntax"),
    ],
)
def test_strings_round_trip_through_tomllib(text):
    config = one_runner(
        pre_build_script=text,
        environment=[text, "PLAIN=1"],
        autoscaler={"plugin": "aws", "plugin_config": {"value": text, "nested": {"list": [text]}}},
    )
    rendered = render(config)
    assert "\x00" not in rendered
    assert "\x7f" not in rendered
    loaded = tomllib.loads(rendered)["runners"][0]
    assert loaded["pre_build_script"] == text
    assert loaded["environment"] == [text, "PLAIN=1"]
    assert loaded["autoscaler"]["plugin_config"] == {"nested": {"list": [text]}, "value": text}


def test_keys_needing_quotes_are_quoted_and_round_trip():
    plugin_config = {"a.b": 1, "with space": 2, "": 3, "é": 4, 'quote"d': 5, "back\\slash": 6, "bare-key_1": 7}
    text = render(one_runner(autoscaler={"plugin": "aws", "plugin_config": plugin_config}))
    assert '"a.b" = 1\n' in text
    assert '"with space" = 2\n' in text
    assert '"" = 3\n' in text
    assert "bare-key_1 = 7\n" in text
    assert tomllib.loads(text)["runners"][0]["autoscaler"]["plugin_config"] == plugin_config


def test_a_quoted_key_holding_a_table_makes_a_quoted_header():
    plugin_config = {"tags.extra": {"team": "x"}, "list of": [{"a": 1}, {"a": 2}]}
    text = render(one_runner(autoscaler={"plugin": "aws", "plugin_config": plugin_config}))
    assert '\n[runners.autoscaler.plugin_config."tags.extra"]\n' in text
    assert '\n[[runners.autoscaler.plugin_config."list of"]]\n' in text
    assert tomllib.loads(text)["runners"][0]["autoscaler"]["plugin_config"] == plugin_config


@pytest.mark.parametrize(
    ("settings", "path"),
    [
        pytest.param({"pre_build_script": "bad \ud800 text"}, "runners[0].pre_build_script", id="string"),
        pytest.param({"environment": ["A=\udfff"]}, "runners[0].environment[0]", id="list-item"),
        pytest.param(
            {"autoscaler": {"plugin": "aws", "plugin_config": {"x": "\ud83d"}}},
            "runners[0].autoscaler.plugin_config.x",
            id="plugin-config",
        ),
    ],
)
def test_a_string_with_a_lone_surrogate_is_refused(settings, path):
    assert only_problem(one_runner(**settings)) == f"{path}: is not valid Unicode text (it holds a lone surrogate)"


@pytest.mark.parametrize(
    ("given", "line"),
    [
        (datetime.datetime(2026, 3, 1, 10, tzinfo=UTC), "token_obtained_at = 2026-03-01T10:00:00Z"),
        ("2026-03-01T10:00:00Z", "token_obtained_at = 2026-03-01T10:00:00Z"),
        ("2026-03-01T10:00:00+00:00", "token_obtained_at = 2026-03-01T10:00:00Z"),
        ("2026-03-01T11:00:00+01:00", "token_obtained_at = 2026-03-01T11:00:00+01:00"),
        ("2026-03-01T10:00:00.250Z", "token_obtained_at = 2026-03-01T10:00:00.250000Z"),
        ("0001-01-01T00:00:00Z", "token_obtained_at = 0001-01-01T00:00:00Z"),
    ],
    ids=["object", "z", "zero-offset", "plus-one", "fraction", "zero-time"],
)
def test_datetimes_are_written_unquoted_with_utc_as_z(given, line):
    text = render(one_runner(token_obtained_at=given))
    assert f"\n{line}\n" in text
    loaded = tomllib.loads(text)["runners"][0]["token_obtained_at"]
    assert loaded == normalize(one_runner(token_obtained_at=given))["runners"][0]["token_obtained_at"]


def test_empty_tables_and_empty_lists_of_tables_are_kept():
    config = {"runners": [docker_runner(docker={}, feature_flags={}, cache={"s3": {}})]}
    text = render(config, header="")
    assert "\n[runners.docker]\n" in text
    assert "\n[runners.feature_flags]\n" in text
    assert "\n[runners.cache]\n\n[runners.cache.s3]\n" in text
    loaded = tomllib.loads(text)["runners"][0]
    assert (loaded["docker"], loaded["feature_flags"], loaded["cache"]) == ({}, {}, {"s3": {}})
    services = render({"runners": [docker_runner(docker={"image": "alpine", "services": []})]})
    assert '\n[runners.docker]\nimage = "alpine"\nservices = []\n' in services
    assert tomllib.loads(services)["runners"][0]["docker"]["services"] == []


def test_a_list_of_tables_is_written_as_array_of_tables_in_order():
    services = [{"name": "postgres:16", "alias": "db"}, {"name": "redis:7", "command": ["redis-server", "--save", ""]}]
    text = render({"runners": [docker_runner(docker={"image": "alpine", "services": services})]})
    assert text.count("\n[[runners.docker.services]]\n") == 2
    assert tomllib.loads(text)["runners"][0]["docker"]["services"] == services


@pytest.mark.parametrize(
    ("number", "written"),
    [
        (1e300, "1e+300"),
        (-0.0, "-0.0"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (0.1, "0.1"),
        (2.5e-8, "2.5e-08"),
        (3, "3"),
    ],
    ids=["huge", "negative-zero", "inf", "minus-inf", "tenth", "tiny", "int"],
)
def test_floats_are_written_as_toml_reads_them(number, written):
    config = one_runner(autoscaler={"plugin": "aws", "policy": [{"scale_factor": number}]})
    text = render(config)
    assert f"\nscale_factor = {written}\n" in text
    loaded = tomllib.loads(text)["runners"][0]["autoscaler"]["policy"][0]["scale_factor"]
    assert loaded == number
    assert math.copysign(1, loaded) == math.copysign(1, number)


def test_nan_is_written_as_nan():
    config = one_runner(autoscaler={"plugin": "aws", "instance_creation_time_buckets": [math.nan, 1.0]})
    text = render(config)
    assert "\ninstance_creation_time_buckets = [nan, 1.0]\n" in text
    assert math.isnan(tomllib.loads(text)["runners"][0]["autoscaler"]["instance_creation_time_buckets"][0])


def test_a_realistic_config_round_trips_through_tomllib():
    assert tomllib.loads(render(AWS_CONFIG)) == normalize(AWS_CONFIG)


def test_dumps_writes_a_normalized_config_as_given():
    assert dumps({"b": 1, "a": {"c": [1, 2]}, "d": "x"}, header="") == 'b = 1\nd = "x"\n\n[a]\nc = [1, 2]\n'
    assert dumps({}, header="# h\n") == "# h\n"
    assert _runner_config.toml_key("a.b") == '"a.b"'
    assert _runner_config.quote('a"b\\') == '"a\\"b\\\\"'


# --- rendering bugs


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(one_runner(autoscaler={"plugin": "aws", "plugin_config": {"name\n": "asg"}}), id="plugin-config"),
        pytest.param(one_runner(feature_flags={"FF_USE_FASTZIP\n": True}), id="feature-flags"),
    ],
)
def test_a_key_ending_in_a_newline_is_quoted_or_refused(config):
    try:
        text = render(config)
    except ConfigError:
        return
    tomllib.loads(text)


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(one_runner(autoscaler={"plugin": "aws", "plugin_config": {"\ud800": 1}}), id="plugin-config"),
        pytest.param(one_runner(feature_flags={"FF_\udc00": True}), id="feature-flags"),
    ],
)
def test_a_key_with_a_lone_surrogate_is_refused(config):
    with pytest.raises(ConfigError):
        render(config).encode("utf-8")


def test_a_time_with_an_offset_is_refused_or_written_readably():
    config = one_runner(autoscaler={"plugin": "aws", "plugin_config": {"at": datetime.time(10, tzinfo=UTC)}})
    try:
        text = render(config)
    except ConfigError:
        return
    tomllib.loads(text)


# --- what Go's parsers refuse (durations, labels, keys), refused before the runner sees it


@pytest.mark.parametrize(
    "duration",
    [
        pytest.param("20m\n", id="trailing-newline"),
        pytest.param("1h0", id="trailing-number-without-unit"),
        pytest.param("00", id="double-zero"),
        pytest.param("\u0663m", id="arabic-indic-digit"),
        pytest.param("9999999999h", id="overflow"),
    ],
)
def test_durations_go_refuses_are_refused(duration):
    problem = only_problem(one_runner(unhealthy_interval=duration))
    assert_problem(problem, "runners[0].unhealthy_interval", NOT_A_DURATION)


@pytest.mark.parametrize(
    "labels",
    [pytest.param({"team": "platform\n"}, id="value"), pytest.param({"team\n": "platform"}, id="name")],
)
def test_a_label_ending_in_a_newline_is_refused(labels):
    assert "runners[0].labels" in only_problem(one_runner(labels=labels))


# ------------------------------------------------------------------------------------------------- merge

HOST_GLOBAL = """\
concurrent = 4
check_interval = 0
shutdown_timeout = 0

[session_server]
  session_timeout = 1800
"""


HOST_TOKEN = "glrt-rotated-by-runner"


def host_runner(
    *,
    name: str = "ci-docker-1",
    runner_id: int | None = 42,
    token: str = HOST_TOKEN,
    obtained: str | None = "2026-03-01T10:00:00Z",
    expires: str | None = "2026-06-01T10:00:00Z",
    url: str = URL,
) -> str:
    """A [[runners]] entry as GitLab Runner writes it (BurntSushi's layout, datetimes unquoted)."""
    lines = ["", "[[runners]]", f'  name = "{name}"', f'  url = "{url}"']
    if runner_id is not None:
        lines.append(f"  id = {runner_id}")
    lines.append(f'  token = "{token}"')
    if obtained:
        lines.append(f"  token_obtained_at = {obtained}")
    if expires:
        lines.append(f"  token_expires_at = {expires}")
    lines += [
        '  executor = "docker"',
        "  [runners.cache]",
        "    MaxUploadedArchiveSize = 0",
        "  [runners.docker]",
        "    tls_verify = false",
        '    image = "alpine:3.20"',
        "    privileged = false",
        '    volumes = ["/cache"]',
        "    shm_size = 0",
    ]
    return "\n".join(lines) + "\n"


def host_file(*runners: str) -> str:
    return HOST_GLOBAL + "".join(runners)


def desired_runner(**settings) -> dict:
    entry = {
        "name": "ci-docker-1",
        "url": URL,
        "token": "glrt-original",
        "token_obtained_at": "2026-01-01T10:00:00Z",
        "token_expires_at": "2026-04-01T10:00:00Z",
        "executor": "docker",
        "docker": {"image": "alpine:3.21"},
        **settings,
    }
    return {key: value for key, value in entry.items() if value is not None}


def desired(*runners: dict) -> dict:
    return {"concurrent": 4, "runners": list(runners)}


def moment(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def test_the_host_file_parses_as_the_runner_writes_it():
    parsed = tomllib.loads(host_file(host_runner()))
    assert parsed["runners"][0]["token_obtained_at"] == datetime.datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parsed["runners"][0]["id"] == 42


def test_the_same_token_keeps_the_hosts_id_and_token_times():
    wanted = desired(desired_runner(token="glrt-same", token_obtained_at=None, token_expires_at=None))
    result = merge_runner_state(wanted, host_file(host_runner(token="glrt-same")))
    assert result["rotated_tokens"] == []
    assert result["config"] == desired(
        desired_runner(
            token="glrt-same",
            id=42,
            token_obtained_at=moment("2026-03-01T10:00:00Z"),
            token_expires_at=moment("2026-06-01T10:00:00Z"),
        )
    )
    assert result["config"]["runners"][0]["docker"] == {"image": "alpine:3.21"}


def test_the_same_token_with_older_desired_times_takes_the_hosts_times():
    wanted = desired(desired_runner(token="glrt-same"))
    result = merge_runner_state(wanted, host_file(host_runner(token="glrt-same")))
    entry = result["config"]["runners"][0]
    assert (entry["token_obtained_at"], entry["token_expires_at"]) == (
        moment("2026-03-01T10:00:00Z"),
        moment("2026-06-01T10:00:00Z"),
    )
    assert result["rotated_tokens"] == []


def test_a_token_the_runner_rotated_is_kept_and_reported():
    other = desired_runner(name="ci-docker-0", token="glrt-zero", token_obtained_at=None, token_expires_at=None)
    wanted = desired(other, desired_runner())
    current = host_file(host_runner(name="ci-docker-0", runner_id=41, token="glrt-zero"), host_runner())
    before = copy.deepcopy(wanted)
    result = merge_runner_state(wanted, current)
    assert wanted == before
    entry = result["config"]["runners"][1]
    assert entry["token"] == "glrt-rotated-by-runner"
    assert entry["token_obtained_at"] == moment("2026-03-01T10:00:00Z")
    assert entry["token_expires_at"] == moment("2026-06-01T10:00:00Z")
    assert entry["id"] == 42
    assert entry["docker"] == {"image": "alpine:3.21"}
    assert result["rotated_tokens"] == [
        {
            "index": 1,
            "name": "ci-docker-1",
            "id": 42,
            "url": URL,
            "token": "glrt-rotated-by-runner",
            "token_obtained_at": moment("2026-03-01T10:00:00Z"),
            "token_expires_at": moment("2026-06-01T10:00:00Z"),
            "reason": "the host's token_obtained_at is later than the desired one's",
        }
    ]
    assert result["config"]["runners"][0]["id"] == 41


def test_a_token_the_operator_re_keyed_wins_and_is_not_reported():
    wanted = desired(desired_runner(token="glrt-new", token_obtained_at="2026-04-15T08:00:00Z"))
    result = merge_runner_state(wanted, host_file(host_runner()))
    entry = result["config"]["runners"][0]
    assert entry["token"] == "glrt-new"
    assert entry["token_obtained_at"] == "2026-04-15T08:00:00Z"
    assert entry["token_expires_at"] == "2026-04-01T10:00:00Z"
    assert entry["id"] == 42
    assert result["rotated_tokens"] == []


@pytest.mark.parametrize(
    "expires",
    [pytest.param("0001-01-01T00:00:00Z", id="zero-time"), pytest.param(None, id="absent")],
)
@pytest.mark.parametrize(
    "desired_times",
    [
        pytest.param({}, id="desired-older"),
        pytest.param({"token_obtained_at": None, "token_expires_at": None}, id="desired-without-times"),
    ],
)
def test_a_host_token_that_never_expires_was_not_rotated_so_the_desired_one_wins(expires, desired_times):
    wanted = desired(desired_runner(**desired_times))
    result = merge_runner_state(wanted, host_file(host_runner(expires=expires)))
    entry = result["config"]["runners"][0]
    assert entry["token"] == "glrt-original"
    assert entry["id"] == 42
    assert result["rotated_tokens"] == []


def test_without_desired_token_times_the_hosts_rotated_token_is_kept():
    wanted = desired(desired_runner(token_obtained_at=None, token_expires_at=None))
    result = merge_runner_state(wanted, host_file(host_runner()))
    assert result["config"]["runners"][0]["token"] == "glrt-rotated-by-runner"
    (report,) = result["rotated_tokens"]
    assert report["reason"] == (
        "the desired token carries no token_obtained_at or token_expires_at to compare; "
        "the runner's token is kept as the safe side"
    )
    assert report["token"] == "glrt-rotated-by-runner"


@pytest.mark.parametrize(
    ("desired_expires", "kept", "reported"),
    [
        ("2026-04-01T10:00:00Z", "glrt-rotated-by-runner", True),
        ("2026-09-01T10:00:00Z", "glrt-original", False),
    ],
    ids=["desired-expires-earlier", "desired-expires-later"],
)
def test_with_only_an_expiry_the_expiries_are_compared(desired_expires, kept, reported):
    wanted = desired(desired_runner(token_obtained_at=None, token_expires_at=desired_expires))
    result = merge_runner_state(wanted, host_file(host_runner()))
    assert result["config"]["runners"][0]["token"] == kept
    assert [report["reason"] for report in result["rotated_tokens"]] == (
        ["the host's token_expires_at is later than the desired one's"] if reported else []
    )


def test_a_host_entry_without_token_obtained_at_is_not_reported_as_a_desired_one_without_times():
    wanted = desired(desired_runner(token_obtained_at="2026-05-01T10:00:00Z", token_expires_at=None))
    result = merge_runner_state(wanted, host_file(host_runner(obtained=None)))
    entry = result["config"]["runners"][0]
    assert [report["reason"] for report in result["rotated_tokens"]] != [
        "the desired token carries no token_obtained_at or token_expires_at to compare; "
        "the runner's token is kept as the safe side"
    ]
    assert not (entry["token"] == HOST_TOKEN and entry.get("token_obtained_at") == "2026-05-01T10:00:00Z")


def test_desired_times_as_datetimes_compare_like_strings():
    obtained = datetime.datetime(2026, 1, 1, 10, tzinfo=UTC)
    wanted = desired(desired_runner(token_obtained_at=obtained, token_expires_at=None))
    result = merge_runner_state(wanted, host_file(host_runner()))
    assert result["config"]["runners"][0]["token"] == "glrt-rotated-by-runner"
    assert result["rotated_tokens"][0]["reason"] == "the host's token_obtained_at is later than the desired one's"


# --- which host entry a desired runner is


def test_a_runner_is_matched_by_id_even_when_renamed():
    wanted = desired(desired_runner(name="renamed", id=42, token_obtained_at=None, token_expires_at=None))
    current = host_file(host_runner(name="ci-docker-1", runner_id=41, token="glrt-41"), host_runner())
    result = merge_runner_state(wanted, current)
    assert result["config"]["runners"][0]["token"] == "glrt-rotated-by-runner"
    assert result["rotated_tokens"][0]["id"] == 42
    assert result["rotated_tokens"][0]["name"] == "renamed"


def test_a_runner_is_matched_by_token_when_it_has_no_id():
    wanted = desired(desired_runner(name="renamed", token="glrt-same"))
    current = host_file(host_runner(token="glrt-other", runner_id=41), host_runner(name="x", token="glrt-same"))
    result = merge_runner_state(wanted, current)
    entry = result["config"]["runners"][0]
    assert entry["id"] == 42
    assert entry["token_obtained_at"] == moment("2026-03-01T10:00:00Z")
    assert result["rotated_tokens"] == []


def test_a_runner_is_matched_by_its_unique_name_and_url():
    wanted = desired(desired_runner())
    current = host_file(
        host_runner(name="ci-docker-1", url="https://gitlab.other.example", runner_id=7, token="glrt-7"),
        host_runner(),
    )
    result = merge_runner_state(wanted, current)
    assert result["config"]["runners"][0]["id"] == 42
    assert result["config"]["runners"][0]["token"] == "glrt-rotated-by-runner"


def test_two_host_runners_with_the_same_name_and_url_match_neither():
    wanted = desired(desired_runner(token_obtained_at=None, token_expires_at=None))
    current = host_file(host_runner(runner_id=41, token="glrt-41"), host_runner())
    result = merge_runner_state(wanted, current)
    assert result == {"config": wanted, "rotated_tokens": []}


def test_a_desired_id_never_matches_a_host_runner_with_another_id_by_name():
    wanted = desired(desired_runner(id=7, token_obtained_at=None, token_expires_at=None))
    result = merge_runner_state(wanted, host_file(host_runner()))
    assert result == {"config": wanted, "rotated_tokens": []}


def test_a_runner_only_on_the_host_is_not_brought_back_and_a_new_one_passes_through():
    new = desired_runner(name="brand-new", token="glrt-new", token_obtained_at=None, token_expires_at=None)
    result = merge_runner_state(desired(new), host_file(host_runner()))
    assert result == {"config": desired(new), "rotated_tokens": []}


def test_top_level_settings_come_from_the_desired_config_only():
    wanted = {"concurrent": 8, "log_level": "debug"}
    result = merge_runner_state(wanted, host_file(host_runner()))
    assert result == {"config": wanted, "rotated_tokens": []}
    empty_runners = merge_runner_state({"runners": []}, host_file(host_runner()))
    assert empty_runners["config"] == {"runners": []}


# --- what current and desired may be


def rotation_case() -> dict:
    return desired(desired_runner(token_obtained_at=None, token_expires_at=None))


@pytest.mark.parametrize(
    "current",
    [
        pytest.param(host_file(host_runner()), id="text"),
        pytest.param(host_file(host_runner()).encode(), id="bytes"),
        pytest.param(tomllib.loads(host_file(host_runner())), id="parsed-dict"),
        pytest.param(types.MappingProxyType(tomllib.loads(host_file(host_runner()))), id="mapping"),
    ],
)
def test_current_is_text_bytes_or_an_already_parsed_dictionary(current):
    result = merge_runner_state(rotation_case(), current)
    assert result["config"]["runners"][0]["token"] == "glrt-rotated-by-runner"
    assert result["rotated_tokens"][0]["token_obtained_at"] == moment("2026-03-01T10:00:00Z")


@pytest.mark.parametrize(
    "current", [None, "", b"", {}, "# nothing yet\n"], ids=["none", "empty", "bytes", "dict", "comment"]
)
def test_a_missing_or_empty_current_file_changes_nothing(current):
    assert merge_runner_state(rotation_case(), current) == {"config": rotation_case(), "rotated_tokens": []}


@pytest.mark.parametrize(
    "current",
    ["[[runners]\nname = 'x'\n", "token_obtained_at = 2026-03-01T10:00:00Z\ntoken_obtained_at = 1\n", "= 1"],
    ids=["bad-header", "duplicate-key", "no-key"],
)
def test_a_current_file_that_is_not_toml_is_refused(current):
    with pytest.raises(ConfigError) as caught:
        merge_runner_state(rotation_case(), current)
    (problem,) = caught.value.problems
    assert problem.startswith("the current config.toml on the host is not valid TOML (")


def test_current_bytes_that_are_not_utf8_are_refused_as_config_error():
    with pytest.raises(ConfigError):
        merge_runner_state(rotation_case(), b'concurrent = 4\nname = "caf\xe9"\n')


@pytest.mark.parametrize("current", [42, ["concurrent = 4"]], ids=["int", "list"])
def test_a_current_of_another_kind_is_refused(current):
    with pytest.raises(ConfigError) as caught:
        merge_runner_state(rotation_case(), current)
    assert caught.value.problems[0].startswith("the current config.toml must be its text or a dictionary, got ")


@pytest.mark.parametrize("wanted", [None, [], "concurrent = 4"], ids=["none", "list", "text"])
def test_a_desired_config_that_is_not_a_dictionary_is_refused(wanted):
    with pytest.raises(ConfigError) as caught:
        merge_runner_state(wanted, host_file(host_runner()))
    assert caught.value.problems[0].startswith("the desired config.toml content must be a dictionary, got ")


def test_the_merged_config_renders_with_the_rotated_token():
    wanted = desired(desired_runner(token_obtained_at=None, token_expires_at=None))
    result = merge_runner_state(wanted, host_file(host_runner()))
    text = render(result["config"])
    assert '\ntoken = "glrt-rotated-by-runner"\n' in text
    assert "\ntoken_obtained_at = 2026-03-01T10:00:00Z\n" in text
    assert "\ntoken_expires_at = 2026-06-01T10:00:00Z\n" in text
    assert "\nid = 42\n" in text
    assert "glrt-original" not in text
    assert render(merge_runner_state(result["config"], text)["config"]) == text
