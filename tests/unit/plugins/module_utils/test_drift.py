# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/_drift.py: ec2_tags_differ decides as amazon.aws's ensure_ec2_tags does (run here, in check mode,
on the same tags), and the Comparison collector."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import ensure_ec2_tags
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._drift import Comparison, ec2_tags_differ

OWN = {"a": "1", "aws:cloudformation:stack-name": "x"}


def ensure_ec2_tags_would_change(current: dict[str, str], wanted: dict | None, purge_tags: bool) -> bool:
    """amazon.aws's own answer: ensure_ec2_tags in check mode on a resource with these tags."""
    client = MagicMock()
    client.get_paginator.return_value.paginate.return_value.build_full_result.return_value = {
        "Tags": [{"Key": key, "Value": value} for key, value in current.items()]
    }
    module = MagicMock(check_mode=True)
    return ensure_ec2_tags(client, module, "i-0123", tags=wanted, purge_tags=purge_tags)


@pytest.mark.parametrize(
    ("current", "wanted", "purge_tags", "differ"),
    [
        pytest.param(OWN, {"a": "1"}, True, False, id="aws-tags-never-purged"),
        pytest.param(OWN, {"a": 1}, True, False, id="values-compared-as-text"),
        pytest.param(OWN, {"a": "2"}, True, True, id="value-differs"),
        pytest.param(OWN, {"a": "1", "b": "2"}, False, True, id="tag-missing"),
        pytest.param({"a": "1", "b": "2"}, {"a": "1"}, True, True, id="extra-tag-purged"),
        pytest.param({"a": "1", "b": "2"}, {"a": "1"}, False, False, id="extra-tag-kept"),
        pytest.param(OWN, None, True, False, id="no-tags-given"),
        pytest.param({"aws:x": "1"}, {}, True, True, id="purge-to-none-removes-aws-tags-too"),
        pytest.param({}, {}, True, False, id="none-to-none"),
        pytest.param({"a": "1"}, {}, False, False, id="empty-without-purge"),
    ],
)
def test_ec2_tags_differ_as_ensure_ec2_tags_decides(current, wanted, purge_tags, differ):
    assert ec2_tags_differ(current, wanted, purge_tags) is differ
    assert ensure_ec2_tags_would_change(current, wanted, purge_tags) is differ


def test_comparison_collects_what_does_not_hold():
    check = Comparison()
    assert check.expect(True, "not recorded") is True
    assert check.expect(False, "VPC: missing") is False
    assert check.drift == ["VPC: missing"]
