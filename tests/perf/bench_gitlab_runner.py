# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: gitlab_runner against community.general.gitlab_runner, on the sandbox GitLab (issue #4).

The sandbox GitLab is seeded with 2,000 instance runners. Each contender creates 20 runner entries (pass 1), then
converges them again (pass 2), as ansible-playbook runs from this checkout:
- gitlab_runner, one entry per task (a loop: one module run per entry); pass 2 with the ids and tokens pass 1
  returned, and once more without them (found by description);
- gitlab_runner's bulk form (`runners:`), one module run for the 20 entries; pass 2 with ids and tokens;
- community.general.gitlab_runner (bundled with `ansible`), one entry per task.
Requests are counted by the emulator (every request GitLab answered); wall time is the playbook's, Ansible's
start-up included. Targets: the no-op pass at most 2 requests per runner with ids and tokens known; at least
10x fewer requests than community.general per task; the bulk form at least 10x less wall time. Prints its
figures; asserts nothing.

    make venv && .venv/bin/python tests/perf/bench_gitlab_runner.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from sandbox import ctl

GITLAB = next(service for service in ctl.SERVICES if service.name == "gitlab")
SEEDED = 2_000
ENTRIES = 20

ENTRY_ARGS = "description: '{{ item.description }}'\n        tag_list: [bench, aws]\n        maximum_timeout: 3600"


def playbook_per_task(module: str, with_identity: bool) -> str:
    identity = (
        """
        id: "{{ (known[item.description] | default({})).id | default(omit) }}"
        token: "{{ (known[item.description] | default({})).token | default(omit) }}\""""
        if with_identity
        else ""
    )
    ours = module.startswith("runnerfleet")
    runner_type = "runner_type: instance_type" if ours else "api_url: '{{ api_url }}'"
    keep = (
        """
    - name: Keep the ids and tokens for the next pass
      ansible.builtin.copy:
        dest: "{{ results_file }}"
        mode: "0600"
        content: "{{ converged.results | map(attribute='id') | zip(converged.results | map(attribute='token'),
                   entries | map(attribute='description')) | to_json }}"
      no_log: true
"""
        if ours
        else ""
    )
    return f"""
- name: {module}, one entry per task
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Converge one runner
      {module}:
        {runner_type}
        {ENTRY_ARGS}{identity}
      loop: "{{{{ entries }}}}"
      register: converged
      no_log: true
{keep}"""


BULK_PLAYBOOK = """
- name: gitlab_runner, bulk form
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Converge every runner in one module run
      runnerfleet.gitlab_aws.gitlab_runner:
        runner_type: instance_type
        tag_list: [bench, aws]
        maximum_timeout: 3600
        runners: "{{ bulk_entries }}"
      register: converged
      no_log: true
    - name: Keep the ids and tokens for the next pass
      ansible.builtin.copy:
        dest: "{{ results_file }}"
        mode: "0600"
        content: "{{ converged.runners | map(attribute='id') | zip(converged.runners | map(attribute='token'),
                   converged.runners | map(attribute='description')) | to_json }}"
      no_log: true
"""


def converge_seconds(report: dict) -> float:
    """The wall time of the play's first task (the converge), from the json callback's timestamps."""
    duration = report["plays"][0]["tasks"][0]["task"]["duration"]
    start, end = (datetime.fromisoformat(duration[key].replace("Z", "+00:00")) for key in ("start", "end"))
    return (end - start).total_seconds()


class Bench:
    def __init__(self, url: str, token: str, workdir: Path) -> None:
        self.url, self.token, self.workdir = url, token, workdir
        self.http = requests.Session()
        self.http.headers["PRIVATE-TOKEN"] = token
        self.results_file = workdir / "results.json"

    def hook(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.http.request(method, f"{self.url}/-/sandbox/{path}", timeout=300, **kwargs)
        response.raise_for_status()
        return response

    def fresh(self) -> None:
        """A reset emulator with the 2,000 seeded instance runners."""
        self.hook("POST", "reset")
        self.hook("POST", "runners", json={"count": SEEDED, "tag_list": ["docker", "linux"], "contacted": True})

    def requests_total(self) -> int:
        return self.hook("GET", "requests").json()["total"]

    def run(self, playbook: str, extra: dict) -> tuple[int, float, float]:
        """(requests GitLab answered, the converge task's wall seconds, the playbook's) for one run."""
        path = self.workdir / "play.yml"
        path.write_text(playbook, encoding="utf-8")
        environment = dict(
            os.environ, GITLAB_URL=self.url, GITLAB_API_TOKEN=self.token, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json"
        )
        command = [
            str(Path(sys.executable).parent / "ansible-playbook"),
            str(path),
            "--extra-vars",
            json.dumps(dict(extra, api_url=self.url, results_file=str(self.results_file))),
        ]
        if "community.general" in playbook:
            command += ["--extra-vars", json.dumps({"api_token": self.token})]
        before = self.requests_total()
        started = time.perf_counter()
        process = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(f"playbook failed:\n{process.stdout[-3000:]}\n{process.stderr[-2000:]}")
        return self.requests_total() - before, converge_seconds(json.loads(process.stdout)), elapsed

    def known(self) -> dict:
        rows = json.loads(self.results_file.read_text(encoding="utf-8"))
        return {description: {"id": runner_id, "token": token} for runner_id, token, description in rows}


def entries(prefix: str) -> list[dict]:
    return [{"description": f"{prefix}-{index:02d}"} for index in range(1, ENTRIES + 1)]


def contenders(bench: Bench) -> list[tuple[str, list[tuple[str, int, float]]]]:
    measured = []

    bench.fresh()
    ours = playbook_per_task("runnerfleet.gitlab_aws.gitlab_runner", with_identity=True)
    first = bench.run(ours, {"entries": entries("task"), "known": {}})
    again = bench.run(ours, {"entries": entries("task"), "known": bench.known()})
    found = bench.run(ours, {"entries": entries("task"), "known": {}})
    measured.append(
        (
            "gitlab_runner, per task",
            [("create 20", *first), ("again, ids+tokens", *again), ("again, by description", *found)],
        )
    )

    bench.fresh()
    bulk_entries = entries("bulk")
    first = bench.run(BULK_PLAYBOOK, {"bulk_entries": bulk_entries})
    known = bench.known()
    with_identity = [dict(entry, **known[entry["description"]]) for entry in bulk_entries]
    again = bench.run(BULK_PLAYBOOK, {"bulk_entries": with_identity})
    found = bench.run(BULK_PLAYBOOK, {"bulk_entries": bulk_entries})
    measured.append(
        (
            "gitlab_runner, bulk form",
            [("create 20", *first), ("again, ids+tokens", *again), ("again, by description", *found)],
        )
    )

    bench.fresh()
    community = playbook_per_task("community.general.gitlab_runner", with_identity=False).replace(
        "{{ api_url }}'", "{{ api_url }}'\n        api_token: '{{ api_token }}'"
    )
    first = bench.run(community, {"entries": entries("cg")})
    again = bench.run(community, {"entries": entries("cg")})
    measured.append(("community.general.gitlab_runner, per task", [("create 20", *first), ("again", *again)]))
    return measured


def report(measured) -> None:
    print(f"gitlab_runner benchmark: {ENTRIES} entries, {SEEDED:,} runners already in the sandbox GitLab")
    print(f"{'contender':<44}{'pass':<24}{'requests':>9}{'per runner':>12}{'task s':>9}{'playbook s':>12}")
    figures = {}
    for name, passes in measured:
        for label, count, task, wall in passes:
            figures[(name, label)] = (count, task, wall)
            print(f"{name:<44}{label:<24}{count:>9}{count / ENTRIES:>12.1f}{task:>9.2f}{wall:>12.2f}")
    ours_task, ours_bulk, cg = (name for name, _passes in measured)
    noop = figures[(ours_task, "again, ids+tokens")][0] / ENTRIES
    noop_bulk = figures[(ours_bulk, "again, ids+tokens")][0] / ENTRIES
    print()
    print(f"no-op pass, ids and tokens known: {noop:.1f} requests per runner per task, {noop_bulk:.1f} in bulk "
          f"(target <= 2): {'met' if max(noop, noop_bulk) <= 2 else 'MISSED'}")  # fmt: skip
    for label, ours_label in (("create", "create 20"), ("no-op", "again, ids+tokens")):
        cg_label = "create 20" if label == "create" else "again"
        ratio = figures[(cg, cg_label)][0] / max(1, figures[(ours_task, ours_label)][0])
        target = f" (target >= 10x): {'met' if ratio >= 10 else 'MISSED'}" if label == "no-op" else ""
        print(f"requests, community.general / gitlab_runner per task, {label} pass: {ratio:.1f}x{target}")
    for label, ours_label in (("create", "create 20"), ("no-op", "again, ids+tokens")):
        cg_label = "create 20" if label == "create" else "again"
        task = figures[(cg, cg_label)][1] / figures[(ours_bulk, ours_label)][1]
        whole = figures[(cg, cg_label)][2] / figures[(ours_bulk, ours_label)][2]
        print(f"wall time, community.general per task / gitlab_runner bulk, {label} pass: {task:.1f}x converging "
              f"(target >= 10x): {'met' if task >= 10 else 'MISSED'}; {whole:.1f}x whole playbooks, "
              "Ansible's start-up included")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "sandbox").mkdir()
        state = ctl.StateDir(Path(directory) / "sandbox")
        running = ctl.ensure_running(GITLAB, state)
        try:
            bench = Bench(running.url, ctl.gitlab_admin_token(state), Path(directory))
            measured = contenders(bench)
        finally:
            ctl.stop(GITLAB, state)
    report(measured)


if __name__ == "__main__":
    main()
