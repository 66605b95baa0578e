# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests import the collection's plugins as `ansible_collections.runnerfleet.gitlab_aws.plugins...`, the
way Ansible loads them: Ansible's collection finder, pointed at the checkout's link (made by `make venv`)."""

from __future__ import annotations

from pathlib import Path

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

COLLECTIONS_ROOT = Path(__file__).resolve().parents[2] / ".collections"
assert (COLLECTIONS_ROOT / "ansible_collections" / "runnerfleet" / "gitlab_aws" / "galaxy.yml").is_file(), (
    "run the unit tests through make (make unit, make test): it links the collection"
)
_AnsibleCollectionFinder(paths=[str(COLLECTIONS_ROOT)])._install()
