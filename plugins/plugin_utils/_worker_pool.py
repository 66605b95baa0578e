# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The worker_pool role's arguments: from the plan's pools and the AWS facts to what its keep tasks send.

`pool_arguments(pools, ...)` turns the plan's `worker_pool.pools` (plugin_utils/_fleet_plan.py, every setting of an
entry resolved there) and the facts the network and security roles registered (subnets, the workers' security group
and instance profile) into one element per pool: `launch_template`, the options of amazon.aws.ec2_launch_template,
and `autoscaling_group`, the options of fleeting_autoscaling_group (without `launch_template_id`, which AWS gives).
The role's keep tasks pass exactly these, and fleet_worker_pool_info compares AWS with exactly these: a setting is
added here, once, or the read would not see it differ.

`pool_record(pools, current, templates, groups)` is the role's result fact: each pool's launch template id and Auto
Scaling group ARN, from the keep tasks' answers where they ran, else from the read.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

DEFAULT_METADATA_HOP_LIMIT = 2
DEFAULT_SUSPENDED_PROCESSES = ("AZRebalance",)
# The group's version of its launch template: every new version applies to the instances launched next.
LAUNCH_TEMPLATE_VERSION = "$Latest"
# The group's capacity when it is created; the fleeting plugin owns it afterwards (fleeting_autoscaling_group sends
# it only on create).
INITIAL_CAPACITY = 0
# What a pool of the plan must hold for its arguments (the plan's other keys, such as capacity_per_instance, are
# config.toml's).
POOL_KEYS = (
    "entry",
    "template_name",
    "group_name",
    "ami",
    "instance_types",
    "on_demand_base",
    "on_demand_percentage",
    "spot_allocation_strategy",
    "max_instances",
    "root_size",
    "volume_type",
    "tags",
)


class PoolError(ValueError):
    """The pools or the AWS facts cannot make arguments; the message names the value at fault."""


def pool_arguments(
    pools: object,
    *,
    subnet_ids: object = None,
    security_group_id: object = None,
    instance_profile: object = None,
    default_ami: object = "",
    ebs_kms_key_id: object = "",
    metadata_hop_limit: object = DEFAULT_METADATA_HOP_LIMIT,
    suspended_processes: object = DEFAULT_SUSPENDED_PROCESSES,
    variable: object = "pools",
) -> list[dict]:
    """[{name, launch_template, autoscaling_group}] for the plan's pools, in their order."""
    if not isinstance(variable, str):
        raise PoolError("variable must be a string (the pools' variable name)")
    checked = check_pools(pools, variable)
    subnets = string_list(subnet_ids, "subnet_ids")
    processes = string_list(suspended_processes, "suspended_processes")
    for name, value in (
        ("security_group_id", security_group_id),
        ("instance_profile", instance_profile),
        ("default_ami", default_ami),
        ("ebs_kms_key_id", ebs_kms_key_id),
    ):
        if not isinstance(value, str):
            raise PoolError(f"{name} must be a string; got {type(value).__name__}")
    if isinstance(metadata_hop_limit, bool) or not isinstance(metadata_hop_limit, int):
        raise PoolError(f"metadata_hop_limit must be an integer; got {metadata_hop_limit!r}")
    arguments = []
    for index, pool in enumerate(checked):
        ami = pool["ami"] or default_ami
        if not ami:
            raise PoolError(
                f"{variable}[{index}].ami (entry {pool['entry']}) is empty and no default AMI was given: give the "
                "plan one (the entry's ami or fleet_worker_ami) or pass default_ami"
            )
        arguments.append(
            {
                "name": pool["entry"],
                "launch_template": launch_template(
                    pool,
                    ami=ami,
                    security_group_id=security_group_id,
                    instance_profile=instance_profile,
                    ebs_kms_key_id=ebs_kms_key_id,
                    metadata_hop_limit=metadata_hop_limit,
                ),
                "autoscaling_group": autoscaling_group(pool, subnet_ids=subnets, suspended_processes=processes),
            }
        )
    return arguments


def launch_template(
    pool: Mapping,
    *,
    ami: str,
    security_group_id: str,
    instance_profile: str,
    ebs_kms_key_id: str,
    metadata_hop_limit: int,
) -> dict:
    """amazon.aws.ec2_launch_template's options. IMDSv2 only; the hop limit (2 by default) lets job containers on the
    Docker bridge reach it. One network interface, no public IP. The encrypted root volume names no device: it is the
    AMI's root device, which fleet_worker_pool_info reads and the role adds. Instances and volumes carry the tags."""
    ebs = {
        "encrypted": True,
        "volume_size": pool["root_size"],
        "volume_type": pool["volume_type"],
        "delete_on_termination": True,
    }
    if ebs_kms_key_id:
        ebs["kms_key_id"] = ebs_kms_key_id
    tags = dict(pool["tags"])
    return {
        "template_name": pool["template_name"],
        "image_id": ami,
        "iam_instance_profile": instance_profile,
        "metadata_options": {
            "http_endpoint": "enabled",
            "http_tokens": "required",
            "http_put_response_hop_limit": metadata_hop_limit,
            "instance_metadata_tags": "disabled",
        },
        "network_interfaces": [
            {
                "device_index": 0,
                "associate_public_ip_address": False,
                "delete_on_termination": True,
                "groups": [security_group_id],
            }
        ],
        "block_device_mappings": [{"ebs": ebs}],
        "tag_specifications": [
            {"resource_type": "instance", "tags": tags},
            {"resource_type": "volume", "tags": dict(tags)},
        ],
        "tags": dict(tags),
        "purge_tags": True,
    }


def autoscaling_group(pool: Mapping, *, subnet_ids: list[str], suspended_processes: list[str]) -> dict:
    """fleeting_autoscaling_group's options, without launch_template_id: minimum 0, the mixed instances policy, new
    instances protected from scale in, no scaling policy, the tags propagated at launch. The desired capacity applies
    only when the group is created."""
    return {
        "name": pool["group_name"],
        "launch_template_version": LAUNCH_TEMPLATE_VERSION,
        "instance_types": list(pool["instance_types"]),
        "on_demand_base_capacity": pool["on_demand_base"],
        "on_demand_percentage_above_base_capacity": pool["on_demand_percentage"],
        "spot_allocation_strategy": pool["spot_allocation_strategy"],
        "min_size": 0,
        "max_size": pool["max_instances"],
        "desired_capacity": INITIAL_CAPACITY,
        "subnets": list(subnet_ids),
        "protect_from_scale_in": True,
        "suspended_processes": list(suspended_processes),
        "tags": dict(pool["tags"]),
        "propagate_tags": True,
    }


def pool_record(pools: object, current: object, templates: object = (), groups: object = ()) -> dict[str, dict]:
    """By entry: launch_template_id, launch_template_name, autoscaling_group_name, autoscaling_group_arn, and what
    the run does to the pool (pool_operation()).

    current is fleet_worker_pool_info's result (its pools, found by name); templates and groups are the results of
    the keep tasks' loops (each with its item, an element of pool_arguments()). An id or ARN a keep task answered
    wins; else the read's; else '' (check mode, for what does not exist yet)."""
    checked = check_pools(pools, "pools")
    if not isinstance(current, Mapping):
        raise PoolError("current must be fleet_worker_pool_info's result (a mapping)")
    read = current.get("pools") or {}
    template_ids = answered(templates, "templates", "template", "launch_template_id")
    group_arns = answered(groups, "groups", "group", "arn")
    record = {}
    for pool in checked:
        entry = pool["entry"]
        found = read.get(entry) or {}
        record[entry] = {
            "launch_template_id": template_ids.get(entry) or found.get("launch_template_id") or "",
            "launch_template_name": pool["template_name"],
            "autoscaling_group_name": pool["group_name"],
            "autoscaling_group_arn": group_arns.get(entry) or found.get("autoscaling_group_arn") or "",
            **pool_operation(found),
        }
    return record


def pool_operation(found: Mapping) -> dict:
    """{operation, changes}: what the run does to a pool (in check mode, what a real run would do), from the read
    before it, which decides which pools the keep tasks run for: create when neither the launch template nor the
    group was found, update when either differs from the plan (changes: what differs), none when both match."""
    if not found.get("launch_template_id") and not found.get("autoscaling_group_arn"):
        return {"operation": "create", "changes": []}
    if found.get("in_sync", False):
        return {"operation": "none", "changes": []}
    return {"operation": "update", "changes": list(found.get("drift") or [])}


def answered(results: object, name: str, key: str, field: str) -> dict[str, str]:
    """{pool name: value} from a loop's registered results (skipped ones and those without the value left out)."""
    if results is None:
        return {}
    if not isinstance(results, Sequence) or isinstance(results, str):
        raise PoolError(f"{name} must be the keep task's registered results (a list)")
    values = {}
    for result in results:
        if not isinstance(result, Mapping):
            raise PoolError(f"{name} must be the keep task's registered results (a list of mappings)")
        item = result.get("item")
        answer = result.get(key)
        if isinstance(item, Mapping) and isinstance(answer, Mapping) and answer.get(field):
            values[item.get("name")] = answer[field]
    return values


def check_pools(pools: object, variable: str) -> list[Mapping]:
    if not isinstance(pools, Sequence) or isinstance(pools, str):
        raise PoolError(f"{variable} must be the plan's worker_pool.pools (a list); got {type(pools).__name__}")
    for index, pool in enumerate(pools):
        if not isinstance(pool, Mapping):
            raise PoolError(f"{variable}[{index}] must be a pool of the plan (a mapping); got {type(pool).__name__}")
        missing = [key for key in POOL_KEYS if key not in pool]
        if missing:
            raise PoolError(f"{variable}[{index}] lacks {', '.join(missing)}; is it a pool of the fleet's plan?")
    return list(pools)


def string_list(value: object, name: str) -> list[str]:
    if not isinstance(value, Sequence) or isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise PoolError(f"{name} must be a list of strings; got {value!r}")
    return list(value)
