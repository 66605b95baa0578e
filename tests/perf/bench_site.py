# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: playbooks/site.yml, the whole fleet, in a sandbox of its own.

Prints the wall time, changed count and AWS and GitLab calls of:
- the first converge of the example fleet description (group_vars/all/fleet.yml as shipped) and its no-op re-run
  (median of --rounds); target: the no-op at most half the first converge;
- the no-op re-run with 1 runner entry and with 10 (docker-autoscaler entries, each with its worker group);
  target: 10 entries at most 2.5 times 1 entry;
- the teardown.
The 1- and 10-entry fleets are the example fleet with its entries replaced in place. Prints its figures;
asserts nothing.

    make venv && .venv/bin/python tests/perf/bench_site.py [--rounds N]
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

FLEET = "bench-site"


def entries(count: int) -> list[dict]:
    """count docker-autoscaler entries, each with its own tags and worker group."""
    return [
        {
            "name": f"pool-{index}",
            "runner_type": "instance_type",
            "tags": ["docker", "aws", f"pool-{index}"],
            "executor": "docker-autoscaler",
            "instance_types": ["t3.large", "t3a.large"] if index % 2 else ["m5.large"],
            "spot": index % 2 == 1,
            "max_instances": 4,
            "cache": True,
        }
        for index in range(1, count + 1)
    ]


class Site:
    def __init__(self, env: dict, admin_token: str) -> None:
        self.env = dict(env, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
        self.aws_log = f"{env['AWS_ENDPOINT_URL']}/-/sandbox/requests"
        self.gitlab_log = f"{env['GITLAB_URL']}/-/sandbox/requests"
        self.gitlab_admin = {"PRIVATE-TOKEN": admin_token}

    def run(self, playbook: str, extra: dict) -> tuple[float, int, int, int]:
        """(seconds, changed tasks on every host, AWS calls, GitLab calls) of one run."""
        requests.post(f"{self.aws_log}/reset", timeout=10).raise_for_status()
        requests.delete(self.gitlab_log, headers=self.gitlab_admin, timeout=10).raise_for_status()
        command = ctl.playbook_command(
            [str(Path(sys.executable).parent / "ansible-playbook"), playbook, "-e", json.dumps(extra)]
        )
        started = time.perf_counter()
        process = subprocess.run(command, cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(f"{playbook} failed:\n{process.stdout[-4000:]}\n{process.stderr[-2000:]}")
        changed = sum(stats["changed"] for stats in json.loads(process.stdout)["stats"].values())
        aws_calls = requests.get(self.aws_log, timeout=10).json()["total"]
        gitlab_calls = requests.get(self.gitlab_log, headers=self.gitlab_admin, timeout=10).json()["total"]
        return elapsed, changed, aws_calls, gitlab_calls


def line(label: str, figures: tuple[float, int, int, int]) -> str:
    seconds, changed, aws_calls, gitlab_calls = figures
    return f"{label:<34} {seconds:7.2f} s  changed={changed:<3} AWS calls={aws_calls:<4} GitLab calls={gitlab_calls}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    rounds = parser.parse_args().rounds
    with ctl.temporary_sandbox() as (_workdir, state, env):
        site = Site(env, ctl.gitlab_admin_token(state))
        base = {"fleet_name": FLEET}
        first = site.run("playbooks/site.yml", base)
        noops = [site.run("playbooks/site.yml", base) for _round in range(rounds)]
        one = {**base, "fleet_runners": entries(1)}
        apply_one = site.run("playbooks/site.yml", one)
        noops_one = [site.run("playbooks/site.yml", one) for _round in range(rounds)]
        ten = {**base, "fleet_runners": entries(10)}
        apply_ten = site.run("playbooks/site.yml", ten)
        noops_ten = [site.run("playbooks/site.yml", ten) for _round in range(rounds)]
        teardown = site.run("playbooks/teardown.yml", {**ten, "fleet_remove_cache": True})

    def median(runs: list[tuple[float, int, int, int]]) -> float:
        return statistics.median(figures[0] for figures in runs)

    print(f"site.yml in the sandbox (fleet {FLEET}); no-op median of {rounds}")
    print(line("first converge (example, 2 entries)", first))
    for index, figures in enumerate(noops, start=1):
        print(line(f"no-op #{index} (2 entries)", figures))
    print(line("apply 1 entry (in place)", apply_one))
    for index, figures in enumerate(noops_one, start=1):
        print(line(f"no-op #{index} (1 entry)", figures))
    print(line("apply 10 entries (in place)", apply_ten))
    for index, figures in enumerate(noops_ten, start=1):
        print(line(f"no-op #{index} (10 entries)", figures))
    print(line("teardown (10 entries)", teardown))
    print(f"no-op / first converge: {median(noops) / first[0]:.2f} (target at most 0.50)")
    print(f"no-op 10 entries / 1 entry: {median(noops_ten) / median(noops_one):.2f} (target at most 2.50)")


if __name__ == "__main__":
    main()
