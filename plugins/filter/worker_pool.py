# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The worker_pool role's filters.

- worker_pool_arguments turns the plan's pools and the AWS facts into the arguments of the role's keep tasks
  (amazon.aws.ec2_launch_template and fleeting_autoscaling_group), which fleet_worker_pool_info compares AWS with.
- worker_pool_record makes the role's result fact from the keep tasks' answers and the read's.

Their documentation is in one YAML file per filter beside this file; the logic is in plugin_utils/_worker_pool.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import model_filter, refusing
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._worker_pool import (
    PoolError,
    pool_arguments,
    pool_record,
)

# [{name, launch_template, autoscaling_group}], one per pool of the plan's worker_pool.pools.
worker_pool_arguments = model_filter("worker_pool_arguments", pool_arguments, PoolError)


def worker_pool_record(pools: object, current: object = None, templates: object = None, groups: object = None) -> dict:
    """By entry name: launch_template_id, launch_template_name, autoscaling_group_name, autoscaling_group_arn."""
    with refusing("worker_pool_record", PoolError):
        return pool_record(pools, current if current is not None else {}, templates, groups)


class FilterModule:
    def filters(self) -> dict:
        return {
            "worker_pool_arguments": worker_pool_arguments,
            "worker_pool_record": worker_pool_record,
        }
