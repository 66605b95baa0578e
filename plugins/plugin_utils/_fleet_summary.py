# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lines site.yml ends with (playbooks/summary.yml): what the fleet is and what this run changed, from the
results the roles registered. Never a token: none of those results holds one.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_fleet import (
    DEFAULT_IDLE_TIME,
    DEFAULT_INSTANCE_TYPE,
    entry_limit,
)


def summary_lines(
    fleet: Mapping,
    *,
    network: Mapping | None = None,
    cache: Mapping | None = None,
    registration: Mapping | None = None,
    worker_pools: Mapping | None = None,
    managers: Mapping | None = None,
    hosts: Mapping | None = None,
    label: str = "",
    preview: bool = False,
    entries: Sequence[Mapping] = (),
    pools: Sequence[Mapping] = (),
) -> list[str]:
    """One line for the fleet, its network and bucket, each runner with a line of its entry's workers after it,
    each manager and each host's config.toml; a role that did not run adds nothing (or 'none'). In a preview (check
    mode) the lines say what a real run would do, since this one changed nothing.

    `entries` are the plan's runner entries as the managers get them (fleet_plan.runner_host.runners) and `pools`
    the plan's worker pools (fleet_plan.worker_pool.pools): what each entry runs its jobs on."""
    network, cache, registration = network or {}, cache or {}, registration or {}
    notes = [label] if label else []
    notes += ["check mode: nothing was changed"] if preview else []
    lines = [f"fleet {fleet['name']} in {fleet['region']}" + (f" ({'; '.join(notes)})" if notes else "")]
    private = ", ".join(subnet["id"] for subnet in network.get("private_subnets") or []) or "none"
    lines.append(f"network: {network.get('vpc_id') or 'none'}, private subnets {private}")
    lines.append(f"cache bucket: {cache.get('bucket') or 'none'}")
    workers = Workers(pools, (worker_pools or {}).get("pools") or {}, network.get("private_subnets") or [], preview)
    lines += runner_lines(registration.get("runners") or [], [workers.line(entry) for entry in entries], preview)
    removed = "a real run would remove it" if preview else "removed in this run"
    lines += [f"runner {name}: {removed}" for name in registration.get("removed") or []]
    lines += [f"worker group {name}: {removed}" for name in (worker_pools or {}).get("removed") or []]
    managers = managers or {}
    lines += [manager_line(instance, preview) for instance in managers.get("instances") or []]
    terminated = "a real run would terminate it" if preview else "terminated in this run"
    lines += [f"manager {name}: {terminated}" for name in managers.get("removed") or []]
    lines += [host_line(host, result or {}, preview) for host, result in (hosts or {}).items()]
    return lines


# What the gitlab_runner module did to a runner (its result's operation), as a summary says it.
DONE = {"create": "created", "update": "updated", "re-key": "re-keyed", "delete": "deleted"}


def runner_line(runner: Mapping, preview: bool = False) -> str:
    tags = ", ".join(runner.get("tags") or []) or "none"
    if runner.get("id") is None:
        head = f"runner {runner['name']}: not in GitLab yet"
    else:
        head = f"runner {runner['name']}: GitLab id {runner['id']}, {contact(runner)}"
    operation = runner.get("operation") or ("update" if runner.get("changed") else "none")
    done = ""
    if operation in DONE:
        done = f", a real run would {operation} it" if preview else f", {DONE[operation]} in this run"
    return f"{head}, tags {tags}{done}"


def contact(runner: Mapping) -> str:
    """GitLab's view of a runner as its own managers left it (the fleet sends GitLab no heartbeat): its status, its
    last contact and the managers that made it, or plainly that none has yet."""
    managers = runner.get("managers") or []
    contacted_at = runner.get("contacted_at")
    if runner["status"] == "never_contacted":
        return "never_contacted (no manager has contacted it yet)"
    text = f"{runner['status']}, last contact {contacted_at}" if contacted_at else str(runner["status"])
    if managers:
        seen = [f"{item.get('system_id')} ({item.get('version') or 'version unknown'}, {item.get('status')})"
                for item in managers]  # fmt: skip
        text += f" from {len(managers)} manager{'s' if len(managers) > 1 else ''}: {', '.join(seen)}"
    return text


def runner_lines(runners: Sequence[Mapping], entry_lines: Sequence[tuple[str, str]], preview: bool) -> list[str]:
    """Each runner's GitLab line, its entry's line after it; an entry GitLab was not asked about (the registration
    did not run) still gets its own."""
    entry_line_of = dict(entry_lines)
    lines = []
    for runner in runners:
        lines.append(runner_line(runner, preview))
        if runner["name"] in entry_line_of:
            lines.append(entry_line_of.pop(runner["name"]))
    return lines + list(entry_line_of.values())


class Workers:
    """What an entry runs its jobs on, as one line: the executor, the instance types, the capacity, spot or
    on-demand, and the worker group (docker-autoscaler) or docker-machine's settings (docker+machine)."""

    def __init__(self, planned: Sequence[Mapping], made: Mapping, subnets: Sequence[Mapping], preview: bool) -> None:
        self.planned = {pool["entry"]: pool for pool in planned}
        self.made = made
        # docker-machine starts a worker in the entry's zone, else in the first worker subnet's (_runner_fleet).
        self.first_zone = next((subnet.get("zone") for subnet in subnets if subnet.get("zone")), "")
        self.preview = preview

    def line(self, entry: Mapping) -> tuple[str, str]:
        """(entry name, line)."""
        name, executor = entry["name"], entry["executor"]
        if executor == "docker-autoscaler":
            facts = self.autoscaler(self.planned[name]) if name in self.planned else [executor]
        elif executor == "docker+machine":
            facts = self.machine(entry)
        else:
            facts = [f"{executor} on the managers", f"limit {jobs(entry_limit(entry))}"]
        return name, f"entry {name}: " + "; ".join(facts)

    def autoscaler(self, pool: Mapping) -> list[str]:
        max_instances, per_instance = pool["max_instances"], pool["capacity_per_instance"]
        return [
            f"docker-autoscaler on {', '.join(pool['instance_types'])}",
            f"capacity {max_instances} instances x {per_instance} = {jobs(max_instances * per_instance)}",
            spot_text(pool["spot"], f"on-demand base {pool['on_demand_base']}, {pool['spot_allocation_strategy']}"),
            self.worker_group(pool),
        ]

    def worker_group(self, pool: Mapping) -> str:
        """The group, its launch template, and what the run did to them (worker_pool_result's operation)."""
        made = self.made.get(pool["entry"]) or {}
        template = made.get("launch_template_id")
        text = f"worker group {pool['group_name']}" + (f" (launch template {template})" if template else "")
        # Without the role's record (it did not run), check mode predicts a pool it has not made.
        operation = made.get("operation") or ("create" if self.preview and not template else "none")
        return text + said(operation, self.preview, made.get("changes") or [])

    def machine(self, entry: Mapping) -> list[str]:
        instance_type = entry.get("instance_type") or DEFAULT_INSTANCE_TYPE
        zone = entry.get("zone") or self.first_zone or "the first worker subnet's zone"
        # The plan resolves the AMI; left empty (no default image read yet), docker-machine picks its own.
        ami = entry.get("ami") or "docker-machine's default"
        price = f"max price {entry['spot_price']}" if entry.get("spot_price") else "no max price"
        idle = f"keeps {entry.get('idle_count', 0)} idle, idle time {entry.get('idle_time', DEFAULT_IDLE_TIME)} s"
        return [
            f"docker+machine on {instance_type} in {zone}, AMI {ami}",
            f"limit {jobs(entry_limit(entry))}, {idle}",
            spot_text(entry.get("spot", True), price),
        ]


def jobs(count: int) -> str:
    return f"{count} job" if count == 1 else f"{count} jobs"


def spot_text(spot: bool, details: str) -> str:
    return f"spot ({details})" if spot else "on-demand"


def manager_line(instance: Mapping, preview: bool = False) -> str:
    """A launched manager by its instance and what the run did to it; one check mode has not launched yet by what a
    real run would do."""
    if instance.get("instance_id"):
        head = f"manager {instance['name']}: {instance['instance_id']} {instance['private_ip']} in {instance['zone']}"
        return head + said(instance.get("operation") or "none", preview, instance.get("changes") or [])
    where = f" in subnet {instance['subnet_id']}" if instance.get("subnet_id") else ""
    return f"manager {instance['name']}: " + (f"a real run would launch it{where}" if preview else "not launched")


# What a role did to a resource (its result's operation), as the summary says it after the resource's line.
OPERATION_DONE = {"create": "created", "update": "updated", "launch": "launched"}


def said(operation: str, preview: bool, changes: Sequence[str]) -> str:
    """', a real run would update it (what differs)' in check mode, ', updated in this run (what differed)' after a
    real run; nothing for none."""
    if operation not in OPERATION_DONE:
        return ""
    text = f", a real run would {operation} it" if preview else f", {OPERATION_DONE[operation]} in this run"
    return text + (f" ({'; '.join(changes)})" if changes else "")


def host_line(host: str, result: Mapping, preview: bool = False) -> str:
    changed = "a real run would change it" if preview else "changed in this run"
    text = f"config.toml on {host}: " + (changed if result.get("config_changed") else "unchanged")
    reasons = ", ".join(result.get("restart_reasons") or [])
    if result.get("restarted"):
        text += f"; restarted ({reasons})"
    elif reasons:
        text += f"; restart needed ({reasons})"
    return text
