# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layout ansible-doc and Galaxy read (issue 21): one `<filter>.py` per filter beside its `<filter>.yml`, its
FilterModule exposing exactly that filter, so that Galaxy lists every filter as documented and no file name as an
undocumented filter."""

from __future__ import annotations

import pytest
import yaml
from filter_plugins import FILTER_DIR, found_filters

FILTERS = sorted(path.stem for path in FILTER_DIR.glob("*.yml"))


def test_every_filter_file_has_its_documentation_and_every_documentation_its_file():
    assert len(FILTERS) == 27
    assert sorted(path.stem for path in FILTER_DIR.glob("*.py") if path.stem != "__init__") == FILTERS


@pytest.mark.parametrize("name", FILTERS)
def test_each_file_exposes_exactly_its_filter(name):
    assert list(found_filters(name)) == [name]
    assert yaml.safe_load((FILTER_DIR / f"{name}.yml").read_text(encoding="utf-8"))["DOCUMENTATION"]["name"] == name
