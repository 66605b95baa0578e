# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/preflight.yml against the sandbox: every fleet description of the corpus in fleet_invalid/ is
rejected by the first task, with a message naming the variable, before any request reaches the local AWS or the
GitLab emulator (their request logs stay at 0), and never with the API token in the output. The example as it
stands passes, with read-only requests only.

Each corpus file is an extra-vars file that overrides one or two variables of the example; its first line says what
is wrong, and its key `expect_in_message` (which the playbook ignores) names the variable path the message must
contain.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import yaml

PREFLIGHT = "playbooks/preflight.yml"
CORPUS = Path(__file__).resolve().parent / "fleet_invalid"
CORPUS_FILES = sorted(CORPUS.glob("*.yml"))
PREFIX = "fleet description: "


class RequestLogs:
    """The request logs of the sandbox's AWS (moto) and GitLab emulator."""

    def __init__(self, sandbox) -> None:
        self.aws = f"{sandbox.endpoints['AWS_ENDPOINT_URL']}/-/sandbox/requests"
        self.gitlab = f"{sandbox.endpoints['GITLAB_URL']}/-/sandbox/requests"
        self.admin = {"PRIVATE-TOKEN": sandbox.endpoints["GITLAB_API_TOKEN"]}

    def reset(self) -> None:
        requests.post(f"{self.aws}/reset", timeout=10).raise_for_status()
        requests.delete(self.gitlab, headers=self.admin, timeout=10).raise_for_status()

    def counts(self) -> dict[str, dict]:
        aws = requests.get(self.aws, timeout=10)
        gitlab = requests.get(self.gitlab, headers=self.admin, timeout=10)
        aws.raise_for_status()
        gitlab.raise_for_status()
        return {"aws": aws.json(), "gitlab": gitlab.json()}


@pytest.fixture
def logs(sandbox) -> RequestLogs:
    logs = RequestLogs(sandbox)
    logs.reset()
    return logs


def test_the_corpus_is_large_enough_and_well_formed():
    assert len(CORPUS_FILES) >= 34
    for path in CORPUS_FILES:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# "), f"{path.name}: the first line must say what is wrong"
        overrides = yaml.safe_load(text)
        assert isinstance(overrides.get("expect_in_message"), str), path.name
        assert 1 <= len(overrides) - 1 <= 2, f"{path.name}: override one or two variables"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[path.stem for path in CORPUS_FILES])
def test_an_invalid_description_fails_before_any_request_naming_the_variable(playbook, sandbox, logs, path):
    expected = yaml.safe_load(path.read_text(encoding="utf-8"))["expect_in_message"]
    run = playbook(PREFLIGHT, "-e", f"@{path}")
    assert run.returncode != 0, f"{path.name} passed pre-flight"
    message = run.final_failure
    assert expected in message, message
    lines = message.split("\n")
    assert all(line.startswith(PREFIX) for line in lines), message
    # Nothing ran before the check but the local resolution (no request, as the logs below confirm).
    assert [task["task"]["name"] for play in run.report["plays"] for task in play["tasks"]] == [
        "Resolve the fleet description",
        "Check the fleet description",
    ]
    assert sandbox.endpoints["GITLAB_API_TOKEN"] not in run.output + run.stderr
    counts = logs.counts()
    assert (counts["aws"]["total"], counts["gitlab"]["total"]) == (0, 0), counts


def test_the_example_passes_with_read_only_requests(playbook, sandbox, logs):
    run = playbook(PREFLIGHT)
    assert run.returncode == 0, run.failure_text()
    counts = logs.counts()
    assert counts["aws"]["total"] > 0
    assert counts["gitlab"]["total"] > 0
    assert (counts["aws"]["mutating"], counts["gitlab"]["mutating"]) == (0, 0), counts
    assert sandbox.endpoints["GITLAB_API_TOKEN"] not in run.output + run.stderr


def test_a_token_that_may_not_find_runners_is_refused_naming_the_variable(playbook, sandbox, logs):
    # read_user answers GET /version but no runner endpoint: the fleet could not find or create its runners.
    minted = requests.post(
        f"{sandbox.endpoints['GITLAB_URL']}/-/sandbox/tokens",
        json={"username": "root", "scopes": ["read_user"], "expires_at": None},
        headers=logs.admin,
        timeout=10,
    )
    minted.raise_for_status()
    token = minted.json()["token"]
    run = playbook(PREFLIGHT, "-vvv", json_report=False, env={"GITLAB_API_TOKEN": token})
    assert run.returncode != 0
    assert "fleet_gitlab_api_token" in run.output
    assert "api scope" in run.output
    assert token not in run.output + run.stderr
    assert logs.counts()["gitlab"]["mutating"] == 0
