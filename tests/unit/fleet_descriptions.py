# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A valid fleet description (the fleet model's input) for the unit tests that need the plan the model resolves from
one, and that plan.

Not a test module: the tests import it by name (tests/unit has no __init__.py, and pytest puts the directory of
tests/unit/conftest.py on sys.path).
"""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_plan import resolve

AMI = "ami-0123456789abcdef0"


def autoscaler_runner(name: str, **settings: Any) -> dict[str, Any]:
    """A docker-autoscaler entry of fleet_runners, tagged with its name."""
    return {"name": name, "runner_type": "instance_type", "tags": [name], "executor": "docker-autoscaler", **settings}


def fleet_description(runners: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """The fleet cif in eu-west-1 with these fleet_runners, managers and workers on AMI; overrides replace or add
    fleet_* keys. The description has its own copy of the runners."""
    return {
        "fleet_name": "cif",
        "fleet_region": "eu-west-1",
        "fleet_gitlab_url": "https://gitlab.example.com",
        "fleet_gitlab_api_token": "glpat-not-used",
        "fleet_worker_ami": AMI,
        "fleet_managers": {"ami": AMI},
        "fleet_runners": copy.deepcopy(runners),
        **overrides,
    }


def resolved_plan(description: dict[str, Any], **context: Any) -> dict[str, Any]:
    """The plan the fleet model resolves from the description (context: resolve()'s keywords: account_id,
    images); the description must have no problems."""
    resolved = resolve(description, **context)
    assert resolved["problems"] == []
    return resolved["plan"]
