# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registration_undescribed filter: the runners SSM keeps whose entry is no longer described, and how to delete them
(the registration role).

Its documentation is registration_undescribed.yml beside this file; the logic is in plugin_utils/_registration.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _registration
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import mapping, string


def registration_undescribed(stored: object, runners: object, description_prefix: object) -> dict:
    """{names, entries}: the runners SSM keeps that the plan no longer describes, and their deleting entries."""
    name = "registration_undescribed"
    return _registration.undescribed(
        mapping(name, "the input (registration_stored)", stored),
        _registration.plan_runners(name, "runners", runners),
        string(name, "description_prefix", description_prefix),
    )


class FilterModule:
    def filters(self) -> dict:
        return {"registration_undescribed": registration_undescribed}
