# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: what the runner_host role costs on a stand-in manager, with 1 and with 10 runner entries.

For each size: the first converge, the no-op converge (median of --rounds), a --check --diff run on the converged
host, and a converge after one entry changed; with each run's wall time and changed count. Installation is off and
service management is none, as in the sandbox. Prints its figures; asserts nothing.

    make venv && .venv/bin/python tests/perf/bench_runner_host.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from sandbox import ctl

PLAYBOOK = REPO_ROOT / "tests" / "integration" / "playbooks" / "runner_host" / "converge.yml"


def entries(count: int, idle_count: int = 0) -> list[dict]:
    """Half docker-autoscaler, half shell: no docker+machine, so the figures are the role's own, not the CA's."""
    return [
        {
            "name": f"entry-{index}",
            "executor": "docker-autoscaler" if index % 2 == 0 else "shell",
            "id": 1000 + index,
            "token": f"glrt-bench{index:04d}xxxxxxxxxxxx",
            "idle_count": idle_count,
        }
        for index in range(count)
    ]


def converge(env: dict, root: Path, runners: list[dict], *args: str) -> tuple[float, int]:
    extra = {
        "runner_host_fleet_name": "bench",
        "runner_host_root": str(root),
        "runner_host_install": False,
        "runner_host_service_manager": "none",
        "runner_host_gitlab_url": "https://gitlab.example.com",
        "runner_host_runners": runners,
        "runner_host_aws": {"region": env["AWS_DEFAULT_REGION"], "cache_bucket": "bench-cache"},
    }
    command = [str(Path(sys.executable).parent / "ansible-playbook"), str(PLAYBOOK), *args, "-e", json.dumps(extra)]
    run_env = dict(env, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    started = time.perf_counter()
    process = subprocess.run(command, cwd=REPO_ROOT, env=run_env, check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    return elapsed, json.loads(process.stdout)["stats"]["localhost"]["changed"]


def measure(env: dict, workdir: Path, count: int, rounds: int) -> dict:
    root = workdir / f"host-{count}"
    first = converge(env, root, entries(count))
    noop = [converge(env, root, entries(count)) for _round in range(rounds)]
    check = converge(env, root, entries(count), "--check", "--diff")
    change = converge(env, root, entries(count, idle_count=1))
    return {"first": first, "noop": noop, "check": check, "change": change}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    with ctl.temporary_sandbox() as (workdir, _state, env):
        results = {count: measure(env, workdir, count, rounds) for count in (1, 10)}

    print(f"runner_host benchmark (stand-in manager, install off), no-op median of {rounds}")
    for count, result in results.items():
        noop_time = statistics.median(elapsed for elapsed, _changed in result["noop"])
        noop_changed = max(changed for _elapsed, changed in result["noop"])
        print(f"{count:>2} entries: first converge  {result['first'][0]:6.2f} s  changed={result['first'][1]}")
        print(f"{count:>2} entries: no-op converge  {noop_time:6.2f} s  changed={noop_changed}")
        print(f"{count:>2} entries: --check --diff  {result['check'][0]:6.2f} s  changed={result['check'][1]}")
        print(f"{count:>2} entries: one entry changed {result['change'][0]:4.2f} s  changed={result['change'][1]}")
    ratio = statistics.median(e for e, _c in results[10]["noop"]) / statistics.median(e for e, _c in results[1]["noop"])
    print(f"no-op, 10 entries / 1 entry: {ratio:.2f}x")


if __name__ == "__main__":
    main()
