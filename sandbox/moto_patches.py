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
"""

from __future__ import annotations

import functools
from typing import Any

from moto.autoscaling.exceptions import ValidationError
from moto.autoscaling.models import AutoScalingBackend
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.exceptions import InvalidLaunchTemplateVersionNotFound
from moto.ec2.models.launch_templates import LaunchTemplate, LaunchTemplateBackend, LaunchTemplateVersion
from moto.ec2.responses.launch_templates import LaunchTemplates
from moto.ec2.utils import parse_user_data

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


@functools.cache
def apply() -> None:
    """Apply every patch (once, however often called), before the moto server handles its first request."""
    _patch_autoscaling()
    _patch_launch_template_versions()
    _patch_delete_launch_template_versions()
    _patch_launch_template_tags()
