# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every molecule scenario under extensions/molecule/, step by step, against the session's sandbox.

Each scenario (one per AWS role) walks the cycle the roles promise:

1. converge: create;
2. idempotence: create again, with changed=0 (molecule fails the step otherwise);
3. check: `--check --diff` on the converged state reports changed=0, and the local AWS's request log shows no mutating
   call during it;
4. side_effect: the scenario changes one input and applies it; its playbook asserts the change was made in place;
5. verify: the secure defaults, as AWS describes the resources;
6. destroy: the role's state absent; the playbook lists every resource type the role makes and asserts none of
   the fleet's is left.

That a second absent changes nothing is checked once for every role together: test_site.py's second teardown.

Scenarios name their fleet after themselves, so they share the session's sandbox without meeting. Molecule keeps a
scenario's state in an ephemeral directory named after the checkout's directory name; each session gives it one of
its own instead, so that two sessions (xdist workers, two checkouts named alike) never share it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
MOLECULE_ROOT = REPO_ROOT / "extensions" / "molecule"
SCENARIOS = sorted(path.parent.name for path in MOLECULE_ROOT.glob("*/molecule.yml"))
RECAP_CHANGED = re.compile(r"\b\S+\s*:\s*ok=\d+\s+changed=(\d+)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Scenario:
    def __init__(self, name: str, sandbox, ephemeral: Path) -> None:
        self.name = name
        self.aws_url = sandbox.endpoints["AWS_ENDPOINT_URL"]
        bin_dir = str(Path(sys.executable).parent)
        self.env = sandbox.environment(
            PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            MOLECULE_EPHEMERAL_DIRECTORY=str(ephemeral),
            NO_COLOR="1",
            PY_COLORS="0",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_NOCOLOR="1",
        )

    def run(self, step: str, *playbook_args: str) -> str:
        """Run one molecule step; it must succeed. Returns its output without colours."""
        command = [str(Path(sys.executable).parent / "molecule"), step, "-s", self.name]
        if playbook_args:
            command += ["--", *playbook_args]
        process = subprocess.run(command, cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, check=False)
        output = ANSI.sub("", process.stdout + process.stderr)
        assert process.returncode == 0, f"molecule {step} -s {self.name} failed:\n{output[-6000:]}"
        return output

    def changed(self, output: str) -> int:
        counts = [int(count) for count in RECAP_CHANGED.findall(output)]
        assert counts, f"no play recap in the output:\n{output[-3000:]}"
        return sum(counts)

    def aws_requests(self, action: str = "") -> dict:
        """The local AWS's request log (GET), or an action on it ("/reset")."""
        url = f"{self.aws_url}/-/sandbox/requests{action}"
        response = requests.post(url, timeout=10) if action else requests.get(url, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else {}


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario(name: str, sandbox, tmp_path_factory: pytest.TempPathFactory) -> None:
    scenario = Scenario(name, sandbox, tmp_path_factory.mktemp(f"molecule-{name}"))
    # Molecule remembers "created" and "prepared" in its ephemeral directory, which is new for each session: no
    # `molecule reset` is needed.
    scenario.run("converge")
    scenario.run("idempotence")

    scenario.aws_requests("/reset")
    # Not `molecule check`: its sequence destroys and re-creates the scenario's instances around the check run.
    check = scenario.run("converge", "--check", "--diff")
    assert scenario.changed(check) == 0, f"--check on the converged state reports changes:\n{check[-6000:]}"
    log = scenario.aws_requests()
    mutating = [entry for entry in log["log"] if entry["mutating"]]
    assert not mutating, f"--check sent mutating calls: {mutating}"

    scenario.run("side-effect")
    scenario.run("verify")
    scenario.run("destroy")


def test_every_role_with_aws_resources_has_a_scenario() -> None:
    aws_roles = {"network", "security", "cache", "worker_pool", "manager"}
    present = {path.name for path in (REPO_ROOT / "roles").iterdir()} & aws_roles
    assert present <= set(SCENARIOS), f"roles without a molecule scenario: {sorted(present - set(SCENARIOS))}"
