# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters Ansible finds in the collection's filter files, for the unit tests that check a group of them.

Each filter has its own file, plugins/filter/<filter>.py, beside its documentation <filter>.yml.

Not a test module: the tests import it by name (tests/unit has no __init__.py, and pytest puts the directory of
tests/unit/conftest.py on sys.path).
"""

from __future__ import annotations

import importlib
from pathlib import Path

PACKAGE = "ansible_collections.runnerfleet.gitlab_aws.plugins.filter"
FILTER_DIR = Path(importlib.import_module(PACKAGE).__path__[0]).resolve()


def found_filters(*names: str) -> dict:
    """{name: function} as Ansible finds them in plugins/filter/<name>.py for each name, merged."""
    found: dict = {}
    for name in names:
        found.update(importlib.import_module(f"{PACKAGE}.{name}").FilterModule().filters())
    return found
