# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the managers go and what the manager role records (plugin_utils/_manager and the manager filters), with
instances shaped as amazon.aws.ec2_instance_info returns them."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.manager_launch_drift import manager_launch_drift
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.manager_placement import manager_placement
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.manager_records import manager_records
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _manager
from filter_plugins import found_filters

NAMES = ["f-manager-1", "f-manager-2", "f-manager-3"]
SUBNETS = ["subnet-a", "subnet-b"]


def instance(name, instance_id, subnet="subnet-a", image="ami-1", launched="2026-01-01T00:00:00"):
    return {
        "instance_id": instance_id,
        "tags": {"Name": name},
        "private_ip_address": "10.0.0.9",
        "subnet_id": subnet,
        "image_id": image,
        "launch_time": launched,
        "placement": {"availability_zone": "eu-west-1a"},
    }


def test_placement_spreads_the_managers_in_order():
    assert _manager.placement(NAMES, SUBNETS) == [
        {"name": "f-manager-1", "subnet_id": "subnet-a"},
        {"name": "f-manager-2", "subnet_id": "subnet-b"},
        {"name": "f-manager-3", "subnet_id": "subnet-a"},
    ]


def test_records_one_per_instance_oldest_first_and_the_unlaunched_with_their_subnet():
    instances = [
        instance("f-manager-1", "i-new", launched="2026-02-01T00:00:00"),
        instance("f-manager-1", "i-old", launched="2026-01-01T00:00:00"),
        instance("other", "i-other"),
        {"instance_id": "i-untagged"},
    ]
    recorded = _manager.records(NAMES[:2], instances, SUBNETS)
    assert [record["instance_id"] for record in recorded] == ["i-old", "i-new", ""]
    assert recorded[0] == {
        "name": "f-manager-1",
        "instance_id": "i-old",
        "private_ip": "10.0.0.9",
        "subnet_id": "subnet-a",
        "zone": "eu-west-1a",
        "operation": "none",
        "changes": [],
    }
    assert recorded[2] == {
        "name": "f-manager-2",
        "instance_id": "",
        "private_ip": "",
        "subnet_id": "subnet-b",
        "zone": "",
        "operation": "none",
        "changes": [],
    }


def test_records_say_what_the_run_does_to_each_manager_from_the_read_before_it():
    instances = [instance("f-manager-1", "i-1", subnet="subnet-a")]
    before = [
        {
            "name": "f-manager-1",
            "instance_ids": ["i-0000000000000abc1"],
            "in_sync": False,
            "drift": [
                "manager f-manager-1 i-0000000000000abc1: instance type t3.small, not t3.medium",
                "root volume vol-1 of f-manager-1: tags differ",
            ],
        },
        {"name": "f-manager-2", "instance_ids": [], "in_sync": False, "drift": ["manager f-manager-2: missing"]},
        {"name": "f-manager-3", "instance_ids": ["i-3"], "in_sync": True, "drift": []},
    ]
    recorded = _manager.records(NAMES, instances, SUBNETS, before)
    assert [(record["name"], record["operation"], record["changes"]) for record in recorded] == [
        (
            "f-manager-1",
            "update",
            ["instance type t3.small, not t3.medium", "root volume vol-1 of f-manager-1: tags differ"],
        ),
        ("f-manager-2", "launch", []),
        ("f-manager-3", "none", []),
    ]


def test_records_without_subnets_still_name_every_manager():
    assert [record["subnet_id"] for record in _manager.records(NAMES, [], [])] == ["", "", ""]


def test_launch_drift_names_subnet_and_ami():
    instances = [
        instance("f-manager-1", "i-1", subnet="subnet-a"),
        instance("f-manager-2", "i-2", subnet="subnet-a", image="ami-2"),
    ]
    recorded = _manager.records(NAMES[:2], instances, SUBNETS)
    assert _manager.launch_drift(recorded, instances, NAMES[:2], SUBNETS, "ami-1") == [
        "f-manager-2 is in subnet-a, not subnet-b",
        "f-manager-2 runs ami-2, not ami-1",
    ]
    assert _manager.launch_drift(recorded[:1], instances, NAMES[:2], SUBNETS, "ami-1") == []


def test_filters_check_their_input():
    filters = found_filters("manager_launch_drift", "manager_placement", "manager_records")
    assert set(filters) == {"manager_placement", "manager_records", "manager_launch_drift"}
    with pytest.raises(AnsibleFilterError, match="subnet"):
        manager_placement(NAMES, [])
    with pytest.raises(AnsibleFilterError):
        manager_records("f-manager-1", [])
    assert manager_launch_drift([], [], NAMES, SUBNETS, "ami-1") == []
