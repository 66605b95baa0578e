# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/site.yml as a user runs it: against the sandbox, twice, in check mode, and with bad input."""

from __future__ import annotations

import time

import pytest
import requests

from sandbox import ctl

SITE = "playbooks/site.yml"


def summary_lines(run) -> list[str]:
    for play in run.report["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == "Show the fleet":
                return task["hosts"]["localhost"]["msg"]
    raise AssertionError(f"no summary in {run.changed_tasks()}")


def task_names_run(run) -> list[str]:
    return [task["task"]["name"] for play in run.report["plays"] for task in play["tasks"]]


def test_site_runs_against_the_sandbox_and_a_second_run_changes_nothing(playbook):
    first = playbook(SITE)
    assert first.returncode == 0, first.failure_messages() or first.stderr
    second = playbook(SITE)
    assert second.returncode == 0, second.failure_messages()
    assert second.changed == 0, second.changed_tasks()
    summary = "\n".join(summary_lines(second))
    assert "AWS: account 123456789012" in summary
    assert "GitLab: version 18.6.0 at http://127.0.0.1:" in summary


def test_site_in_check_and_diff_mode_reports_no_change(playbook):
    run = playbook(SITE, "--check", "--diff")
    assert run.returncode == 0, run.failure_messages()
    assert run.changed == 0, run.changed_tasks()


def test_preflight_fails_clearly_and_quickly_when_aws_does_not_answer(playbook):
    closed = ctl.free_port()
    started = time.monotonic()
    run = playbook(SITE, env={"AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed}"})
    assert run.returncode != 0
    assert time.monotonic() - started < 120
    message = run.final_failure
    assert "AWS did not confirm an identity" in message
    assert f"http://127.0.0.1:{closed}" in message
    assert "make sandbox" in message


CHECKED_VARIABLES = ("fleet_name", "fleet_region", "fleet_extra_tags")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("fleet_name", "Bad_Name"),
        ("fleet_name", "x"),
        ("fleet_region", "moon-1"),
        ("fleet_extra_tags", "team=ci"),
        ("fleet_extra_tags", {"runnerfleet:fleet": "someone-else"}),
    ],
)
def test_preflight_rejects_bad_input_before_any_call_and_names_the_variable(playbook, variable, value):
    run = playbook(SITE, extra_vars={variable: value})
    assert run.returncode != 0
    message = run.final_failure
    assert message.startswith(f"{variable} must be")
    assert [name for name in CHECKED_VARIABLES if name in message] == [variable]
    assert "Ask AWS who we are" not in task_names_run(run)


def sandbox_gitlab_hook(sandbox, method: str, path: str, body: dict | None = None) -> None:
    """Call one of the sandbox GitLab's test hooks (sandbox/gitlab/README.md)."""
    response = requests.request(
        method,
        f"{sandbox.endpoints['GITLAB_URL']}/-/sandbox/{path}",
        json=body,
        headers={"PRIVATE-TOKEN": sandbox.endpoints["GITLAB_API_TOKEN"]},
        timeout=10,
    )
    response.raise_for_status()


def test_the_sandbox_gitlab_is_checked_and_its_token_never_shows_even_at_vvv(playbook, sandbox):
    run = playbook(SITE, "-vvv", json_report=False)
    assert run.returncode == 0, run.output[-3000:]
    assert sandbox.endpoints["GITLAB_API_TOKEN"] not in run.output + run.stderr
    assert f"GitLab: version 18.6.0 at {sandbox.endpoints['GITLAB_URL']}" in run.output


def test_the_gitlab_check_rides_out_a_transient_fault(playbook, sandbox):
    sandbox_gitlab_hook(sandbox, "PUT", "faults", {"kinds": ["502"], "count": 1, "path": "/api/v4/version"})
    try:
        run = playbook(SITE)
    finally:
        sandbox_gitlab_hook(sandbox, "DELETE", "faults")
    assert run.returncode == 0, run.failure_messages()


def test_a_refused_gitlab_token_fails_with_a_named_cause_and_stays_hidden(playbook, sandbox):
    wrong = "glpat-wrong-token-0123456789"
    run = playbook(SITE, "-vvv", json_report=False, env={"GITLAB_API_TOKEN": wrong})
    assert run.returncode != 0
    assert "status 401" in run.output
    assert "fleet_gitlab_api_token" in run.output
    assert wrong not in run.output + run.stderr


def test_an_unreachable_gitlab_fails_with_a_named_cause(playbook):
    closed = ctl.free_port()
    run = playbook(SITE, env={"GITLAB_URL": f"http://127.0.0.1:{closed}"})
    assert run.returncode != 0
    message = run.final_failure
    assert f"GitLab at http://127.0.0.1:{closed} did not answer" in message
    assert "fleet_gitlab_url" in message
