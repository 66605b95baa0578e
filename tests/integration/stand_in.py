# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the tests of a role run on stand-in runner managers share (test_runner_host.py, test_docker_machine_tls.py):
the stand-in manager (a host root under the test's tmp_path, and the fleet it belongs to), one run of the role's
converge playbook with the result it wrote back, a fleet name of the test's own, and a few checks of what the role
left behind.

Not a test module: the tests next to it import it by name (tests/integration has no __init__.py, so pytest puts this
directory on sys.path).
"""

from __future__ import annotations

import dataclasses
import grp
import hashlib
import json
import os
import pwd
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

OWNER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


@dataclasses.dataclass
class Converged:
    """One run of the converge playbook, and the role's result it wrote to its result file (None when it set none)."""

    run: Any  # conftest.PlaybookRun
    result: dict | None

    @property
    def changed(self) -> int:
        return self.run.changed

    @property
    def text(self) -> str:
        return self.run.output + self.run.stderr


@dataclasses.dataclass
class StandInManager:
    """A stand-in runner manager: a host root under the test's tmp_path, and the fleet it belongs to. A role's test
    subclasses it with the role's converge playbook (PLAYBOOK) and how it sets the role's variables."""

    PLAYBOOK: ClassVar[Path]

    fleet: str
    workdir: Path
    region: str
    playbook: Callable  # conftest's playbook fixture
    runs: int = 0

    @property
    def root(self) -> Path:
        return self.workdir / "host"

    def play(self, *args: str, extra_vars: dict, json_report: bool = True, **options: Any) -> Converged:
        """Run the converge playbook once, with a result file of this run's own; the run may fail."""
        self.runs += 1
        result_file = self.workdir / f"result-{self.runs}.json"
        extra_vars = {**extra_vars, "result_file": str(result_file)}
        run = self.playbook(self.PLAYBOOK, *args, extra_vars=extra_vars, json_report=json_report, **options)
        result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else None
        return Converged(run, result)


def fleet_name(request: pytest.FixtureRequest, prefix: str, label: str, words_length: int) -> str:
    """A fleet of the test's own: <prefix>-<the test's name, shortened>-<a hash of the test id and the label>, so that
    the tests share the session's sandbox without meeting."""
    name = request.node.name.removeprefix("test_").lower()
    words = re.sub(r"[^a-z0-9]+", "-", name)[:words_length].strip("-")
    digest = hashlib.sha256(f"{request.node.nodeid}/{label}".encode()).hexdigest()[:6]
    return f"{prefix}-{words}-{digest}"


def ssm_has(ssm, name: str) -> bool:
    try:
        ssm.get_parameter(Name=name)
    except ssm.exceptions.ParameterNotFound:
        return False
    return True


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def owner_of(path: Path) -> tuple[str, str]:
    status = path.stat()
    return pwd.getpwuid(status.st_uid).pw_name, grp.getgrgid(status.st_gid).gr_name
