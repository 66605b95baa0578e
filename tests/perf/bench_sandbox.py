# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: how long the sandbox takes to come up and to be reused, what it holds in memory, and what a
site.yml run against it costs. Prints its figures; asserts nothing (a benchmark, not a timed test).

    make venv && .venv/bin/python tests/perf/bench_sandbox.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from sandbox import ctl


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def site_run(state: ctl.StateDir) -> float:
    env = ctl.sandboxed_environment(dict(os.environ), ctl.read_endpoints(state.endpoints_file))
    command = ctl.playbook_command([str(Path(sys.executable).parent / "ansible-playbook"), "playbooks/site.yml"])
    return timed(lambda: subprocess.run(command, cwd=REPO_ROOT, env=env, check=True, capture_output=True))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    cold, warm, site, memory, gitlab_memory = [], [], [], [], []
    for _round in range(rounds):
        with tempfile.TemporaryDirectory() as directory:
            state = ctl.StateDir(Path(directory))
            cold.append(timed(lambda state=state: ctl.start_all(state)))
            warm.append(timed(lambda state=state: ctl.start_all(state)))
            site.append(site_run(state))
            aws, gitlab = (state.recorded(service)[0] for service in ctl.SERVICES)
            memory.append(rss_mib(aws))
            gitlab_memory.append(rss_mib(gitlab))
            ctl.stop_all(state)

    def line(label: str, values: list[float], unit: str) -> str:
        spread = f"(min {min(values):.2f}, max {max(values):.2f})"
        return f"{label:<34} median {statistics.median(values):8.2f} {unit}  {spread}"

    print(f"sandbox benchmark, {rounds} rounds")
    print(line("cold start (until AWS, GitLab answer)", cold, "s"))
    print(line("reuse of a running sandbox", warm, "s"))
    print(line("site.yml against the sandbox", site, "s"))
    print(line("local AWS resident memory", memory, "MiB"))
    print(line("local GitLab resident memory", gitlab_memory, "MiB"))


if __name__ == "__main__":
    main()
