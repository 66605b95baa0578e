# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox controller as `make sandbox` / `make sandbox-stop` use it: real processes, own state dirs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import ctl

REPO_ROOT = Path(__file__).resolve().parents[2]
AWS, GITLAB = ctl.SERVICES


def sandbox_ctl(state_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sandbox.ctl", "--state-dir", str(state_dir), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def state_dir(tmp_path):
    yield tmp_path
    sandbox_ctl(tmp_path, "stop")


def test_start_reuses_a_running_sandbox_and_stop_leaves_no_process(state_dir):
    first = sandbox_ctl(state_dir, "start")
    assert first.returncode == 0, first.stderr
    assert "sandbox aws: started" in first.stdout
    pid, port = ctl.StateDir(state_dir).recorded(AWS)
    assert ctl.answers(port, AWS.health_path)
    endpoints = ctl.read_endpoints(state_dir / "endpoints.env")
    assert endpoints["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{port}"

    again = sandbox_ctl(state_dir, "start")
    assert "sandbox aws: reused" in again.stdout
    assert ctl.StateDir(state_dir).recorded(AWS) == (pid, port)
    assert sandbox_ctl(state_dir, "status").returncode == 0

    stopped = sandbox_ctl(state_dir, "stop")
    assert "sandbox stopped: aws, gitlab" in stopped.stdout
    assert not ctl.is_alive(pid)
    assert not ctl.answers(port, AWS.health_path)
    assert not (state_dir / "endpoints.env").exists()
    assert sandbox_ctl(state_dir, "status").returncode == 1
    assert "nothing was running" in sandbox_ctl(state_dir, "stop").stdout


def test_a_stale_pid_file_is_replaced_not_fatal(state_dir):
    state = ctl.StateDir(state_dir)
    # The recorded pid is alive but is not the sandbox (it is this test's own process): never signal it.
    state.record(AWS, os.getpid(), ctl.free_port())
    started = sandbox_ctl(state_dir, "start")
    assert started.returncode == 0, started.stderr
    pid, port = state.recorded(AWS)
    assert pid != os.getpid()
    assert ctl.answers(port, AWS.health_path)


def test_a_busy_port_is_avoided_not_fatal(state_dir):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        busy = squatter.getsockname()[1]
        ctl.StateDir(state_dir).port_file(AWS).write_text(f"{busy}\n")
        started = sandbox_ctl(state_dir, "start")
        assert started.returncode == 0, started.stderr
        _pid, port = ctl.StateDir(state_dir).recorded(AWS)
        assert port != busy
        assert ctl.answers(port, AWS.health_path)


def test_run_gives_the_endpoints_and_drops_real_aws_settings(state_dir):
    assert sandbox_ctl(state_dir, "start").returncode == 0
    env = dict(os.environ, AWS_PROFILE="production", AWS_SESSION_TOKEN="real-session")
    probe = "import os; print(*(os.environ.get(k) for k in ('AWS_ENDPOINT_URL', 'AWS_PROFILE', 'AWS_SESSION_TOKEN')))"
    run = sandbox_ctl(state_dir, "run", "--", sys.executable, "-c", probe, env=env)
    assert run.returncode == 0, run.stderr
    endpoint, profile, token = run.stdout.split()
    assert endpoint.startswith("http://127.0.0.1:")
    assert (profile, token) == ("None", "None")


def test_run_without_a_running_sandbox_says_so(state_dir):
    run = sandbox_ctl(state_dir, "run", "--", "true")
    assert run.returncode == 1
    assert "the sandbox is not running" in run.stderr


def test_a_person_can_source_the_endpoints_and_use_python_gitlab(state_dir):
    """The sandbox GitLab's URL and admin token are in endpoints.env (0600); the token is random, kept 0600 beside
    the pid files and the same after a restart, and never on the server's command line."""
    assert sandbox_ctl(state_dir, "start").returncode == 0
    env_file = state_dir / "endpoints.env"
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert (state_dir / ctl.GITLAB_TOKEN_FILE).stat().st_mode & 0o777 == 0o600
    endpoints = ctl.read_endpoints(env_file)
    pid, port = ctl.StateDir(state_dir).recorded(GITLAB)
    assert endpoints["GITLAB_URL"] == f"http://127.0.0.1:{port}"
    assert endpoints["GITLAB_API_TOKEN"] not in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    probe = (
        "import gitlab, os; gl = gitlab.Gitlab(os.environ['GITLAB_URL'], private_token=os.environ['GITLAB_API_TOKEN']);"
        " gl.auth(); print(gl.user.username, gl.version()[0])"
    )
    shell = f'. {env_file} && {sys.executable} -c "{probe}"'
    run = subprocess.run(
        ["/bin/sh", "-c", shell], capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin"}
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["root", "18.6.0"]
    sandbox_ctl(state_dir, "stop")
    assert sandbox_ctl(state_dir, "start").returncode == 0
    assert ctl.read_endpoints(env_file)["GITLAB_API_TOKEN"] == endpoints["GITLAB_API_TOKEN"]
