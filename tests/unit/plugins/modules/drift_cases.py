# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the tests of the *_info modules share for their drift cases: each case is a mutation of a converged snapshot
and a sentence that the drift compare() then finds must hold.

Not a test module: the tests next to it import it by name (this directory has no __init__.py, so pytest puts it on
sys.path).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

DriftCase = tuple[Callable[[dict], None], str]


def each_drift_case(cases: list[DriftCase]) -> pytest.MarkDecorator:
    """Parametrize a test over (mutate, sentence) cases, each named after its mutation."""
    return pytest.mark.parametrize(("mutate", "sentence"), cases, ids=[mutate.__name__ for mutate, _sentence in cases])


def assert_drift_holds(drift: list[str], sentence: str) -> None:
    """Some drift was found, and one of its lines holds the sentence."""
    assert drift, "no drift found"
    assert any(sentence in each for each in drift), drift
