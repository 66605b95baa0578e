# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The worker_pool_record filter: the worker_pool role's result fact, from the keep tasks' answers and the read's.

Its documentation is worker_pool_record.yml beside this file; the logic is in plugin_utils/_worker_pool.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import refusing
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._worker_pool import PoolError, pool_record


def worker_pool_record(pools: object, current: object = None, templates: object = None, groups: object = None) -> dict:
    """By entry name: launch_template_id, launch_template_name, autoscaling_group_name, autoscaling_group_arn."""
    with refusing("worker_pool_record", PoolError):
        return pool_record(pools, current if current is not None else {}, templates, groups)


class FilterModule:
    def filters(self) -> dict:
        return {"worker_pool_record": worker_pool_record}
