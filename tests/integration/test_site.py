# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/site.yml and playbooks/teardown.yml end to end against the session's sandbox (issue #9's "Done
means"): a full converge, a second run that changes nothing on any host, `--check --diff` with no mutating
request in moto's or the GitLab emulator's request log, one runner entry added (previewed with `--check --diff`
first), changed and removed in place, another vpc_cidr refused in pre-flight (preview and real run alike, no
mutating request, still one VPC), a teardown that leaves nothing of the fleet; the playbook killed (SIGKILL) at
several points of a first converge and re-run, ending as an uninterrupted run ends, on a fleet that chooses its
own tag key (fleet_tag_key: every resource and IAM condition carries it, teardown finds everything by it); a
second fleet of docker+machine, docker and shell entries on two managers, whose -vvv converge and teardown print no
secret and whose preview of one manager fewer and changed or removed entries is what the real run then does; and
pre-flight's failures on an unreachable AWS or GitLab or
a refused token.

Each test converges its own fleet (fleet_name), so that the tests share the session's sandbox without meeting;
a test that converges a fleet tears it down. One test function walks a fleet through several steps, so that each
(slow) converge is made once.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import yaml

from sandbox import ctl

REPO_ROOT = Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
SITE = "playbooks/site.yml"
TEARDOWN = "playbooks/teardown.yml"
PREFLIGHT = "playbooks/preflight.yml"
FLEET_TAG = "runnerfleet:fleet"
CONFIG = "etc/gitlab-runner/config.toml"
# The example fleet description, as a user gets it: its runner entries are the tests' starting point.
EXAMPLE = yaml.safe_load((REPO_ROOT / "group_vars" / "all" / "fleet.yml").read_text(encoding="utf-8"))
EXAMPLE_RUNNERS = EXAMPLE["fleet_runners"]
# A third entry, unlike the other two in its worker type and capacity.
EXTRA_ENTRY = {
    "name": "extra",
    "runner_type": "instance_type",
    "tags": ["docker", "aws", "extra"],
    "executor": "docker-autoscaler",
    "instance_types": ["c5.xlarge"],
    "spot": False,
    "max_instances": 2,
    "cache": False,
}
MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RUNNER_TOKEN = re.compile(r"glrt-[A-Za-z0-9_-]{8,}")


# --- the playbook runs -------------------------------------------------------------------------------------------
def changed_by_host(run) -> dict[str, int]:
    """Each host's changed count (PlaybookRun.stats reads localhost only; the managers count too)."""
    assert run.report is not None, f"no JSON report; stdout:\n{run.output[-3000:]}\nstderr:\n{run.stderr[-2000:]}"
    return {host: stats["changed"] for host, stats in run.report["stats"].items()}


def changed_tasks_by_host(run) -> list[str]:
    return [
        f"{host}: {task['task']['name']}"
        for play in run.report["plays"]
        for task in play["tasks"]
        for host, result in task["hosts"].items()
        if result.get("changed")
    ]


def assert_succeeded(run, what: str) -> None:
    assert run.returncode == 0, f"{what} failed (rc {run.returncode}):\n{run.failure_text()}"


def assert_no_change(run, what: str, hosts: set[str] | None = None) -> None:
    assert_succeeded(run, what)
    changed = changed_by_host(run)
    if hosts is not None:
        assert set(changed) == hosts, f"{what} ran on {sorted(changed)}, not {sorted(hosts)}"
    assert not any(changed.values()), f"{what} changed {changed}: {changed_tasks_by_host(run)}"


# A host's line of the PLAY RECAP that ends a run's output: "<host> : ok=12 changed=0 unreachable=0 failed=0 ...".
RECAP_LINE = re.compile(
    r"^(?P<host>\S+)\s+: ok=\d+\s+changed=(?P<changed>\d+)\s+unreachable=\d+\s+failed=(?P<failed>\d+)"
)
# Issue 19: a run that changes nothing prints at most this many lines at the default verbosity.
NO_OP_LINES = 150


def assert_a_quiet_no_op(run, what: str, fleet: Fleet) -> None:
    """A run that changed nothing, as a person reads it: the collection's stdout callback (ansible.cfg's
    runnerfleet.gitlab_aws.fleet, at the default verbosity) prints at most NO_OP_LINES lines, and the summary
    last, just before the PLAY RECAP, whose counts say that nothing changed or failed on any host."""
    assert_succeeded(run, what)
    output, recap = run.output.rsplit("PLAY RECAP", 1)
    counts = {
        found["host"]: (found["changed"], found["failed"])
        for found in map(RECAP_LINE.match, recap.splitlines())
        if found
    }
    assert counts == {"localhost": ("0", "0"), fleet.manager: ("0", "0")}, f"{what}:\n{run.output}"
    assert len(run.output.splitlines()) <= NO_OP_LINES, (
        f"{what} printed {len(run.output.splitlines())} lines:\n{run.output}"
    )
    last_task = output.rpartition("TASK [")[2]
    assert last_task.startswith("Show the fleet]"), f"{what} does not end with the summary:\n{run.output}"
    last_line = output.rstrip().splitlines()[-1].strip()
    assert last_line in (
        f"- config.toml on {fleet.manager}: unchanged",
        f"- 'config.toml on {fleet.manager}: unchanged'",
    ), last_line


def task_results(run, name: str, host: str = "localhost") -> list[dict]:
    """The results of the task called `name` on the host (each item's, for a loop), from the JSON report."""
    found = []
    for play in run.report["plays"]:
        for task in play["tasks"]:
            # A role's task is named "<role> : <name>" in the report.
            if task["task"]["name"].rpartition(" : ")[2] == name and host in task["hosts"]:
                result = task["hosts"][host]
                found += result.get("results") or [result]
    return found


def summary_lines(run) -> list[str]:
    for play in run.report["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == "Show the fleet":
                return task["hosts"]["localhost"]["msg"]
    raise AssertionError(f"no summary in the run; it changed {run.changed_tasks()}")


# --- GitLab, through the administrator's token and the emulator's hooks (sandbox/gitlab/README.md) -----------
class GitLab:
    def __init__(self, sandbox) -> None:
        self.url = sandbox.endpoints["GITLAB_URL"]
        # The sandbox's API token is the administrator's (root's).
        self.token = sandbox.endpoints.get("RUNNERFLEET_GITLAB_ADMIN_TOKEN") or sandbox.endpoints["GITLAB_API_TOKEN"]

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"PRIVATE-TOKEN": self.token} if not path.startswith("/api/v4/runners/verify") else {}
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=10, **kwargs)

    def runners(self, fleet: str) -> dict[str, list[dict]]:
        """The fleet's runners by description (<fleet>-<name>), as a list each so that duplicates show."""
        found: dict[str, list[dict]] = {}
        page = 1
        while True:
            response = self.call("GET", "/api/v4/runners/all", params={"per_page": 100, "page": page})
            response.raise_for_status()
            for runner in response.json():
                if (runner.get("description") or "").startswith(f"{fleet}-"):
                    found.setdefault(runner["description"], []).append(runner)
            if not response.headers.get("X-Next-Page"):
                return found
            page += 1

    def runner_ids(self, fleet: str) -> dict[str, int]:
        runners = self.runners(fleet)
        assert all(len(same) == 1 for same in runners.values()), f"duplicate runners in GitLab: {runners}"
        return {description.removeprefix(f"{fleet}-"): same[0]["id"] for description, same in runners.items()}

    def runner(self, runner_id: int) -> dict | None:
        response = self.call("GET", f"/api/v4/runners/{runner_id}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    def current_token(self, runner_id: int) -> str:
        response = self.call("GET", f"/-/sandbox/runners/{runner_id}/token")
        response.raise_for_status()
        return response.json()["token"]

    def verify(self, token: str) -> int:
        return self.call("POST", "/api/v4/runners/verify", json={"token": token}).status_code

    def reset_log(self) -> None:
        self.call("DELETE", "/-/sandbox/requests").raise_for_status()

    def log(self) -> list[dict]:
        response = self.call("GET", "/-/sandbox/requests")
        response.raise_for_status()
        return response.json()["log"]

    def requests_to(self, method: str, route: str) -> int:
        return sum(1 for entry in self.log() if entry["method"] == method and entry["route"] == f"/api/v4{route}")


class AwsLog:
    def __init__(self, sandbox) -> None:
        self.url = f"{sandbox.endpoints['AWS_ENDPOINT_URL']}/-/sandbox/requests"

    def reset(self) -> None:
        requests.post(f"{self.url}/reset", timeout=10).raise_for_status()

    def read(self) -> dict:
        response = requests.get(self.url, timeout=10)
        response.raise_for_status()
        return response.json()


# --- what the fleet has in AWS --------------------------------------------------------------------------------
def ssm_parameters(ssm, fleet: str) -> dict[str, str]:
    """Every parameter under /runnerfleet/<fleet>, decrypted."""
    found = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(
        Path=f"/runnerfleet/{fleet}", Recursive=True, WithDecryption=True
    ):
        found.update({parameter["Name"]: parameter["Value"] for parameter in page["Parameters"]})
    return found


def runner_parameters(ssm, fleet: str) -> dict[str, dict[str, str]]:
    """{entry name: {"token": ..., "id": ...}} from the fleet's runner parameters."""
    prefix = f"/runnerfleet/{fleet}/runners/"
    found: dict[str, dict[str, str]] = {}
    for name, value in ssm_parameters(ssm, fleet).items():
        if name.startswith(prefix):
            entry, kind = name.removeprefix(prefix).split("/", 1)
            found.setdefault(entry, {})[kind] = value
    return found


def autoscaling_groups(aws, fleet: str, tag_key: str = FLEET_TAG) -> dict[str, dict]:
    groups = {}
    for page in aws("autoscaling").get_paginator("describe_auto_scaling_groups").paginate():
        for group in page["AutoScalingGroups"]:
            if {"Key": tag_key, "Value": fleet} in [{"Key": t["Key"], "Value": t["Value"]} for t in group["Tags"]]:
                groups[group["AutoScalingGroupName"]] = group
    return groups


def launch_templates(aws, fleet: str, tag_key: str = FLEET_TAG) -> dict[str, str]:
    templates = aws("ec2").describe_launch_templates(Filters=[{"Name": f"tag:{tag_key}", "Values": [fleet]}])
    return {template["LaunchTemplateName"]: template["LaunchTemplateId"] for template in templates["LaunchTemplates"]}


def fleet_resources(aws, fleet: str, tag_key: str = FLEET_TAG) -> dict[str, list[str]]:
    """Everything of the fleet AWS still has, by kind: the resources tagged with it (the tagging API, and each
    kind's own listing, by the fleet's tag key), and the IAM roles, instance profiles, buckets and parameters named
    after it."""
    ec2, iam = aws("ec2"), aws("iam")
    tagged = [{"Name": f"tag:{tag_key}", "Values": [fleet]}]
    instances = [
        instance
        for reservation in ec2.describe_instances(Filters=tagged)["Reservations"]
        for instance in reservation["Instances"]
    ]
    nat_gateways = ec2.describe_nat_gateways(Filter=tagged)["NatGateways"]
    found = {
        "vpcs": [vpc["VpcId"] for vpc in ec2.describe_vpcs(Filters=tagged)["Vpcs"]],
        "subnets": [subnet["SubnetId"] for subnet in ec2.describe_subnets(Filters=tagged)["Subnets"]],
        "internet_gateways": [
            gateway["InternetGatewayId"]
            for gateway in ec2.describe_internet_gateways(Filters=tagged)["InternetGateways"]
        ],
        "nat_gateways": [
            gateway["NatGatewayId"] for gateway in nat_gateways if gateway["State"] in ("pending", "available")
        ],
        "elastic_ips": [address["AllocationId"] for address in ec2.describe_addresses(Filters=tagged)["Addresses"]],
        "route_tables": [table["RouteTableId"] for table in ec2.describe_route_tables(Filters=tagged)["RouteTables"]],
        "security_groups": [
            group["GroupId"] for group in ec2.describe_security_groups(Filters=tagged)["SecurityGroups"]
        ],
        "instances": [instance["InstanceId"] for instance in instances if instance["State"]["Name"] != "terminated"],
        "volumes": [volume["VolumeId"] for volume in ec2.describe_volumes(Filters=tagged)["Volumes"]],
        "launch_templates": sorted(launch_templates(aws, fleet, tag_key)),
        "autoscaling_groups": sorted(autoscaling_groups(aws, fleet, tag_key)),
        "iam_roles": [
            role["RoleName"] for role in iam.list_roles()["Roles"] if role["RoleName"].startswith(f"{fleet}-")
        ],
        "instance_profiles": [
            profile["InstanceProfileName"]
            for profile in iam.list_instance_profiles()["InstanceProfiles"]
            if profile["InstanceProfileName"].startswith(f"{fleet}-")
        ],
        "buckets": [
            bucket["Name"] for bucket in aws("s3").list_buckets()["Buckets"] if bucket["Name"].startswith(f"{fleet}-")
        ],
        "ssm_parameters": sorted(ssm_parameters(aws("ssm"), fleet)),
    }
    # moto's tagging API still lists terminated instances and deleted NAT gateways: those are gone.
    gone = {instance["InstanceId"] for instance in instances if instance["State"]["Name"] == "terminated"}
    gone |= {gateway["NatGatewayId"] for gateway in nat_gateways if gateway["State"] not in ("pending", "available")}
    tagging = aws("resourcegroupstaggingapi").get_paginator("get_resources")
    found["tagged"] = sorted(
        mapping["ResourceARN"]
        for page in tagging.paginate(TagFilters=[{"Key": tag_key, "Values": [fleet]}])
        for mapping in page["ResourceTagMappingList"]
        if mapping["ResourceARN"].rsplit("/", 1)[-1] not in gone
    )
    return found


def expected_counts(runners: list[dict]) -> dict[str, int]:
    """What a converge of the example's network, managers and cache makes for these entries, by kind."""
    pools = sum(1 for entry in runners if entry["executor"] == "docker-autoscaler")
    zones = EXAMPLE["fleet_network"]["az_count"]
    return {
        "vpcs": 1,
        "subnets": 2 * zones,
        "internet_gateways": 1,
        "nat_gateways": zones,  # nat_mode per_az
        "elastic_ips": zones,
        "security_groups": 2,
        "instances": EXAMPLE["fleet_managers"]["count"],
        "launch_templates": pools,
        "autoscaling_groups": pools,
        "iam_roles": 2,
        "instance_profiles": 2,
        "buckets": 1,
        "ssm_parameters": 3 * len(runners),  # token, token_expires_at, id
    }


def assert_counts(resources: dict[str, list[str]], runners: list[dict]) -> None:
    counts = {kind: len(resources[kind]) for kind in expected_counts(runners)}
    assert counts == expected_counts(runners), {kind: resources[kind] for kind in counts}


# --- one fleet under test ---------------------------------------------------------------------------------------
@dataclasses.dataclass
class Fleet:
    """A fleet of the tests' own, with what the tests run and read about it."""

    name: str
    playbook: Callable
    sandbox: object
    aws: Callable
    gitlab: GitLab
    # The fleet_tag_key the fleet's description chooses (the default's unless a test picks another).
    tag_key: str = FLEET_TAG

    @property
    def variables(self) -> dict:
        """The extra vars every run of this fleet gets: its name, and its tag key when it is not the default."""
        return {"fleet_name": self.name} | ({"fleet_tag_key": self.tag_key} if self.tag_key != FLEET_TAG else {})

    @property
    def manager(self) -> str:
        return f"{self.name}-manager-1"

    @property
    def config(self) -> Path:
        return self.sandbox.state.path / "hosts" / self.manager / CONFIG

    def config_runners(self) -> dict[str, dict]:
        return {runner["name"]: runner for runner in tomllib.loads(self.config.read_text(encoding="utf-8"))["runners"]}

    def converge(self, *args: str, runners: list[dict] | None = None):
        variables = self.variables
        if runners is not None:
            variables["fleet_runners"] = runners
        return self.playbook(SITE, *args, extra_vars=variables)

    def teardown(self, *args: str, **kwargs):
        return self.playbook(TEARDOWN, *args, extra_vars={**self.variables, "fleet_remove_cache": True}, **kwargs)

    def stored(self) -> dict[str, dict[str, str]]:
        return runner_parameters(self.aws("ssm"), self.name)

    def groups(self) -> dict[str, dict]:
        return autoscaling_groups(self.aws, self.name, self.tag_key)

    def templates(self) -> dict[str, str]:
        return launch_templates(self.aws, self.name, self.tag_key)

    def resources(self) -> dict[str, list[str]]:
        return fleet_resources(self.aws, self.name, self.tag_key)

    def group_names(self, *entries: str) -> list[str]:
        return sorted(f"{self.name}-{entry}" for entry in entries)


@pytest.fixture
def new_fleet(playbook, sandbox, aws) -> Callable[..., Fleet]:
    gitlab = GitLab(sandbox)
    return lambda name, tag_key=FLEET_TAG: Fleet(name, playbook, sandbox, aws, gitlab, tag_key)


@contextlib.contextmanager
def timed(timings: dict[str, float], step: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    timings[step] = time.monotonic() - started
    print(f"{step}: {timings[step]:.0f} s", flush=True)  # shown with pytest -s


# --- test 1 -----------------------------------------------------------------------------------------------------
def first_converge(fleet: Fleet) -> dict[str, int]:
    """A full converge from nothing: the runners in GitLab, the summary, config.toml, SSM and AWS agree."""
    run = fleet.converge()
    assert_succeeded(run, "the first converge")
    assert set(changed_by_host(run)) == {"localhost", fleet.manager}
    ids = fleet.gitlab.runner_ids(fleet.name)
    assert set(ids) == {"small", "large"}, ids
    summary = "\n".join(summary_lines(run))
    for name, runner_id in ids.items():
        assert f"runner {name}: GitLab id {runner_id}," in summary, summary
    assert f"manager {fleet.manager}: i-" in summary, summary
    assert stat.S_IMODE(fleet.config.stat().st_mode) == 0o600
    in_config = fleet.config_runners()
    stored = fleet.stored()
    assert {name: runner["id"] for name, runner in in_config.items()} == ids
    assert {name: int(kept["id"]) for name, kept in stored.items()} == ids
    assert {name: runner["token"] for name, runner in in_config.items()} == {
        name: kept["token"] for name, kept in stored.items()
    }
    assert_counts(fleet.resources(), EXAMPLE_RUNNERS)
    assert sorted(fleet.groups()) == fleet.group_names("small", "large")
    return ids


def a_no_op_sent_no_heartbeat(fleet: Fleet, run) -> None:
    """A run that changed nothing sent no POST /runners/verify (GitLab would count it as the runners' contact):
    GitLab keeps them never contacted, and the summary says so, as GitLab reports it."""
    assert fleet.gitlab.requests_to("POST", "/runners/verify") == 0, fleet.gitlab.log()
    ids = fleet.gitlab.runner_ids(fleet.name)
    for runner_id in ids.values():
        runner = fleet.gitlab.runner(runner_id)
        assert (runner["status"], runner["contacted_at"]) == ("never_contacted", None), runner
    unwrapped = " ".join(run.output.split())  # the YAML output wraps long summary lines
    assert unwrapped.count("(no manager has contacted it yet)") == len(ids), run.output


def check_mode_sends_no_mutating_request(fleet: Fleet) -> None:
    aws_log = AwsLog(fleet.sandbox)
    aws_log.reset()
    fleet.gitlab.reset_log()
    assert_no_change(fleet.converge("--check", "--diff"), "the --check --diff run", {"localhost", fleet.manager})
    aws_requests = aws_log.read()
    assert aws_requests["total"] > 0
    assert aws_requests["mutating"] == 0, [entry for entry in aws_requests["log"] if entry["mutating"]]
    gitlab_writes = [entry for entry in fleet.gitlab.log() if entry["method"] in MUTATING_METHODS]
    assert gitlab_writes == [], gitlab_writes


def refuse_a_new_vpc_cidr(fleet: Fleet) -> None:
    """Another fleet_network.vpc_cidr, which AWS makes only by replacing the VPC: the preview and the real run both
    stop in pre-flight with the same message, no mutating request reaches AWS or GitLab, and the fleet keeps its one
    VPC (before issue 19 the real run made a second one and failed halfway)."""
    (vpc_before,) = fleet.resources()["vpcs"]
    network = {**EXAMPLE["fleet_network"], "vpc_cidr": "10.81.0.0/16"}
    aws_log = AwsLog(fleet.sandbox)
    messages = []
    for args in (("--check", "--diff"), ()):
        aws_log.reset()
        fleet.gitlab.reset_log()
        run = fleet.playbook(SITE, *args, extra_vars={**fleet.variables, "fleet_network": network})
        assert run.returncode != 0, f"site.yml {args} with another vpc_cidr did not stop"
        messages.append(run.final_failure)
        assert aws_log.read()["mutating"] == 0, [entry for entry in aws_log.read()["log"] if entry["mutating"]]
        assert [entry for entry in fleet.gitlab.log() if entry["method"] in MUTATING_METHODS] == []
    assert messages[0] == messages[1], messages
    assert messages[0].startswith(
        f"cannot change in place: fleet_network.vpc_cidr: the fleet's VPC {vpc_before} has the CIDR"
        f" {EXAMPLE['fleet_network']['vpc_cidr']}; the description asks for 10.81.0.0/16."
    ), messages[0]
    assert "`ansible-playbook playbooks/teardown.yml`, then `ansible-playbook playbooks/site.yml`" in messages[0]
    assert fleet.resources()["vpcs"] == [vpc_before]


# --- the preview matrix: each kind of change a user makes, previewed on the converged example fleet ----------------
# Each case is one `--check --diff` run with several independent changes; each change names the resources a real
# run would touch, as (task name after the role's " : ", the loop item's label or None for any, host). The run must
# reach the summary, send no mutating request, report those tasks changed, and leave the fleet as it was.

MACHINE_ENTRY = {
    "name": "machine",
    "runner_type": "instance_type",
    "tags": ["docker", "aws", "machine"],
    "executor": "docker+machine",
    "instance_type": "t3.large",
    "spot": True,
    "spot_price": 0.05,
    "limit": 10,
    "max_builds": 1,
    "cache": True,
}
DOCKER_GROUP_ENTRY = {
    "name": "local",
    "runner_type": "group_type",
    "group": "platform/infra",
    "tags": ["docker", "local"],
    "executor": "docker",
    "image": "alpine:3.20",
    "limit": 2,
}
SHELL_PROJECT_ENTRY = {
    "name": "sh",
    "runner_type": "project_type",
    "project": "platform/website",
    "tags": ["shell"],
    "executor": "shell",
    # Its jobs run on the manager with the manager's instance role: a choice the description must make.
    "allow_manager_role": True,
    "limit": 1,
}


def entries_case(fleet: Fleet) -> tuple[dict, dict[str, list[tuple]], list[str]]:
    """Entries of each executor and runner type added, one changed (types, capacity, idle policy, tags), one removed;
    the cache's expiry and the fleet's extra tags changed. GitLab's runners are reported as a real run would make
    them, and config.toml's diff shows the new entries' sections, tokens masked."""
    small = {
        **EXAMPLE_RUNNERS[0],
        "instance_types": ["t3.xlarge", "t3a.xlarge"],
        "max_instances": 6,
        "idle_count": 1,
        "idle_time": 600,
        "tags": ["docker", "aws", "small", "fast"],
    }
    overrides = {
        "fleet_runners": [small, EXTRA_ENTRY, MACHINE_ENTRY, DOCKER_GROUP_ENTRY, SHELL_PROJECT_ENTRY],
        "fleet_cache": {**EXAMPLE["fleet_cache"], "expiration_days": 30},
        "fleet_extra_tags": {"team": "ci"},
    }
    manager = fleet.manager
    expected = {
        "add a docker-autoscaler entry": [
            ("Keep each pool's launch template", f"{fleet.name}-extra", "localhost"),
            ("Report the groups a real run would create", f"{fleet.name}-extra", "localhost"),
        ],
        "add a docker+machine entry": [("Report what a real run would make", None, manager)],
        "add, change and remove runners in GitLab": [
            ("Create or update the runners in GitLab", None, "localhost"),
            ("Delete the runners of entries no longer described", None, "localhost"),
            ("Delete the SSM parameters of entries no longer described", "large/token", "localhost"),
        ],
        "change instance types, capacity and idle policy": [
            ("Keep each pool's launch template", f"{fleet.name}-small", "localhost"),
            ("Keep each pool's Auto Scaling group", f"{fleet.name}-small", "localhost"),
        ],
        "remove a docker-autoscaler entry": [
            ("Remove the Auto Scaling groups of entries no longer listed", f"{fleet.name}-large", "localhost"),
            ("Remove the launch templates of entries no longer listed", f"{fleet.name}-large", "localhost"),
        ],
        "change the cache": [("Report what a real run would change", None, "localhost")],
        "change the fleet's tags": [
            ("Create the VPC", None, "localhost"),
            ("Launch or update the managers, count 1", f"{fleet.name}-manager-1", "localhost"),
        ],
        "config.toml on the manager": [("Compare config.toml with the host's (tokens masked)", None, manager)],
    }
    summary = [
        "runner extra: not in GitLab yet, tags docker, aws, extra, a real run would create it",
        "runner machine: not in GitLab yet, tags docker, aws, machine, a real run would create it",
        "runner local: not in GitLab yet, tags docker, local, a real run would create it",
        "runner sh: not in GitLab yet, tags shell, a real run would create it",
        "runner large: a real run would remove it",
        "entry machine: docker+machine on t3.large",
        f"entry small: docker-autoscaler on t3.xlarge, t3a.xlarge; capacity 6 instances … worker group"
        f" {fleet.name}-small (launch template lt- … a real run would update it … Auto Scaling group"
        f" {fleet.name}-small: differs in … max_size",
        f"worker group {fleet.name}-large: a real run would remove it",
        f"config.toml on {manager}: a real run would change it",
    ]
    return overrides, expected, summary


def entries_previewed_in_gitlab_and_config(fleet: Fleet, run) -> None:
    """The entries case's GitLab report and config.toml diff: each new runner created, the changed one updated;
    config.toml gains each new section, tokens masked."""
    reported = sorted(result["msg"] for result in task_results(run, "Report the runners GitLab changed"))
    ids = fleet.gitlab.runner_ids(fleet.name)
    expected = [f"{fleet.name}-{name}: create" for name in ("extra", "local", "machine", "sh")]
    assert reported == sorted([*expected, f"{fleet.name}-small (id {ids['small']}): update"]), reported
    (compared,) = task_results(run, "Compare config.toml with the host's (tokens masked)", fleet.manager)
    diff = json.dumps(compared)
    for name in ("extra", "machine", "local", "sh"):
        assert f'name = \\"{name}\\"' in diff, (name, diff[-3000:])
    assert "[MASKED]" in diff


def managers_case(fleet: Fleet) -> tuple[dict, dict[str, list[tuple]], list[str]]:
    """A manager added and the managers' type changed, an entry's executor switched (docker-autoscaler to
    docker+machine, which allows more than one manager), the NAT gateways shared, the cache's key changed."""
    machine_small = {
        "name": "small",
        "runner_type": "instance_type",
        "tags": EXAMPLE_RUNNERS[0]["tags"],
        "run_untagged": False,
        "executor": "docker+machine",
        "instance_type": "t3.large",
        "limit": 4,
        "cache": True,
    }
    overrides = {
        "fleet_runners": [machine_small],
        "fleet_managers": {**EXAMPLE["fleet_managers"], "count": 2, "instance_type": "t3.large"},
        "fleet_network": {**EXAMPLE["fleet_network"], "nat_mode": "shared"},
        "fleet_cache": {**EXAMPLE["fleet_cache"], "kms_key_id": "alias/aws/s3"},
    }
    expected = {
        "add a manager, change their type": [
            ("Launch or update the managers, count 2", f"{fleet.name}-manager-1", "localhost"),
            ("Launch or update the managers, count 2", f"{fleet.name}-manager-2", "localhost"),
        ],
        "switch an entry's executor": [
            ("Remove the Auto Scaling groups of entries no longer listed", f"{fleet.name}-small", "localhost"),
            ("Report what a real run would make", None, fleet.manager),
        ],
        "share the NAT gateways": [
            ("Route each private subnet to its NAT gateway", None, "localhost"),
            ("Delete the NAT gateways no longer needed", None, "localhost"),
        ],
        "change the cache's key": [("Report what a real run would change", None, "localhost")],
    }
    summary = [
        f"manager {fleet.name}-manager-1: i- … a real run would update it … instance type t3.medium, not t3.large",
        f"manager {fleet.name}-manager-2: a real run would launch it in subnet ",
        "entry small: docker+machine on t3.large",
        f"worker group {fleet.name}-small: a real run would remove it",
        "runner large: a real run would remove it",
    ]
    return overrides, expected, summary


PREVIEW_MATRIX = (entries_case, managers_case)


def changed_items(run) -> set[tuple]:
    """(task name after " : ", loop item label or None, host) of every changed result of a run's JSON report."""
    found = set()
    for play in run.report["plays"]:
        for task in play["tasks"]:
            name = task["task"]["name"].split(" : ", 1)[-1]
            for host, result in task["hosts"].items():
                items = result.get("results") if isinstance(result.get("results"), list) else None
                if items is None and result.get("changed"):
                    found.add((name, None, host))
                for item in items or []:
                    if item.get("changed"):
                        found.add((name, str(item.get("_ansible_item_label", item.get("item"))), host))
    return found


def predicted(expected: tuple, changed: set[tuple]) -> bool:
    task, label, host = expected
    return any(name == task and where == host and label in (None, item) for name, item, where in changed)


def preview_each_kind_of_change(fleet: Fleet) -> int:
    """The preview matrix on the converged fleet; returns how many kinds of change it covered."""
    ids = fleet.gitlab.runner_ids(fleet.name)
    resources = fleet.resources()
    kinds = 0
    for case in PREVIEW_MATRIX:
        overrides, expected, summary_expected = case(fleet)
        run = previewed(fleet, overrides, expected, summary_expected)
        kinds += len(expected)
        if case is entries_case:
            entries_previewed_in_gitlab_and_config(fleet, run)
    assert fleet.gitlab.runner_ids(fleet.name) == ids
    assert fleet.resources() == resources
    return kinds


def shows(shown: str, expected: str) -> bool:
    """Whether a summary line starts as expected; " … " in the expected line stands for any text in between."""
    first, *rest = expected.split(" … ")
    if not shown.startswith(first):
        return False
    position = len(first)
    for part in rest:
        position = shown.find(part, position)
        if position < 0:
            return False
        position += len(part)
    return True


def previewed(fleet: Fleet, overrides: dict, expected: dict[str, list[tuple]], summary_expected: list[str]):
    """One `--check --diff` run of the fleet with the overrides: it reaches the summary, sends no mutating request
    to AWS or GitLab, reports each expected resource changed and shows each expected summary line, and prints no
    token. The run, for the case's own checks."""
    aws_log = AwsLog(fleet.sandbox)
    aws_log.reset()
    fleet.gitlab.reset_log()
    resources = fleet.resources()
    run = fleet.playbook(SITE, "--check", "--diff", extra_vars={**fleet.variables, **overrides})
    assert_succeeded(run, f"the preview of {sorted(expected)}")
    assert aws_log.read()["mutating"] == 0, [entry for entry in aws_log.read()["log"] if entry["mutating"]]
    assert [entry for entry in fleet.gitlab.log() if entry["method"] in MUTATING_METHODS] == []
    changed = changed_items(run)
    for kind, resources_touched in expected.items():
        missing = [item for item in resources_touched if not predicted(item, changed)]
        assert not missing, f"{kind}: not predicted {missing}; predicted {sorted(changed)}"
    summary = summary_lines(run)
    assert "check mode: nothing was changed" in summary[0], summary
    for line in summary_expected:
        assert any(shows(shown, line) for shown in summary), f"not in the summary: {line}\n" + "\n".join(summary)
    assert RUNNER_TOKEN.findall(run.output) == [], "a token in the preview's output"
    assert fleet.resources() == resources
    return run


def add_an_entry(fleet: Fleet, ids: dict[str, int]) -> dict:
    """Only the new entry's runner is created, its pool appears, config.toml gains it; the rest stays."""
    arns = {name: group["AutoScalingGroupARN"] for name, group in fleet.groups().items()}
    fleet.gitlab.reset_log()
    assert_succeeded(fleet.converge(runners=[*EXAMPLE_RUNNERS, EXTRA_ENTRY]), "the run that adds an entry")
    assert fleet.gitlab.requests_to("POST", "/user/runners") == 1
    assert fleet.gitlab.requests_to("DELETE", "/runners/:id") == 0
    ids_now = fleet.gitlab.runner_ids(fleet.name)
    assert ids_now == dict(ids, extra=ids_now.get("extra")), ids_now
    groups = fleet.groups()
    assert {name: groups[name]["AutoScalingGroupARN"] for name in arns} == arns
    assert sorted(groups) == fleet.group_names("small", "large", "extra")
    group = groups[f"{fleet.name}-extra"]
    assert group["MaxSize"] == EXTRA_ENTRY["max_instances"]
    assert f"{fleet.name}-extra" in fleet.templates()
    in_config = fleet.config_runners()
    assert set(in_config) == {"small", "large", "extra"}
    assert in_config["extra"]["id"] == ids_now["extra"]
    token = fleet.stored()["extra"]["token"]
    assert in_config["extra"]["token"] == token == fleet.gitlab.current_token(ids_now["extra"])
    assert_counts(fleet.resources(), [*EXAMPLE_RUNNERS, EXTRA_ENTRY])
    return {"id": ids_now["extra"], "arn": group["AutoScalingGroupARN"], "token": token}


def change_the_entry(fleet: Fleet, ids: dict[str, int], extra: dict) -> None:
    """Tags and capacity changed: the runner, the group and config.toml are updated in place."""
    changed = dict(EXTRA_ENTRY, tags=[*EXTRA_ENTRY["tags"], "gpu"], max_instances=3)
    config_before = fleet.config.read_text(encoding="utf-8")
    fleet.gitlab.reset_log()
    assert_succeeded(fleet.converge(runners=[*EXAMPLE_RUNNERS, changed]), "the run that changes an entry")
    assert fleet.gitlab.requests_to("POST", "/user/runners") == 0
    assert fleet.gitlab.requests_to("DELETE", "/runners/:id") == 0
    assert fleet.gitlab.runner_ids(fleet.name) == dict(ids, extra=extra["id"])
    assert sorted(fleet.gitlab.runner(extra["id"])["tag_list"]) == sorted(changed["tags"])
    group = fleet.groups()[f"{fleet.name}-extra"]
    assert group["AutoScalingGroupARN"] == extra["arn"]
    assert group["MaxSize"] == 3
    assert fleet.config.read_text(encoding="utf-8") != config_before
    in_config = fleet.config_runners()["extra"]
    assert in_config["autoscaler"]["max_instances"] == 3
    assert in_config["id"] == extra["id"]
    assert in_config["token"] == extra["token"] == fleet.stored()["extra"]["token"]


def remove_the_entry(fleet: Fleet, ids: dict[str, int], extra: dict) -> None:
    """Its runner, group, template, parameters and section go; the others stay."""
    assert_succeeded(fleet.converge(), "the run that removes an entry")
    assert fleet.gitlab.runner(extra["id"]) is None
    assert fleet.gitlab.runner_ids(fleet.name) == ids
    assert sorted(fleet.groups()) == fleet.group_names("small", "large")
    assert sorted(fleet.templates()) == fleet.group_names("small", "large")
    assert set(fleet.stored()) == {"small", "large"}
    assert set(fleet.config_runners()) == {"small", "large"}
    assert_counts(fleet.resources(), EXAMPLE_RUNNERS)


def test_the_fleet_converges_is_idempotent_and_tears_down(new_fleet) -> None:
    fleet = new_fleet("e2e-main")
    timings: dict[str, float] = {}
    with timed(timings, "first converge"):
        ids = first_converge(fleet)
    with timed(timings, "check"):
        check_mode_sends_no_mutating_request(fleet)
    with timed(timings, "another vpc_cidr refused"):
        refuse_a_new_vpc_cidr(fleet)
    with timed(timings, "preview matrix"):
        assert preview_each_kind_of_change(fleet) == 12
    with timed(timings, "entry added"):
        extra = add_an_entry(fleet, ids)
    with timed(timings, "entry changed"):
        change_the_entry(fleet, ids, extra)
    with timed(timings, "entry removed"):
        remove_the_entry(fleet, ids, extra)
    # Read as a person reads it (the collection's callback, not the JSON report): a few lines, the summary last.
    # It is also the test's no-op (the check run after the first converge predicted none): no heartbeat either.
    with timed(timings, "no-op after the removal"):
        fleet.gitlab.reset_log()
        quiet = fleet.playbook(SITE, extra_vars=fleet.variables, json_report=False)
        assert_a_quiet_no_op(quiet, "the run after the removal", fleet)
        a_no_op_sent_no_heartbeat(fleet, quiet)

    # Teardown: nothing of the fleet is left, in AWS or GitLab; a second teardown changes nothing.
    with timed(timings, "teardown"):
        assert_succeeded(fleet.teardown(), "the teardown")
    left = {kind: found for kind, found in fleet.resources().items() if found}
    assert left == {}, left
    assert fleet.gitlab.runners(fleet.name) == {}
    with timed(timings, "second teardown"):
        assert_no_change(fleet.teardown(), "the second teardown", {"localhost"})


# --- test 2 -----------------------------------------------------------------------------------------------------
def run_killed_at(sandbox, variables: dict, task: str, timeout: float = 300) -> str:
    """Start a first converge of the fleet and SIGKILL its whole process group as soon as the header of the task
    (a part of its name) is printed; the output up to there."""
    # The default callback prints each task's header as the task starts; the checkout's callback (ansible.cfg) prints
    # it only with the task's first shown result.
    environment = sandbox.environment(
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        PYTHONUNBUFFERED="1",
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
    )
    process = subprocess.Popen(
        ctl.playbook_command([str(ANSIBLE_PLAYBOOK), SITE, "--extra-vars", json.dumps(variables)]),
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )

    def kill() -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    watchdog = threading.Timer(timeout, kill)
    watchdog.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if line.startswith("TASK [") and task in line:
                kill()
                break
    finally:
        watchdog.cancel()
        kill()
        process.stdout.close()
        process.wait()
    output = "".join(lines)
    assert process.returncode == -signal.SIGKILL, (
        f"the run ended by itself (rc {process.returncode}):\n{output[-3000:]}"
    )
    assert task in lines[-1], f"the run was killed by the watchdog, not at {task}:\n{output[-3000:]}"
    return output


def killed_in_the_network(fleet: Fleet) -> None:
    resources = fleet.resources()
    assert len(resources["vpcs"]) == 1, resources
    assert len(resources["nat_gateways"]) < EXAMPLE["fleet_network"]["az_count"], resources


def killed_before_the_tokens_were_stored(fleet: Fleet) -> None:
    assert len(fleet.gitlab.runners(fleet.name)) == len(EXAMPLE_RUNNERS)
    assert len([kept for kept in fleet.stored().values() if "token" in kept]) < len(EXAMPLE_RUNNERS)


def killed_before_the_groups(fleet: Fleet) -> None:
    assert len(fleet.templates()) == len(EXAMPLE_RUNNERS)
    assert len(fleet.groups()) < len(EXAMPLE_RUNNERS)


def killed_with_the_manager_launched(fleet: Fleet) -> None:
    assert len(fleet.resources()["instances"]) == 1
    assert not fleet.config.exists()


NAT_GATEWAYS = ("network : Create the NAT gateways", killed_in_the_network)
TOKENS = ("registration : Keep the new tokens and ids in SSM", killed_before_the_tokens_were_stored)
GROUPS = ("worker_pool : Keep each pool's Auto Scaling group", killed_before_the_groups)
MANAGER = ("manager : Terminate the managers beyond manager_count", killed_with_the_manager_launched)


# One first converge killed at four points in the order a run reaches them, each run picking up where the one
# before was killed: in the middle of the network (VPC, subnets, gateway and Elastic IPs made, no NAT gateway yet);
# with the runners created in GitLab but their tokens not stored yet (the hardest case); with the launch templates
# made but no Auto Scaling group yet; with the manager launched, not yet recorded nor configured. After each kill
# the state is checked to be the one the kill point promises; then one run must leave the fleet as an uninterrupted
# run would, and the run after it change nothing. Chained, the four cost one recovery, one no-op and one teardown.
KILLS = [NAT_GATEWAYS, TOKENS, GROUPS, MANAGER]


def test_crash_consistency_with_a_chosen_tag_key(new_fleet) -> None:
    # The fleet's description chooses its own tag key: every run, check and the teardown go by it (tagged_by_its_key).
    fleet = new_fleet("e2e-crash", tag_key=CHOSEN_TAG_KEY)
    timings: dict[str, float] = {}
    torn = None
    try:
        for task, killed_state in KILLS:
            with timed(timings, f"run killed at {task}"):
                run_killed_at(fleet.sandbox, fleet.variables, task)
            killed_state(fleet)
        with timed(timings, "run after the kill"):
            assert_succeeded(fleet.converge(), "the run after the kill")
        with timed(timings, "no-op"):
            assert_no_change(fleet.converge(), "the run after that", {"localhost", fleet.manager})
        assert_as_an_uninterrupted_run_leaves_it(fleet)
        assert_tagged_by_its_key_only(fleet)
        with timed(timings, "teardown"):
            torn = fleet.teardown()
    finally:
        if torn is None:  # a check failed: the fleet goes all the same
            fleet.teardown()
    assert_succeeded(torn, "the teardown")
    assert not any(fleet.resources().values())


CHOSEN_TAG_KEY = "acme:ci-fleet"


def assert_tagged_by_its_key_only(fleet: Fleet) -> None:
    """Every resource carries the fleet's chosen key and none the default one (teardown and the janitor go by the
    chosen key only); the manager's IAM conditions name the chosen key."""
    resources = fleet.resources()
    assert resources["tagged"], "the tagging API finds nothing by the chosen key"
    by_default_key = {kind: found for kind, found in fleet_resources(fleet.aws, fleet.name).items() if found}
    # IAM roles, profiles, the bucket and the parameters are found by name, whatever their tags.
    assert set(by_default_key) <= {"iam_roles", "instance_profiles", "buckets", "ssm_parameters"}, by_default_key
    iam = fleet.aws("iam")
    role = f"{fleet.name}-manager"
    names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    assert names == [f"{fleet.name}-manager"], names
    policy = json.dumps(iam.get_role_policy(RoleName=role, PolicyName=names[0])["PolicyDocument"])
    assert f"/{fleet.tag_key}" in policy, policy
    assert f"/{FLEET_TAG}" not in policy, policy


def assert_as_an_uninterrupted_run_leaves_it(fleet: Fleet) -> None:
    """One runner per entry, its token stored in SSM, accepted by GitLab and in config.toml; one of each resource."""
    names = {entry["name"] for entry in EXAMPLE_RUNNERS}
    runners = fleet.gitlab.runners(fleet.name)
    assert {description: len(same) for description, same in runners.items()} == {
        f"{fleet.name}-{name}": 1 for name in names
    }
    stored = fleet.stored()
    in_config = fleet.config_runners()
    assert set(stored) == set(in_config) == names
    for name, kept in stored.items():
        runner_id = runners[f"{fleet.name}-{name}"][0]["id"]
        assert int(kept["id"]) == runner_id == in_config[name]["id"], name
        assert kept["token"] == fleet.gitlab.current_token(runner_id) == in_config[name]["token"], name
        assert fleet.gitlab.verify(kept["token"]) == 200, name
    resources = fleet.resources()
    assert_counts(resources, EXAMPLE_RUNNERS)
    running = [
        instance["InstanceId"]
        for reservation in fleet.aws("ec2").describe_instances(
            Filters=[
                {"Name": f"tag:{fleet.tag_key}", "Values": [fleet.name]},
                {"Name": "instance-state-name", "Values": ["running"]},
            ]
        )["Reservations"]
        for instance in reservation["Instances"]
    ]
    assert sorted(running) == sorted(resources["instances"])
    assert resources["autoscaling_groups"] == resources["launch_templates"] == fleet.group_names(*names)


# --- test 3 -----------------------------------------------------------------------------------------------------
def base64_forms(secret: str) -> list[str]:
    """What base64 makes of the secret inside a longer text, at each of the three alignments: the characters that
    only the secret's own bytes decide (as tests/integration/test_runner_host.py reads it)."""
    forms = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret.encode()).decode()
        forms.append(encoded[4 if offset else 0 : -4])
    return forms


def leaked(text: str, secrets: dict[str, str]) -> list[str]:
    """The names of the secrets the text holds, as they are or base64-encoded, and any runner token value."""
    found = [name for name, secret in secrets.items() if any(form in text for form in (secret, *base64_forms(secret)))]
    return found + [f"a runner token ({len(token)} characters)" for token in RUNNER_TOKEN.findall(text)]


def fleet_secrets(fleet: Fleet) -> dict[str, str]:
    """Every secret the fleet keeps, by a name for the message: the SecureString parameters (the runners' tokens,
    the docker-machine CA), a private key by each line of its body, and each runner's token as GitLab has it."""
    found = {}
    for page in (
        fleet.aws("ssm")
        .get_paginator("get_parameters_by_path")
        .paginate(Path=f"/runnerfleet/{fleet.name}", Recursive=True, WithDecryption=True)
    ):
        for parameter in page["Parameters"]:
            if parameter["Type"] != "SecureString":
                continue
            body = re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----(.*?)-----END", parameter["Value"], re.DOTALL)
            lines = [line.strip() for line in body.group(1).split()] if body else [parameter["Value"]]
            # A last line of a few characters could turn up anywhere by chance.
            found |= {f"{parameter['Name']} ({index})": line for index, line in enumerate(lines) if len(line) >= 16}
    for name, kept in fleet.stored().items():
        found[f"{name}'s token in GitLab"] = fleet.gitlab.current_token(int(kept["id"]))
    return found


# The second fleet: no docker-autoscaler entry, so it can have two managers; one entry of each other executor.
MIXED_RUNNERS = [MACHINE_ENTRY, DOCKER_GROUP_ENTRY, SHELL_PROJECT_ENTRY]
MIXED_MANAGERS = {**EXAMPLE["fleet_managers"], "count": 2}


def mixed_fleet_case(fleet: Fleet) -> tuple[dict, dict[str, list[tuple]], list[str]]:
    """On the mixed fleet: one manager fewer; the docker+machine entry's instance type, limit, idle policy and tags
    changed; the docker entry's image and limit changed; the shell entry removed."""
    machine = {**MACHINE_ENTRY, "instance_type": "t3.xlarge", "limit": 20, "idle_count": 2, "idle_time": 900,
               "tags": [*MACHINE_ENTRY["tags"], "big"]}  # fmt: skip
    docker = {**DOCKER_GROUP_ENTRY, "image": "alpine:3.21", "limit": 3}
    overrides = {"fleet_runners": [machine, docker], "fleet_managers": EXAMPLE["fleet_managers"]}
    first = fleet.manager
    expected = {
        "remove a manager": [("Terminate the managers beyond manager_count", None, "localhost")],
        "change a docker+machine entry": [
            ("Create or update the runners in GitLab", None, "localhost"),
            ("Compare config.toml with the host's (tokens masked)", None, first),
        ],
        "change a docker entry": [("Compare config.toml with the host's (tokens masked)", None, first)],
        "remove a shell entry": [
            ("Delete the runners of entries no longer described", None, "localhost"),
            ("Delete the SSM parameters of entries no longer described", "sh/token", "localhost"),
        ],
    }
    summary = [
        "entry machine: docker+machine on t3.xlarge in ",
        "runner sh: a real run would remove it",
        f"manager {fleet.name}-manager-2: a real run would terminate it",
        f"config.toml on {first}: a real run would change it",
    ]
    return overrides, expected, summary


def mixed_fleet_previewed_in_gitlab_and_config(fleet: Fleet, run) -> None:
    """GitLab: the docker+machine runner updated, the shell runner deleted; config.toml's diff shows the new
    instance type, image and limit, tokens masked."""
    ids = fleet.gitlab.runner_ids(fleet.name)
    reported = sorted(result["msg"] for result in task_results(run, "Report the runners GitLab changed"))
    assert reported == [f"{fleet.name}-machine (id {ids['machine']}): update"], reported
    (compared,) = task_results(run, "Compare config.toml with the host's (tokens masked)", fleet.manager)
    diff = json.dumps(compared)
    for shown in ("amazonec2-instance-type=t3.xlarge", "alpine:3.21", "limit = 20", "[MASKED]"):
        assert shown in diff, (shown, diff[-3000:])
    assert RUNNER_TOKEN.findall(diff) == []


# A summary line that says what a run did to a resource, or what a real run would do: (what, the verb as done).
SAID = re.compile(
    r"^(?P<what>(?:runner|worker group|manager) \S+|config\.toml on \S+): .*?"
    r"(?:a real run would (?P<would>[\w-]+) it|(?P<did>[\w-]+) in this run)"
)
DONE_AS = {"create": "created", "update": "updated", "re-key": "re-keyed", "remove": "removed",
           "terminate": "terminated", "launch": "launched", "change": "changed"}  # fmt: skip


def said_done(lines: list[str]) -> dict[str, str]:
    """{resource: what was done to it} from a summary; a preview's "would update" reads as "updated"."""
    found = {}
    for line in lines:
        match = SAID.match(line)
        if match:
            found[match["what"]] = DONE_AS[match["would"]] if match["would"] else match["did"]
    return found


def test_a_mixed_fleet_on_two_managers_previews_and_hides_its_secrets(new_fleet) -> None:
    """A fleet of docker+machine, docker and shell entries on two managers (what the main test's docker-autoscaler
    entries do not allow): its -vvv converge and teardown print no secret (the runners' tokens, the docker-machine
    CA key, the API token, the AWS key); the preview of one manager fewer, a changed docker+machine and docker entry
    and a removed shell entry predicts each, and the real run then does what the preview said, resource by
    resource, as the two summaries say it."""
    fleet = new_fleet("e2e-mixed")
    endpoints = fleet.sandbox.endpoints
    secrets = {
        "GITLAB_API_TOKEN": endpoints["GITLAB_API_TOKEN"],
        "the GitLab admin token": fleet.gitlab.token,
        "AWS_SECRET_ACCESS_KEY": endpoints["AWS_SECRET_ACCESS_KEY"],
    }
    variables = {**fleet.variables, "fleet_runners": MIXED_RUNNERS, "fleet_managers": MIXED_MANAGERS}
    timings: dict[str, float] = {}
    runs = {}
    try:
        with timed(timings, "-vvv converge"):
            runs["converge"] = fleet.playbook(
                SITE, "-vvv", extra_vars={**variables, "summary_show_config": True}, json_report=False
            )
        assert runs["converge"].returncode == 0, runs["converge"].output[-4000:] + runs["converge"].stderr[-2000:]
        assert 'token = "[MASKED]"' in runs["converge"].output  # the summary's config.toml, masked
        assert set(fleet.stored()) == {entry["name"] for entry in MIXED_RUNNERS}
        assert len(fleet.resources()["instances"]) == 2
        secrets |= fleet_secrets(fleet)

        overrides, expected, summary_expected = mixed_fleet_case(fleet)
        with timed(timings, "preview"):
            preview = previewed(fleet, overrides, expected, summary_expected)
        mixed_fleet_previewed_in_gitlab_and_config(fleet, preview)
        with timed(timings, "the previewed change"):
            real = fleet.playbook(SITE, extra_vars={**fleet.variables, **overrides})
        assert_succeeded(real, "the run the preview previewed")
        foretold = said_done(summary_lines(preview))
        assert foretold == {
            "runner machine": "updated",
            "runner sh": "removed",
            f"manager {fleet.name}-manager-2": "terminated",
            f"config.toml on {fleet.manager}": "changed",
        }, summary_lines(preview)
        assert said_done(summary_lines(real)) == foretold, (summary_lines(preview), summary_lines(real))
        assert len(fleet.resources()["instances"]) == 1
        assert set(fleet.gitlab.runner_ids(fleet.name)) == {"machine", "local"}
    finally:
        with timed(timings, "-vvv teardown"):
            runs["teardown"] = fleet.teardown("-vvv", json_report=False)
    assert runs["teardown"].returncode == 0, runs["teardown"].output[-4000:] + runs["teardown"].stderr[-2000:]
    assert len(secrets) > 20  # the tokens and the CA key's lines were found
    for what, run in runs.items():
        found = leaked(run.output + run.stderr, secrets)
        assert not found, f"the -vvv {what} printed {found}"
        assert "PRIVATE KEY" not in run.output + run.stderr, what


# --- pre-flight: AWS and GitLab must answer and accept the credentials --------------------------------------------
def sandbox_gitlab_hook(sandbox, method: str, path: str, body: dict | None = None) -> None:
    """Call one of the sandbox GitLab's test hooks (sandbox/gitlab/README.md)."""
    response = requests.request(
        method,
        f"{sandbox.endpoints['GITLAB_URL']}/-/sandbox/{path}",
        json=body,
        headers={"PRIVATE-TOKEN": sandbox.endpoints["GITLAB_API_TOKEN"]},
        timeout=10,
    )
    response.raise_for_status()


def test_preflight_fails_clearly_and_quickly_when_aws_does_not_answer(playbook) -> None:
    closed = ctl.free_port()
    started = time.monotonic()
    run = playbook(SITE, env={"AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed}"})
    assert run.returncode != 0
    assert time.monotonic() - started < 120
    message = run.final_failure
    assert "AWS did not confirm an identity" in message
    assert f"http://127.0.0.1:{closed}" in message
    assert "make sandbox" in message


def test_the_gitlab_check_rides_out_a_transient_fault(playbook, sandbox) -> None:
    sandbox_gitlab_hook(sandbox, "PUT", "faults", {"kinds": ["502"], "count": 1, "path": "/api/v4/version"})
    try:
        run = playbook(PREFLIGHT)
    finally:
        sandbox_gitlab_hook(sandbox, "DELETE", "faults")
    assert run.returncode == 0, run.failure_text()


def test_a_refused_gitlab_token_fails_with_a_named_cause_and_stays_hidden(playbook) -> None:
    wrong = "glpat-wrong-token-0123456789"
    run = playbook(SITE, "-vvv", json_report=False, env={"GITLAB_API_TOKEN": wrong})
    assert run.returncode != 0
    assert "status 401" in run.output
    assert "fleet_gitlab_api_token" in run.output
    assert wrong not in run.output + run.stderr


def test_an_unreachable_gitlab_fails_with_a_named_cause(playbook) -> None:
    closed = ctl.free_port()
    run = playbook(SITE, env={"GITLAB_URL": f"http://127.0.0.1:{closed}"})
    assert run.returncode != 0
    message = run.final_failure
    assert f"GitLab at http://127.0.0.1:{closed} did not answer" in message
    assert "fleet_gitlab_url" in message
