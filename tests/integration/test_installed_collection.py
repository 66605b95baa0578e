# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as a user installs it (issue 21): the tarball `ansible-galaxy collection build` makes, installed
with `ansible-galaxy collection install` into a collections path of its own, and its site playbook run by name
(`ansible-playbook runnerfleet.gitlab_aws.site -e @fleet.yml`) from a directory outside the checkout, with no
ansible.cfg, no group_vars and no inventory: a minimal description (name, region, one runner) and the credentials in
the environment, as a user's shell or AWX gives them. Twice: the second run changes nothing. Then the installed
teardown leaves nothing of the fleet.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

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


def test_the_installed_collection_converges_from_outside_the_checkout(sandbox, aws, tmp_path) -> None:
    tarball, collections = built_and_installed(tmp_path)
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    # What a user installs: the collection, not the checkout's test bed.
    checkout_only = ("sandbox", "tests", ".venv", ".collections", "ansible.cfg")
    assert not [name for name in names if name.split("/")[0] in checkout_only], names
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "fleet.yml").write_text(yaml.safe_dump(MINIMAL_DESCRIPTION), encoding="utf-8")

    first = run_installed(sandbox, workdir, collections, "runnerfleet.gitlab_aws.site")
    assert changed(first)["localhost"] > 0
    second = run_installed(sandbox, workdir, collections, "runnerfleet.gitlab_aws.site")
    assert set(changed(second)) == {"localhost", f"{FLEET}-manager-1"}
    assert not any(changed(second).values()), changed(second)
    instances = aws("ec2").describe_instances(
        Filters=[
            {"Name": "tag:runnerfleet:fleet", "Values": [FLEET]},
            {"Name": "instance-state-name", "Values": ["running"]},
        ]
    )["Reservations"]
    assert len(instances) == 1

    run_installed(sandbox, workdir, collections, "runnerfleet.gitlab_aws.teardown", "-e", "fleet_remove_cache=true")
    vpcs = aws("ec2").describe_vpcs(Filters=[{"Name": "tag:runnerfleet:fleet", "Values": [FLEET]}])["Vpcs"]
    assert vpcs == []
