# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection's read-first modules (fleet_network_info, fleet_security_info, fleet_worker_pool_info,
fleet_manager_info) share: a collector of the differences between what AWS has and a role's plan.

They read a paginated call whole with amazon.aws's own reader, paginated_query_with_retries
(module_utils/botocore.py: every page, throttling and server errors retried with backoff), not a copy of it.

Note that this module util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations


class Comparison:
    """Collects what differs; each check says in one sentence what the role's task would change."""

    def __init__(self) -> None:
        self.drift: list[str] = []

    def expect(self, condition: bool, message: str) -> bool:
        """Record message when condition does not hold; return condition, so that checks can be chained."""
        if not condition:
            self.drift.append(message)
        return condition
