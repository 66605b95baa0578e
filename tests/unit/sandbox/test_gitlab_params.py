# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox GitLab's parameter handling: Grape's sources and coercion (contract §1.1)."""

from __future__ import annotations

import json

import pytest

from sandbox.gitlab import params


@pytest.mark.parametrize("word", ["true", "TRUE", "1", "t", "Yes", "y", "on", True, 1])
def test_true_words(word):
    assert params.to_bool(word) is True


@pytest.mark.parametrize("word", ["false", "False", "0", "f", "NO", "n", "off", False, 0])
def test_false_words(word):
    assert params.to_bool(word) is False


@pytest.mark.parametrize("word", ["maybe", "", "2", None, [True], {"a": 1}])
def test_anything_else_is_not_a_boolean(word):
    assert params.to_bool(word) is None


@pytest.mark.parametrize(("value", "expected"), [("600", 600), (" 42 ", 42), (7, 7), (3.0, 3), ("-1", -1)])
def test_integers(value, expected):
    assert params.to_int(value) == expected


@pytest.mark.parametrize("value", ["12a", "", "1.5", 1.5, True, None, [1]])
def test_not_integers(value):
    assert params.to_int(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a, b,c", ["a", "b", "c"]),
        (["a", "b, c", " d "], ["a", "b", "c", "d"]),
        ("a,,b, ,a", ["a", "b"]),
        ('"quoted", plain', ["quoted", "plain"]),
        ('"a, b", c', ["a, b", "c"]),
        (["'build, test'", "deploy"], ["build, test", "deploy"]),
        ("", []),
        ([], []),
        (None, []),
    ],
)
def test_tag_lists_are_split_stripped_unquoted_and_deduplicated(value, expected):
    assert params.to_tag_list(value) == expected


def test_a_tag_list_of_objects_is_refused():
    assert params.to_tag_list([{"name": "a"}]) is None


def test_query_form_and_json_merge_with_the_body_winning():
    merged = params.merge_request_params("a=1&b=2", json.dumps({"b": 3, "c": [1]}).encode(), "application/json")
    assert merged == {"a": "1", "b": 3, "c": [1]}
    form = params.merge_request_params(
        "a=1", b"a=2&tag_list[]=x&tag_list[]=y&info[name]=r1", "application/x-www-form-urlencoded"
    )
    assert form == {"a": "2", "tag_list": ["x", "y"], "info": {"name": "r1"}}


def test_multipart_forms_are_read():
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="description"\r\n\r\nmy runner\r\n'
        b'--XX\r\nContent-Disposition: form-data; name="paused"\r\n\r\ntrue\r\n--XX--\r\n'
    )
    assert params.merge_request_params("", body, "multipart/form-data; boundary=XX") == {
        "description": "my runner",
        "paused": "true",
    }


def test_a_malformed_json_body_is_a_parameter_error():
    with pytest.raises(params.ParamError):
        params.merge_request_params("", b"{not json", "application/json")


def test_declared_failures_are_joined_in_grape_order():
    declared = params.Declared({"paused": "maybe", "active": "true"})
    declared.choice("runner_type", ["instance_type"], required=True)
    declared.boolean("paused")
    declared.boolean("active")
    declared.mutually_exclusive("active", "paused")
    with pytest.raises(params.ParamError) as failure:
        declared.check()
    assert str(failure.value) == (
        "runner_type is missing, runner_type does not have a valid value, paused is invalid, "
        "active, paused are mutually exclusive"
    )


def test_at_least_one_of_names_every_candidate():
    declared = params.Declared({"unknown": "x"})
    declared.at_least_one_of("description", "paused")
    with pytest.raises(
        params.ParamError, match=r"^description, paused are missing, at least one parameter must be provided$"
    ):
        declared.check()


def test_nullable_integers_keep_null():
    declared = params.Declared({"maximum_timeout": None})
    declared.integer("maximum_timeout", allow_null=True)
    assert declared.check() == {"maximum_timeout": None}
