# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The attributes every module of the collection declares (check mode, diff mode), written once.

A module extends one of these fragments; its own `attributes:` then holds only what is its own (`details`, or an
attribute no other module has). Ansible merges a fragment's attributes one attribute deep: the module's keys win
over the fragment's. (The fragments are literal text: ansible-test's yamllint reads them without running Python.)

Note that this doc fragment is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations


class ModuleDocFragment:
    # What each attribute means, for a module that states its support levels itself.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
"""

    # A module that only reads.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: It only reads.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
"""

    # A module that changes things, predicts the change in check mode and shows it in diff mode (the module gives
    # each attribute its details).
    CHECK_AND_DIFF_MODE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
"""
