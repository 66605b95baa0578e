# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registration_entries filter: the gitlab_runner module's entries, with the ids (and tokens) SSM keeps (the
registration role).

Its documentation is registration_entries.yml beside this file; the logic is in plugin_utils/_registration.py.
"""

from __future__ import annotations

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _registration
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import boolean, mapping


def registration_entries(runners: object, stored: object = None, with_tokens: object = True) -> list[dict]:
    """The gitlab_runner module's `runners`: the plan's entries with the ids (and tokens) SSM keeps."""
    name = "registration_entries"
    return _registration.gitlab_entries(
        _registration.plan_runners(name, "the input", runners),
        mapping(name, "stored (registration_stored)", stored if stored is not None else {}),
        with_tokens=boolean(name, "with_tokens", with_tokens),
    )


class FilterModule:
    def filters(self) -> dict:
        return {"registration_entries": registration_entries}
