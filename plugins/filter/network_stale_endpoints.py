# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network_stale_endpoints filter: the live VPC endpoints on other route tables than the network role's.

Its documentation is network_stale_endpoints.yml beside this file; the logic is in plugin_utils/_network.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _network
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing


def network_stale_endpoints(endpoints: object, route_table_ids: object) -> list:
    """The live endpoints on other route tables than these."""
    name = "network_stale_endpoints"
    return _network.stale_endpoints(
        listing(name, "the input", endpoints), listing(name, "route_table_ids", route_table_ids)
    )


class FilterModule:
    def filters(self) -> dict:
        return {"network_stale_endpoints": network_stale_endpoints}
