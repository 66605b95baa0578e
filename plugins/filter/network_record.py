# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network_record filter: the network role's network_result, from what its write tasks made.

Its documentation is network_record.yml beside this file; the logic is in plugin_utils/_network.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _network
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing, mapping


def network_record(
    subnets: object, *, vpc_id: object, vpc_cidr: object, zones: object, routes: object, endpoint_id: object = ""
) -> dict:
    """network_result of the network the role made."""
    name = "network_record"
    return _network.network_record(
        listing(name, "the input", subnets),
        vpc_id=str(vpc_id or ""),
        vpc_cidr=str(vpc_cidr or ""),
        zones=listing(name, "zones", zones),
        routes=mapping(name, "routes (zone to NAT gateway id)", routes),
        endpoint_id=str(endpoint_id or ""),
    )


class FilterModule:
    def filters(self) -> dict:
        return {"network_record": network_record}
