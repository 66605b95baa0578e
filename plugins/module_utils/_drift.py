# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection's read-first modules (fleet_network_info, fleet_security_info, fleet_worker_pool_info,
fleet_manager_info) share: a collector of the differences between what AWS has and a role's plan, and the rule by
which amazon.aws's EC2 modules decide whether a resource's tags change.

They read a paginated call whole with amazon.aws's own reader, paginated_query_with_retries
(module_utils/botocore.py: every page, throttling and server errors retried with backoff), not a copy of it.

Note that this module util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def ec2_tags_differ(current: dict[str, str], wanted: dict[str, Any] | None, purge_tags: bool) -> bool:
    """Whether amazon.aws's ensure_ec2_tags (module_utils/ec2.py; ec2_instance, ec2_tag, ec2_launch_template and
    ec2_security_group set tags with it) would add or remove a tag, given the resource's current tags.

    It decides by compare_aws_tags (aws: tags are never purged), except that purging to no tags at all removes every
    tag, aws: ones too. That exception is ensure_ec2_tags's own code (amazon.aws 10.1.2, module_utils/ec2.py,
    `if purge_tags and not tags: tags_to_unset = current_tags`), which cannot be called without reading and changing
    the resource itself: it is restated here, once."""
    if wanted is None:
        return False  # no tags given: ensure_ec2_tags leaves them alone
    to_set, to_unset = compare_aws_tags(current, wanted, purge_tags)
    if purge_tags and not wanted:
        to_unset = list(current)
    return bool(to_set or to_unset)


class Comparison:
    """Collects what differs; each check says in one sentence what the role's task would change."""

    def __init__(self) -> None:
        self.drift: list[str] = []

    def expect(self, condition: bool, message: str) -> bool:
        """Record message when condition does not hold; return condition, so that checks can be chained."""
        if not condition:
            self.drift.append(message)
        return condition
