# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network_subnets_made filter: the subnet plan items amazon.aws.ec2_vpc_subnet made or found, with their ids (the
network role).

Its documentation is network_subnets_made.yml beside this file; the logic is in plugin_utils/_network.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _network
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import listing


def network_subnets_made(results: object) -> list[dict]:
    """The subnet plan items ec2_vpc_subnet made or found, each with its id."""
    return _network.made_subnets(listing("network_subnets_made", "the input", results))


class FilterModule:
    def filters(self) -> dict:
        return {"network_subnets_made": network_subnets_made}
