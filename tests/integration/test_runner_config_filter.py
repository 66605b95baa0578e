# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The config.toml filters used from playbooks, as the runner_host role uses them: rendered files that GitLab
Runner's own format reads back, a second run that changes nothing, a runner-rotated token that survives the
next run, and mistakes that fail the task with a message naming the key, without repeating a secret."""

from __future__ import annotations

import datetime
import os
import stat
import tomllib
from pathlib import Path

import pytest

PLAYBOOKS = Path(__file__).parent / "playbooks" / "runner_config"
TOKEN = "glrt-integration-secret-0001"
ROTATED_TOKEN = "glrt-rotated-by-the-runner-0002"


def spot_runner(name: str = "spot", token: str = TOKEN, runner_id: int = 42) -> dict:
    return {
        "name": name,
        "url": "https://gitlab.example.com",
        "id": runner_id,
        "token": token,
        "executor": "docker+machine",
        "limit": 10,
        "docker": {"image": "alpine:3.20", "volumes": ["/cache"]},
        "cache": {"Type": "s3", "Shared": True, "s3": {"BucketName": "fleet-cache", "AuthenticationType": "iam"}},
        "machine": {
            "IdleTime": 600,
            "MachineDriver": "amazonec2",
            "MachineName": f"{name}-%s",
            "MachineOptions": ["amazonec2-region=eu-west-1", "amazonec2-metadata-token=required"],
            "autoscaling": [
                {"Periods": ["* * 8-18 * * mon-fri *"], "Timezone": "UTC", "IdleCount": 2, "IdleTime": 1800}
            ],
        },
    }


def autoscaler_runner() -> dict:
    return {
        "name": "autoscaler",
        "url": "https://gitlab.example.com",
        "token": "glrt-autoscaler-secret-0003",
        "executor": "docker-autoscaler",
        "docker": {"image": "busybox:latest"},
        "feature_flags": {"FF_USE_FASTZIP": True},
        "autoscaler": {
            "plugin": "aws",
            "max_instances": 10,
            "plugin_config": {"name": "fleet-linux-small"},
            "connector_config": {"username": "ec2-user", "timeout": "2m0s"},
            "policy": [{"idle_count": 2, "idle_time": "20m0s"}],
        },
    }


def test_rendered_file_reads_back_and_a_second_run_changes_nothing(playbook, tmp_path: Path) -> None:
    config = {"concurrent": 20, "check_interval": 3, "runners": [spot_runner(), autoscaler_runner()]}
    extra_vars = {"output_dir": str(tmp_path), "runner_config": config}

    first = playbook(PLAYBOOKS / "render.yml", extra_vars=extra_vars)
    second = playbook(PLAYBOOKS / "render.yml", extra_vars=extra_vars)

    assert first.returncode == 0, first.output
    assert first.changed == 1
    assert second.returncode == 0 and second.changed == 0, second.changed_tasks()
    written = tmp_path / "config.toml"
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# Managed by Ansible")
    assert tomllib.loads(text) == config
    assert TOKEN not in first.output + second.output


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"runners": [dict(spot_runner(), docker={"image": "alpine", "privilegd": True})]},
            "runners[0].docker.privilegd: unknown key (GitLab Runner 18.9 has no such setting here); "
            'did you mean "privileged"?',
        ),
        (
            {"runners": [dict(autoscaler_runner(), autoscaler={"plugin": "aws", "policy": [{"idle_time": 1200}]})]},
            "runners[0].autoscaler.policy[0].idle_time: expects a Go duration string",
        ),
        (
            {"runners": [dict(spot_runner(), machine={"MachineName": "fleet", "MachineDriver": "amazonec2"})]},
            'runners[0].machine.MachineName: "fleet" must contain %s',
        ),
        (
            {"runners": [dict(spot_runner(), executor="docker+autoscaler")]},
            'did you mean "docker-autoscaler"?',
        ),
        ({"runners": [{"name": "no-url", "token": TOKEN, "executor": "shell"}]}, "runners[0].url: is required"),
        (
            {"runners": [dict(spot_runner(), token=12345678)]},
            "runners[0].token: expects a string, got an integer (value not shown)",
        ),
    ],
    ids=["unknown-key", "integer-duration", "machine-name", "executor", "missing-url", "token-type"],
)
def test_a_mistake_fails_the_task_naming_the_key(playbook, config: dict, expected: str) -> None:
    run = playbook(PLAYBOOKS / "invalid.yml", extra_vars={"runner_config": config})

    assert run.returncode != 0
    assert "runner_config_toml: config.toml is not valid for GitLab Runner" in run.final_failure
    assert expected in run.final_failure
    assert TOKEN not in run.output and "12345678" not in run.output


def test_unknown_keys_keep_lets_a_newer_runners_key_through(playbook) -> None:
    config = {"runners": [dict(spot_runner(), prepare_timeout="10m")]}
    kept = playbook(PLAYBOOKS / "invalid.yml", extra_vars={"runner_config": config, "unknown_keys": "keep"})
    refused = playbook(PLAYBOOKS / "invalid.yml", extra_vars={"runner_config": config})

    assert kept.returncode == 0, kept.final_failure
    assert "runners[0].prepare_timeout: unknown key" in refused.final_failure


RUNNER_WROTE = """\
concurrent = 20
check_interval = 3

[[runners]]
  name = "spot"
  url = "https://gitlab.example.com"
  id = 42
  token = "{token}"
  token_obtained_at = 2026-11-20T10:00:00Z
  token_expires_at = 2026-12-20T10:00:00Z
  executor = "docker+machine"
  [runners.docker]
    image = "alpine:3.20"
  [runners.machine]
    MachineDriver = "amazonec2"
    MachineName = "spot-%s"
"""


def test_a_token_the_runner_rotated_survives_the_next_run(playbook, tmp_path: Path) -> None:
    # The fleet stored TOKEN when it created the runner on 2026-10-21; the runner has since rotated it.
    (tmp_path / "config.toml").write_text(RUNNER_WROTE.format(token=ROTATED_TOKEN), encoding="utf-8")
    desired = dict(spot_runner(), token_obtained_at="2026-10-21T10:00:00Z", token_expires_at="2026-11-21T10:00:00Z")
    extra_vars = {"output_dir": str(tmp_path), "runner_config": {"concurrent": 20, "runners": [desired]}}

    first = playbook(PLAYBOOKS / "merge.yml", extra_vars=extra_vars, json_report=False)
    after_first = (tmp_path / "config.toml").read_text(encoding="utf-8")
    second = playbook(PLAYBOOKS / "merge.yml", extra_vars=extra_vars, json_report=False)

    assert first.returncode == 0, first.output + first.stderr
    written = tomllib.loads(after_first)["runners"][0]
    assert written["token"] == ROTATED_TOKEN
    assert written["token_obtained_at"] == datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)
    assert written["machine"]["autoscaling"][0]["IdleCount"] == 2  # the desired settings are applied
    assert (tmp_path / "stored-token-spot").read_text(encoding="utf-8") == ROTATED_TOKEN
    assert "kept rotated token: spot" in first.output
    assert second.returncode == 0
    assert (tmp_path / "config.toml").read_text(encoding="utf-8") == after_first
    for run in (first, second):
        assert ROTATED_TOKEN not in run.output and TOKEN not in run.output


def test_a_token_the_fleet_reset_replaces_the_old_one(playbook, tmp_path: Path) -> None:
    # The operator re-keyed the runner after the runner last obtained its token: the new token must win.
    (tmp_path / "config.toml").write_text(RUNNER_WROTE.format(token="glrt-old-token-0004"), encoding="utf-8")
    desired = dict(spot_runner(), token_obtained_at="2026-11-21T08:00:00Z", token_expires_at="2026-12-21T08:00:00Z")
    extra_vars = {"output_dir": str(tmp_path), "runner_config": {"concurrent": 20, "runners": [desired]}}

    run = playbook(PLAYBOOKS / "merge.yml", extra_vars=extra_vars, json_report=False)

    assert run.returncode == 0, run.output + run.stderr
    assert tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8"))["runners"][0]["token"] == TOKEN
    assert not (tmp_path / "stored-token-spot").exists()
    assert "kept rotated token:" in run.output and "kept rotated token: spot" not in run.output
