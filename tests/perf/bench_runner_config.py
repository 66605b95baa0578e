# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: runner_config_toml on a 500-runner config.toml, against the targets of issue #5.

Renders (checks against the schema and the runner's rules, then writes TOML) a config of 500 runners, half
docker+machine on spot with an S3 cache and two autoscaling periods, half docker-autoscaler with the AWS plugin.
Prints the median time of the whole render, of each of its two steps, of a first render in a fresh process (how
an Ansible worker runs a filter), and of the bare TOML libraries dumping the same data (tomli_w, the fast writer;
tomlkit, the style-preserving one); the ratio to the bare dump; and the memory a render allocates at its peak.
Targets: render (warm and fresh) at most 100 ms, and at most 3x the bare dump.

    make venv && .venv/bin/python tests/perf/bench_runner_config.py [--runners N] [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import subprocess
import sys
import time
import tomllib
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import tomli_w
import tomlkit
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

REPO_ROOT = Path(__file__).resolve().parents[2]
_AnsibleCollectionFinder(paths=[str(REPO_ROOT / ".collections")])._install()

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _runner_config

TARGET_MS = 100.0
TARGET_RATIO = 3.0
OBTAINED = datetime.datetime(2026, 11, 1, 9, 30, tzinfo=datetime.UTC)


def docker_machine_runner(index: int) -> dict:
    return {
        "name": f"spot-{index}",
        "url": "https://gitlab.example.com",
        "id": 10_000 + index,
        "token": f"glrt-{index:020d}",
        "token_obtained_at": OBTAINED,
        "token_expires_at": OBTAINED + datetime.timedelta(days=30),
        "executor": "docker+machine",
        "limit": 20,
        "request_concurrency": 4,
        "environment": ["DOCKER_TLS_CERTDIR=", "DOCKER_DRIVER=overlay2"],
        "feature_flags": {"FF_USE_FASTZIP": True, "FF_NETWORK_PER_BUILD": False},
        "docker": {
            "image": "alpine:3.20",
            "privileged": False,
            "disable_cache": True,
            "volumes": ["/cache", "/certs/client"],
            "pull_policy": ["always", "if-not-present"],
            "tls_verify": False,
        },
        "cache": {
            "Type": "s3",
            "Shared": True,
            "Path": "ci",
            "s3": {
                "ServerAddress": "s3.amazonaws.com",
                "BucketName": "fleet-cache",
                "BucketLocation": "eu-west-1",
                "AuthenticationType": "iam",
            },
        },
        "machine": {
            "IdleCount": 0,
            "IdleTime": 600,
            "MaxBuilds": 10,
            "MachineDriver": "amazonec2",
            "MachineName": f"spot-{index}-%s",
            "MachineOptions": [
                "amazonec2-region=eu-west-1",
                "amazonec2-vpc-id=vpc-0123456789abcdef0",
                f"amazonec2-subnet-id=subnet-{index:017x}",
                "amazonec2-zone=a",
                "amazonec2-use-private-address=true",
                "amazonec2-private-address-only=true",
                "amazonec2-security-group=fleet-workers",
                "amazonec2-instance-type=m5.large",
                "amazonec2-request-spot-instance=true",
                "amazonec2-spot-price=",
                "amazonec2-metadata-token=required",
                "amazonec2-volume-type=gp3",
            ],
            "autoscaling": [
                {"Periods": ["* * 8-18 * * mon-fri *"], "Timezone": "Europe/Berlin", "IdleCount": 2, "IdleTime": 1800},
                {"Periods": ["* * * * * sat,sun *"], "Timezone": "UTC", "IdleCount": 0, "IdleTime": 300},
            ],
        },
    }


def autoscaler_runner(index: int) -> dict:
    return {
        "name": f"autoscaler-{index}",
        "url": "https://gitlab.example.com",
        "id": 10_000 + index,
        "token": f"glrt-{index:020d}",
        "token_obtained_at": OBTAINED,
        "token_expires_at": OBTAINED + datetime.timedelta(days=30),
        "executor": "docker-autoscaler",
        "shell": "sh",
        "docker": {"image": "busybox:latest", "volumes": ["/cache"]},
        "cache": {"Type": "s3", "Shared": True, "s3": {"BucketName": "fleet-cache", "AuthenticationType": "iam"}},
        "autoscaler": {
            "plugin": "aws",
            "capacity_per_instance": 1,
            "max_use_count": 1,
            "max_instances": 10,
            "plugin_config": {"name": f"fleet-pool-{index}", "region": "eu-west-1"},
            "connector_config": {"username": "ec2-user", "use_external_addr": False, "timeout": "2m0s"},
            "policy": [
                {"idle_count": 2, "idle_time": "20m0s", "periods": ["* 8-18 * * mon-fri"]},
                {"idle_count": 0, "idle_time": "5m0s"},
            ],
        },
    }


def reference_config(runners: int) -> dict:
    builders = (docker_machine_runner, autoscaler_runner)
    return {
        "concurrent": runners * 10,
        "check_interval": 3,
        "log_level": "info",
        "shutdown_timeout": 7200,
        "session_server": {"session_timeout": 1800},
        "runners": [builders[index % 2](index) for index in range(runners)],
    }


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # the first call warms the cron and time zone caches; cold_render_ms measures it apart
    timings = []
    for _attempt in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


COLD_RENDER = """
import sys, time
sys.path.insert(0, {perf_dir!r})
import bench_runner_config as bench
config = bench.reference_config({runners})
started = time.perf_counter()
bench._runner_config.render(config)
print((time.perf_counter() - started) * 1000)
"""


def cold_render_ms(runners: int) -> float:
    """One render in a fresh process, as an Ansible worker runs a filter: no cache is warm yet."""
    script = COLD_RENDER.format(perf_dir=str(Path(__file__).parent), runners=runners)
    timings = [
        float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)
        for _attempt in range(5)
    ]
    return statistics.median(timings)


def peak_allocation_mb(action: Callable[[], object]) -> float:
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1_000_000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args(argv)

    config = reference_config(args.runners)
    text = _runner_config.render(config)
    assert tomllib.loads(text) == config, "the render does not read back as its input"
    normalized = _runner_config.normalize(config)

    render_ms = median_ms(lambda: _runner_config.render(config), args.repeat)
    check_ms = median_ms(lambda: _runner_config.normalize(config), args.repeat)
    write_ms = median_ms(lambda: _runner_config.dumps(normalized), args.repeat)
    tomli_w_ms = median_ms(lambda: tomli_w.dumps(config), args.repeat)
    tomlkit_ms = median_ms(lambda: tomlkit.dumps(config), max(3, args.repeat // 7))
    peak_mb = peak_allocation_mb(lambda: _runner_config.render(config))
    cold_ms = cold_render_ms(args.runners)
    ratio = render_ms / tomli_w_ms

    print(f"config.toml of {args.runners} runners: {len(text):,} bytes, {text.count(chr(10)):,} lines")
    print(f"  runner_config_toml render (check + write) median {render_ms:7.1f} ms   target <= {TARGET_MS:.0f} ms")
    print(f"    check against the schema and rules     median {check_ms:7.1f} ms")
    print(f"    write TOML                              median {write_ms:7.1f} ms")
    print(f"  first render in a fresh process          median {cold_ms:7.1f} ms   (an Ansible worker's case)")
    print(f"  bare tomli_w.dumps, same data             median {tomli_w_ms:7.1f} ms")
    print(f"  bare tomlkit.dumps, same data             median {tomlkit_ms:7.1f} ms")
    print(f"  render / bare tomli_w dump: {ratio:.2f}x   target <= {TARGET_RATIO:.0f}x")
    print(f"  render / bare tomlkit dump: {render_ms / tomlkit_ms:.3f}x")
    print(f"  peak memory allocated by one render: {peak_mb:.1f} MB")
    met = max(render_ms, cold_ms) <= TARGET_MS and ratio <= TARGET_RATIO
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
