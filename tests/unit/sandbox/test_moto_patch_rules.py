# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS rules the moto patches implement, as pure functions."""

import pytest

from sandbox.moto_patches import (
    ALL_GROUP_METRICS,
    enabled_metrics_after_disable,
    enabled_metrics_after_enable,
    split_version_deletions,
)


@pytest.mark.parametrize(
    ("current", "requested", "expected"),
    [
        ([], ["GroupMinSize"], ["GroupMinSize"]),
        (["GroupMinSize"], ["GroupMaxSize"], ["GroupMinSize", "GroupMaxSize"]),  # AWS adds, never replaces
        (["GroupMinSize"], ["GroupMinSize"], ["GroupMinSize"]),
        ([], None, list(ALL_GROUP_METRICS)),  # no metric named: every metric
        ([], [], list(ALL_GROUP_METRICS)),
    ],
)
def test_enable_adds_to_the_enabled_set(current, requested, expected):
    assert enabled_metrics_after_enable(current, requested) == expected


@pytest.mark.parametrize(
    ("current", "requested", "expected"),
    [
        (["GroupMinSize", "GroupMaxSize"], ["GroupMinSize"], ["GroupMaxSize"]),
        (["GroupMinSize"], ["GroupTotalInstances"], ["GroupMinSize"]),
        (["GroupMinSize", "GroupMaxSize"], None, []),  # no metric named: every metric
        (["GroupMinSize"], [], []),
        ([], None, []),
    ],
)
def test_disable_removes_from_the_enabled_set(current, requested, expected):
    assert enabled_metrics_after_disable(current, requested) == expected


def test_version_deletion_spares_the_default_and_reports_unknown_versions():
    deletable, failures = split_version_deletions([1, 2, 3, 5], 2, ["1", "2", "4", "5", "5", "x"])
    assert deletable == [1, 5]
    assert [(raw, code) for raw, code, _message in failures] == [
        ("2", "unexpectedError"),
        ("4", "launchTemplateVersionDoesNotExist"),
        ("x", "launchTemplateVersionDoesNotExist"),
    ]


def test_version_deletion_of_nothing_deletes_nothing():
    assert split_version_deletions([1], 1, []) == ([], [])
