# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox's instance disks: which directory is an instance's, and that it goes when moto terminates it."""

from __future__ import annotations

from pathlib import Path

import boto3
from moto import mock_aws
from moto.ec2.models.instances import Instance

from sandbox import instance_disks


def test_the_disk_is_named_by_the_name_tag_and_never_escapes_the_hosts_directory():
    hosts = Path("/state/hosts")
    assert instance_disks.disk_of(hosts, [{"key": "Name", "value": "ci-manager-1"}]) == hosts / "ci-manager-1"
    for tags in (
        [],
        [{"key": "Other", "value": "x"}],
        [{"key": "Name", "value": ""}],
        [{"key": "Name", "value": ".."}],
        [{"key": "Name", "value": "../etc"}],
    ):
        assert instance_disks.disk_of(hosts, tags) is None


def test_terminating_an_instance_removes_its_disk_and_leaves_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(Instance, "terminate", Instance.terminate)  # undone after the test
    for name in ("m-1", "m-2"):
        (tmp_path / name / "etc").mkdir(parents=True)
    instance_disks.install(tmp_path)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        launched = ec2.run_instances(
            ImageId="ami-1e749f67",
            MinCount=1,
            MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "m-1"}]}],
        )
        ec2.terminate_instances(InstanceIds=[launched["Instances"][0]["InstanceId"]])
    assert not (tmp_path / "m-1").exists()
    assert (tmp_path / "m-2" / "etc").is_dir()
