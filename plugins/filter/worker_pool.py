# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The worker_pool role's filters.

- worker_pool_arguments turns the plan's pools and the AWS facts into the arguments of the role's keep tasks
  (amazon.aws.ec2_launch_template and fleeting_autoscaling_group), which fleet_worker_pool_info compares AWS with.
- worker_pool_record makes the role's result fact from the keep tasks' answers and the read's.

Their documentation is in one YAML file per filter beside this file; the logic is in plugin_utils/_worker_pool.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._worker_pool import (
    DEFAULT_METADATA_HOP_LIMIT,
    DEFAULT_SUSPENDED_PROCESSES,
    PoolError,
    pool_arguments,
    pool_record,
)


def worker_pool_arguments(
    pools: object,
    *,
    subnet_ids: object = None,
    security_group_id: object = None,
    instance_profile: object = None,
    default_ami: object = "",
    ebs_kms_key_id: object = "",
    metadata_hop_limit: object = DEFAULT_METADATA_HOP_LIMIT,
    suspended_processes: object = DEFAULT_SUSPENDED_PROCESSES,
    variable: object = "pools",
) -> list[dict]:
    """[{name, launch_template, autoscaling_group}], one per pool of the plan's worker_pool.pools."""
    if not isinstance(variable, str):
        raise AnsibleFilterError("worker_pool_arguments: variable must be a string (the pools' variable name)")
    try:
        return pool_arguments(
            pools,
            subnet_ids=subnet_ids,
            security_group_id=security_group_id,
            instance_profile=instance_profile,
            default_ami=default_ami,
            ebs_kms_key_id=ebs_kms_key_id,
            metadata_hop_limit=metadata_hop_limit,
            suspended_processes=suspended_processes,
            variable=variable,
        )
    except PoolError as error:
        raise AnsibleFilterError(f"worker_pool_arguments: {error}") from None


def worker_pool_record(pools: object, current: object = None, templates: object = None, groups: object = None) -> dict:
    """By entry name: launch_template_id, launch_template_name, autoscaling_group_name, autoscaling_group_arn."""
    try:
        return pool_record(pools, current if current is not None else {}, templates, groups)
    except PoolError as error:
        raise AnsibleFilterError(f"worker_pool_record: {error}") from None


class FilterModule:
    def filters(self) -> dict:
        return {
            "worker_pool_arguments": worker_pool_arguments,
            "worker_pool_record": worker_pool_record,
        }
