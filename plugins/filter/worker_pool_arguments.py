# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The worker_pool_arguments filter: turns the plan's pools and the AWS facts into the arguments of the worker_pool
role's keep tasks (amazon.aws.ec2_launch_template and fleeting_autoscaling_group).

Its documentation is worker_pool_arguments.yml beside this file; the logic is in plugin_utils/_worker_pool.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import model_filter
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._worker_pool import PoolError, pool_arguments

# [{name, launch_template, autoscaling_group}], one per pool of the plan's worker_pool.pools.
worker_pool_arguments = model_filter("worker_pool_arguments", pool_arguments, PoolError)


class FilterModule:
    def filters(self) -> dict:
        return {"worker_pool_arguments": worker_pool_arguments}
