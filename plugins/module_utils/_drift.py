# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection's read-first modules (fleet_network_info, fleet_security_info, fleet_worker_pool_info,
fleet_manager_info) share: a collector of the differences between what AWS has and a role's plan, and a
paginated describe call read whole.

Note that this module util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


class Comparison:
    """Collects what differs; each check says in one sentence what the role's task would change."""

    def __init__(self) -> None:
        self.drift: list[str] = []

    def expect(self, condition: bool, message: str) -> bool:
        """Record message when condition does not hold; return condition, so that checks can be chained."""
        if not condition:
            self.drift.append(message)
        return condition


@AWSRetry.jittered_backoff(retries=10)
def read_all_pages(client, operation: str, **params) -> dict[str, Any]:
    """The whole answer of a paginated call (every page merged), as build_full_result gives it; throttling and
    server errors are retried with backoff (the pages are read again from the first)."""
    return client.get_paginator(operation).paginate(**params).build_full_result()
