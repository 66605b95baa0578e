# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The examples under examples/ (issue 21): each fleet description is resolved as pre-flight resolves it (the
fleet_plan filter, with what pre-flight takes from the environment and the names of the variables the play sees)
and has no problem; the AWX project's playbooks import playbooks the collection has."""

from __future__ import annotations

import hashlib
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
# What a user passes with the run (-e) for an example that leaves it out on purpose. The docker-machine example
# pins docker-machine's version but not the binary's sha256: the user takes it from GitLab's release page, and no
# digest that nobody verified is written into a file. The test stands in for the user with a sha256 of some bytes
# of its own: pre-flight checks its shape only, and nothing is downloaded here.
WITH_THE_RUN = {
    "docker-machine": {"fleet_docker_machine_sha256": hashlib.sha256(b"not a docker-machine binary").hexdigest()},
}


def as_pre_flight_passes_it(path: Path, extra_vars: dict | None = None) -> tuple[dict, list[str]]:
    """(the description with every variable, null where unset, as vars/fleet_description.yml passes it; the names
    of the fleet_* variables the play sees), for the file passed with -e @fleet.yml and `extra_vars` with -e."""
    given = {**yaml.safe_load(path.read_text(encoding="utf-8")), **(extra_vars or {})}
    description = {name: given.get(name) for name in VARIABLES}
    for name in FROM_ENVIRONMENT:
        if description[name] is None:
            description[name] = ENVIRONMENT[name]
    return description, sorted(given)


def test_there_are_examples():
    assert {path.parent.name for path in DESCRIPTIONS} >= {
        "minimal",
        "docker-machine",
        "several-worker-types",
        "existing-vpc",
    }


@pytest.mark.parametrize("path", DESCRIPTIONS, ids=lambda path: path.parent.name)
def test_pre_flight_accepts_the_example(path):
    description, names = as_pre_flight_passes_it(path, WITH_THE_RUN.get(path.parent.name))
    resolved = fleet_plan(description, variables=names)
    assert resolved["problems"] == []
    # It leaves the credentials to the environment: no token in an example.
    assert "fleet_gitlab_api_token" not in names


def test_the_docker_machine_example_needs_the_digest_with_the_run():
    """Run as the file stands, without -e fleet_docker_machine_sha256, pre-flight refuses it by that name alone."""
    description, names = as_pre_flight_passes_it(EXAMPLES / "docker-machine" / "fleet.yml")
    assert description["fleet_docker_machine_version"]
    (problem,) = fleet_plan(description, variables=names)["problems"]
    assert problem.startswith("fleet_docker_machine_sha256 is empty, but fleet_runners[machine] uses docker+machine")


def test_the_awx_projects_playbooks_import_the_collections():
    project = EXAMPLES / "awx-project"
    for name in ("site", "teardown"):
        (play,) = yaml.safe_load((project / f"{name}.yml").read_text(encoding="utf-8"))
        assert play["ansible.builtin.import_playbook"] == f"runnerfleet.gitlab_aws.{name}"
        assert (REPO_ROOT / "playbooks" / f"{name}.yml").is_file()
    requirements = yaml.safe_load((project / "collections" / "requirements.yml").read_text(encoding="utf-8"))
    assert [item["name"] for item in requirements["collections"]] == ["runnerfleet.gitlab_aws"]
