# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From the fleet's runner entries and AWS facts to the config.toml dictionary GitLab Runner reads.

`fleet_config(runners, ...)` builds the content of config.toml, shaped as the runner's structs are, for
`_runner_config.render` to check and write: one `[[runners]]` table per entry, with the executor's own tables
(docker-machine's MachineOptions on the fleet's private subnet, its security group and instance profile, IMDSv2
and encrypted volumes; the fleeting plugin naming the entry's Auto Scaling group; the S3 cache reached with the
instance profile's credentials, never static keys), and the entry's `config` passed through on top.

It checks what only the fleet knows (an entry needs an AMI, a subnet in its zone, a unique name, ...), and raises
FleetError naming each entry by its index in the variable it came from. What the runner itself would refuse is
left to `_runner_config.normalize`.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

EXECUTORS = ("docker-autoscaler", "docker+machine", "docker", "shell", "custom")
DOCKER_IMAGE_EXECUTORS = frozenset({"docker-autoscaler", "docker+machine", "docker"})
# A name goes into docker-machine names, Auto Scaling group names and SSM paths: keep it to what all of them take.
ENTRY_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?\Z")
AWS_ZONE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d[a-z]\Z")
# docker-machine's amazonec2-tags is "key1,value1,key2,value2": a comma inside a key or value would shift the pairs.
TAG_SEPARATOR = ","
DEFAULT_IMAGE = "alpine:3.20"
DEFAULT_MACHINE_LIMIT = 10
DEFAULT_IDLE_TIME = 1800
DEFAULT_ROOT_SIZE = 30
DEFAULT_VOLUME_TYPE = "gp3"
DEFAULT_INSTANCE_TYPE = "m5.large"
DEFAULT_FLEETING_PLUGIN = "aws"
# docker-machine's Ubuntu default and Amazon Linux's user: what each executor's usual AMI calls its login.
DEFAULT_SSH_USER = {"docker+machine": "ubuntu", "docker-autoscaler": "ec2-user"}
S3_SERVER_ADDRESS = "s3.amazonaws.com"
# The runner's container needs the instance metadata one hop further than the host: 2, not 1.
METADATA_HOP_LIMIT = 2
ENTRY_KEYS = frozenset(
    {
        "name",
        "executor",
        "id",
        "token",
        "token_obtained_at",
        "token_expires_at",
        "token_parameter",
        "limit",
        "request_concurrency",
        "image",
        "privileged",
        "cache",
        "cache_shared",
        "instance_type",
        "spot",
        "spot_price",
        "ami",
        "root_size",
        "volume_type",
        "zone",
        "ssh_user",
        "idle_count",
        "idle_time",
        "max_builds",
        "max_instances",
        "capacity_per_instance",
        "autoscaling",
        "autoscaling_group",
        "config",
    }
)
# A runner a check-mode run previews before GitLab has made it (or re-keys it): its section shows what a real run
# writes, with these in place of the id and token GitLab gives (the token is masked in every diff and report).
PENDING_ID = 0
PENDING_TOKEN = "glrt-not-created-yet"  # noqa: S105 - a placeholder, never a token


def pending_token(name: str) -> str:
    """The placeholder token of an entry a preview has no token for: one per entry, since config.toml may not hold
    one token twice."""
    return f"{PENDING_TOKEN}-{name}"


def is_pending_token(token: object) -> bool:
    return isinstance(token, str) and (token == PENDING_TOKEN or token.startswith(f"{PENDING_TOKEN}-"))


# What the registration adds to an entry: the runner's own id and token; the rest of an entry is the fleet's.
RUNNER_STATE_KEYS = frozenset({"id", "token", "token_obtained_at", "token_expires_at", "token_parameter"})
BOOLEAN_KEYS = ("privileged", "cache", "cache_shared", "spot")
POLICY_KEYS = frozenset({"periods", "timezone", "idle_count", "idle_time"})


class FleetError(ValueError):
    """Runner entries or AWS facts that cannot make a config.toml; `problems` names each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class Problems:
    """Collects problems under the variable's name, so that one run reports every one of them."""

    def __init__(self, variable: str) -> None:
        self.variable = variable
        self.found: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.found.append(f"{self.variable}{where}: {message}")

    def raise_any(self) -> None:
        if self.found:
            raise FleetError(self.found)


def fleet_config(
    runners: object,
    *,
    gitlab_url: str,
    fleet_name: str,
    aws: Mapping | None = None,
    settings: Mapping | None = None,
    fleeting_plugin: str = DEFAULT_FLEETING_PLUGIN,
    default_image: str = DEFAULT_IMAGE,
    variable: str = "runners",
) -> dict:
    """The config.toml dictionary for these runner entries: global settings first, then one table per entry."""
    problems = Problems(variable)
    aws = dict(aws or {})
    entries = checked_entries(runners, aws, problems)
    if not isinstance(gitlab_url, str) or not gitlab_url:
        problems.add("", "the GitLab URL is empty; set the URL of the GitLab instance the runners belong to")
    problems.raise_any()
    tables = [
        runner_table(
            entry,
            gitlab_url=gitlab_url,
            fleet_name=fleet_name,
            aws=aws,
            fleeting_plugin=fleeting_plugin,
            default_image=default_image,
        )
        for entry in entries
    ]
    # The limits as written, a limit given through an entry's config included.
    limits = [table.get("limit") for table in tables]
    config: dict = {"concurrent": sum(limit for limit in limits if is_positive_int(limit)) or 1}
    config = deep_merge(config, dict(settings or {}))
    config["runners"] = tables
    return config


# --- Checks ---------------------------------------------------------------------------------------------------


def checked_entries(runners: object, aws: Mapping, problems: Problems) -> list[Mapping]:
    if not isinstance(runners, Sequence) or isinstance(runners, (str, bytes)):
        problems.add("", f"must be a list of runner entries, got {type(runners).__name__}")
        return []
    names: dict[str, int] = {}
    ids: dict[int, int] = {}
    entries = []
    for index, given in enumerate(runners):
        where = f"[{index}]"
        if not isinstance(given, Mapping):
            problems.add(where, f"must be a dictionary, got {type(given).__name__}")
            continue
        # A key given as null (YAML `max_builds:` with no value) is a key not given: its default applies.
        entry = {key: value for key, value in given.items() if value is not None}
        check_entry(entry, where, aws, problems)
        name = entry.get("name")
        if isinstance(name, str):
            if name in names:
                problems.add(where, f"name {name!r} is also the name of entry {names[name]}; names must be unique")
            names.setdefault(name, index)
        runner_id = entry.get("id")
        if is_positive_int(runner_id):
            if runner_id in ids:
                problems.add(where, f"id {runner_id} is also the id of entry {ids[runner_id]}")
            ids.setdefault(runner_id, index)
        entries.append(entry)
    return entries


def check_entry(entry: Mapping, where: str, aws: Mapping, problems: Problems) -> None:
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        problems.add(where, f"unknown keys {', '.join(unknown)}; config.toml keys go under 'config'")
    name = entry.get("name")
    if not isinstance(name, str) or not ENTRY_NAME.match(name):
        problems.add(
            f"{where}.name",
            "must be 1 to 40 lowercase letters, digits and hyphens, not starting or ending with a hyphen, "
            f"got {name!r}",
        )
    executor = entry.get("executor")
    if executor not in EXECUTORS:
        problems.add(f"{where}.executor", f"must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    runner_id = entry.get("id")
    pending = (
        is_pending_token(entry.get("token"))
        and isinstance(runner_id, int)
        and not isinstance(runner_id, bool)
        and runner_id == PENDING_ID
    )
    if not (is_positive_int(runner_id) or pending):
        problems.add(f"{where}.id", "must be the runner's GitLab id, a positive integer")
    if not isinstance(entry.get("token"), str) or not entry.get("token"):
        problems.add(f"{where}.token", "must be the runner's authentication token (a non-empty string)")
    check_numbers(entry, where, problems)
    check_booleans(entry, where, problems)
    if "config" in entry and not isinstance(entry["config"], Mapping):
        problems.add(f"{where}.config", "must be a dictionary of config.toml [[runners]] keys")
    check_policies(entry.get("autoscaling"), f"{where}.autoscaling", problems)
    check_executor_needs(entry, where, aws, problems)


def check_booleans(entry: Mapping, where: str, problems: Problems) -> None:
    """A switch must be true or false: the text "false" would otherwise read as true."""
    for key in BOOLEAN_KEYS:
        if key in entry and not isinstance(entry[key], bool):
            problems.add(f"{where}.{key}", f"must be true or false, got {entry[key]!r}")


def check_numbers(entry: Mapping, where: str, problems: Problems) -> None:
    for key in ("limit", "request_concurrency", "max_instances", "capacity_per_instance", "max_builds", "root_size"):
        if key in entry and entry[key] is not None and not is_positive_int(entry[key]):
            problems.add(f"{where}.{key}", f"must be a positive integer, got {entry[key]!r}")
    for key in ("idle_count", "idle_time"):
        if key in entry and not is_count(entry[key]):
            problems.add(f"{where}.{key}", f"must be an integer of 0 or more, got {entry[key]!r}")


def check_executor_needs(entry: Mapping, where: str, aws: Mapping, problems: Problems) -> None:
    executor = entry.get("executor")
    if executor == "docker+machine":
        check_machine_entry(entry, where, aws, problems)
    if executor == "docker-autoscaler" and "autoscaling_group" in entry:
        group = entry["autoscaling_group"]
        if not isinstance(group, str) or not group:
            problems.add(f"{where}.autoscaling_group", "must be the name of the entry's Auto Scaling group")
    if entry.get("cache", True) and "cache" in entry and not aws.get("cache_bucket"):
        problems.add(f"{where}.cache", "is true, but the AWS facts name no cache bucket (cache_bucket)")


def check_policies(policies: object, where: str, problems: Problems) -> None:
    if policies is None:
        return
    if not isinstance(policies, Sequence) or isinstance(policies, (str, bytes)):
        problems.add(where, "must be a list of {periods, timezone, idle_count, idle_time}")
        return
    for index, policy in enumerate(policies):
        if not isinstance(policy, Mapping):
            problems.add(f"{where}[{index}]", "must be a dictionary")
            continue
        unknown = sorted(set(policy) - POLICY_KEYS)
        if unknown:
            allowed = ", ".join(sorted(POLICY_KEYS))
            problems.add(f"{where}[{index}]", f"unknown keys {', '.join(unknown)}; allowed: {allowed}")
        periods = policy.get("periods")
        if not isinstance(periods, list) or not periods or not all(isinstance(p, str) for p in periods):
            problems.add(f"{where}[{index}].periods", "must be a non-empty list of cron lines")
        for key in ("idle_count", "idle_time"):
            if key in policy and not is_count(policy[key]):
                problems.add(f"{where}[{index}].{key}", f"must be an integer of 0 or more, got {policy[key]!r}")


def check_machine_entry(entry: Mapping, where: str, aws: Mapping, problems: Problems) -> None:
    """docker-machine makes its machines itself: it needs every AWS fact up front."""
    if not (entry.get("ami") or aws.get("worker_ami")):
        problems.add(f"{where}.ami", "is needed for docker+machine (or worker_ami in the AWS facts)")
    for fact in ("region", "vpc_id", "worker_security_group", "worker_instance_profile"):
        if not aws.get(fact):
            problems.add(where, f"docker+machine needs the AWS fact {fact}, which is missing")
    subnets = worker_subnets(aws)
    if not subnets:
        problems.add(where, "docker+machine needs the AWS fact worker_subnets (a list of {id, zone}), which is empty")
    elif "zone" in entry and entry_subnet(entry, subnets) is None:
        zones = ", ".join(subnet["zone"] for subnet in subnets)
        problems.add(f"{where}.zone", f"must be a zone of the worker subnets ({zones}), got {entry['zone']!r}")
    for key, value in fleet_tags(aws).items():
        if TAG_SEPARATOR in key or TAG_SEPARATOR in value:
            problems.add(
                where, f"the tag {key!r}={value!r} has a comma, which docker-machine's amazonec2-tags cannot carry"
            )


def is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def worker_subnets(aws: Mapping) -> list[Mapping]:
    subnets = aws.get("worker_subnets") or []
    return [subnet for subnet in subnets if isinstance(subnet, Mapping) and subnet.get("id") and subnet.get("zone")]


def entry_subnet(entry: Mapping, subnets: Sequence[Mapping]) -> Mapping | None:
    """The entry's zone's subnet; the first worker subnet when the entry names no zone."""
    if "zone" not in entry:
        return subnets[0] if subnets else None
    return next((subnet for subnet in subnets if subnet["zone"] == entry["zone"]), None)


def fleet_tags(aws: Mapping) -> dict[str, str]:
    tags = aws.get("tags") or {}
    return {str(key): str(value) for key, value in tags.items()} if isinstance(tags, Mapping) else {}


# --- Building -------------------------------------------------------------------------------------------------


def entry_limit(entry: Mapping) -> int:
    """How many jobs the entry runs at once: its limit, else what its executor can hold."""
    if entry.get("limit"):
        return entry["limit"]
    if entry["executor"] == "docker-autoscaler":
        return entry.get("max_instances", DEFAULT_MACHINE_LIMIT) * entry.get("capacity_per_instance", 1)
    if entry["executor"] == "docker+machine":
        return DEFAULT_MACHINE_LIMIT
    return 1


def runner_table(
    entry: Mapping, *, gitlab_url: str, fleet_name: str, aws: Mapping, fleeting_plugin: str, default_image: str
) -> dict:
    executor = entry["executor"]
    table: dict = {"name": entry["name"], "url": gitlab_url, "id": entry["id"], "token": entry["token"]}
    for key in ("token_obtained_at", "token_expires_at"):
        if entry.get(key):
            table[key] = entry[key]
    table["executor"] = executor
    table["limit"] = entry_limit(entry)
    if entry.get("request_concurrency"):
        table["request_concurrency"] = entry["request_concurrency"]
    if executor in DOCKER_IMAGE_EXECUTORS:
        table["docker"] = docker_table(entry, default_image)
    if entry.get("cache", True) and aws.get("cache_bucket"):
        table["cache"] = cache_table(entry, aws)
    if executor == "docker+machine":
        table["machine"] = machine_table(entry, fleet_name, aws)
    if executor == "docker-autoscaler":
        table["autoscaler"] = autoscaler_table(entry, fleet_name, fleeting_plugin)
    return deep_merge(table, dict(entry.get("config") or {}))


def docker_table(entry: Mapping, default_image: str) -> dict:
    return {
        "image": entry.get("image") or default_image,
        "privileged": bool(entry.get("privileged", False)),
        "volumes": ["/cache"],
    }


def cache_table(entry: Mapping, aws: Mapping) -> dict:
    """The shared S3 cache, reached with the instance profile's credentials (AuthenticationType iam): no keys."""
    s3 = {
        "ServerAddress": aws.get("s3_server_address") or S3_SERVER_ADDRESS,
        "BucketName": aws["cache_bucket"],
        "BucketLocation": aws.get("cache_bucket_region") or aws.get("region") or "",
        "AuthenticationType": "iam",
    }
    if aws.get("cache_kms_key_id"):
        s3["ServerSideEncryption"] = "KMS"
        s3["ServerSideEncryptionKeyID"] = aws["cache_kms_key_id"]
    else:
        s3["ServerSideEncryption"] = "S3"
    return {"Type": "s3", "Path": entry["name"], "Shared": bool(entry.get("cache_shared", False)), "s3": s3}


def machine_table(entry: Mapping, fleet_name: str, aws: Mapping) -> dict:
    machine: dict = {
        "IdleCount": entry.get("idle_count", 0),
        "IdleTime": entry.get("idle_time", DEFAULT_IDLE_TIME),
        "MaxBuilds": entry.get("max_builds", 10),
        "MachineDriver": "amazonec2",
        "MachineName": f"{fleet_name}-{entry['name']}-%s",
        "MachineOptions": machine_options(entry, aws),
    }
    policies = entry.get("autoscaling") or []
    if policies:
        machine["autoscaling"] = [machine_policy(policy) for policy in policies]
    return machine


def machine_options(entry: Mapping, aws: Mapping) -> list[str]:
    """docker-machine's amazonec2 flags: private subnet, no public address, IMDSv2, encrypted gp3 root volume."""
    subnet = entry_subnet(entry, worker_subnets(aws))
    options = {
        "region": aws["region"],
        "vpc-id": aws["vpc_id"],
        "subnet-id": subnet["id"],
        # The driver takes the zone's letter and adds the region itself.
        "zone": subnet["zone"][-1],
        "security-group": aws["worker_security_group"],
        # The fleet's security role owns the group's rules; docker-machine must not add its own to it.
        "security-group-readonly": "true",
        "iam-instance-profile": aws["worker_instance_profile"],
        "instance-type": entry.get("instance_type") or DEFAULT_INSTANCE_TYPE,
        "ami": entry.get("ami") or aws["worker_ami"],
        "root-size": str(entry.get("root_size") or DEFAULT_ROOT_SIZE),
        "volume-type": entry.get("volume_type") or DEFAULT_VOLUME_TYPE,
        # GitLab's fork takes the flag the CKI fork added; with a build that lacks it, replace MachineOptions through
        # the entry's config and turn on the account's EBS encryption by default.
        "volume-encrypted": "true",
        "metadata-token": "required",
        "metadata-token-response-hop-limit": str(METADATA_HOP_LIMIT),
        "private-address-only": "true",
        "use-private-address": "true",
        "ssh-user": entry.get("ssh_user") or DEFAULT_SSH_USER["docker+machine"],
    }
    if aws.get("worker_ebs_kms_key_id"):
        options["volume-kms-key"] = aws["worker_ebs_kms_key_id"]
    if entry.get("spot", True):
        options["request-spot-instance"] = "true"
        if entry.get("spot_price"):
            options["spot-price"] = str(entry["spot_price"])
    tags = fleet_tags(aws)
    if tags:
        options["tags"] = TAG_SEPARATOR.join(part for key in sorted(tags) for part in (key, tags[key]))
    return [f"amazonec2-{flag}={value}" for flag, value in options.items()]


def machine_policy(policy: Mapping) -> dict:
    table: dict = {"Periods": list(policy["periods"])}
    if policy.get("timezone"):
        table["Timezone"] = policy["timezone"]
    table["IdleCount"] = policy.get("idle_count", 0)
    table["IdleTime"] = policy.get("idle_time", DEFAULT_IDLE_TIME)
    return table


def autoscaler_table(entry: Mapping, fleet_name: str, fleeting_plugin: str) -> dict:
    autoscaler: dict = {
        "plugin": fleeting_plugin,
        "capacity_per_instance": entry.get("capacity_per_instance", 1),
        "max_use_count": entry.get("max_builds", 1),
        "max_instances": entry.get("max_instances", DEFAULT_MACHINE_LIMIT),
        # The plugin reads the region from AWS_REGION, which the service's drop-in sets.
        "plugin_config": {"name": autoscaling_group_name(entry, fleet_name)},
        # Workers have private addresses only; the manager reaches them inside the VPC.
        "connector_config": {
            "username": entry.get("ssh_user") or DEFAULT_SSH_USER["docker-autoscaler"],
            "use_external_addr": False,
        },
    }
    policies = entry.get("autoscaling") or [{"periods": ["* * * * *"]}]
    autoscaler["policy"] = [
        autoscaler_policy(policy, entry.get("idle_count", 0), entry.get("idle_time", DEFAULT_IDLE_TIME))
        for policy in policies
    ]
    return autoscaler


def autoscaling_group_name(entry: Mapping, fleet_name: str) -> str:
    """The worker_pool role's name for the entry's group, unless the entry names its own."""
    return entry.get("autoscaling_group") or f"{fleet_name}-{entry['name']}"


def autoscaler_policy(policy: Mapping, idle_count: int, idle_time: int) -> dict:
    table: dict = {
        "periods": list(policy.get("periods") or ["* * * * *"]),
        "idle_count": policy.get("idle_count", idle_count),
        "idle_time": f"{policy.get('idle_time', idle_time)}s",
    }
    if policy.get("timezone"):
        table["timezone"] = policy["timezone"]
    return table


def deep_merge(base: Mapping, extra: Mapping) -> dict:
    """base with extra on top: tables merge key by key, anything else (lists included) is replaced."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
