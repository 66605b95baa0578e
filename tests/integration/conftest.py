# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The integration tests' sandbox and playbook runner.

One sandbox per test session, in its own state directory and on its own ports, so that a developer's
`make sandbox` is neither used nor disturbed. Under pytest-xdist (`make integration` runs one worker per core)
each worker is a session of its own with a sandbox of its own, and a worker runs one test at a time. Tests keep
apart by naming what they create after themselves, not by resetting the sandbox, so that they stay independent
of their order and of the worker they land on; the exception is the GitLab suite (tests/integration/gitlab/),
which counts requests and resets the GitLab emulator before and after each test: the worker's emulator, which no
other test uses meanwhile.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

from sandbox import ctl

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
COLLECTION_LINK = REPO_ROOT / ".collections" / "ansible_collections" / "runnerfleet" / "gitlab_aws"
# The collection's own Python (its plugin utils' tables), importable by the tests as Ansible loads it.
if AnsibleCollectionConfig.collection_finder is None:
    _AnsibleCollectionFinder(paths=[str(REPO_ROOT / ".collections")])._install()


@dataclasses.dataclass
class Sandbox:
    state: ctl.StateDir
    endpoints: dict[str, str]

    def environment(self, **extra: str) -> dict[str, str]:
        """The environment a user gets from `python -m sandbox.ctl run`, plus test-specific entries."""
        return dict(ctl.sandboxed_environment(dict(os.environ), self.endpoints), **extra)


@dataclasses.dataclass
class PlaybookRun:
    returncode: int
    output: str
    stderr: str
    report: dict | None

    @property
    def stats(self) -> dict:
        assert self.report is not None, f"no JSON report; stdout:\n{self.output}\nstderr:\n{self.stderr}"
        return self.report["stats"]["localhost"]

    @property
    def changed(self) -> int:
        return self.stats["changed"]

    def changed_tasks(self) -> list[str]:
        return [
            task["task"]["name"]
            for play in self.report["plays"]
            for task in play["tasks"]
            if any(result.get("changed") for result in task["hosts"].values())
        ]

    def failure_messages(self) -> list[str]:
        """Every failed task's message, in order; a failure a block rescued comes before the final one."""
        return [
            str(result.get("msg"))
            for play in (self.report or {}).get("plays", [])
            for task in play["tasks"]
            for result in task["hosts"].values()
            if result.get("failed") and not result.get("ignore_errors")
        ]

    def failure_text(self) -> str:
        """The failure messages, else the tail of the output: what an assertion on a failed run should show."""
        if self.report is not None and self.failure_messages():
            return "\n".join(self.failure_messages())
        return f"stdout:\n{self.output[-4000:]}\nstderr:\n{self.stderr[-2000:]}"

    def messages(self, prefix: str) -> list[str]:
        """The messages (debug lines) of the run that start with prefix, from the JSON report."""
        return [
            str(result["msg"])
            for play in self.report["plays"]
            for task in play["tasks"]
            for result in task["hosts"].values()
            if str(result.get("msg", "")).startswith(prefix)
        ]

    @property
    def final_failure(self) -> str:
        """The message of the failure that stopped the play."""
        messages = self.failure_messages()
        assert messages, f"the run did not fail; stdout:\n{self.output[-2000:]}"
        return messages[-1]


# The integration tests that take minutes, longest first (as `pytest --durations` measured them; only their order
# matters). Under pytest-xdist (`make integration`: --dist load --maxschedchunk 1)
# an idle worker takes the next test in this order, so the long ones start first, on different workers, and the many
# short ones fill in at the end. The order changes nothing else: no test depends on another having run before it, on
# the same worker or not.
LONG_FIRST = (
    "test_site.py::test_the_fleet_converges_is_idempotent_and_tears_down",
    "test_site.py::test_crash_consistency",
    "test_molecule.py::test_scenario[network]",
    "test_molecule.py::test_scenario[worker_pool]",
    "test_molecule.py::test_scenario[security]",
    "test_molecule.py::test_scenario[manager]",
    "test_site.py::test_a_mixed_fleet",
    "test_installed_collection.py::",
    "test_docker_machine_tls.py::test_a_short_lived",
    "test_docker_machine_tls.py::test_no_key_material",
    "test_molecule.py::test_scenario",  # cache
    "test_runner_host.py::test_docker_machine_entries",
    "test_docker_machine_tls.py::",
    "test_runner_host.py::",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the long tests to the front, in LONG_FIRST's order; the others keep theirs (sorted() is stable)."""

    def rank(item: pytest.Item) -> int:
        name = f"{item.path.name}::{item.name}"
        return next((index for index, prefix in enumerate(LONG_FIRST) if name.startswith(prefix)), len(LONG_FIRST))

    items[:] = sorted(items, key=rank)


@contextlib.contextmanager
def one_start_at_a_time(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Hold a lock shared by the run's xdist workers while a sandbox starts.

    The sandbox picks a free port by binding port 0 and letting it go before its server binds it. Two workers
    starting at the same moment could be handed the same port, and the one whose server then fails to bind could
    take the other's server, answering on that port, for its own. One start after the other rules that out: a
    port that a started sandbox listens on is never handed out again."""
    basetemp = tmp_path_factory.getbasetemp()
    # Each worker's base directory (popen-gwN) lies in the run's; without xdist there is one session.
    shared = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
    with (shared / "sandbox-start.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    assert (COLLECTION_LINK / "galaxy.yml").is_file(), "run the tests through make (make test, make integration)"
    state = ctl.StateDir(tmp_path_factory.mktemp("sandbox"))
    with one_start_at_a_time(tmp_path_factory):
        ctl.start_all(state)
    try:
        yield Sandbox(state=state, endpoints=ctl.read_endpoints(state.endpoints_file))
    finally:
        ctl.stop_all(state)


def run_playbook(
    sandbox: Sandbox,
    playbook: str | Path,
    *args: str,
    extra_vars: dict | None = None,
    json_report: bool = True,
    env: dict[str, str] | None = None,
) -> PlaybookRun:
    """Run ansible-playbook from the checkout as a user would, against the session's sandbox."""
    command = ctl.playbook_command([str(BIN_DIR / "ansible-playbook"), str(playbook), *args])
    if extra_vars:
        command += ["--extra-vars", json.dumps(extra_vars)]
    environment = sandbox.environment(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    if json_report:
        environment["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    environment.update(env or {})
    process = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=False)
    report = None
    if json_report and process.stdout.strip().startswith("{"):
        report = json.loads(process.stdout)
    return PlaybookRun(process.returncode, process.stdout, process.stderr, report)


@pytest.fixture
def playbook(sandbox: Sandbox):
    """run_playbook bound to the session's sandbox: playbook(path, *args, extra_vars=..., json_report=...)."""

    def run(path: str | Path, *args: str, **kwargs) -> PlaybookRun:
        return run_playbook(sandbox, path, *args, **kwargs)

    return run


@pytest.fixture
def aws(sandbox):
    """boto3 clients for the session's local AWS: aws("ec2"), aws("ssm"), ..."""
    env = sandbox.endpoints
    session = boto3.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    )
    return lambda service: session.client(service, endpoint_url=env["AWS_ENDPOINT_URL"])


@pytest.fixture
def ssm(aws):
    return aws("ssm")
