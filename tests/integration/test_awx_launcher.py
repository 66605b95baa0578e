# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""examples/gitops/ci/launch_awx_job.py, the GitOps pipeline's client of AWX, against sandbox/awx_api.py (which
runs jobs through ansible-runner): what it does when AWX refuses, answers 503, ignores the description, or when the
job outlives the time allowed. A one-task project stands in for the fleet's playbooks, so that each case costs
seconds; the full flow with the collection is in test_installed_collection.py."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sandbox import awx_api

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
LAUNCHER = REPO_ROOT / "examples" / "gitops" / "ci" / "launch_awx_job.py"
TOKEN = "launcher-test-token"
PLAYBOOK = """
- name: A job that says what it got, after an optional wait
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Wait
      ansible.builtin.pause:
        seconds: "{{ wait_seconds | default(0) | int }}"
      when: wait_seconds is defined
    - name: Say
      ansible.builtin.debug:
        msg: "fleet {{ fleet_name }}"
"""
LOCAL = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
SURVEY = {
    "spec": [{"question_name": "Fleet name", "variable": "fleet_name", "type": "text", "required": True, "min": 3}]
}


@pytest.fixture(scope="module")
def awx(tmp_path_factory):
    """The stand-in on loopback with three templates: prompted with a survey, not prompted, and reads that fail."""
    root = tmp_path_factory.mktemp("awx")
    project = root / "project"
    (project / "inventory").mkdir(parents=True)
    (project / "say.yml").write_text(PLAYBOOK, encoding="utf-8")
    (project / "inventory" / "hosts.yml").write_text(
        json.dumps({"all": {"hosts": {"localhost": LOCAL}}}),
        encoding="utf-8",
    )
    common = {"playbook": "say.yml", "inventory": "inventory/hosts.yml", "credentials": []}
    config = {
        "token": TOKEN,
        "jobs_dir": str(root / "jobs"),
        "project": str(project),
        # The execution environment's: ansible-playbook on the PATH.
        "environment": {"ANSIBLE_NOCOLOR": "1", "PATH": f"{BIN_DIR}:{os.environ['PATH']}"},
        "job_templates": [
            {
                "id": 1,
                "name": "prompted",
                "ask_variables_on_launch": True,
                "survey_enabled": True,
                "survey_spec": SURVEY,
            }
            | common,
            {"id": 2, "name": "not prompted", "ask_variables_on_launch": False, "extra_vars": {"fleet_name": "kept"}}
            | common,
        ],
        "fail_every": 3,
    }
    server = awx_api.serve(config)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server.RequestHandlerClass.awx
    server.shutdown()


def launch(awx_url: str, template: str, description: str, tmp_path: Path, *extra: str, token: str = TOKEN):
    (tmp_path / "fleet.yml").write_text(description, encoding="utf-8")
    environment = {
        "AWX_HOST": awx_url,
        "AWX_TOKEN": token,
        "AWX_POLL_SECONDS": "0.5",
        "PATH": f"{BIN_DIR}:/usr/bin:/bin",
    }
    command = [sys.executable, str(LAUNCHER), "--template", template, "--extra-vars-file", "fleet.yml", *extra]
    return subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


def wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_prompted_launch_runs_the_job_with_the_file_and_rides_out_503s(awx, tmp_path):
    url = awx[0]
    done = launch(url, "prompted", "fleet_name: ci-fleet\n", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fleet ci-fleet" in done.stdout
    assert "ended successful" in done.stdout
    assert "with HTTP 503; retrying" in done.stdout
    assert TOKEN not in done.stdout + done.stderr


REFUSALS = {
    "a required survey answer missing": ("prompted", "region: x\n", TOKEN, "'fleet_name' value missing"),
    "a survey answer too short": ("prompted", "fleet_name: ab\n", TOKEN, "is too small"),
    "Jinja in the extra vars": (
        "prompted",
        "fleet_name: \"{{ lookup('env', 'HOME') }}\"\n",
        TOKEN,
        "Jinja variables are not allowed",
    ),
    "extra vars that are not YAML": ("prompted", "fleet_name: [unclosed\n", TOKEN, "Cannot parse"),
    "a wrong token": ("prompted", "fleet_name: ci-fleet\n", "wrong-token", "HTTP 401"),
    "no such template": ("nothing", "fleet_name: ci-fleet\n", TOKEN, "no job template named 'nothing'"),
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_what_awx_refuses_fails_the_pipeline_with_awx_s_answer_and_runs_no_job(awx, tmp_path, refusal):
    template, description, token, said = REFUSALS[refusal]
    url, state = awx
    jobs_before = set(state.jobs)
    refused = launch(url, template, description, tmp_path, token=token)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert said in refused.stderr, refused.stderr
    assert set(state.jobs) == jobs_before
    assert token not in refused.stdout + refused.stderr


def test_a_template_that_ignores_the_description_has_its_job_canceled(awx, tmp_path):
    url, state = awx
    ignored = launch(url, "not prompted", "fleet_name: ci-fleet\nwait_seconds: 30\n", tmp_path)
    assert ignored.returncode == 1
    assert "AWX ignored ['extra_vars']" in ignored.stderr and "ask_variables_on_launch" in ignored.stderr
    job = max(state.jobs.values(), key=lambda job: job.id)
    assert job.template["name"] == "not prompted"
    assert wait_for(lambda: job.status in awx_api.TERMINAL), job.record()
    assert job.status in {"canceled", "successful"}, job.record()
    assert job.extra_vars == {"fleet_name": "kept"}


def test_a_job_that_outlives_the_time_allowed_is_canceled_and_fails_the_pipeline(awx, tmp_path):
    url, state = awx
    started = time.monotonic()
    late = launch(url, "prompted", "fleet_name: ci-fleet\nwait_seconds: 60\n", tmp_path, "--timeout", "6")
    assert late.returncode == 1, late.stdout + late.stderr
    assert "the time allowed " in late.stderr and "; canceled job" in late.stderr, late.stderr
    assert time.monotonic() - started < 45
    job = max(state.jobs.values(), key=lambda job: job.id)
    assert wait_for(lambda: job.status == "canceled"), job.record()
    assert json.dumps(job.record())


def test_an_awx_that_never_answers_fails_the_pipeline_within_the_time_allowed(tmp_path):
    # A listener that takes the connection and says nothing: the read times out, and the launcher says so.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()
        mute = launch(
            f"http://127.0.0.1:{silent.getsockname()[1]}", "prompted", "fleet_name: x\n", tmp_path, "--timeout", "3"
        )
    assert mute.returncode == 1, mute.stdout + mute.stderr
    assert mute.stderr.startswith("AWX: GET /api/v2/job_templates/"), mute.stderr
    assert "the time allowed is over" in mute.stderr and "Traceback" not in mute.stderr
    assert time.monotonic() - started < 20
