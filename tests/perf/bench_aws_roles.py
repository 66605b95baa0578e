# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the AWS roles converging a reference fleet (2 AZs, 1 manager, 2 worker pools) in the sandbox.

Prints the wall time and changed count of the first converge, of the no-op converge (median of --rounds), of
--check --diff on the converged fleet, and of the teardown, with the AWS calls each sent (the sandbox's request
log). Target: the no-op run takes at most half the first run. Prints its figures; asserts nothing.

    make venv && .venv/bin/python tests/perf/bench_aws_roles.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from sandbox import ctl

PLAYBOOK = REPO_ROOT / "tests" / "perf" / "playbooks" / "reference_fleet.yml"


class Fleet:
    def __init__(self, env: dict) -> None:
        self.env = dict(env, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
        self.requests_url = f"{env['AWS_ENDPOINT_URL']}/-/sandbox/requests"

    def run(self, *args: str, state: str = "present") -> tuple[float, int, int, int]:
        """(seconds, changed tasks, AWS calls, mutating AWS calls) of one run of the reference playbook."""
        requests.post(f"{self.requests_url}/reset", timeout=10).raise_for_status()
        extra = json.dumps({"fleet_state": state})
        command = [str(Path(sys.executable).parent / "ansible-playbook"), str(PLAYBOOK), *args, "-e", extra]
        started = time.perf_counter()
        process = subprocess.run(command, cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            output = f"{process.stdout[-4000:]}\n{process.stderr[-2000:]}"
            raise SystemExit(f"the reference fleet failed to {state}:\n{output}")
        changed = json.loads(process.stdout)["stats"]["localhost"]["changed"]
        log = requests.get(self.requests_url, timeout=10).json()
        return elapsed, changed, log["total"], log["mutating"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    with ctl.temporary_sandbox() as (_workdir, _state, env):
        fleet = Fleet(env)
        first = fleet.run()
        noops = [fleet.run() for _round in range(rounds)]
        check = fleet.run("--check", "--diff")
        teardown = fleet.run(state="absent")
        teardown_again = fleet.run(state="absent")

    def line(label: str, figures: tuple[float, int, int, int]) -> str:
        seconds, changed, calls, mutating = figures
        return f"{label:<30} {seconds:7.2f} s  changed={changed:<3} AWS calls={calls:<4} mutating={mutating}"

    noop_seconds = statistics.median(figures[0] for figures in noops)
    print(f"AWS roles, reference fleet (2 AZs, 1 manager, 2 worker pools) in the sandbox; no-op median of {rounds}")
    print(line("first converge", first))
    for index, figures in enumerate(noops, start=1):
        print(line(f"no-op converge #{index}", figures))
    print(line("--check --diff, converged", check))
    print(line("teardown", teardown))
    print(line("teardown again", teardown_again))
    print(f"no-op / first converge: {noop_seconds / first[0]:.2f} (target at most 0.50)")


if __name__ == "__main__":
    main()
