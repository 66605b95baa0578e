# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox's moto patches answer as AWS does, over the wire, against the running sandbox."""

import base64
import json
import uuid

import boto3
import pytest
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._images import PUBLIC_PARAMETERS
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


def test_aws_managed_policies_exist_and_attach(client):
    iam = client("iam")
    arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == "AmazonSSMManagedInstanceCore"
    name = unique("managed")
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}
    trust = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]] == [arn]
    iam.detach_role_policy(RoleName=name, PolicyArn=arn)
    iam.delete_role(RoleName=name)


@pytest.fixture
def nat_gateway(client):
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.78.1.0/24")["Subnet"]["SubnetId"]
    marker = unique("nat")
    tags = [{"ResourceType": "elastic-ip", "Tags": [{"Key": "marker", "Value": marker}]}]
    allocation = ec2.allocate_address(Domain="vpc", TagSpecifications=tags)["AllocationId"]
    gateway = ec2.create_nat_gateway(
        SubnetId=subnet,
        AllocationId=allocation,
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "marker", "Value": marker}]}],
    )["NatGateway"]["NatGatewayId"]
    yield {"id": gateway, "allocation": allocation, "marker": marker}
    ec2.delete_nat_gateway(NatGatewayId=gateway)
    ec2.release_address(AllocationId=allocation)


def test_tags_carry_aws_resource_types(client, nat_gateway):
    ec2 = client("ec2")
    for resource_id, resource_type in ((nat_gateway["id"], "natgateway"), (nat_gateway["allocation"], "elastic-ip")):
        by_id = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]}])["Tags"]
        assert [tag["ResourceType"] for tag in by_id] == [resource_type]
        by_type = [
            {"Name": "resource-id", "Values": [resource_id]},
            {"Name": "resource-type", "Values": [resource_type]},
        ]
        assert [tag["Value"] for tag in ec2.describe_tags(Filters=by_type)["Tags"]] == [nat_gateway["marker"]]
    # moto's own name for the type is no AWS resource type: it matches nothing.
    by_moto_name = [
        {"Name": "resource-id", "Values": [nat_gateway["id"]]},
        {"Name": "resource-type", "Values": ["nat-gateway"]},
    ]
    assert ec2.describe_tags(Filters=by_moto_name)["Tags"] == []


def test_nat_gateways_are_filtered_by_tag(client, nat_gateway):
    ec2 = client("ec2")

    def found(filters):
        return [gateway["NatGatewayId"] for gateway in ec2.describe_nat_gateways(Filter=filters)["NatGateways"]]

    assert found([{"Name": "tag:marker", "Values": [nat_gateway["marker"]]}]) == [nat_gateway["id"]]
    assert found([{"Name": "tag:marker", "Values": ["another"]}]) == []
    assert nat_gateway["id"] in found([{"Name": "tag-key", "Values": ["marker"]}])
    assert nat_gateway["id"] not in found([{"Name": "tag-key", "Values": ["no-such-key"]}])


def test_rule_descriptions_are_updated_and_answer_true(client):
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName=unique("descriptions"), Description="rules", VpcId=vpc)["GroupId"]
    ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[dict(ssh, IpRanges=[{"CidrIp": "10.0.0.0/8"}])])
    described = [dict(ssh, IpRanges=[{"CidrIp": "10.0.0.0/8", "Description": "ssh"}])]
    assert ec2.update_security_group_rule_descriptions_ingress(GroupId=group, IpPermissions=described)["Return"] is True
    everything = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "out"}]}]
    assert ec2.update_security_group_rule_descriptions_egress(GroupId=group, IpPermissions=everything)["Return"] is True
    rules = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]
    assert rules["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "10.0.0.0/8", "Description": "ssh"}]
    assert rules["IpPermissionsEgress"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0", "Description": "out"}]
    ec2.delete_security_group(GroupId=group)
    ec2.delete_vpc(VpcId=vpc)


def test_volumes_without_a_snapshot_answer_an_empty_snapshot_id(client):
    ec2 = client("ec2")
    created = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)
    assert created["SnapshotId"] == ""
    instance = ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    try:
        root = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance]}])["Volumes"]
        described = ec2.describe_volumes(VolumeIds=[created["VolumeId"]])["Volumes"]
        assert [volume["SnapshotId"] for volume in described + root] == ["", ""]
    finally:
        ec2.terminate_instances(InstanceIds=[instance])
        ec2.delete_volume(VolumeId=created["VolumeId"])


def test_a_metadata_options_change_keeps_the_options_it_does_not_name(client):
    ec2 = client("ec2")
    instance = ec2.run_instances(
        ImageId=IMAGE,
        MinCount=1,
        MaxCount=1,
        MetadataOptions={"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "InstanceMetadataTags": "enabled"},
    )["Instances"][0]["InstanceId"]
    try:
        ec2.modify_instance_metadata_options(InstanceId=instance, HttpPutResponseHopLimit=1)
        (reservation,) = ec2.describe_instances(InstanceIds=[instance])["Reservations"]
        options = reservation["Instances"][0]["MetadataOptions"]
        assert {key: value for key, value in options.items() if key != "State"} == {
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 1,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "enabled",
        }
    finally:
        ec2.terminate_instances(InstanceIds=[instance])


def test_an_update_that_names_no_policy_keeps_the_mixed_instances_policy(client):
    ec2, autoscaling = client("ec2"), client("autoscaling")
    vpc = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.78.1.0/24")["Subnet"]["SubnetId"]
    name = unique("mixed")
    template = ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": IMAGE})
    policy = {
        "LaunchTemplate": {
            "LaunchTemplateSpecification": {
                "LaunchTemplateId": template["LaunchTemplate"]["LaunchTemplateId"],
                "Version": "$Latest",
            },
            "Overrides": [{"InstanceType": "m5.large"}, {"InstanceType": "m5a.large"}],
        },
        "InstancesDistribution": {
            "OnDemandBaseCapacity": 1,
            "OnDemandPercentageAboveBaseCapacity": 0,
            "SpotAllocationStrategy": "price-capacity-optimized",
        },
    }
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name, MixedInstancesPolicy=policy, MinSize=0, MaxSize=2, VPCZoneIdentifier=subnet
    )
    try:
        autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, MaxSize=5)
        described = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
        assert described["MaxSize"] == 5
        policy["LaunchTemplate"]["LaunchTemplateSpecification"]["LaunchTemplateName"] = name  # AWS adds it
        assert described["MixedInstancesPolicy"] == policy
    finally:
        autoscaling.delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)
        ec2.delete_launch_template(LaunchTemplateName=name)
        ec2.delete_subnet(SubnetId=subnet)
        ec2.delete_vpc(VpcId=vpc)


def test_a_force_delete_terminates_instances_protected_from_scale_in(client, group):
    ec2, autoscaling = client("ec2"), client("autoscaling")
    autoscaling.update_auto_scaling_group(AutoScalingGroupName=group, NewInstancesProtectedFromScaleIn=True)
    autoscaling.set_desired_capacity(AutoScalingGroupName=group, DesiredCapacity=1)
    described = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]
    instances = [instance["InstanceId"] for instance in described["Instances"]]
    assert len(instances) == 1 and described["Instances"][0]["ProtectedFromScaleIn"]
    autoscaling.delete_auto_scaling_group(AutoScalingGroupName=group, ForceDelete=True)
    reservations = ec2.describe_instances(InstanceIds=instances)["Reservations"]
    assert [i["State"]["Name"] for r in reservations for i in r["Instances"]] == ["terminated"]


def test_every_default_image_parameter_answers_with_an_image_ec2_knows(client):
    """The fleet's default images (plugin_utils/_images.py) are public parameters AWS and Canonical serve in every
    region; the sandbox serves each of them, Canonical's included, with an image its EC2 describes."""
    names = sorted(set(PUBLIC_PARAMETERS.values()))
    answer = client("ssm").get_parameters(Names=names)
    assert answer["InvalidParameters"] == []
    images = {parameter["Name"]: parameter["Value"] for parameter in answer["Parameters"]}
    assert sorted(images) == names
    described = client("ec2").describe_images(ImageIds=sorted(set(images.values())))["Images"]
    assert {image["ImageId"] for image in described} == set(images.values())


def test_a_terminated_instance_takes_its_disk_with_it(client, sandbox):
    """sandbox/instance_disks.py: the directory of an instance (hosts/<Name>) goes when EC2 terminates it."""
    name = unique("disk")
    disk = sandbox.state.path / "hosts" / name
    (disk / "etc").mkdir(parents=True)
    ec2 = client("ec2")
    instance = ec2.run_instances(
        ImageId=IMAGE,
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
    )["Instances"][0]["InstanceId"]
    assert disk.is_dir()
    ec2.terminate_instances(InstanceIds=[instance])
    assert not disk.exists()
