# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as a user installs it (issue 21): the tarball `ansible-galaxy collection build` makes, installed
with `ansible-galaxy collection install` into a collections path of its own, and run three ways with the same minimal
description (name, region, one runner):

- the GitOps flow: the fleet's repository (examples/gitops: .gitlab-ci.yml and ci/launch_awx_job.py) runs its
  pipeline in gitlab-ci-local (shell executor) on a push that changes fleet.yml; the pipeline launches the AWX job
  template with the file as extra vars through AWX's API and follows the job to its end. AWX is sandbox/awx_api.py,
  configured with the job templates, survey and GitLab credential type of examples/awx-project/configure-awx.yml,
  and runs the job as AWX does: ansible-runner on a private data directory whose project is examples/awx-project,
  the credentials injected as environment variables, the description as extra vars;
- from a user's shell: `ansible-playbook runnerfleet.gitlab_aws.site -e @fleet.yml` from a directory outside the
  checkout, with no ansible.cfg, no group_vars and no inventory;
- and, to show that no step depends on the checkout, a second push through the pipeline, which changes nothing.

A push that does not touch fleet.yml, or a branch other than the default, starts no job; a description pre-flight
refuses fails the pipeline with pre-flight's message. The job events and artifacts of both AWX jobs, and the
pipelines' output, hold no secret. Then the installed teardown, which finds the description where a user's own
repository keeps it (group_vars beside the user's inventory), leaves nothing of the fleet.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
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
    """ansible-playbook <playbook> from workdir, as a user runs the installed collection (the JSON callback, so that
    the test reads the counts), with the description in `extra` (-e @fleet.yml, or an inventory with group_vars
    beside it): its report."""
    environment = sandbox.environment(
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_NOCOLOR="1",
    )
    # Nothing of the checkout's configuration: no ansible.cfg (the directory has none) and no ANSIBLE_CONFIG.
    environment.pop("ANSIBLE_CONFIG", None)
    command = ctl.playbook_command([str(BIN_DIR / "ansible-playbook"), playbook, *extra])
    process = subprocess.run(command, cwd=workdir, env=environment, capture_output=True, text=True, check=False)
    report = json.loads(process.stdout) if process.stdout.strip().startswith("{") else None
    assert process.returncode == 0 and report is not None, (
        f"{playbook} (rc {process.returncode}):\n{process.stdout[-4000:]}\n{process.stderr[-3000:]}"
    )
    return report


def changed(report: dict) -> dict[str, int]:
    return {host: stats["changed"] for host, stats in report["stats"].items()}


AWX_PROJECT = REPO_ROOT / "examples" / "awx-project"
GITOPS_REPOSITORY = REPO_ROOT / "examples" / "gitops"
GITLAB_CI_LOCAL = REPO_ROOT / "node_modules" / ".bin" / "gitlab-ci-local"
AWX_TOKEN = "sandbox-awx-token-" + os.urandom(8).hex()
# What AWX holds and the pipeline never sees: the credentials the job template's credentials inject.
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GITLAB_URL", "GITLAB_API_TOKEN")


class SafeLoaderWithUnsafe(yaml.SafeLoader):
    """YAML as Ansible reads a playbook, as far as configure-awx.yml needs: `!unsafe` is a plain string."""


SafeLoaderWithUnsafe.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def awx_as_configured(sandbox, collections: Path, jobs_dir: Path) -> dict:
    """The stand-in's configuration: the credential type and job templates as examples/awx-project/configure-awx.yml
    makes them in AWX, the credentials with the sandbox's values, and an execution environment whose collections
    path holds the installed tarball (what project sync installs from collections/requirements.yml)."""
    (play,) = yaml.load((AWX_PROJECT / "configure-awx.yml").read_text(encoding="utf-8"), SafeLoaderWithUnsafe)  # noqa: S506
    tasks = {
        module: [task[f"awx.awx.{module}"] for task in play["tasks"] if f"awx.awx.{module}" in task]
        for module in ("credential_type", "job_template", "inventory_source")
    }
    (gitlab_type,) = tasks["credential_type"]
    (source,) = tasks["inventory_source"]
    aws_credential = "sandbox AWS"
    sandbox_vars = yaml.safe_load(ctl.PLAYBOOK_VARS.read_text(encoding="utf-8"))
    templates = []
    for number, template in enumerate(tasks["job_template"], start=1):
        credentials = [aws_credential if "awx_aws_credential" in name else name for name in template["credentials"]]
        keys = ("name", "playbook", "ask_variables_on_launch", "survey_enabled", "survey_spec")
        templates.append(
            {
                "id": number,
                **{key: template[key] for key in keys if key in template},
                "inventory": source["source_path"],
                "credentials": credentials,
                # The sandbox's own extra vars (how the playbooks reach its instances), set on the template by the
                # AWX administrator, under whatever the launch sends.
                "extra_vars": sandbox_vars,
            }
        )
    endpoints = sandbox.endpoints
    return {
        "token": AWX_TOKEN,
        "jobs_dir": str(jobs_dir),
        "project": str(AWX_PROJECT),
        "environment": {"ANSIBLE_COLLECTIONS_PATH": str(collections), "ANSIBLE_NOCOLOR": "1"},
        "credential_types": {gitlab_type["name"]: {"injectors": gitlab_type["injectors"]}},
        "credentials": [
            {
                "name": aws_credential,
                "credential_type": "Amazon Web Services",
                "inputs": {"username": endpoints["AWS_ACCESS_KEY_ID"], "password": endpoints["AWS_SECRET_ACCESS_KEY"]},
            },
            {
                "name": "GitLab for the runner fleet",
                "credential_type": gitlab_type["name"],
                "inputs": {"url": endpoints["GITLAB_URL"], "token": endpoints["GITLAB_API_TOKEN"]},
            },
        ],
        "job_templates": templates,
        # Every fifth read answers 503: the pipeline's client must ride it out.
        "fail_every": 5,
    }


@contextlib.contextmanager
def awx_stand_in(sandbox, collections: Path, directory: Path) -> Iterator[str]:
    """sandbox/awx_api.py serving the configuration above, its URL for the block. Its environment (which the jobs
    inherit, as an execution environment's) reaches the sandbox's endpoints but holds no credential: those come
    from the job template's credentials only."""
    directory.mkdir()
    config, port_file = directory / "awx.json", directory / "awx.port"
    config.write_text(json.dumps(awx_as_configured(sandbox, collections, directory / "jobs")), encoding="utf-8")
    environment = {key: value for key, value in sandbox.environment().items() if key not in CREDENTIAL_VARIABLES}
    with (directory / "awx.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "sandbox.awx_api", "--config", str(config), "--port-file", str(port_file)],
            cwd=REPO_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert port_file.exists(), f"the AWX stand-in did not start:\n{(directory / 'awx.log').read_text()}"
        yield f"http://127.0.0.1:{port_file.read_text()}"
    finally:
        process.terminate()
        process.wait(timeout=30)


class FleetRepository:
    """The fleet's Git repository as examples/gitops lays it out. A push is simulated: gitlab-ci-local compares the
    commit with origin/<default branch> (what GitLab's push pipeline compares), which `pushed()` then moves up."""

    def __init__(self, path: Path, awx_url: str):
        self.path, self.awx_url = path, awx_url
        shutil.copytree(GITOPS_REPOSITORY, path)
        (path / ".gitignore").write_text(".gitlab-ci-local/\n", encoding="utf-8")
        (path / "fleet.yml").unlink()
        self.git("init", "-q", "-b", "main")
        self.git("remote", "add", "origin", "https://gitlab.example.com/platform/runner-fleet.git")
        self.commit("The fleet's pipeline")
        self.pushed()
        self.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")

    def git(self, *args: str) -> str:
        command = ["git", "-c", "user.name=Platform", "-c", "user.email=platform@example.com", *args]
        return subprocess.run(command, cwd=self.path, capture_output=True, text=True, check=True).stdout

    def commit(self, message: str, **files: str) -> None:
        for name, text in files.items():
            (self.path / name).write_text(text, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def pushed(self) -> None:
        self.git("update-ref", "refs/remotes/origin/main", "HEAD")

    def jobs(self) -> dict[str, str]:
        """What a push of HEAD would run: {job: when}."""
        listed = json.loads(self.ci_local("--list-json").stdout)
        return {job["name"]: job["when"] for job in listed}

    def pipeline(self) -> subprocess.CompletedProcess:
        return self.ci_local("--force-shell-executor")

    def ci_local(self, *args: str) -> subprocess.CompletedProcess:
        # The CI/CD variables come as GitLab gives them to a job (gitlab-ci-local takes GCL_VARIABLE_*), in an
        # environment that holds nothing else: no AWS or GitLab credential reaches the pipeline.
        environment = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.path.parent / "home"),
            "GCL_VARIABLE_AWX_HOST": self.awx_url,
            "GCL_VARIABLE_AWX_TOKEN": AWX_TOKEN,
            "GCL_VARIABLE_AWX_POLL_SECONDS": "1",
        }
        assert GITLAB_CI_LOCAL.exists(), "gitlab-ci-local is missing: `make integration` installs it (package.json)"
        command = [str(GITLAB_CI_LOCAL), "--no-color", "--home", environment["HOME"], *args]
        return subprocess.run(command, cwd=self.path, env=environment, capture_output=True, text=True, check=False)


def job_stats(job_dir: Path) -> dict:
    """The counts of an AWX job's playbook_on_stats event (AWX's job host summaries)."""
    (artifacts,) = (job_dir / "artifacts").iterdir()
    for path in sorted((artifacts / "job_events").glob("*.json")):
        event = json.loads(path.read_text(encoding="utf-8"))
        if event.get("event") == "playbook_on_stats":
            return event["event_data"]
    raise AssertionError(f"{job_dir}: no playbook_on_stats event")


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


def users_directory(workdir: Path, description: str) -> Path:
    """A directory of a user's, outside the checkout: the description as fleet.yml (for -e @fleet.yml) and in
    group_vars beside an inventory of localhost."""
    (workdir / "inventory" / "group_vars" / "all").mkdir(parents=True)
    (workdir / "fleet.yml").write_text(description, encoding="utf-8")
    shutil.copy(AWX_PROJECT / "inventory" / "hosts.yml", workdir / "inventory" / "hosts.yml")
    (workdir / "inventory" / "group_vars" / "all" / "fleet.yml").write_text(description, encoding="utf-8")
    return workdir


def pushes_that_start_no_job(repository: FleetRepository, description: str) -> None:
    """A push that leaves fleet.yml alone, and fleet.yml changed on another branch, start no job."""
    repository.commit("Say who owns the fleet", **{"README.md": "Owned by the platform team.\n"})
    assert repository.jobs() == {"deploy-fleet": "never"}
    repository.pushed()
    repository.git("checkout", "-q", "-b", "bigger-runners")
    repository.commit("Bigger runners", **{"fleet.yml": description.replace("limit: 2", "limit: 4")})
    assert repository.jobs() == {"deploy-fleet": "never"}
    repository.git("checkout", "-q", "main")


def no_secret_in_jobs_or_pipelines(sandbox, aws, jobs_dir: Path, pipelines_output: str) -> None:
    secrets = secrets_of(sandbox, aws) | {"AWX_TOKEN": AWX_TOKEN}
    assert len(secrets) == 3 + len(MINIMAL_DESCRIPTION["fleet_runners"]), sorted(secrets)
    jobs = sorted(jobs_dir.iterdir())
    assert len(jobs) == 3, jobs
    for job in jobs:
        text = artifacts_text(job)
        assert "playbook_on_stats" in text, f"{job.name}: no job events"
        assert held(text, secrets) == [], f"{job.name}'s events and artifacts hold {held(text, secrets)}"
    assert held(pipelines_output, secrets) == [], f"the pipelines' output holds {held(pipelines_output, secrets)}"


def test_the_installed_collection_through_a_gitops_pipeline_awx_and_a_shell(sandbox, aws, tmp_path, monkeypatch):
    # The stand-in's jobs find ansible-playbook on the PATH, as in an execution environment.
    monkeypatch.setenv("PATH", f"{BIN_DIR}:{os.environ['PATH']}")
    tarball, collections = built_and_installed(tmp_path)
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    # What a user installs: the collection, not the checkout's test bed.
    checkout_only = ("sandbox", "tests", ".venv", ".collections", "ansible.cfg", "examples", "node_modules")
    assert not [name for name in names if name.split("/")[0] in checkout_only], names
    description = yaml.safe_dump(MINIMAL_DESCRIPTION)
    workdir = users_directory(tmp_path / "work", description)
    manager = f"{FLEET}-manager-1"
    outputs = []
    with awx_stand_in(sandbox, collections, tmp_path / "awx") as awx_url:
        repository = FleetRepository(tmp_path / "fleet-repository", awx_url)
        try:
            repository.commit("A fleet of one runner", **{"fleet.yml": description})
            assert repository.jobs() == {"deploy-fleet": "on_success"}
            first = repository.pipeline()
            outputs.append(first.stdout + first.stderr)
            assert first.returncode == 0, outputs[-1][-6000:]
            assert "launched 'runner-fleet site' as job 1" in outputs[-1], outputs[-1][-3000:]
            assert "job 1 ended successful" in outputs[-1]
            # The pipeline's client rode out the stand-in's 503s.
            assert "with HTTP 503; retrying" in outputs[-1]
            assert job_stats(tmp_path / "awx" / "jobs" / "job-1")["changed"].get("localhost", 0) > 0
            repository.pushed()

            shell = run_installed(sandbox, workdir, collections, "runnerfleet.gitlab_aws.site", "-e", "@fleet.yml")
            assert changed(shell) == {"localhost": 0, manager: 0}, changed(shell)

            pushes_that_start_no_job(repository, description)

            repository.commit("Say what the fleet is for", **{"fleet.yml": "# CI for the platform\n" + description})
            second = repository.pipeline()
            outputs.append(second.stdout + second.stderr)
            assert second.returncode == 0 and "job 2 ended successful" in outputs[-1], outputs[-1][-6000:]
            stats = job_stats(tmp_path / "awx" / "jobs" / "job-2")
            assert set(stats["ok"]) == {"localhost", manager}, stats
            assert not any(stats["changed"].values()), stats
            repository.pushed()

            # A description pre-flight refuses: the job fails before any change, and so does the pipeline.
            repository.commit("Typo", **{"fleet.yml": description.replace("executor: docker", "executor: dockr")})
            refused = repository.pipeline()
            outputs.append(refused.stdout + refused.stderr)
            assert refused.returncode != 0, outputs[-1][-4000:]
            assert "job 3 ended failed" in outputs[-1] and "dockr" in outputs[-1], outputs[-1][-6000:]

            running = aws("ec2").describe_instances(
                Filters=[
                    {"Name": "tag:runnerfleet:fleet", "Values": [FLEET]},
                    {"Name": "instance-state-name", "Values": ["running"]},
                ]
            )["Reservations"]
            assert len(running) == 1
            no_secret_in_jobs_or_pipelines(sandbox, aws, tmp_path / "awx" / "jobs", "\n".join(outputs))
        finally:
            # The teardown finds the description where a user's repository keeps it: group_vars beside the inventory.
            run_installed(
                sandbox,
                workdir,
                collections,
                "runnerfleet.gitlab_aws.teardown",
                "-i",
                "inventory/hosts.yml",
                "-e",
                "fleet_remove_cache=true",
            )
    vpcs = aws("ec2").describe_vpcs(Filters=[{"Name": "tag:runnerfleet:fleet", "Values": [FLEET]}])["Vpcs"]
    assert vpcs == []
