# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the sandbox GitLab's latency and memory, against the targets of issue #3.

With 2,000 runners seeded: the median latency of GET /runners/:id (target under 5 ms) and of a 100-item page of
GET /runners/all (target under 20 ms), as a keep-alive client sees them, and the same GET through python-gitlab;
throughput with 8 concurrent clients; then the server's resident memory with 10,000 runners (target under
200 MB). Prints its figures; asserts nothing (a benchmark, not a timed test).

    make venv && .venv/bin/python tests/perf/bench_gitlab.py [--requests N]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import sys
import tempfile
import time
from pathlib import Path

import gitlab
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from sandbox import ctl

GITLAB = next(service for service in ctl.SERVICES if service.name == "gitlab")
CONCURRENT_CLIENTS = 8


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1_000_000
    return float("nan")


def latencies_ms(call, count: int) -> list[float]:
    call()  # warm the connection
    samples = []
    for index in range(count):
        started = time.perf_counter()
        call(index)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def seed(url: str, token: str, count: int) -> None:
    response = requests.post(
        f"{url}/-/sandbox/runners",
        json={"count": count, "tag_list": ["docker", "linux"], "contacted": True},
        headers={"PRIVATE-TOKEN": token},
        timeout=120,
    )
    response.raise_for_status()


def throughput(url: str, token: str, ids: int, per_client: int) -> float:
    def client(offset: int) -> None:
        with requests.Session() as session:
            session.headers["PRIVATE-TOKEN"] = token
            for index in range(per_client):
                session.get(f"{url}/api/v4/runners/{(offset + index) % ids + 1}", timeout=30).raise_for_status()

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(CONCURRENT_CLIENTS) as pool:
        list(pool.map(client, range(0, CONCURRENT_CLIENTS * 97, 97)))
    return CONCURRENT_CLIENTS * per_client / (time.perf_counter() - started)


def line(label: str, values: list[float], unit: str, target: float | None = None) -> str:
    median = statistics.median(values)
    verdict = f"  target < {target:g} {unit}: {'met' if median < target else 'MISSED'}" if target else ""
    spread = f"(p90 {statistics.quantiles(values, n=10)[-1]:.2f})" if len(values) >= 10 else ""
    return f"{label:<44} median {median:8.2f} {unit} {spread}{verdict}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500, help="samples per latency figure")
    count = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as directory:
        state = ctl.StateDir(Path(directory))
        running = ctl.ensure_running(GITLAB, state)
        url, token = running.url, ctl.gitlab_admin_token(state)
        try:
            seed(url, token, 2_000)
            session = requests.Session()
            session.headers["PRIVATE-TOKEN"] = token
            get_one = latencies_ms(lambda i=0: session.get(f"{url}/api/v4/runners/{i % 2000 + 1}", timeout=30), count)
            get_page = latencies_ms(
                lambda i=0: session.get(f"{url}/api/v4/runners/all?per_page=100&page={i % 20 + 1}", timeout=30),
                count // 5,
            )
            client = gitlab.Gitlab(url, private_token=token)
            via_client = latencies_ms(lambda i=0: client.runners.get(i % 2000 + 1), count)
            rate = throughput(url, token, 2_000, count // 2)
            memory_2k = rss_mb(running.pid)
            seed(url, token, 8_000)
            session.get(f"{url}/api/v4/runners/all?per_page=100&page=50", timeout=30).raise_for_status()
            memory_10k = rss_mb(running.pid)
        finally:
            ctl.stop(GITLAB, state)

    print(f"sandbox GitLab benchmark, {count} samples per latency figure")
    print(line("GET /runners/:id, 2,000 runners", get_one, "ms", 5))
    print(line("GET /runners/all 100-item page, 2,000 runners", get_page, "ms", 20))
    print(line("python-gitlab runners.get, 2,000 runners", via_client, "ms"))
    print(f"{'throughput, 8 concurrent clients':<44} {rate:15.0f} requests/s")
    print(f"{'resident memory, 2,000 runners':<44} {memory_2k:15.1f} MB")
    print(f"{'resident memory, 10,000 runners':<44} {memory_10k:15.1f} MB  target < 200 MB: "
          f"{'met' if memory_10k < 200 else 'MISSED'}")  # fmt: skip


if __name__ == "__main__":
    main()
