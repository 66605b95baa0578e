# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/site.yml as a user runs it: against the sandbox, twice, in check mode, and with bad input."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sandbox import ctl

SITE = "playbooks/site.yml"
GITLAB_TOKEN = "glpat-runnerfleet-test-0123456789"


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
    assert "GitLab: not configured" in summary


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


class FakeGitLab(BaseHTTPRequestHandler):
    """Answers GET /api/v4/version as GitLab does: 200 with the right token, 401 with GitLab's body without."""

    def do_GET(self):
        if self.path != "/api/v4/version":
            self.reply(404, {"message": "404 Not Found"})
        elif self.headers.get("PRIVATE-TOKEN") != GITLAB_TOKEN:
            self.reply(401, {"message": "401 Unauthorized"})
        else:
            self.reply(200, {"version": "18.6.0-ee", "revision": "a1b2c3d4"})

    def reply(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def gitlab_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitLab)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_gitlab_is_checked_and_its_token_never_shows_even_at_vvv(playbook, gitlab_url):
    env = {"GITLAB_URL": gitlab_url, "GITLAB_API_TOKEN": GITLAB_TOKEN}
    run = playbook(SITE, "-vvv", json_report=False, env=env)
    assert run.returncode == 0, run.output[-3000:]
    assert GITLAB_TOKEN not in run.output + run.stderr
    assert f"GitLab: version 18.6.0-ee at {gitlab_url}" in run.output


def test_a_refused_gitlab_token_fails_with_a_named_cause_and_stays_hidden(playbook, gitlab_url):
    wrong = "glpat-wrong-token-0123456789"
    run = playbook(SITE, "-vvv", json_report=False, env={"GITLAB_URL": gitlab_url, "GITLAB_API_TOKEN": wrong})
    assert run.returncode != 0
    assert "status 401" in run.output
    assert "fleet_gitlab_api_token" in run.output
    assert wrong not in run.output + run.stderr


def test_an_unreachable_gitlab_fails_with_a_named_cause(playbook):
    closed = ctl.free_port()
    run = playbook(SITE, env={"GITLAB_URL": f"http://127.0.0.1:{closed}", "GITLAB_API_TOKEN": GITLAB_TOKEN})
    assert run.returncode != 0
    message = run.final_failure
    assert f"GitLab at http://127.0.0.1:{closed} did not answer" in message
    assert "fleet_gitlab_url" in message
