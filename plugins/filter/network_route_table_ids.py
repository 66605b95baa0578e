# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network_route_table_ids filter: the private route tables' ids, the live ones where check mode answered a
placeholder (the network role).

Its documentation is network_route_table_ids.yml beside this file; the logic is in plugin_utils/_network.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _network
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing


def network_route_table_ids(results: object, live_tables: object = None) -> list[str]:
    """The private route tables' ids, the live ones where check mode answered a placeholder."""
    name = "network_route_table_ids"
    return _network.made_route_table_ids(
        listing(name, "the input", results), listing(name, "live_tables", live_tables or [])
    )


class FilterModule:
    def filters(self) -> dict:
        return {"network_route_table_ids": network_route_table_ids}
