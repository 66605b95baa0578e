# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet model: the fleet description resolved once into the plan every playbook and role reads.

`resolve(description, account_id=...)` validates the description (`_fleet_description.problems`, the list of
problems met, each naming the variable) and, when there is none, builds the plan:

- the defaults applied (the ones written here and in `_fleet_description`, nowhere else);
- every name the fleet gives AWS and GitLab computed once: VPC, subnets, gateways and route tables (per zone, as a
  pattern with `{zone}`, since the zones are read from the region), security groups, IAM roles and instance
  profiles, the cache bucket, launch templates and Auto Scaling groups, SSM paths, runner descriptions, managers;
- CIDRs carved from the VPC's block;
- the tags every resource carries, keyed by the user's `fleet_tag_key`;
- the runner entries split by what each part of the fleet needs from them: GitLab attributes for registration,
  worker pools for docker-autoscaler entries, config.toml keys for the managers.

The plan holds no secret (the GitLab API token stays in its variable), so it may be printed and diffed. It is a
plain dictionary of strings, numbers, lists and mappings: what a role's argument spec can describe.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Mapping, Sequence

from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._runner_spec import ATTRIBUTES, OWNER_OPTION
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_description import (
    CACHE_DEFAULTS,
    DEFAULT_CAPACITY,
    DEFAULT_MAX_INSTANCES,
    MANAGER_DEFAULTS,
    NETWORK_DEFAULTS,
    SUBNET_NEWBITS,
    problems,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._images import MANAGER as MANAGER_IMAGE
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._images import image_parameter
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_fleet import (
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_ROOT_SIZE,
    DEFAULT_VOLUME_TYPE,
    ENTRY_KEYS,
    PENDING_ID,
    RUNNER_STATE_KEYS,
    autoscaling_group_name,
    pending_token,
)

DEFAULT_TAG_KEY = "runnerfleet:fleet"
MANAGED_BY = {"ManagedBy": "runnerfleet.gitlab_aws"}
# Marks a worker pool's launch template and group (its value is the entry's name): removal looks for it beside the
# fleet's tag, so that no other resource of the fleet is ever taken for a pool.
WORKER_POOL_TAG_KEY = "runnerfleet:worker-pool"
SSM_ROOT = "/runnerfleet"
MANAGER_INVENTORY_GROUP = "runner_managers"
# IMDSv2 only, and its token answers one network hop: gitlab-runner and its autoscalers on the manager reach the
# instance role; a job in a container on the Docker bridge, one hop further, does not (the fleet description refuses
# the entries whose jobs would reach it anyway, unless allowed: _fleet_description.ON_THE_MANAGER).
MANAGER_METADATA_OPTIONS = {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}
DEFAULT_GITLAB_RUNNER_VERSION = "18.9.0"
DEFAULT_SPOT = True
DEFAULT_ON_DEMAND_BASE = 0
DEFAULT_SPOT_STRATEGY = "price-capacity-optimized"
# A placeholder account for the bucket name before AWS has told who we are (pre-flight checks the name's length).
UNKNOWN_ACCOUNT = "000000000000"

# What each part of the plan repeats of the fleet as a whole, so that a role fed one part has all it needs.
ROLE_FLEET_KEYS = ("name", "region", "tag_key", "tags")
# What GitLab keeps of an entry (the registration role's gitlab_runner arguments): its type and owner, and the
# attributes GitLab lets a client set, but for the description (the fleet's) and tag_list (the entry's tags).
GITLAB_KEYS = (
    "runner_type",
    *OWNER_OPTION.values(),
    *(attribute for attribute in ATTRIBUTES if attribute not in ("description", "tag_list")),
)
# What config.toml needs of an entry (runner_host's entry keys, without the runner's own state that the
# registration adds: its id and token); the GitLab-only keys stay behind.
HOST_KEYS = tuple(sorted(ENTRY_KEYS - RUNNER_STATE_KEYS))


def resolve(
    description: object,
    *,
    account_id: str | None = None,
    images: Mapping[str, str] | None = None,
    variables: Sequence[str] = (),
) -> dict:
    """{'problems': [...], 'plan': {...}}: the plan only when there is no problem (else an empty mapping).

    `variables` are the names of the fleet_* variables the play sees: one the fleet does not know is a problem (a
    typo such as fleet_cach, which Ansible alone would ignore).

    `images` maps AWS's public image parameters to the AMI ids they hold in the fleet's region (pre-flight reads the
    plan's fleet.image_parameters). A machine whose description names no AMI takes its default image's id from it;
    without it, that AMI stays empty and the machine's ami_parameter says which parameter to read."""
    found = problems(description, variables)
    if found:
        return {"problems": found, "plan": {}}
    return {"problems": [], "plan": build(description, account_id=account_id, images=images or {})}


def build(description: Mapping, *, account_id: str | None = None, images: Mapping[str, str] | None = None) -> dict:
    """The plan of a valid description (resolve() checks it first)."""
    fleet = fleet_part(description)
    runners = [present_keys(entry) for entry in description["fleet_runners"]]
    machine_images = MachineImages(description.get("fleet_worker_ami") or "", images or {})
    parts = {
        "network": network_part(fleet, description.get("fleet_network")),
        "cache": cache_part(fleet, description.get("fleet_cache"), account_id),
        "registration": registration_part(fleet, runners),
        "worker_pool": worker_pool_part(fleet, runners, machine_images),
        "managers": managers_part(fleet, description.get("fleet_managers"), machine_images),
        "runner_host": runner_host_part(fleet, description, runners, machine_images),
    }
    parts["security"] = security_part(fleet, description.get("fleet_managers"), parts["cache"])
    # Each role takes one part as its one input: the part carries what every role needs of the fleet as a whole.
    basics = {key: fleet[key] for key in ROLE_FLEET_KEYS}
    for part in parts.values():
        part["fleet"] = basics
    fleet["image_parameters"] = sorted(machine_images.parameters)
    runner_list = [{"name": entry["name"], "executor": entry["executor"]} for entry in runners]
    return {"fleet": fleet, **parts, "runners": runner_list}


class MachineImages:
    """Each machine's AMI: the one its description names, else its default image's (_images.py), whose public
    parameter is remembered so that pre-flight knows which to read."""

    def __init__(self, fleet_worker_ami: str, images: Mapping[str, str]) -> None:
        self.fleet_worker_ami = fleet_worker_ami
        self.images = images
        self.parameters: set[str] = set()

    def manager(self, ami: str, instance_type: str) -> dict:
        return self.choose(ami, MANAGER_IMAGE, instance_type)

    def worker(self, entry: Mapping) -> dict:
        ami = entry.get("ami") or self.fleet_worker_ami
        return self.choose(ami, entry["executor"], instance_types(entry)[0])

    def choose(self, ami: str, machine: str, instance_type: str) -> dict:
        if ami:
            return {"ami": ami, "ami_parameter": ""}
        parameter = image_parameter(machine, instance_type)
        self.parameters.add(parameter)
        return {"ami": self.images.get(parameter, ""), "ami_parameter": parameter}


# --- The fleet as a whole ---------------------------------------------------------------------------------------


def fleet_part(description: Mapping) -> dict:
    name = description["fleet_name"]
    tag_key = given(description.get("fleet_tag_key"), DEFAULT_TAG_KEY)
    return {
        "name": name,
        "region": description["fleet_region"],
        "tag_key": tag_key,
        "tags": fleet_tags(description, name, tag_key),
        "filters": {f"tag:{tag_key}": name},
        "ssm_path": ssm_path(name),
        "gitlab_url": description["fleet_gitlab_url"].rstrip("/"),
        "gitlab_validate_certs": given(description.get("fleet_gitlab_validate_certs"), True),
    }


SSM_PARTS = ("", "runners", "docker-machine")


def ssm_path(fleet_name: str, part: str = "") -> str:
    """Where the fleet keeps its parameters: the runners' tokens and ids under runners/, the docker-machine CA under
    docker-machine/; the managers' IAM policy is scoped to the whole path."""
    return f"{SSM_ROOT}/{fleet_name}/{part}" if part else f"{SSM_ROOT}/{fleet_name}"


def fleet_tags(description: Mapping, name: str, tag_key: str) -> dict:
    """The user's fleet_tags when set (pre-flight checked they carry the fleet's tag), else the extra tags with the
    fleet's tag and ManagedBy. Values are strings, as AWS keeps them."""
    tags = description.get("fleet_tags")
    if not isinstance(tags, Mapping):
        tags = {**(description.get("fleet_extra_tags") or {}), tag_key: name, **MANAGED_BY}
    return {str(key): str(value) for key, value in tags.items()}


def present_keys(mapping: object) -> dict:
    """A mapping without its null values: a key given as null is a key not given, and its default applies."""
    return {key: value for key, value in (mapping or {}).items() if value is not None}


def given(value: object, default: object) -> object:
    return default if value is None else value


def settings_of(defaults: Mapping, value: object) -> dict:
    return {**defaults, **present_keys(value)}


# --- network ------------------------------------------------------------------------------------------------------


def network_part(fleet: Mapping, value: object) -> dict:
    settings = settings_of(NETWORK_DEFAULTS, value)
    name = fleet["name"]
    zones = list(settings["availability_zones"])
    zone_count = len(zones) if zones else settings["az_count"]
    public, private = subnet_cidrs(settings, zone_count)
    return {
        "existing": bool(settings["vpc_id"]),
        "vpc_id": settings["vpc_id"],
        "private_subnet_ids": list(settings["private_subnet_ids"]),
        "public_subnet_ids": list(settings["public_subnet_ids"]),
        "vpc_cidr": settings["vpc_cidr"],
        "availability_zones": zones,
        "zone_count": zone_count,
        "nat_mode": settings["nat_mode"],
        "public_cidrs": public,
        "private_cidrs": private,
        "names": network_names(name),
    }


def network_names(name: str) -> dict:
    """Each resource's Name tag; {zone} stands for the zone's name, known once the region's zones are read."""
    return {
        "vpc": f"{name}-vpc",
        "internet_gateway": f"{name}-igw",
        "public_subnet": f"{name}-public-{{zone}}",
        "private_subnet": f"{name}-private-{{zone}}",
        "nat": f"{name}-nat-{{zone}}",
        "public_route_table": f"{name}-public",
        "private_route_table": f"{name}-private-{{zone}}",
        "s3_endpoint": f"{name}-s3",
    }


def subnet_cidrs(settings: Mapping, zone_count: int) -> tuple[list[str], list[str]]:
    """The given CIDRs, else carved from the VPC's block: the public subnets first, then the private ones, each
    SUBNET_NEWBITS longer than the VPC's prefix."""
    given_public, given_private = list(settings["public_subnet_cidrs"]), list(settings["private_subnet_cidrs"])
    if settings["vpc_id"]:
        return [], []
    carved = carve(settings["vpc_cidr"], 2 * zone_count)
    return (given_public or carved[:zone_count], given_private or carved[zone_count:])


def carve(vpc_cidr: str, count: int) -> list[str]:
    vpc = ipaddress.IPv4Network(vpc_cidr)
    return [str(subnet) for subnet in itertools.islice(vpc.subnets(new_prefix=vpc.prefixlen + SUBNET_NEWBITS), count)]


# --- security, cache ----------------------------------------------------------------------------------------------


def security_part(fleet: Mapping, managers: object, cache: Mapping) -> dict:
    """The groups, roles and profiles, and what the manager's policy is scoped to: the fleet's SSM path, its cache
    bucket and key, its Auto Scaling groups' name prefix."""
    name = fleet["name"]
    settings = settings_of(MANAGER_DEFAULTS, managers)
    return {
        "ssm_path": fleet["ssm_path"],
        "cache_bucket": cache["bucket"],
        # Without the account, the bucket's name is a placeholder the manager's policy must not be scoped to.
        "cache_bucket_known": cache["account_known"],
        "cache_kms_key_id": cache["kms_key_id"],
        "manager_group": f"{name}-managers",
        "worker_group": f"{name}-workers",
        # An instance profile is named after its role.
        "manager_role": f"{name}-manager",
        "worker_role": f"{name}-worker",
        "manager_policy": f"{name}-manager",
        "manager_ssh_cidrs": list(settings["ssh_cidrs"]),
        "autoscaling_group_prefix": f"{name}-",
    }


def cache_part(fleet: Mapping, cache: object, account_id: str | None) -> dict:
    settings = settings_of(CACHE_DEFAULTS, cache)
    return {
        "bucket": bucket_name(fleet["name"], account_id or UNKNOWN_ACCOUNT),
        "account_known": bool(account_id),
        "expiration_days": settings["expiration_days"],
        "kms_key_id": settings["kms_key_id"],
        "remove_on_teardown": settings["remove_on_teardown"],
    }


def bucket_name(fleet_name: str, account_id: str) -> str:
    """Bucket names are global: the account id keeps two accounts' fleets of one name apart."""
    return f"{fleet_name}-runner-cache-{account_id}"


# --- runners: GitLab, worker pools, managers ----------------------------------------------------------------------


def registration_part(fleet: Mapping, runners: Sequence[Mapping]) -> dict:
    return {
        "gitlab_url": fleet["gitlab_url"],
        "gitlab_validate_certs": fleet["gitlab_validate_certs"],
        "ssm_path": ssm_path(fleet["name"], "runners"),
        "description_prefix": f"{fleet['name']}-",
        "runners": [gitlab_entry(fleet, entry) for entry in runners],
    }


def gitlab_entry(fleet: Mapping, entry: Mapping) -> dict:
    """The gitlab_runner module's entry: GitLab's attributes, the description that finds the runner again when its
    id was never recorded (a run killed between the create and the SSM write), the tags as GitLab's tag_list."""
    item = {key: entry[key] for key in GITLAB_KEYS if key in entry}
    item["name"] = entry["name"]
    item["description"] = runner_description(fleet["name"], entry["name"])
    if "tags" in entry:
        item["tag_list"] = list(entry["tags"])
    return item


def runner_description(fleet_name: str, entry_name: str) -> str:
    return f"{fleet_name}-{entry_name}"


def worker_pool_part(fleet: Mapping, runners: Sequence[Mapping], machine_images: MachineImages) -> dict:
    """One pool (a launch template and an Auto Scaling group) per docker-autoscaler entry, every setting resolved."""
    pools = [worker_pool(fleet, entry, machine_images) for entry in runners if entry["executor"] == "docker-autoscaler"]
    return {"pool_tag_key": WORKER_POOL_TAG_KEY, "pools": pools}


def worker_pool(fleet: Mapping, entry: Mapping, machine_images: MachineImages) -> dict:
    name = f"{fleet['name']}-{entry['name']}"
    spot = entry.get("spot", DEFAULT_SPOT)
    return {
        "entry": entry["name"],
        "template_name": name,
        "group_name": autoscaling_group_name(entry, fleet["name"]),
        **machine_images.worker(entry),
        "instance_types": instance_types(entry),
        "spot": spot,
        "on_demand_base": entry.get("on_demand_base", DEFAULT_ON_DEMAND_BASE),
        "on_demand_percentage": 0 if spot else 100,
        "spot_allocation_strategy": entry.get("spot_allocation_strategy", DEFAULT_SPOT_STRATEGY),
        "max_instances": entry.get("max_instances", DEFAULT_MAX_INSTANCES),
        "capacity_per_instance": entry.get("capacity_per_instance", DEFAULT_CAPACITY),
        "root_size": entry.get("root_size", DEFAULT_ROOT_SIZE),
        "volume_type": entry.get("volume_type", DEFAULT_VOLUME_TYPE),
        "tags": {**fleet["tags"], "Name": name, WORKER_POOL_TAG_KEY: entry["name"]},
    }


def instance_types(entry: Mapping) -> list[str]:
    if entry.get("instance_types"):
        return list(entry["instance_types"])
    return [entry.get("instance_type") or DEFAULT_INSTANCE_TYPE]


def managers_part(fleet: Mapping, managers: object, machine_images: MachineImages) -> dict:
    settings = settings_of(MANAGER_DEFAULTS, managers)
    prefix = f"{fleet['name']}-manager-"
    return {
        "count": settings["count"],
        "names": [f"{prefix}{number}" for number in range(1, settings["count"] + 1)],
        # Every manager the fleet may have had, whatever the count is now (the surplus is terminated).
        "name_pattern": f"^{re.escape(prefix)}[1-9][0-9]*$",
        "instance_type": settings["instance_type"],
        **machine_images.manager(settings["ami"], settings["instance_type"]),
        "connection": settings["connection"],
        "ssh_bastion": settings["ssh_bastion"],
        "ssh_user": settings["ssh_user"],
        "inventory_group": MANAGER_INVENTORY_GROUP,
        "metadata_options": dict(MANAGER_METADATA_OPTIONS),
    }


def runner_host_part(
    fleet: Mapping, description: Mapping, runners: Sequence[Mapping], machine_images: MachineImages
) -> dict:
    return {
        "gitlab_url": fleet["gitlab_url"],
        "install": given(description.get("fleet_runner_install"), True),
        "gitlab_runner_version": description.get("fleet_gitlab_runner_version") or DEFAULT_GITLAB_RUNNER_VERSION,
        "docker_machine_version": description.get("fleet_docker_machine_version") or "",
        "docker_machine_sha256": description.get("fleet_docker_machine_sha256") or "",
        "settings": dict(description.get("fleet_runner_settings") or {}),
        "token_ssm_path": ssm_path(fleet["name"], "runners"),
        "docker_machine_ssm_path": ssm_path(fleet["name"], "docker-machine"),
        "worker_ami": description.get("fleet_worker_ami") or "",
        "runners": [host_entry(entry, machine_images) for entry in runners],
    }


def host_entry(entry: Mapping, machine_images: MachineImages) -> dict:
    """The entry as runner_host renders it: config.toml's keys only. docker-machine takes one instance type: the
    first of instance_types when the entry gives a list, and the AMI resolved (its default image's when none is
    named; empty, docker-machine's own default, until pre-flight has read it)."""
    item = {key: entry[key] for key in HOST_KEYS if key in entry}
    if entry["executor"] == "docker+machine":
        if "instance_type" not in entry and entry.get("instance_types"):
            item["instance_type"] = entry["instance_types"][0]
        ami = machine_images.worker(entry)["ami"]
        if ami:
            item["ami"] = ami
    return item


class NotRegisteredError(ValueError):
    """An entry GitLab has no runner for, outside a preview: the registration did not run or did not make it."""


def host_runners(plan_runners: Sequence[Mapping], tokens: Mapping, *, preview: bool = False) -> list[dict]:
    """The managers' runner entries with each runner's GitLab id and token (from the registration role's
    registration_tokens, keyed by entry name).

    An entry GitLab has no runner for yet, or whose token is not known (check mode predicts a create or a re-key
    without making it), is in a preview shown with a placeholder token (pending_token) and its id, or a placeholder
    id (PENDING_ID) when it has none, so that config.toml's diff shows the section a real run writes; outside a
    preview it is an error naming the entry."""
    entries = []
    for entry in plan_runners:
        registered = tokens.get(entry["name"]) or {}
        runner_id, token = registered.get("id"), registered.get("token")
        if runner_id is None or not token:
            if not preview:
                raise NotRegisteredError(
                    f"runner entry {entry['name']} has no runner in GitLab with a known token: the registration role "
                    "makes it and hands its id and token on (registration_tokens); run it first"
                )
            runner_id, token = (PENDING_ID if runner_id is None else runner_id), pending_token(entry["name"])
        item = {**entry, "id": runner_id, "token": token}
        if registered.get("token_expires_at"):
            item["token_expires_at"] = registered["token_expires_at"]
        entries.append(item)
    return entries
