# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the managers go and what the manager role records of them, as small functions rather than Jinja programs.

- `placement`: each manager's subnet, the managers spread in order over the subnets;
- `records`: manager_result's instances, one per planned manager (the oldest instance of a name first), with what
  is known of a manager not launched yet (check mode before the first run) and what the run does to each;
- `launch_drift`: what differs in what applies at launch only (the subnet, the AMI), said and not done.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence


def placement(names: Sequence[str], subnet_ids: Sequence[str]) -> list[dict]:
    """[{name, subnet_id}]: the n-th manager in the (n mod subnets)-th subnet."""
    return [{"name": name, "subnet_id": subnet_ids[index % len(subnet_ids)]} for index, name in enumerate(names)]


def records(
    names: Sequence[str], instances: Sequence[Mapping], subnet_ids: Sequence[str], before: Sequence[Mapping] = ()
) -> list[dict]:
    """One record per instance named after a planned manager, oldest first; a name with no instance gets an empty
    id and its planned subnet.

    `before` is fleet_manager_info's `managers`, read before the run changed anything: each record then says what
    the run did, or in check mode what a real run would do, to that manager (`operation`: launch, update or none)
    and what differed (`changes`)."""
    planned = {item["name"]: item["subnet_id"] for item in placement(names, subnet_ids)} if subnet_ids else {}
    read = {item["name"]: item for item in before}
    found = []
    for name in names:
        outcome = operation(read.get(name))
        same_name = [each for each in instances if (each.get("tags") or {}).get("Name") == name]
        for instance in sorted(same_name, key=lambda each: str(each.get("launch_time", ""))):
            found.append(
                {
                    "name": name,
                    "instance_id": instance["instance_id"],
                    "private_ip": instance.get("private_ip_address") or "",
                    "subnet_id": instance.get("subnet_id") or "",
                    "zone": (instance.get("placement") or {}).get("availability_zone") or "",
                    **outcome,
                }
            )
        if not same_name:
            found.append(
                {
                    "name": name,
                    "instance_id": "",
                    "private_ip": "",
                    "subnet_id": planned.get(name, ""),
                    "zone": "",
                    **outcome,
                }
            )
    return found


def operation(read: Mapping | None) -> dict:
    """{operation, changes} for one manager as fleet_manager_info read it before the run: launch when it had no
    instance, update when it differed from the plan (each difference without the "manager <name> <id>: " that
    the read starts it with), none when it matched or was not read."""
    if read is None or read.get("in_sync", True):
        return {"operation": "none", "changes": []}
    if not read.get("instance_ids"):
        return {"operation": "launch", "changes": []}
    prefix = re.compile(rf"^manager {re.escape(read['name'])}( i-[0-9a-f]+)?: ")
    return {"operation": "update", "changes": [prefix.sub("", sentence) for sentence in read.get("drift") or []]}


def launch_drift(
    recorded: Sequence[Mapping], instances: Sequence[Mapping], names: Sequence[str], subnet_ids: Sequence[str], ami: str
) -> list[str]:
    """One sentence per launched manager whose subnet or AMI is not the planned one."""
    planned = {item["name"]: item["subnet_id"] for item in placement(names, subnet_ids)} if subnet_ids else {}
    by_id = {instance["instance_id"]: instance for instance in instances}
    drift = []
    for record in recorded:
        instance = by_id.get(record["instance_id"])
        if instance is None:
            continue
        wanted = planned.get(record["name"])
        if wanted and instance.get("subnet_id") != wanted:
            drift.append(f"{record['name']} is in {instance.get('subnet_id')}, not {wanted}")
        if instance.get("image_id") != ami:
            drift.append(f"{record['name']} runs {instance.get('image_id')}, not {ami}")
    return drift
