# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lines site.yml ends with (playbooks/summary.yml): what the fleet is and what this run changed, from the
results the roles registered. Never a token: none of those results holds one.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

from collections.abc import Mapping


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
) -> list[str]:
    """One line for the fleet, its network and bucket, each runner, worker group and manager, each host's
    config.toml; a role that did not run adds nothing (or 'none'). In a preview (check mode) the lines say what a
    real run would do, since this one changed nothing."""
    network, cache, registration = network or {}, cache or {}, registration or {}
    notes = [label] if label else []
    notes += ["check mode: nothing was changed"] if preview else []
    lines = [f"fleet {fleet['name']} in {fleet['region']}" + (f" ({'; '.join(notes)})" if notes else "")]
    private = ", ".join(subnet["id"] for subnet in network.get("private_subnets") or []) or "none"
    lines.append(f"network: {network.get('vpc_id') or 'none'}, private subnets {private}")
    lines.append(f"cache bucket: {cache.get('bucket') or 'none'}")
    lines += [runner_line(runner, preview) for runner in registration.get("runners") or []]
    removed = "a real run would remove it" if preview else "removed in this run"
    lines += [f"runner {name}: {removed}" for name in registration.get("removed") or []]
    for name, pool in ((worker_pools or {}).get("pools") or {}).items():
        template = pool["launch_template_id"]
        lines.append(f"worker group {pool['autoscaling_group_name']} (entry {name}, launch template {template})")
    lines += [manager_line(instance, preview) for instance in (managers or {}).get("instances") or []]
    lines += [host_line(host, result or {}, preview) for host, result in (hosts or {}).items()]
    return lines


# What the gitlab_runner module did to a runner (its result's operation), as a summary says it.
DONE = {"create": "created", "update": "updated", "re-key": "re-keyed", "delete": "deleted"}


def runner_line(runner: Mapping, preview: bool = False) -> str:
    tags = ", ".join(runner.get("tags") or []) or "none"
    if runner.get("id") is None:
        head = f"runner {runner['name']}: not in GitLab yet"
    else:
        head = f"runner {runner['name']}: GitLab id {runner['id']}, {runner['status']}"
    operation = runner.get("operation") or ("update" if runner.get("changed") else "none")
    done = ""
    if operation in DONE:
        done = f", a real run would {operation} it" if preview else f", {DONE[operation]} in this run"
    return f"{head}, tags {tags}{done}"


def manager_line(instance: Mapping, preview: bool = False) -> str:
    """A launched manager by its instance; one check mode has not launched yet by what a real run would do."""
    if instance.get("instance_id"):
        return f"manager {instance['name']}: {instance['instance_id']} {instance['private_ip']} in {instance['zone']}"
    where = f" in subnet {instance['subnet_id']}" if instance.get("subnet_id") else ""
    return f"manager {instance['name']}: " + (f"a real run would launch it{where}" if preview else "not launched")


def host_line(host: str, result: Mapping, preview: bool = False) -> str:
    changed = "a real run would change it" if preview else "changed in this run"
    text = f"config.toml on {host}: " + (changed if result.get("config_changed") else "unchanged")
    reasons = ", ".join(result.get("restart_reasons") or [])
    if result.get("restarted"):
        text += f"; restarted ({reasons})"
    elif reasons:
        text += f"; restart needed ({reasons})"
    return text
