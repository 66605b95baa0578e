# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as a user installs it (issue 21): the tarball `ansible-galaxy collection build` makes, installed
with `ansible-galaxy collection install` into a collections path of its own, and run two ways with the same minimal
description (name, region, one runner) and the credentials in the environment:

- as AWX runs a job: ansible-runner (the library AWX runs jobs with) on a private data directory whose project is
  examples/awx-project (its site.yml imports the collection's), the credentials as environment variables
  (env/envvars), the description as extra vars (env/extravars);
- from a user's shell: `ansible-playbook runnerfleet.gitlab_aws.site -e @fleet.yml` from a directory outside the
  checkout, with no ansible.cfg, no group_vars and no inventory.

AWX converges the fleet, the shell's run then changes nothing, and so does AWX's second run; the job events and
artifacts of both AWX runs hold no secret. Then the installed teardown leaves nothing of the fleet.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import ansible_runner
import yaml

from sandbox import ctl

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
FLEET = "e2e-installed"
# The least a user writes: the fleet's name, its region and one runner (AWS and GitLab from the environment).
MINIMAL_DESCRIPTION = {
    "fleet_name": FLEET,
    "fleet_region": ctl.SANDBOX_AWS_REGION,
    "fleet_runners": [
        {"name": "docker", "runner_type": "instance_type", "tags": ["docker"], "executor": "docker", "limit": 2}
    ],
}


def galaxy(*args: str, cwd: Path) -> None:
    process = subprocess.run(
        [str(BIN_DIR / "ansible-galaxy"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert process.returncode == 0, f"ansible-galaxy {' '.join(args)}:\n{process.stdout}\n{process.stderr}"


def built_and_installed(tmp_path: Path) -> tuple[Path, Path]:
    """(the tarball, the collections path it is installed in). The dependencies are the ones the ansible package
    brings, which the user's Ansible finds in its own site-packages: nothing is fetched."""
    dist, collections = tmp_path / "dist", tmp_path / "collections"
    galaxy("collection", "build", str(REPO_ROOT), "--output-path", str(dist), cwd=tmp_path)
    (tarball,) = dist.glob("runnerfleet-gitlab_aws-*.tar.gz")
    galaxy("collection", "install", "--no-deps", "-p", str(collections), str(tarball), cwd=tmp_path)
    return tarball, collections


def run_installed(sandbox, workdir: Path, collections: Path, playbook: str, *extra: str) -> dict:
    """ansible-playbook <playbook> -e @fleet.yml from workdir, as a user runs the installed collection (the JSON
    callback, so that the test reads the counts): its report."""
    environment = sandbox.environment(
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_NOCOLOR="1",
    )
    # Nothing of the checkout's configuration: no ansible.cfg (the directory has none) and no ANSIBLE_CONFIG.
    environment.pop("ANSIBLE_CONFIG", None)
    command = ctl.playbook_command([str(BIN_DIR / "ansible-playbook"), playbook, "--extra-vars", "@fleet.yml", *extra])
    process = subprocess.run(command, cwd=workdir, env=environment, capture_output=True, text=True, check=False)
    report = json.loads(process.stdout) if process.stdout.strip().startswith("{") else None
    assert process.returncode == 0 and report is not None, (
        f"{playbook} (rc {process.returncode}):\n{process.stdout[-4000:]}\n{process.stderr[-3000:]}"
    )
    return report


def changed(report: dict) -> dict[str, int]:
    return {host: stats["changed"] for host, stats in report["stats"].items()}


AWX_PROJECT = REPO_ROOT / "examples" / "awx-project"


def run_as_awx(sandbox, private: Path, collections: Path) -> ansible_runner.Runner:
    """site.yml of the AWX project example, as AWX runs a job: ansible-runner on a private data directory with the
    project, its inventory, the credentials as environment variables and the description (with the sandbox's own
    extra vars, as a sandbox user passes them) as extra vars."""
    shutil.copytree(AWX_PROJECT, private / "project")
    (private / "env").mkdir()
    environment = sandbox.environment(ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_NOCOLOR="1")
    (private / "env" / "envvars").write_text(yaml.safe_dump(environment), encoding="utf-8")
    sandbox_vars = yaml.safe_load(ctl.PLAYBOOK_VARS.read_text(encoding="utf-8"))
    (private / "env" / "extravars").write_text(yaml.safe_dump({**sandbox_vars, **MINIMAL_DESCRIPTION}), "utf-8")
    runner = ansible_runner.run(
        private_data_dir=str(private),
        playbook="site.yml",
        inventory=str(private / "project" / "inventory" / "hosts.yml"),
        quiet=True,
    )
    assert runner.status == "successful", f"AWX's job: {runner.status}\n{runner.stdout.read()[-4000:]}"
    return runner


def secrets_of(sandbox, aws) -> dict[str, str]:
    """The GitLab API token, the AWS secret key and every SecureString of the fleet (its runners' tokens)."""
    found = {
        "GITLAB_API_TOKEN": sandbox.endpoints["GITLAB_API_TOKEN"],
        "AWS_SECRET_ACCESS_KEY": sandbox.endpoints["AWS_SECRET_ACCESS_KEY"],
    }
    pages = aws("ssm").get_paginator("get_parameters_by_path")
    for page in pages.paginate(Path=f"/runnerfleet/{FLEET}", Recursive=True, WithDecryption=True):
        found |= {item["Name"]: item["Value"] for item in page["Parameters"] if item["Type"] == "SecureString"}
    return found


def artifacts_text(private: Path) -> str:
    """What AWX keeps of a job: its events, its output and the facts it caches, as one text. (ansible-runner's
    `command` file records the whole environment, credentials included, for the runner itself: AWX neither shows nor
    keeps it.)"""
    (artifacts,) = (private / "artifacts").iterdir()
    kept = [*sorted((artifacts / "job_events").glob("*.json")), artifacts / "stdout", artifacts / "stderr"]
    kept += [path for path in (artifacts / "fact_cache").rglob("*") if path.is_file()]
    assert len(kept) > 10, kept
    return "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in kept if path.is_file())


def held(text: str, secrets: dict[str, str]) -> list[str]:
    forms = {name: (value, base64.b64encode(value.encode()).decode()) for name, value in secrets.items()}
    return [name for name, values in forms.items() if any(value in text for value in values)]


def test_the_installed_collection_converges_as_awx_runs_it_and_from_outside_the_checkout(
    sandbox, aws, tmp_path, monkeypatch
):
    # ansible-runner finds ansible-playbook on the PATH, as in an execution environment (make puts the venv first).
    monkeypatch.setenv("PATH", f"{BIN_DIR}:{os.environ['PATH']}")
    tarball, collections = built_and_installed(tmp_path)
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    # What a user installs: the collection, not the checkout's test bed.
    checkout_only = ("sandbox", "tests", ".venv", ".collections", "ansible.cfg")
    assert not [name for name in names if name.split("/")[0] in checkout_only], names
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "fleet.yml").write_text(yaml.safe_dump(MINIMAL_DESCRIPTION), encoding="utf-8")
    manager = f"{FLEET}-manager-1"
    try:
        first = run_as_awx(sandbox, tmp_path / "job-1", collections)
        assert first.stats["changed"].get("localhost", 0) > 0, first.stats
        shell = run_installed(sandbox, workdir, collections, "runnerfleet.gitlab_aws.site")
        assert changed(shell) == {"localhost": 0, manager: 0}, changed(shell)
        second = run_as_awx(sandbox, tmp_path / "job-2", collections)
        assert set(second.stats["ok"]) == {"localhost", manager}, second.stats
        assert not any(second.stats["changed"].values()), second.stats
        running = aws("ec2").describe_instances(
            Filters=[
                {"Name": "tag:runnerfleet:fleet", "Values": [FLEET]},
                {"Name": "instance-state-name", "Values": ["running"]},
            ]
        )["Reservations"]
        assert len(running) == 1
        secrets = secrets_of(sandbox, aws)
        assert len(secrets) == 2 + len(MINIMAL_DESCRIPTION["fleet_runners"]), sorted(secrets)
        for job in ("job-1", "job-2"):
            text = artifacts_text(tmp_path / job)
            assert '"event": "playbook_on_stats"' in text or "playbook_on_stats" in text, f"{job}: no job events"
            assert held(text, secrets) == [], f"{job}'s events and artifacts hold {held(text, secrets)}"
    finally:
        run_installed(sandbox, workdir, collections, "runnerfleet.gitlab_aws.teardown", "-e", "fleet_remove_cache=true")
    vpcs = aws("ec2").describe_vpcs(Filters=[{"Name": "tag:runnerfleet:fleet", "Values": [FLEET]}])["Vpcs"]
    assert vpcs == []
