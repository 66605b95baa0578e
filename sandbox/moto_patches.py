# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS behaviour that moto lacks or gets wrong, added where the sandbox starts moto.

Each patch gives moto the semantics of the real AWS API (per the AWS API reference and botocore's service
model), so that a role written for AWS runs unchanged in the sandbox. A role must never be bent around a moto
gap; the gap is closed here instead, and tests/integration/test_moto_patches.py checks each patch against the
running sandbox.

Patches (moto 5.2.x):
- autoscaling DisableMetricsCollection: not implemented by moto, and amazon.aws.autoscaling_group calls it on
  every update of a group that does not collect metrics. EnableMetricsCollection is corrected alongside: AWS
  adds to the enabled set and enables every metric when none is named; moto replaced the set.
- ec2 DeleteLaunchTemplateVersions: not implemented, and amazon.aws.ec2_launch_template calls it before
  DeleteLaunchTemplate whenever a template has more than one version. moto also numbered and looked up
  versions by list position, which deleting versions would corrupt; versions are now found by number and
  numbers are never reused, as on AWS.
- ec2 CreateLaunchTemplate with TagSpecifications: moto copied the launch-template tags into the template's
  LaunchTemplateData, so the data read back never matched what was sent and ec2_launch_template made a new
  version on every run. On AWS those tags tag the template only.
- ec2 CreateLaunchTemplateVersion with UserData: moto kept the raw string, and an Auto Scaling group that
  launched from such a version failed on an assertion. The user data is decoded as CreateLaunchTemplate does.
- iam AWS managed policies (arn:aws:iam::aws:policy/...): moto leaves them out unless configured, so attaching
  one (AmazonSSMManagedInstanceCore, which the security role gives the runner manager) failed with NoSuchEntity.
  On AWS they exist in every account; the sandbox loads them.
- ec2 DescribeTags: moto named some resource types its own way (nat-gateway, vpc-elastic-ip, ...) where AWS's
  ResourceType says natgateway, elastic-ip, ...; a resource-type filter with AWS's name matched nothing, so
  amazon.aws modules that ensure tags (ec2_vpc_nat_gateway, ec2_eip) re-tagged and reported a change on every run.
- ec2 DescribeNatGateways: moto ignored tag:<key>, tag-key and tag-value filters and returned every gateway.
- ec2 UpdateSecurityGroupRuleDescriptionsIngress/Egress: moto answered with an empty body, where AWS answers
  <return>true</return>; amazon.aws.ec2_security_group reads Return and failed whenever it set a rule's description.
- ec2 DescribeVolumes and CreateVolume: moto left SnapshotId out for a volume made without a snapshot (an
  instance's root volume among them); AWS answers with an empty snapshotId, and amazon.aws.ec2_vol_info reads
  the key unconditionally, so it failed on every such volume.
- autoscaling UpdateAutoScalingGroup without MixedInstancesPolicy: moto dropped the group's mixed instances
  policy (its instance types and spot distribution), where AWS leaves every setting the call does not name as it
  was. The worker_pool role changes only what differs, so a MaxSize change lost the policy.
- ec2 ModifyInstanceMetadataOptions: moto replaced every option, so one the call left out became its default or
  empty (DescribeInstances then lacked HttpProtocolIpv6 and InstanceMetadataTags, and amazon.aws.ec2_instance, which
  sends back the ones it does not change, failed); AWS keeps every option the call does not name.
- ssm public parameters /aws/service/canonical/ubuntu/...: Canonical publishes its current Ubuntu images under
  these names in every commercial region, and the fleet's docker+machine workers default to Ubuntu 24.04 from them;
  moto serves Amazon's parameters but not Canonical's. The sandbox answers them with one of moto's Ubuntu images.
- autoscaling DeleteAutoScalingGroup with ForceDelete: moto scaled the group to 0 before deleting it, which leaves
  instances protected from scale in running with no group. AWS terminates every instance of a force-deleted group.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from moto.autoscaling.exceptions import ValidationError
from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.config import default_user_config
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.ec2.exceptions import InvalidLaunchTemplateVersionNotFound
from moto.ec2.models.elastic_block_store import Volume
from moto.ec2.models.instances import InstanceBackend
from moto.ec2.models.launch_templates import LaunchTemplate, LaunchTemplateBackend, LaunchTemplateVersion
from moto.ec2.models.nat_gateways import NatGatewayBackend
from moto.ec2.models.tags import TagBackend
from moto.ec2.responses.launch_templates import LaunchTemplates
from moto.ec2.responses.security_groups import SecurityGroups
from moto.ec2.utils import generic_filter, parse_user_data
from moto.ssm.models import Parameter, ParameterDict

ALL_GROUP_METRICS = (
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupInServiceCapacity",
    "GroupPendingCapacity",
    "GroupStandbyCapacity",
    "GroupTerminatingCapacity",
    "GroupTotalCapacity",
    "WarmPoolDesiredCapacity",
    "WarmPoolWarmedCapacity",
    "WarmPoolPendingCapacity",
    "WarmPoolTerminatingCapacity",
    "WarmPoolTotalCapacity",
    "GroupAndWarmPoolDesiredCapacity",
    "GroupAndWarmPoolTotalCapacity",
)

# Resource types that CreateLaunchTemplate's TagSpecifications may name for the template itself; they never
# belong in LaunchTemplateData, whose TagSpecifications tag what the template launches.
TEMPLATE_ITSELF_RESOURCE_TYPE = "launch-template"


def enabled_metrics_after_enable(current: list[str], requested: list[str] | None) -> list[str]:
    """The group's metrics after EnableMetricsCollection: AWS adds; no metric named means every metric."""
    wanted = list(requested) if requested else list(ALL_GROUP_METRICS)
    return list(current) + [metric for metric in wanted if metric not in current]


def enabled_metrics_after_disable(current: list[str], requested: list[str] | None) -> list[str]:
    """The group's metrics after DisableMetricsCollection: no metric named disables every metric."""
    if not requested:
        return []
    return [metric for metric in current if metric not in requested]


def split_version_deletions(
    existing_numbers: list[int], default_number: int, requested: list[str]
) -> tuple[list[int], list[tuple[str, str, str]]]:
    """Sort the requested version numbers into deletable ones and failures, as DeleteLaunchTemplateVersions does.

    Returns (numbers to delete, [(requested version, error code, error message)]). The codes come from
    botocore's LaunchTemplateErrorCode enum.
    """
    deletable: list[int] = []
    failures: list[tuple[str, str, str]] = []
    for raw in requested:
        try:
            number = int(raw)
        except (TypeError, ValueError):
            failures.append((raw, "launchTemplateVersionDoesNotExist", f"Version {raw} is not a version number."))
            continue
        if number not in existing_numbers:
            failures.append((raw, "launchTemplateVersionDoesNotExist", f"Version {number} does not exist."))
        elif number == default_number:
            failures.append((raw, "unexpectedError", f"Version {number} is the default version and cannot be deleted."))
        elif number not in deletable:
            deletable.append(number)
    return deletable, failures


def _patch_autoscaling() -> None:

    def find_group(backend: AutoScalingBackend, group_name: str) -> Any:
        group = backend.autoscaling_groups.get(group_name)
        if group is None:
            raise ValidationError(f"Group {group_name} not found")
        return group

    def enable_metrics_collection(self: AutoScalingBackend, group_name: str, metrics: list[str]) -> None:
        group = find_group(self, group_name)
        group.metrics = enabled_metrics_after_enable(group.metrics or [], metrics)

    def disable_metrics_collection(self: AutoScalingBackend, group_name: str, metrics: list[str]) -> None:
        group = find_group(self, group_name)
        group.metrics = enabled_metrics_after_disable(group.metrics or [], metrics)

    def disable_metrics_collection_response(self: AutoScalingResponse) -> EmptyResult:
        self.autoscaling_backend.disable_metrics_collection(
            self._get_param("AutoScalingGroupName"), self._get_param("Metrics")
        )
        return EmptyResult()

    AutoScalingBackend.enable_metrics_collection = enable_metrics_collection
    AutoScalingBackend.disable_metrics_collection = disable_metrics_collection
    AutoScalingResponse.disable_metrics_collection = disable_metrics_collection_response


def _patch_launch_template_versions() -> None:

    def create_version(self: LaunchTemplate, data: dict[str, Any], description: str) -> LaunchTemplateVersion:
        if isinstance(data.get("UserData"), str):
            data["UserData"] = parse_user_data(data["UserData"])
        # Numbers are never reused, even after the newest version was deleted.
        self._next_version_number = max(getattr(self, "_next_version_number", 1), len(self.versions) + 1)
        version = LaunchTemplateVersion(self, self._next_version_number, data, description)
        self._next_version_number += 1
        self.versions.append(version)
        return version

    def get_version(self: LaunchTemplate, num: Any) -> LaunchTemplateVersion:
        if str(num).lower() == "$latest":
            return self.versions[-1]
        if str(num).lower() == "$default":
            return self.default_version()
        for version in self.versions:
            if str(version.number) == str(num):
                return version
        raise InvalidLaunchTemplateVersionNotFound(template_id=self.id, version=num)

    def default_version(self: LaunchTemplate) -> LaunchTemplateVersion:
        return self.get_version(self.default_version_number)

    LaunchTemplate.create_version = create_version
    LaunchTemplate.get_version = get_version
    LaunchTemplate.default_version = default_version


def _patch_delete_launch_template_versions() -> None:

    def delete_launch_template_versions(self: LaunchTemplates) -> ActionResult:
        name = self._get_param("LaunchTemplateName")
        template_id = self._get_param("LaunchTemplateId")
        requested = [str(v) for v in self._get_param("Versions", [])]
        self.error_on_dryrun()
        if name:
            template = self.ec2_backend.get_launch_template_by_name(name)
        else:
            template = self.ec2_backend.get_launch_template(template_id)

        numbers = [version.number for version in template.versions]
        deletable, failures = split_version_deletions(numbers, template.default_version_number, requested)
        template.versions = [version for version in template.versions if version.number not in deletable]
        identity = {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name}
        return ActionResult(
            {
                "SuccessfullyDeletedLaunchTemplateVersions": [
                    dict(identity, VersionNumber=number) for number in deletable
                ],
                "UnsuccessfullyDeletedLaunchTemplateVersions": [
                    dict(
                        identity,
                        VersionNumber=int(raw) if raw.isdigit() else 0,
                        ResponseError={"Code": code, "Message": message},
                    )
                    for raw, code, message in failures
                ],
            }
        )

    LaunchTemplates.delete_launch_template_versions = delete_launch_template_versions


def _patch_launch_template_tags() -> None:

    original_create = LaunchTemplateBackend.create_launch_template

    def create_launch_template(
        self: LaunchTemplateBackend,
        name: str,
        description: str,
        template_data: dict[str, Any],
        tag_spec: dict[str, Any],
    ) -> Any:
        specs = template_data.get("TagSpecifications")
        if specs is not None:
            kept = [spec for spec in specs if spec.get("ResourceType") != TEMPLATE_ITSELF_RESOURCE_TYPE]
            if kept:
                template_data["TagSpecifications"] = kept
            else:
                del template_data["TagSpecifications"]
        return original_create(self, name, description, template_data, tag_spec)

    LaunchTemplateBackend.create_launch_template = create_launch_template


def _patch_iam_aws_managed_policies() -> None:
    # Read by each IAM backend as it is built, so this must run before the first IAM request (apply() does).
    default_user_config.setdefault("iam", {})["load_aws_managed_policies"] = True


# moto's names for EC2 resource types that AWS (botocore's ResourceType enum, which DescribeTags reports and filters
# on) names differently.
MOTO_TO_AWS_RESOURCE_TYPE = {
    "dedicated_host": "dedicated-host",
    "flow-logs": "vpc-flow-log",
    "managed-prefix-list": "prefix-list",
    "nat-gateway": "natgateway",
    "reserved-instance": "reserved-instances",
    "spot-instance-request": "spot-instances-request",
    "vpc-elastic-ip": "elastic-ip",
}
AWS_TO_MOTO_RESOURCE_TYPE = {aws: moto for moto, aws in MOTO_TO_AWS_RESOURCE_TYPE.items()}
TAG_FILTER_PREFIX = "tag:"
TAG_FILTERS = ("tag-key", "tag-value")


def moto_resource_types(requested: list[str]) -> list[str]:
    """moto's names for the resource types a DescribeTags resource-type filter names; moto-only names match nothing."""
    return [AWS_TO_MOTO_RESOURCE_TYPE.get(name, name) for name in requested if name not in MOTO_TO_AWS_RESOURCE_TYPE]


def tag_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """The filters of a Describe call that select by tag (tag:<key>, tag-key, tag-value)."""
    return {
        name: values
        for name, values in (filters or {}).items()
        if name.startswith(TAG_FILTER_PREFIX) or name in TAG_FILTERS
    }


def _patch_tag_resource_types() -> None:

    original_describe_tags = TagBackend.describe_tags

    def describe_tags(self: TagBackend, filters: dict[str, list[str]] | None = None) -> list[dict[str, str]]:
        if filters and "resource-type" in filters:
            wanted = moto_resource_types(filters["resource-type"])
            if not wanted:
                return []
            filters = dict(filters, **{"resource-type": wanted})
        results = original_describe_tags(self, filters)
        for result in results:
            result["resource_type"] = MOTO_TO_AWS_RESOURCE_TYPE.get(result["resource_type"], result["resource_type"])
        return results

    TagBackend.describe_tags = describe_tags


def _patch_nat_gateway_tag_filters() -> None:

    original_describe = NatGatewayBackend.describe_nat_gateways

    def describe_nat_gateways(self: NatGatewayBackend, filters: Any, nat_gateway_ids: list[str] | None) -> list[Any]:
        gateways = original_describe(self, filters, nat_gateway_ids)
        return generic_filter(tag_filters(filters), gateways)

    NatGatewayBackend.describe_nat_gateways = describe_nat_gateways


def _patch_security_group_rule_descriptions() -> None:

    def answering_return(original: Any) -> Any:
        @functools.wraps(original)
        def action(self: SecurityGroups) -> ActionResult:
            original(self)
            return ActionResult({"Return": True})

        return action

    for name in ("update_security_group_rule_descriptions_ingress", "update_security_group_rule_descriptions_egress"):
        setattr(SecurityGroups, name, answering_return(getattr(SecurityGroups, name)))


def _patch_volume_snapshot_id() -> None:

    original_init = Volume.__init__

    @functools.wraps(original_init)
    def init(self: Volume, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if self.snapshot_id is None:
            self.snapshot_id = ""

    Volume.__init__ = init


def _patch_instance_metadata_options_keep_what_is_not_named() -> None:

    original_modify = InstanceBackend.modify_instance_metadata_options

    @functools.wraps(original_modify)
    def modify(self: InstanceBackend, instance_id: str, **options: Any) -> Any:
        current = self.get_instance(instance_id).metadata_options
        kept = {
            "http_tokens": current.http_tokens,
            "hop_limit": current.http_put_response_hop_limit,
            "http_endpoint": current.http_endpoint,
            "http_protocol": current.http_protocol_ipv6,
            "metadata_tags": current.instance_metadata_tags,
        }
        named = {key: value for key, value in options.items() if value is not None}
        return original_modify(self, instance_id, **{**kept, **named})

    InstanceBackend.modify_instance_metadata_options = modify


def _patch_autoscaling_update_keeps_mixed_instances_policy() -> None:

    original_update = FakeAutoScalingGroup.update

    def update(self: FakeAutoScalingGroup, *args: Any, **kwargs: Any) -> None:
        # AWS: a parameter the call leaves out keeps its value; a launch template given instead replaces the policy.
        current = self.mixed_instances_policy
        if current and kwargs.get("mixed_instances_policy") is None and not kwargs.get("launch_template"):
            kept = copy.deepcopy(current)
            # Named by id alone, as a request would name it; moto adds the name back.
            kept["LaunchTemplate"]["LaunchTemplateSpecification"].pop("LaunchTemplateName", None)
            kwargs["mixed_instances_policy"] = kept
        original_update(self, *args, **kwargs)

    FakeAutoScalingGroup.update = update


def _patch_autoscaling_force_delete() -> None:

    original_delete = AutoScalingResponse.delete_auto_scaling_group

    def delete_auto_scaling_group(self: AutoScalingResponse) -> Any:
        group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
        if group is not None and self._get_bool_param("ForceDelete", False):
            # Scale-in protection does not keep instances of a force-deleted group.
            for state in group.instance_states:
                state.protected_from_scale_in = False
        return original_delete(self)

    AutoScalingResponse.delete_auto_scaling_group = delete_auto_scaling_group


CANONICAL_PREFIX = "/aws/service/canonical/ubuntu/server"
CANONICAL_IMAGE_PARAMETERS = tuple(
    f"{CANONICAL_PREFIX}/{release}/stable/current/{arch}/hvm/ebs-gp3/ami-id"
    for release in ("22.04", "24.04")
    for arch in ("amd64", "arm64")
)
# ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server: an image moto lists in every region.
SANDBOX_UBUNTU_IMAGE = "ami-785db401"


def _patch_canonical_public_parameters() -> None:
    original = ParameterDict._check_loading_status

    def check_loading_status(self: ParameterDict, key: str) -> None:
        original(self, key)
        if str(key or "").startswith("/aws/service/canonical") and not getattr(self, "canonical_loaded", False):
            self.canonical_loaded = True
            for name in CANONICAL_IMAGE_PARAMETERS:
                self.setdefault(name, []).append(canonical_parameter(self.account_id, name))

    ParameterDict._check_loading_status = check_loading_status


def canonical_parameter(account_id: str, name: str) -> Parameter:
    return Parameter(
        account_id=account_id,
        name=name,
        value=SANDBOX_UBUNTU_IMAGE,
        parameter_type="String",
        description=None,
        allowed_pattern=None,
        keyid=None,
        last_modified_date=utcnow(),
        version=1,
        data_type="aws:ec2:image",
    )


@functools.cache
def apply() -> None:
    """Apply every patch (once, however often called), before the moto server handles its first request."""
    _patch_autoscaling()
    _patch_launch_template_versions()
    _patch_delete_launch_template_versions()
    _patch_launch_template_tags()
    _patch_iam_aws_managed_policies()
    _patch_tag_resource_types()
    _patch_nat_gateway_tag_filters()
    _patch_security_group_rule_descriptions()
    _patch_volume_snapshot_id()
    _patch_instance_metadata_options_keep_what_is_not_named()
    _patch_autoscaling_update_keeps_mixed_instances_policy()
    _patch_autoscaling_force_delete()
    _patch_canonical_public_parameters()
