# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network_subnet_views filter: subnets as amazon.aws.ec2_vpc_subnet_info lists them, by id (the network role).

Its documentation is network_subnet_views.yml beside this file; the logic is in plugin_utils/_network.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _network
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing


def network_subnet_views(subnets: object) -> dict[str, dict]:
    """{id: {id, zone, cidr}} of subnets as ec2_vpc_subnet_info lists them."""
    return _network.subnet_views(listing("network_subnet_views", "the input", subnets))


class FilterModule:
    def filters(self) -> dict:
        return {"network_subnet_views": network_subnet_views}
