# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The examples under examples/ (issue 21): each fleet description is resolved as pre-flight resolves it (the
fleet_plan filter, with what pre-flight takes from the environment and the names of the variables the play sees)
and has no problem; the AWX project's playbooks import playbooks the collection has."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.fleet_plan import fleet_plan
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_description import (
    FROM_ENVIRONMENT,
    VARIABLES,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"
DESCRIPTIONS = sorted(EXAMPLES.glob("*/fleet.yml"))
# What pre-flight's lookups give when the environment holds them (vars/fleet_description.yml).
ENVIRONMENT = {
    "fleet_region": "eu-west-1",
    "fleet_gitlab_url": "https://gitlab.example.com",
    "fleet_gitlab_api_token": "glpat-example-0123456789",
}


def as_pre_flight_passes_it(path: Path) -> tuple[dict, list[str]]:
    """(the description with every variable, null where unset, as vars/fleet_description.yml passes it; the names
    of the fleet_* variables the play sees)."""
    given = yaml.safe_load(path.read_text(encoding="utf-8"))
    description = {name: given.get(name) for name in VARIABLES}
    for name in FROM_ENVIRONMENT:
        if description[name] is None:
            description[name] = ENVIRONMENT[name]
    return description, sorted(given)


def test_there_are_examples():
    assert {path.parent.name for path in DESCRIPTIONS} >= {"minimal", "several-worker-types", "existing-vpc"}


@pytest.mark.parametrize("path", DESCRIPTIONS, ids=lambda path: path.parent.name)
def test_pre_flight_accepts_the_example(path):
    description, names = as_pre_flight_passes_it(path)
    resolved = fleet_plan(description, variables=names)
    assert resolved["problems"] == []
    # It leaves the credentials to the environment: no token in an example.
    assert "fleet_gitlab_api_token" not in names


def test_the_awx_projects_playbooks_import_the_collections():
    project = EXAMPLES / "awx-project"
    for name in ("site", "teardown"):
        (play,) = yaml.safe_load((project / f"{name}.yml").read_text(encoding="utf-8"))
        assert play["ansible.builtin.import_playbook"] == f"runnerfleet.gitlab_aws.{name}"
        assert (REPO_ROOT / "playbooks" / f"{name}.yml").is_file()
    requirements = yaml.safe_load((project / "collections" / "requirements.yml").read_text(encoding="utf-8"))
    assert [item["name"] for item in requirements["collections"]] == ["runnerfleet.gitlab_aws"]
