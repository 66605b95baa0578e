# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox's moto patches answer as AWS does, over the wire, against the running sandbox."""

import base64
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

IMAGE = "ami-1e749f67"


@pytest.fixture
def client(sandbox):
    env = sandbox.endpoints

    def make(service):
        return boto3.client(
            service,
            endpoint_url=env["AWS_ENDPOINT_URL"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=env["AWS_DEFAULT_REGION"],
        )

    return make


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def group(client):
    ec2, autoscaling = client("ec2"), client("autoscaling")
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.77.1.0/24")["Subnet"]["SubnetId"]
    name = unique("metrics")
    ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": IMAGE})
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateName": name},
        MinSize=0,
        MaxSize=1,
        VPCZoneIdentifier=subnet,
    )
    return name


def enabled_metrics(autoscaling, name):
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
    return sorted(metric["Metric"] for metric in group.get("EnabledMetrics", []))


def test_metrics_collection_is_enabled_and_disabled_as_on_aws(client, group):
    autoscaling = client("autoscaling")
    autoscaling.disable_metrics_collection(AutoScalingGroupName=group)  # nothing enabled yet: a no-op
    assert enabled_metrics(autoscaling, group) == []

    autoscaling.enable_metrics_collection(AutoScalingGroupName=group, Granularity="1Minute", Metrics=["GroupMinSize"])
    autoscaling.enable_metrics_collection(AutoScalingGroupName=group, Granularity="1Minute", Metrics=["GroupMaxSize"])
    assert enabled_metrics(autoscaling, group) == ["GroupMaxSize", "GroupMinSize"]

    autoscaling.disable_metrics_collection(AutoScalingGroupName=group, Metrics=["GroupMinSize"])
    assert enabled_metrics(autoscaling, group) == ["GroupMaxSize"]

    autoscaling.enable_metrics_collection(AutoScalingGroupName=group, Granularity="1Minute")
    assert len(enabled_metrics(autoscaling, group)) == 20  # no metric named: all of them

    autoscaling.disable_metrics_collection(AutoScalingGroupName=group)
    assert enabled_metrics(autoscaling, group) == []


def test_metrics_collection_on_a_missing_group_is_a_validation_error(client):
    with pytest.raises(ClientError) as error:
        client("autoscaling").disable_metrics_collection(AutoScalingGroupName="no-such-group")
    assert error.value.response["Error"]["Code"] == "ValidationError"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_launch_template_versions_are_deleted_as_on_aws(client):
    ec2 = client("ec2")
    name = unique("versions")
    template_id = ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": IMAGE})[
        "LaunchTemplate"
    ]["LaunchTemplateId"]
    for instance_type in ("t3.small", "t3.medium"):
        ec2.create_launch_template_version(
            LaunchTemplateName=name, LaunchTemplateData={"ImageId": IMAGE, "InstanceType": instance_type}
        )

    answer = ec2.delete_launch_template_versions(LaunchTemplateId=template_id, Versions=["1", "3", "7"])
    assert [v["VersionNumber"] for v in answer["SuccessfullyDeletedLaunchTemplateVersions"]] == [3]
    unsuccessful = answer["UnsuccessfullyDeletedLaunchTemplateVersions"]
    failures = {v["VersionNumber"]: v["ResponseError"]["Code"] for v in unsuccessful}
    assert failures == {1: "unexpectedError", 7: "launchTemplateVersionDoesNotExist"}  # 1 is the default

    # Numbers are never reused: the next version is 4, though 3 is gone and 2 is now the latest.
    assert ec2.describe_launch_templates(LaunchTemplateNames=[name])["LaunchTemplates"][0]["LatestVersionNumber"] == 2
    created = ec2.create_launch_template_version(LaunchTemplateName=name, LaunchTemplateData={"ImageId": IMAGE})
    assert created["LaunchTemplateVersion"]["VersionNumber"] == 4
    versions = ec2.describe_launch_template_versions(LaunchTemplateName=name)["LaunchTemplateVersions"]
    assert sorted(v["VersionNumber"] for v in versions) == [1, 2, 4]
    with pytest.raises(ClientError) as error:
        ec2.describe_launch_template_versions(LaunchTemplateName=name, Versions=["3"])
    assert error.value.response["Error"]["Code"] == "InvalidLaunchTemplateId.VersionNotFound"

    ec2.delete_launch_template(LaunchTemplateName=name)
    assert (
        ec2.describe_launch_templates(Filters=[{"Name": "launch-template-name", "Values": [name]}])["LaunchTemplates"]
        == []
    )


def test_template_tags_stay_off_the_template_data(client):
    ec2 = client("ec2")
    name = unique("tagged")
    ec2.create_launch_template(
        LaunchTemplateName=name,
        LaunchTemplateData={"ImageId": IMAGE},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "team", "Value": "ci"}]}],
    )
    template = ec2.describe_launch_templates(LaunchTemplateNames=[name])["LaunchTemplates"][0]
    assert {"Key": "team", "Value": "ci"} in template["Tags"]
    data = ec2.describe_launch_template_versions(LaunchTemplateName=name)["LaunchTemplateVersions"][0]
    assert data["LaunchTemplateData"] == {"ImageId": IMAGE}


def test_a_group_launches_from_a_later_version_with_user_data(client, group):
    ec2, autoscaling = client("ec2"), client("autoscaling")
    user_data = base64.b64encode(b"#!/bin/sh\necho worker\n").decode()
    ec2.create_launch_template_version(
        LaunchTemplateName=group, LaunchTemplateData={"ImageId": IMAGE, "UserData": user_data}
    )
    autoscaling.update_auto_scaling_group(
        AutoScalingGroupName=group, LaunchTemplate={"LaunchTemplateName": group, "Version": "2"}, DesiredCapacity=1
    )
    instances = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]
    assert len(instances["Instances"]) == 1
    version = ec2.describe_launch_template_versions(LaunchTemplateName=group, Versions=["2"])
    assert version["LaunchTemplateVersions"][0]["LaunchTemplateData"]["UserData"] == user_data
