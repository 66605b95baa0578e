# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet_description_problems filter: lists the problems of the fleet description (the fleet_* variables), one
sentence each naming the variable.

Its documentation is fleet_description_problems.yml beside this file; the logic is in
plugin_utils/_fleet_description.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_description import problems


def fleet_description_problems(description: object) -> list[str]:
    """Every problem of the fleet description, one sentence each naming the variable; [] when it is valid."""
    return problems(description)


class FilterModule:
    def filters(self) -> dict:
        return {"fleet_description_problems": fleet_description_problems}
