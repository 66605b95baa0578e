# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox controller's files and environment handling (no process is started here)."""

import os
import stat
from pathlib import Path

from sandbox import ctl


def test_endpoints_file_round_trips_and_is_private(tmp_path):
    state = ctl.StateDir(tmp_path)
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:1234", "AWS_ACCESS_KEY_ID": "k", "RUNNERFLEET_SANDBOX_DIR": "/x"}
    path = ctl.write_endpoints(env, state)
    assert ctl.read_endpoints(path) == env
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:1234" in path.read_text()


def test_endpoints_file_is_private_even_when_it_existed_readable(tmp_path):
    state = ctl.StateDir(tmp_path)
    state.endpoints_file.write_text("old\n")
    state.endpoints_file.chmod(0o644)
    ctl.write_endpoints({"A": "b"}, state)
    assert stat.S_IMODE(os.stat(state.endpoints_file).st_mode) == 0o600


def test_sandboxed_environment_drops_whatever_could_reach_real_aws():
    base = {
        "PATH": "/bin",
        "AWS_PROFILE": "production",
        "AWS_SESSION_TOKEN": "secret",
        "AWS_SECURITY_TOKEN": "secret",
        "AWS_URL": "https://ec2.amazonaws.com",
        "AWS_ACCESS_KEY_ID": "AKIAREAL",
    }
    env = ctl.sandboxed_environment(base, ctl.aws_environment("http://127.0.0.1:9", ctl.StateDir(Path("/nonexistent"))))
    assert env["PATH"] == "/bin"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert env["AWS_ACCESS_KEY_ID"] == ctl.SANDBOX_AWS_KEY_ID
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_URL"):
        assert name not in env


def test_state_dir_ignores_garbage_and_missing_files(tmp_path):
    state = ctl.StateDir(tmp_path)
    service = ctl.SERVICES[0]
    assert state.recorded(service) == (None, None)
    state.pid_file(service).write_text("not a pid")
    assert state.recorded(service) == (None, None)
    state.record(service, 123, 4567)
    assert state.recorded(service) == (123, 4567)
    state.forget(service)
    assert state.recorded(service) == (None, None)


def test_a_dead_or_foreign_pid_is_not_ours():
    service = ctl.SERVICES[0]
    assert not ctl.process_is_ours(os.getpid(), service)  # alive, but runs pytest, not the service
    assert not ctl.process_is_ours(2**22 + 1, service)  # above pid_max: never alive


def test_ansible_playbook_gets_the_sandboxs_extra_vars_and_nothing_else_does():
    assert ctl.playbook_command(["/venv/bin/ansible-playbook", "playbooks/site.yml", "--check"]) == [
        "/venv/bin/ansible-playbook",
        "--extra-vars",
        f"@{ctl.PLAYBOOK_VARS}",
        "playbooks/site.yml",
        "--check",
    ]
    assert ctl.playbook_command(["aws", "ec2", "describe-vpcs"]) == ["aws", "ec2", "describe-vpcs"]
    assert ctl.playbook_command([]) == []
    assert ctl.PLAYBOOK_VARS.is_file()


def test_the_aws_server_knows_where_the_instances_disks_are(tmp_path):
    state = ctl.StateDir(tmp_path)
    assert ctl.aws_process_environment(state) == {"RUNNERFLEET_SANDBOX_HOSTS": str(tmp_path / "hosts")}
