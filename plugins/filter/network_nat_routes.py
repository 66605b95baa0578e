# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network_nat_routes filter: the NAT gateway each private route table points at, by zone (the network role).

Its documentation is network_nat_routes.yml beside this file; the logic is in plugin_utils/_network.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _network
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing


def network_nat_routes(results: object, zones: object, nat_mode: object = "per_az") -> dict[str, str]:
    """{zone: NAT gateway id} each private route table points at."""
    if nat_mode not in ("per_az", "shared"):
        raise AnsibleFilterError("network_nat_routes: nat_mode must be per_az or shared")
    name = "network_nat_routes"
    return _network.nat_routes(listing(name, "the input", results), listing(name, "zones", zones), nat_mode)


class FilterModule:
    def filters(self) -> dict:
        return {"network_nat_routes": network_nat_routes}
