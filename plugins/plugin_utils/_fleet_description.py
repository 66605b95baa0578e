# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet description (group_vars/all/fleet.yml) checked as a whole, before any API call.

`problems(description)` takes the fleet_* variables as one mapping (a variable that is not set is
absent or None) and returns every problem it finds, each one sentence that names the variable's path
(`fleet_runners[small].executor`, `fleet_network.vpc_cidr`), says what is allowed and what it got. It never raises on
odd input (a string where a list goes, null, booleans where numbers go) and never shows the value of the GitLab API
token, or of any key that looks like a secret: such values are described ("is empty", "is not a string"), not shown.

Messages help to fix what they report:
- an unknown name, at any level (a top-level fleet_* variable when the caller passes the names the play sees, an
  entry key, a key of fleet_network, fleet_managers, fleet_cache, fleet_runner_settings or an autoscaling policy),
  is refused with the nearest known one (`nearest`: "did you mean idle_time?"), else with the list of known ones;
- a runner entry is named by its name (`fleet_runners[small].idle_time`) when that name is valid and names that
  entry alone, else by its index (`fleet_runners[2]`), so the name's own problems are said at the index;
- every duration and size states its unit, and a value of another form with one clear meaning ("30m" where seconds
  are asked, "50GiB" where GiB are) is refused with the number to write (`Checker.measure`).

This is the validation half of the fleet model: `_fleet_plan.resolve()` builds the plan every role takes only from
a description with no problem, so the roles do not check these rules again. They include what GitLab refuses
(../shared/specs/gitlab-runner-api.md), so that a wrong description fails at once, before any call, and names the
variable the user wrote. The defaults it checks against (NETWORK_DEFAULTS, MANAGER_DEFAULTS, CACHE_DEFAULTS, ...) are
the ones the plan applies.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import NamedTuple

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._cronexpr import cron_problem, runs_every_second
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._images import architectures
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import known_timezone
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config_schema import ROOT_TABLE, TABLES

FLEET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]\Z")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+\Z")
ZONE = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]\Z")
# 8 or 17 hex digits: what both roles/manager (exactly those) and roles/worker_pool (8 to 17) accept.
AMI = re.compile(r"^ami-([0-9a-f]{8}|[0-9a-f]{17})\Z")
INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+\Z")
VPC_ID = re.compile(r"^vpc-[0-9a-f]+\Z")
SUBNET_ID = re.compile(r"^subnet-[0-9a-f]+\Z")
# roles/cache's cache_kms_key_pattern: a key id, a multi-region key id, alias/NAME, or a key or alias ARN.
KMS_KEY = re.compile(
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias/[A-Za-z0-9/_-]+"
    r"|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[0-9a-f-]+|key/mrk-[0-9a-f]{32}|alias/[A-Za-z0-9/_-]+))\Z"
)
RUNNER_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?\Z")
RUNNER_VERSION = re.compile(r"^\d+\.\d+\.\d+\Z")
# GitLab's docker-machine release, as its download URL takes it after the "v" the runner_host role adds.
DOCKER_MACHINE_VERSION = re.compile(r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?\Z")
SHA256 = re.compile(r"^[0-9a-fA-F]{64}\Z")
# A GitLab namespace or project path (platform/infra), as the gitlab_runner module resolves it to an id.
GITLAB_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\Z")
URL_PATH = re.compile(r"^(/[A-Za-z0-9._~-]+)*/?\Z")
# [user@]host[:port], as roles/manager puts it into ProxyJump.
BASTION = re.compile(r"^([a-z_][a-z0-9_.-]*@)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?\Z")
SSH_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}\Z")
TAG_PUNCTUATION = frozenset(" _.:/=+-@")

REQUIRED = ("fleet_name", "fleet_region", "fleet_gitlab_url", "fleet_gitlab_api_token", "fleet_runners")
# The required variables that default to the environment when the description leaves them out, first name first:
# the AWS SDKs' region, and the GitLab URL and token the python-gitlab and glab tools read. Pre-flight looks them up
# (playbooks/vars/fleet_description.yml, whose lookups a unit test compares with these), so an installed collection
# needs only the fleet's name and runners besides.
FROM_ENVIRONMENT = {
    "fleet_region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "fleet_gitlab_url": ("GITLAB_URL",),
    "fleet_gitlab_api_token": ("GITLAB_API_TOKEN",),
}
# The fleet description's variables, in the order pre-flight reads them (playbooks/vars/fleet_description.yml, whose
# keys a unit test compares with these). fleet_tags is derived (fleet_extra_tags, fleet_tag_key and the fleet's name)
# unless the user sets it.
VARIABLES = (
    "fleet_name",
    "fleet_region",
    "fleet_gitlab_url",
    "fleet_gitlab_api_token",
    "fleet_gitlab_validate_certs",
    "fleet_extra_tags",
    "fleet_tag_key",
    "fleet_tags",
    "fleet_network",
    "fleet_managers",
    "fleet_cache",
    "fleet_worker_ami",
    "fleet_runner_install",
    "fleet_gitlab_runner_version",
    "fleet_docker_machine_version",
    "fleet_docker_machine_sha256",
    "fleet_runner_settings",
    "fleet_runners",
)
# The other fleet_* variables a play may see: the ones the playbooks set, register or take as extra vars. Any other
# fleet_* name is a typo (fleet_cach:) that Ansible would silently ignore.
PLAY_VARIABLES = {
    "fleet_description": "playbooks/vars/fleet_description.yml: the variables above as one mapping",
    "fleet_plan": "pre-flight's fact: the resolved plan every later play and role reads",
    "fleet_aws_caller": "pre-flight registers who AWS says we are",
    "fleet_default_images": "pre-flight's fact: the default images' AMI ids",
    "fleet_gitlab_version": "playbooks/tasks/gitlab_version.yml registers GitLab's answer",
    "fleet_aws_session_token": "playbooks/vars/fleet_roles.yml: AWX's AWS_SECURITY_TOKEN",
    "fleet_remove_cache": "teardown's extra var: -e fleet_remove_cache=true removes the cache bucket",
    "fleet_controller": "playbooks/vars/runner_hosts.yml: the controller's variables, on the managers",
}
KNOWN_VARIABLES = (*VARIABLES, *PLAY_VARIABLES)
NETWORK_DEFAULTS: dict = {
    "vpc_cidr": "10.80.0.0/16",
    "az_count": 2,
    "availability_zones": [],
    "nat_mode": "per_az",
    "public_subnet_cidrs": [],
    "private_subnet_cidrs": [],
    "vpc_id": "",
    "private_subnet_ids": [],
    "public_subnet_ids": [],
}
MANAGER_DEFAULTS: dict = {
    "count": 1,
    "instance_type": "t3.medium",
    "ami": "",
    "connection": "ssm",
    "ssh_bastion": "",
    "ssh_user": "ec2-user",
    "ssh_cidrs": [],
}
CACHE_DEFAULTS: dict = {"expiration_days": 14, "kms_key_id": "", "remove_on_teardown": False}
# How the controller reaches the managers: AWS Systems Manager, or SSH through a bastion.
MANAGER_CONNECTIONS = ("ssm", "ssh")
MAX_ZONES = 6
MAX_MANAGERS = 10
# roles/network carves each subnet with this many bits more than the VPC's prefix; AWS's smallest subnet is a /28.
SUBNET_NEWBITS = 4
SMALLEST_PREFIX = 28
LARGEST_VPC_PREFIX = 16
MAX_EXTRA_TAGS = 40
# AWS allows 50 tags on a resource; the roles add Name and runnerfleet:worker-pool to the fleet's own.
MAX_FLEET_TAGS = 48
RESERVED_TAGS = ("Name", "ManagedBy")
TAG_KEY_LENGTH = 128
TAG_VALUE_LENGTH = 256

EXECUTORS = ("docker-autoscaler", "docker+machine", "docker", "shell", "custom")
AUTOSCALING_EXECUTORS = ("docker-autoscaler", "docker+machine")
DOCKER_EXECUTORS = ("docker-autoscaler", "docker+machine", "docker")
# The executors whose jobs run on the manager itself, beside gitlab-runner and the manager's instance role.
ON_THE_MANAGER = ("docker", "shell")
RUNNER_TYPES = ("instance_type", "group_type", "project_type")
ACCESS_LEVELS = ("not_protected", "ref_protected")
SPOT_STRATEGIES = ("price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price")
VOLUME_TYPES = ("gp3", "gp2", "io1", "io2", "st1", "sc1", "standard")
LOG_FORMATS = ("runner", "text", "json")
LOG_LEVELS = ("debug", "info", "warn", "error", "fatal", "panic")
# Which executors each entry key means something for (None: every executor).
ENTRY_KEYS: dict[str, tuple[str, ...] | None] = {
    "name": None,
    "runner_type": None,
    "group": None,
    "project": None,
    "tags": None,
    "run_untagged": None,
    "locked": None,
    "paused": None,
    "access_level": None,
    "maximum_timeout": None,
    "maintenance_note": None,
    "executor": None,
    "limit": None,
    "request_concurrency": None,
    "cache": None,
    "cache_shared": None,
    "config": None,
    "image": DOCKER_EXECUTORS,
    "privileged": DOCKER_EXECUTORS,
    "allow_manager_role": ON_THE_MANAGER,
    "instance_type": AUTOSCALING_EXECUTORS,
    "instance_types": AUTOSCALING_EXECUTORS,
    "spot": AUTOSCALING_EXECUTORS,
    "ami": AUTOSCALING_EXECUTORS,
    "root_size": AUTOSCALING_EXECUTORS,
    "volume_type": AUTOSCALING_EXECUTORS,
    "ssh_user": AUTOSCALING_EXECUTORS,
    "idle_count": AUTOSCALING_EXECUTORS,
    "idle_time": AUTOSCALING_EXECUTORS,
    "max_builds": AUTOSCALING_EXECUTORS,
    "autoscaling": AUTOSCALING_EXECUTORS,
    "spot_price": ("docker+machine",),
    "zone": ("docker+machine",),
    "max_instances": ("docker-autoscaler",),
    "capacity_per_instance": ("docker-autoscaler",),
    "on_demand_base": ("docker-autoscaler",),
    "spot_allocation_strategy": ("docker-autoscaler",),
    "autoscaling_group": ("docker-autoscaler",),
}
POLICY_KEYS = ("periods", "timezone", "idle_count", "idle_time")
# fleet_runner_settings: config.toml's global keys, but for runners (the entries make them).
SETTINGS_KEYS = tuple(key for key, _type in TABLES[ROOT_TABLE] if key != "runners")
# How alike an unknown name and a known one must be (difflib's ratio, after `normalized`) to suggest the known one:
# 0.75 takes one typo in a short key (spto, nmae: 0.75), not a different word (docker for locked: 0.67).
SUGGESTION_CUTOFF = 0.75
# The defaults runner_host and worker_pool apply, for the capacity arithmetic.
DEFAULT_MAX_INSTANCES = 10
DEFAULT_CAPACITY = 1
DEFAULT_MACHINE_LIMIT = 10
MAX_INSTANCES = 1000
MIN_MAXIMUM_TIMEOUT = 600
MAX_NOTE = 1024
MAX_RUNNER_TAGS = 50
MAX_SHOWN = 60
MIN_MASKED = 8
Network = ipaddress.IPv4Network


def problems(description: object, variables: Iterable[str] = ()) -> list[str]:
    """Every problem of the fleet description, one sentence each, naming the variable; [] when it is valid.

    `variables` are the names of the variables the play sees (pre-flight passes those that start with fleet_): a
    fleet_* name the fleet does not know is a typo, which Ansible alone would ignore."""
    if not isinstance(description, Mapping):
        return [f"the fleet description must be a mapping of the fleet_* variables, got {kind(description)}"]
    check = Checker(description)
    check_variables(check, variables)
    for function in (
        check_required,
        check_identity,
        check_gitlab,
        check_tags,
        check_network,
        check_managers,
        check_cache,
        check_install,
        check_settings,
        check_runners,
    ):
        function(check)
    return check.found


class Checker:
    """The description, the problems found so far, and the values never to show."""

    def __init__(self, description: Mapping) -> None:
        self.description = description
        self.found: list[str] = []
        token = description.get("fleet_gitlab_api_token")
        self.secrets = [token] if isinstance(token, str) and token else []

    def get(self, variable: str) -> object:
        return self.description.get(variable)

    def add(self, path: str, text: str) -> None:
        problem = f"{path} {text}"
        # A key the user named after the token would carry it into the path: mask it (a token worth the name is long;
        # masking a short one would garble every message).
        for secret in self.secrets:
            if len(secret) >= MIN_MASKED:
                problem = problem.replace(secret, "(the API token, not shown)")
        self.found.append(problem)

    def got(self, value: object) -> str:
        """The value as a message shows it: short scalars as they are, containers by their kind, secrets never."""
        if isinstance(value, str):
            if any(secret in value for secret in self.secrets):
                return "a value that contains the API token (not shown)"
            text = value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "..."
            return '""' if not value else quoted(text)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        return kind(value)

    # --- typed reads: each returns whether the value is usable, and reports it when it is not ---

    def string(self, path: str, value: object, what: str, pattern: re.Pattern | None = None) -> bool:
        if not isinstance(value, str):
            self.add(path, f"must be {what}; got {self.got(value)}")
            return False
        if pattern is not None and not pattern.match(value):
            self.add(path, f"must be {what}; got {self.got(value)}")
            return False
        return True

    def optional(self, path: str, value: object, what: str, pattern: re.Pattern) -> bool:
        """A string that is empty, or of the pattern's form."""
        if not isinstance(value, str) or (value and not pattern.match(value)):
            self.add(path, f"must be empty or {what}; got {self.got(value)}")
            return False
        return True

    def integer(self, path: str, value: object, low: int, high: int | None = None) -> bool:
        allowed = f"an integer from {low} to {high}" if high is not None else f"an integer of {low} or more"
        if not is_int(value) or value < low or (high is not None and value > high):
            self.add(path, f"must be {allowed}; got {self.got(value)}")
            return False
        return True

    def boolean(self, path: str, value: object) -> bool:
        if not isinstance(value, bool):
            self.add(path, f"must be true or false; got {self.got(value)}")
            return False
        return True

    def choice(self, path: str, value: object, choices: Sequence[str]) -> bool:
        if not isinstance(value, str) or value not in choices:
            self.add(path, f"must be one of {', '.join(choices)}; got {self.got(value)}")
            return False
        return True

    def listing(self, path: str, value: object, what: str) -> bool:
        if not is_list(value):
            self.add(path, f"must be a list of {what}; got {self.got(value)}")
            return False
        return True

    def mapping(self, path: str, value: object, allowed: Sequence[str] | None = None, what: str = "") -> bool:
        """A mapping with string keys, only the allowed ones (when given; `what` names them in a message: "a
        fleet_network key"), and no null value."""
        if not isinstance(value, Mapping):
            self.add(path, f"must be a mapping; got {self.got(value)}")
            return False
        usable = True
        for key in value:
            if not isinstance(key, str):
                self.add(path, f"has the key {self.got(key)}; keys must be strings")
                usable = False
        if allowed is not None:
            for key in sorted(key for key in value if isinstance(key, str) and key not in allowed):
                self.unknown(f"{path}.{key}", key, what or f"a {path} key", allowed)
        if allowed is not None:
            for key in allowed:
                if key in value and value[key] is None:
                    self.add(f"{path}.{key}", "is null; give it a value, or leave the key out for the default")
                    usable = False
        return usable

    def unknown(
        self, path: str, name: str, what: str, known: Sequence[str], *, hint: str = "", listed: Sequence[str] = ()
    ) -> None:
        """An unknown key or variable: the known name it most likely is, else the known names (or the `listed` ones
        of them, the ones a user sets). `hint` says where the name may belong instead ("(config.toml keys go under
        config)")."""
        hint = f" {hint}" if hint else ""
        meant = nearest(name, known)
        if meant is not None:
            self.add(path, f"is not {what}; did you mean {meant}?{hint}")
        else:
            self.add(path, f"is not {what}{hint}; allowed: {', '.join(listed or known)}")

    def measure(
        self,
        path: str,
        value: object,
        unit: Unit,
        low: int,
        high: int | None = None,
        *,
        zero_means: str = "",
        why: str = "",
    ) -> bool:
        """A whole number of `unit` from low to high (or 0, when zero_means says what 0 means; `why` says where the
        bounds come from). A value written in
        another form with one clear meaning ("30m" for seconds) is refused with the number to write, not converted:
        the description keeps the one form its documentation and the roles' argument specs give, and the user learns
        the unit where the value is written."""
        allowed = whole_number(unit.name, low, high)
        if zero_means:
            allowed = f"0 ({zero_means}) or {allowed}"
        if why:
            allowed = f"{allowed} ({why})"

        def fits(number: object) -> bool:
            in_range = is_int(number) and number >= low and (high is None or number <= high)
            return in_range or (bool(zero_means) and is_int(number) and number == 0)

        if fits(value):
            return True
        meant = unit.reading(value) if unit.reading is not None and isinstance(value, str) else None
        if meant is None:
            self.add(path, f"must be {allowed}; got {self.got(value)}")
        elif fits(meant):
            key = path.rsplit(".", 1)[-1]
            self.add(path, f"is in {unit.name}: {self.got(value)} is {meant} {unit.name}; write {key}: {meant}")
        else:
            self.add(path, f"is in {unit.name}: {self.got(value)} is {meant} {unit.name}, but it must be {allowed}")
        return False

    def ids(self, path: str, value: object, what: str, pattern: re.Pattern) -> list[str]:
        """A list of unique ids of one form; the valid ones."""
        if not self.listing(path, value, what):
            return []
        valid = []
        for index, item in enumerate(value):
            if self.string(f"{path}[{index}]", item, what, pattern):
                if item in valid:
                    self.add(f"{path}[{index}]", f"repeats {self.got(item)}; each may appear once")
                else:
                    valid.append(item)
        return valid


# --- Helpers ----------------------------------------------------------------------------------------------------


def nearest(name: str, known: Iterable[str]) -> str | None:
    """The known name an unknown one most likely means: the same but for case, - for _ or the fleet_ prefix
    (Idle-Time, fleet-cache), else the closest spelling (idle_tme, fleet_cach), else None. The fleet_ prefix is left
    out of the comparison, where every top-level name would otherwise look alike (fleet_cach is as close to
    fleet_tags as executer is to executor)."""
    by_form = {normalized(each): each for each in known}
    same = by_form.get(normalized(name))
    if same is not None:
        return same
    close = difflib.get_close_matches(normalized(name), list(by_form), n=1, cutoff=SUGGESTION_CUTOFF)
    return by_form[close[0]] if close else None


def normalized(name: str) -> str:
    return name.strip().lower().replace("-", "_").removeprefix("fleet_")


class Unit(NamedTuple):
    """A unit a value is counted in, and how a value written in another form reads in it (None: no other form has
    one clear meaning)."""

    name: str
    reading: Callable[[str], int | None] | None = None


# A Go duration, the form config.toml takes for durations: "1h30m", "90s", "1.5h" (ns, us, ms, s, m, h).
GO_DURATION = re.compile(r"^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+\Z")
GO_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
SECONDS_IN = {"ns": Fraction(1, 10**9), "us": Fraction(1, 10**6), "µs": Fraction(1, 10**6), "μs": Fraction(1, 10**6)}
SECONDS_IN.update({"ms": Fraction(1, 1000), "s": Fraction(1), "m": Fraction(60), "h": Fraction(3600)})
# A size in GiB or TiB, as EBS counts volumes ("50GiB", "50G", "1TiB"). "50GB" is not read: GB are not GiB.
BINARY_SIZE = re.compile(r"^(\d+)\s*(G|Gi|GiB|T|Ti|TiB)\Z")
GIB_IN = {"G": 1, "Gi": 1, "GiB": 1, "T": 1024, "Ti": 1024, "TiB": 1024}


def duration_seconds(text: str) -> int | None:
    """The whole seconds a Go duration means ("30m": 1800), else None (not a duration, or not whole seconds)."""
    if not GO_DURATION.match(text.strip()):
        return None
    total = sum(Fraction(number) * SECONDS_IN[unit] for number, unit in GO_DURATION_PART.findall(text))
    return int(total) if total.denominator == 1 else None


def size_gib(text: str) -> int | None:
    """The GiB a size in GiB or TiB means ("1TiB": 1024), else None."""
    match = BINARY_SIZE.match(text.strip())
    return int(match.group(1)) * GIB_IN[match.group(2)] if match else None


SECONDS = Unit("seconds", duration_seconds)
GIB = Unit("GiB", size_gib)
DAYS = Unit("days")


def whole_number(unit: str, low: int, high: int | None) -> str:
    return (
        f"a whole number of {unit} from {low} to {high}"
        if high is not None
        else f"a whole number of {unit}, {low} or more"
    )


def is_int(value: object) -> bool:
    """An integer, as YAML gives one: not a boolean, not a number written as a string."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


KINDS = ((bool, "a boolean"), (str, "a string"), ((int, float), "a number"), (Mapping, "a mapping"))


def kind(value: object) -> str:
    """What a value is, in the words of a message: never the value itself."""
    if value is None:
        return "nothing (null)"
    for types, name in KINDS:
        if isinstance(value, types):
            return name
    return "a list" if is_list(value) else "a value of another type"


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def merged(defaults: Mapping, given: object) -> dict:
    """The defaults with the given mapping's non-null values over them (for the cross-field checks)."""
    result = dict(defaults)
    if isinstance(given, Mapping):
        result.update({key: value for key, value in given.items() if key in defaults and value is not None})
    return result


def network(text: object) -> Network | None:
    """An IPv4 network in CIDR notation with no host bit set, else None."""
    if not isinstance(text, str) or "/" not in text:
        return None
    try:
        return ipaddress.IPv4Network(text, strict=True)
    except ValueError:
        return None


# --- Checks, one area at a time ---------------------------------------------------------------------------------


def check_variables(check: Checker, variables: Iterable[str]) -> None:
    """Every fleet_* variable the play sees is one the fleet knows: Ansible ignores a misspelt one (fleet_cach:)."""
    unknown = sorted({name for name in variables if isinstance(name, str) and name.startswith("fleet_")})
    for name in unknown:
        if name not in KNOWN_VARIABLES:
            check.unknown(name, name, "a fleet variable", KNOWN_VARIABLES, listed=VARIABLES)


def check_required(check: Checker) -> None:
    for variable in REQUIRED:
        if check.get(variable) is None:
            names = " or ".join(FROM_ENVIRONMENT.get(variable, ()))
            where = f"set it, or {names} in the environment" if names else "set it (-e @fleet.yml, group_vars or AWX)"
            check.add(variable, f"is missing; it is required: {where}")


def check_identity(check: Checker) -> None:
    name = check.get("fleet_name")
    if name is not None:
        check.string(
            "fleet_name",
            name,
            "3 to 32 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
            FLEET_NAME,
        )
    region = check.get("fleet_region")
    if region is not None:
        check.string("fleet_region", region, "an AWS region name such as eu-west-1", REGION)


def check_gitlab(check: Checker) -> None:
    url = check.get("fleet_gitlab_url")
    if url is not None:
        check_gitlab_url(check, url)
    token = check.get("fleet_gitlab_api_token")
    if token is not None:
        if not isinstance(token, str):
            check.add(
                "fleet_gitlab_api_token", "is not a string; it must be a GitLab API token (from GITLAB_API_TOKEN)"
            )
        elif not token:
            check.add(
                "fleet_gitlab_api_token",
                "is empty; set it, or GITLAB_API_TOKEN, to a GitLab API token with the api scope",
            )
        elif token != token.strip() or any(character.isspace() for character in token):
            check.add("fleet_gitlab_api_token", "contains white space (a line break from a file?); give the bare token")
    validate = check.get("fleet_gitlab_validate_certs")
    if validate is not None:
        check.boolean("fleet_gitlab_validate_certs", validate)


def check_gitlab_url(check: Checker, url: object) -> None:
    path = "fleet_gitlab_url"
    if not isinstance(url, str):
        check.add(path, f"must be the GitLab instance's URL (https://gitlab.example.com); got {check.got(url)}")
        return
    if not url:
        check.add(path, "is empty; set it, or GITLAB_URL, to the GitLab instance's URL (https://gitlab.example.com)")
        return
    try:
        parts = urllib.parse.urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        check.add(path, f"must be an http(s) URL with a host, such as https://gitlab.example.com; got {check.got(url)}")
        return
    if parts.username is not None or parts.password is not None:
        check.add(
            path, "carries credentials (user:password@); give the URL alone and the token in fleet_gitlab_api_token"
        )
    elif parts.query or parts.fragment or not URL_PATH.match(parts.path):
        check.add(path, f"must be the instance's base URL, with at most a path prefix; got {check.got(url)}")
    elif parts.path.rstrip("/").endswith("/api/v4"):
        check.add(path, f"must be the instance's base URL, without /api/v4; got {check.got(url)}")


def check_tags(check: Checker) -> None:
    tag_key = check.get("fleet_tag_key")
    if tag_key is not None and check.string("fleet_tag_key", tag_key, "a tag key such as runnerfleet:fleet"):
        check_tag_key(check, "fleet_tag_key", tag_key)
    fleet_key = tag_key if isinstance(tag_key, str) else "runnerfleet:fleet"
    extra = check.get("fleet_extra_tags")
    if extra is not None:
        check_extra_tags(check, extra, fleet_key)
    tags = check.get("fleet_tags")
    if tags is not None:
        check_fleet_tags(check, tags, fleet_key, extra if isinstance(extra, Mapping) else {})


def check_extra_tags(check: Checker, extra: object, fleet_key: str) -> None:
    path = "fleet_extra_tags"
    if not isinstance(extra, Mapping):
        check.add(path, f"must be a mapping of tag names to values (team: ci); got {check.got(extra)}")
        return
    if len(extra) > MAX_EXTRA_TAGS:
        check.add(path, f"has {len(extra)} tags; at most {MAX_EXTRA_TAGS} (AWS allows 50 on a resource)")
    for key, value in extra.items():
        if not isinstance(key, str):
            check.add(path, f"has the key {check.got(key)}; tag names must be strings")
            continue
        if key == fleet_key:
            check.add(
                f"{path}.{key}",
                "is the fleet's own tag (fleet_tag_key), which the fleet sets to fleet_name; remove it",
            )
            continue
        if key in RESERVED_TAGS:
            check.add(f"{path}.{key}", "is set by the fleet itself on every resource; remove it")
            continue
        check_tag_key(check, f"{path}.{key}", key)
        check_tag_value(check, f"{path}.{key}", value)


def check_fleet_tags(check: Checker, tags: object, fleet_key: str, extra: Mapping) -> None:
    path = "fleet_tags"
    if not isinstance(tags, Mapping):
        check.add(path, f"must be a mapping of tag names to values; got {check.got(tags)}")
        return
    if len(tags) > MAX_FLEET_TAGS:
        check.add(path, f"has {len(tags)} tags; at most {MAX_FLEET_TAGS} (AWS allows 50, the fleet adds 2)")
    name = check.get("fleet_name")
    if isinstance(name, str) and tags.get(fleet_key) != name:
        check.add(
            f"{path}.{fleet_key}",
            f"must be the fleet's name {check.got(name)} (teardown finds the fleet by it); "
            f"got {check.got(tags.get(fleet_key))}",
        )
    for key, value in tags.items():
        # The extra tags were reported under fleet_extra_tags already.
        if key in extra or key == fleet_key:
            continue
        if not isinstance(key, str):
            check.add(path, f"has the key {check.got(key)}; tag names must be strings")
            continue
        check_tag_key(check, f"{path}.{key}", key)
        check_tag_value(check, f"{path}.{key}", value)


def check_tag_key(check: Checker, path: str, key: str) -> None:
    if not key or len(key) > TAG_KEY_LENGTH:
        check.add(path, f"must be a tag key of 1 to {TAG_KEY_LENGTH} characters; got one of {len(key)}")
    elif key.lower().startswith("aws:"):
        check.add(path, "starts with aws:, which AWS keeps for itself")
    elif not all(character.isalnum() or character in TAG_PUNCTUATION for character in key):
        check.add(path, "may hold only letters, digits, spaces and _ . : / = + - @ (what every AWS service takes)")


def check_tag_value(check: Checker, path: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        check.add(path, f"must be a string (or a number); got {check.got(value)}")
        return
    text = str(value)
    if len(text) > TAG_VALUE_LENGTH:
        check.add(path, f"must be at most {TAG_VALUE_LENGTH} characters; got {len(text)}")
    elif not all(character.isalnum() or character in TAG_PUNCTUATION for character in text):
        check.add(path, "may hold only letters, digits, spaces and _ . : / = + - @ (what every AWS service takes)")


# --- fleet_network ------------------------------------------------------------------------------------------------


def check_network(check: Checker) -> None:
    given = check.get("fleet_network")
    if given is None:
        return
    check.mapping("fleet_network", given, tuple(NETWORK_DEFAULTS), "a fleet_network key")
    if not isinstance(given, Mapping):
        return
    settings = merged(NETWORK_DEFAULTS, given)
    vpc_id = settings["vpc_id"]
    if not check.string(
        "fleet_network.vpc_id", vpc_id, "empty (a new VPC) or an existing VPC's id such as vpc-0abc1234"
    ):
        return
    if vpc_id:
        check_existing_network(check, settings, given)
    else:
        check_new_network(check, settings, given)


def check_existing_network(check: Checker, settings: Mapping, given: Mapping) -> None:
    path = "fleet_network"
    check.string(f"{path}.vpc_id", settings["vpc_id"], "an existing VPC's id such as vpc-0abc1234", VPC_ID)
    private = settings["private_subnet_ids"]
    if is_list(private) and not private:
        check.add(f"{path}.private_subnet_ids", "is empty; with vpc_id, name the private subnets the fleet uses")
    else:
        check.ids(f"{path}.private_subnet_ids", private, "subnet ids such as subnet-0abc1234", SUBNET_ID)
    check.ids(
        f"{path}.public_subnet_ids", settings["public_subnet_ids"], "subnet ids such as subnet-0abc1234", SUBNET_ID
    )
    for key in ("availability_zones", "public_subnet_cidrs", "private_subnet_cidrs"):
        if given.get(key):
            check.add(f"{path}.{key}", "is only for a new VPC; with vpc_id the existing subnets are used as they are")


def check_new_network(check: Checker, settings: Mapping, given: Mapping) -> None:
    path = "fleet_network"
    for key in ("private_subnet_ids", "public_subnet_ids"):
        ids = given.get(key)
        if ids is not None and check.listing(f"{path}.{key}", ids, "subnet ids such as subnet-0abc1234") and ids:
            check.add(f"{path}.{key}", "is only for an existing VPC; set vpc_id too, or leave it empty")
    vpc = None
    if check.string(f"{path}.vpc_cidr", settings["vpc_cidr"], "an IPv4 CIDR block such as 10.80.0.0/16"):
        vpc = network(settings["vpc_cidr"])
        if vpc is None or not LARGEST_VPC_PREFIX <= vpc.prefixlen <= SMALLEST_PREFIX:
            check.add(
                f"{path}.vpc_cidr",
                "must be an IPv4 network from /16 to /28 with no host bits set, such as 10.80.0.0/16; "
                f"got {check.got(settings['vpc_cidr'])}",
            )
            vpc = None
    zones = zone_count(check, settings)
    check.choice(f"{path}.nat_mode", settings["nat_mode"], ("per_az", "shared"))
    if zones is None:
        return
    public = subnet_cidrs(check, f"{path}.public_subnet_cidrs", settings["public_subnet_cidrs"], zones, vpc)
    private = subnet_cidrs(check, f"{path}.private_subnet_cidrs", settings["private_subnet_cidrs"], zones, vpc)
    if vpc is not None and public is not None and private is not None:
        check_carve(check, vpc, zones, public, private)


def zone_count(check: Checker, settings: Mapping) -> int | None:
    """How many zones the new VPC spans (availability_zones when given, else az_count); None when unknown."""
    path = "fleet_network"
    count_ok = check.integer(f"{path}.az_count", settings["az_count"], 1, MAX_ZONES)
    zones = settings["availability_zones"]
    if not check.listing(f"{path}.availability_zones", zones, "zone names such as eu-west-1a"):
        return None
    if not zones:
        return settings["az_count"] if count_ok else None
    if len(zones) > MAX_ZONES:
        check.add(f"{path}.availability_zones", f"names {len(zones)} zones; at most {MAX_ZONES}")
    region = check.get("fleet_region")
    seen: list[str] = []
    for index, zone in enumerate(zones):
        where = f"{path}.availability_zones[{index}]"
        if not check.string(where, zone, "a zone name such as eu-west-1a", ZONE):
            continue
        if isinstance(region, str) and REGION.match(region) and zone[:-1] != region:
            check.add(where, f"must be a zone of fleet_region {region}; got {check.got(zone)}")
        if zone in seen:
            check.add(where, f"repeats {check.got(zone)}; each zone may appear once")
        seen.append(zone)
    return len(zones)


def subnet_cidrs(check: Checker, path: str, cidrs: object, zones: int, vpc: Network | None) -> list[Subnet] | None:
    """The given subnet CIDRs, each with its path ([] when they are to be carved); None when unusable."""
    if not check.listing(path, cidrs, "IPv4 CIDR blocks, one per zone"):
        return None
    if not cidrs:
        return []
    if len(cidrs) != zones:
        check.add(path, f"must be empty (carved from vpc_cidr) or list one CIDR per zone ({zones}); got {len(cidrs)}")
    result = []
    for index, cidr in enumerate(cidrs):
        where = f"{path}[{index}]"
        subnet = network(cidr)
        if subnet is None or not LARGEST_VPC_PREFIX <= subnet.prefixlen <= SMALLEST_PREFIX:
            check.add(where, f"must be an IPv4 network from /16 to /28 with no host bits set; got {check.got(cidr)}")
            continue
        if vpc is not None and not subnet.subnet_of(vpc):
            check.add(where, f"is {subnet}, which lies outside fleet_network.vpc_cidr {vpc}")
        result.append(Subnet(where, subnet, carved=False))
    return result


class Subnet:
    """A subnet CIDR of the new VPC: given at `path`, or carved by roles/network for the list `path` names."""

    def __init__(self, path: str, cidr: Network, *, carved: bool) -> None:
        self.path, self.cidr, self.carved = path, cidr, carved

    def described(self) -> str:
        if self.carved:
            return f"{self.cidr}, which roles/network carves from vpc_cidr for {self.path}"
        return f"{self.path} {self.cidr}"


def check_carve(check: Checker, vpc: Network, zones: int, public: list[Subnet], private: list[Subnet]) -> None:
    """roles/network carves what is not given: public subnets at 0..n-1, private ones at n..2n-1, each /prefix+4.
    Then no two subnets may overlap."""
    if not public or not private:
        prefix = vpc.prefixlen + SUBNET_NEWBITS
        if prefix > SMALLEST_PREFIX or 2 * zones > 2**SUBNET_NEWBITS:
            check.add(
                "fleet_network.vpc_cidr",
                f"is {vpc}, too small to carve {2 * zones} subnets of /{prefix} for {zones} zones (AWS's smallest "
                f"subnet is a /{SMALLEST_PREFIX}); use a /{SMALLEST_PREFIX - SUBNET_NEWBITS} or larger, or give "
                "public_subnet_cidrs and private_subnet_cidrs",
            )
            return
        carved = list(vpc.subnets(new_prefix=prefix))
        if not public:
            public = [
                Subnet(f"fleet_network.public_subnet_cidrs[{n}]", cidr, carved=True)
                for n, cidr in enumerate(carved[:zones])
            ]
        if not private:
            private = [
                Subnet(f"fleet_network.private_subnet_cidrs[{n}]", cidr, carved=True)
                for n, cidr in enumerate(carved[zones : 2 * zones])
            ]
    everything = public + private
    for position, first in enumerate(everything):
        for second in everything[position + 1 :]:
            if first.cidr.overlaps(second.cidr):
                # Name a subnet the user gave first: that is the one to change.
                given, other = (second, first) if first.carved else (first, second)
                check.add(given.path, f"is {given.cidr}, which overlaps {other.described()}; subnets may not overlap")


# --- fleet_managers, fleet_cache, installation, settings --------------------------------------------------------


def check_managers(check: Checker) -> None:
    given = check.get("fleet_managers")
    path = "fleet_managers"
    if given is not None:
        check.mapping(path, given, tuple(MANAGER_DEFAULTS), "a fleet_managers key")
        if not isinstance(given, Mapping):
            return
    settings = merged(MANAGER_DEFAULTS, given)
    check.integer(f"{path}.count", settings["count"], 1, MAX_MANAGERS)
    check.string(
        f"{path}.instance_type", settings["instance_type"], "an EC2 instance type such as t3.medium", INSTANCE_TYPE
    )
    # An empty AMI is the default image, read from AWS's public parameters (_images.py) by pre-flight.
    check.optional(f"{path}.ami", settings["ami"], "an AMI id such as ami-0123456789abcdef0", AMI)
    connection = settings["connection"]
    check.choice(f"{path}.connection", connection, MANAGER_CONNECTIONS)
    check_ssh(check, settings, connection)


def check_ssh(check: Checker, settings: Mapping, connection: object) -> None:
    path = "fleet_managers"
    bastion = settings["ssh_bastion"]
    if check.string(f"{path}.ssh_bastion", bastion, "empty or a bastion host as [user@]host[:port]"):
        if bastion and not BASTION.match(bastion):
            check.add(f"{path}.ssh_bastion", f"must be a bastion host as [user@]host[:port]; got {check.got(bastion)}")
        if connection == "ssh" and not bastion:
            check.add(
                f"{path}.ssh_bastion",
                "is empty; connection ssh reaches the managers through a bastion, [user@]host[:port]",
            )
    check.string(f"{path}.ssh_user", settings["ssh_user"], "a login name such as ec2-user", SSH_USER)
    cidrs = settings["ssh_cidrs"]
    if not check.listing(f"{path}.ssh_cidrs", cidrs, "CIDR blocks such as 10.0.0.0/24"):
        return
    if cidrs and connection != "ssh":
        check.add(
            f"{path}.ssh_cidrs",
            f"is only for connection ssh (the managers open port 22 then); connection is {check.got(connection)}",
        )
    for index, cidr in enumerate(cidrs):
        where = f"{path}.ssh_cidrs[{index}]"
        try:
            block = ipaddress.ip_network(cidr, strict=True) if isinstance(cidr, str) and "/" in cidr else None
        except ValueError:
            block = None
        if block is None:
            check.add(where, f"must be a CIDR block with no host bits set, such as 10.0.0.0/24; got {check.got(cidr)}")
        elif block.prefixlen == 0:
            check.add(where, f"is {block}, the whole internet; name the networks that may reach the managers")


def check_cache(check: Checker) -> None:
    given = check.get("fleet_cache")
    path = "fleet_cache"
    if given is None:
        return
    check.mapping(path, given, tuple(CACHE_DEFAULTS), "a fleet_cache key")
    if not isinstance(given, Mapping):
        return
    settings = merged(CACHE_DEFAULTS, given)
    check.measure(f"{path}.expiration_days", settings["expiration_days"], DAYS, 1)
    check.optional(
        f"{path}.kms_key_id", settings["kms_key_id"], "a KMS key id, key ARN, alias/NAME or alias ARN", KMS_KEY
    )
    check.boolean(f"{path}.remove_on_teardown", settings["remove_on_teardown"])


def check_install(check: Checker) -> None:
    rules = (
        ("fleet_worker_ami", "an AMI id such as ami-0123456789abcdef0", AMI),
        (
            "fleet_docker_machine_version",
            "a docker-machine version such as 0.16.2-gitlab.34 (no leading v)",
            DOCKER_MACHINE_VERSION,
        ),
        ("fleet_docker_machine_sha256", "a sha256 (64 hex digits)", SHA256),
    )
    for variable, what, pattern in rules:
        if check.get(variable) is not None:
            check.optional(variable, check.get(variable), what, pattern)
    install = check.get("fleet_runner_install")
    if install is not None:
        check.boolean("fleet_runner_install", install)
    version = check.get("fleet_gitlab_runner_version")
    if version is not None:
        check.string("fleet_gitlab_runner_version", version, "a GitLab Runner version such as 18.9.0", RUNNER_VERSION)


def check_settings(check: Checker) -> None:
    settings = check.get("fleet_runner_settings")
    path = "fleet_runner_settings"
    if settings is None:
        return
    check.mapping(path, settings, SETTINGS_KEYS, "a fleet_runner_settings key")
    if not isinstance(settings, Mapping):
        return
    rules = {
        "concurrent": lambda where, value: check.integer(where, value, 1),
        "check_interval": lambda where, value: check.measure(where, value, SECONDS, 0),
        "shutdown_timeout": lambda where, value: check.measure(where, value, SECONDS, 0),
        "log_format": lambda where, value: check.choice(where, value, LOG_FORMATS),
        "log_level": lambda where, value: check.choice(where, value, LOG_LEVELS),
    }
    for key, rule in rules.items():
        # A null value was reported by check.mapping.
        if settings.get(key) is not None:
            rule(f"{path}.{key}", settings[key])


# --- fleet_runners --------------------------------------------------------------------------------------------


def check_runners(check: Checker) -> None:
    runners = check.get("fleet_runners")
    path = "fleet_runners"
    if runners is None:
        return
    if not is_list(runners):
        check.add(
            path,
            f"must be a list of runner entries (mappings of name, runner_type, executor...); got {check.got(runners)}",
        )
        return
    if not runners:
        check.add(path, "is empty; the fleet needs at least one runner entry")
        return
    paths = entry_paths(runners)
    check_docker_machine_install(check, runners, paths)
    for entry, where in zip(runners, paths, strict=True):
        if not isinstance(entry, Mapping):
            check.add(where, f"must be a mapping (name, runner_type, executor, ...); got {check.got(entry)}")
            continue
        check_entry(check, where, entry)
    check_unique_names(check, runners, paths)


def entry_paths(runners: Sequence) -> list[str]:
    """How messages name each entry: by its name (fleet_runners[small]), which the user sees in the file, when the
    name is valid and names that entry alone; else by its index (fleet_runners[2]), so that a missing, malformed or
    repeated name is reported at the index. A name of digits alone would read as an index: it gets the index too."""
    names = [entry.get("name") if isinstance(entry, Mapping) else None for entry in runners]
    return [
        f"fleet_runners[{name}]"
        if isinstance(name, str) and RUNNER_NAME.match(name) and not name.isdigit() and names.count(name) == 1
        else f"fleet_runners[{index}]"
        for index, name in enumerate(names)
    ]


def check_unique_names(check: Checker, runners: Sequence, paths: Sequence[str]) -> None:
    """Entry names name the runner in GitLab, its SSM parameters and its Auto Scaling group (<fleet>-<name>, unless
    the entry names its group): each must be unique, and so must the groups."""
    names: dict[str, int] = {}
    groups: dict[str, int] = {}
    fleet = check.get("fleet_name") if isinstance(check.get("fleet_name"), str) else ""
    for index, entry in enumerate(runners):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not (isinstance(name, str) and RUNNER_NAME.match(name)):
            continue
        where = paths[index]
        if name in names:
            check.add(
                f"{where}.name", f"{check.got(name)} is also the name of {paths[names[name]]}; names must be unique"
            )
            continue
        names[name] = index
        if entry.get("executor") != "docker-autoscaler":
            continue
        group = entry.get("autoscaling_group") or f"{fleet}-{name}"
        if isinstance(group, str) and group in groups:
            check.add(
                f"{where}.autoscaling_group",
                f"{check.got(group)} is also the Auto Scaling group of {paths[groups[group]]}; each "
                "docker-autoscaler entry needs its own group",
            )
        elif isinstance(group, str):
            groups[group] = index


def check_docker_machine_install(check: Checker, runners: Sequence, paths: Sequence[str]) -> None:
    """docker+machine entries need GitLab's docker-machine fork on the managers, pinned and checked."""
    machines = [
        where
        for entry, where in zip(runners, paths, strict=True)
        if isinstance(entry, Mapping) and entry.get("executor") == "docker+machine"
    ]
    install = check.get("fleet_runner_install")
    if not machines or install is False:
        return
    users = f"{', '.join(machines)} {'uses' if len(machines) == 1 else 'use'} docker+machine"
    version = check.get("fleet_docker_machine_version")
    if not (isinstance(version, str) and version):
        check.add(
            "fleet_docker_machine_version",
            f"is empty, but {users}: with fleet_runner_install true the managers get GitLab's docker-machine fork at "
            "this version (such as 0.16.2-gitlab.34)",
        )
    digest = check.get("fleet_docker_machine_sha256")
    if not (isinstance(digest, str) and digest):
        check.add(
            "fleet_docker_machine_sha256",
            f"is empty, but {users}: with fleet_runner_install true the downloaded docker-machine binary is checked "
            "against this sha256 (64 hex digits)",
        )


def check_entry(check: Checker, where: str, entry: Mapping) -> None:
    keys = [key for key in entry if isinstance(key, str)]
    unknown = sorted(key for key in keys if key not in ENTRY_KEYS)
    for key in entry:
        if not isinstance(key, str):
            check.add(where, f"has the key {check.got(key)}; keys must be strings")
    for key in unknown:
        check.unknown(
            f"{where}.{key}", key, "a runner entry key", sorted(ENTRY_KEYS), hint="(config.toml keys go under config)"
        )
    for key in keys:
        if key in ENTRY_KEYS and entry[key] is None and key not in ("name", "runner_type", "executor"):
            check.add(f"{where}.{key}", "is null; give it a value, or leave the key out for the default")
    # From here on a null value is a key not given (reported above).
    entry = {key: value for key, value in entry.items() if key in ENTRY_KEYS and value is not None}
    executor = check_executor(check, where, entry)
    check_gitlab_attributes(check, where, entry)
    check_entry_values(check, where, entry)
    if executor is not None:
        check_executor_keys(check, where, entry, executor)
        check_jobs_keep_off_the_manager_role(check, where, entry, executor)
        check_workers(check, where, entry, executor)
        capacity = check_capacity(check, where, entry, executor)
        check_autoscaling(check, where, entry, executor, capacity)


def check_executor(check: Checker, where: str, entry: Mapping) -> str | None:
    name = entry.get("name")
    if name is None:
        check.add(f"{where}.name", "is missing; each entry needs a name")
    else:
        check.string(
            f"{where}.name",
            name,
            "1 to 40 lowercase letters, digits and hyphens, not starting or ending with a hyphen",
            RUNNER_NAME,
        )
    executor = entry.get("executor")
    if executor is None:
        check.add(f"{where}.executor", f"is missing; it must be one of {', '.join(EXECUTORS)}")
        return None
    return executor if check.choice(f"{where}.executor", executor, EXECUTORS) else None


def check_gitlab_attributes(check: Checker, where: str, entry: Mapping) -> None:
    runner_type = entry.get("runner_type")
    if runner_type is None:
        check.add(f"{where}.runner_type", f"is missing; it must be one of {', '.join(RUNNER_TYPES)}")
    elif not check.choice(f"{where}.runner_type", runner_type, RUNNER_TYPES):
        runner_type = None
    for owner in (("group", "group_type"), ("project", "project_type")):
        check_owner(check, where, entry, owner, runner_type)
    tags = check_runner_tags(check, where, entry.get("tags"))
    for key in ("run_untagged", "locked", "paused"):
        if key in entry:
            check.boolean(f"{where}.{key}", entry[key])
    if tags == [] and entry.get("run_untagged", True) is False:
        check.add(
            f"{where}.run_untagged",
            "is false but the entry has no tags; GitLab refuses a runner that can pick no job: add tags, or set "
            "run_untagged to true",
        )
    if entry.get("locked") is True and runner_type is not None and runner_type != "project_type":
        check.add(f"{where}.locked", f"is true, but only project runners can be locked; runner_type is {runner_type}")
    if "access_level" in entry:
        check.choice(f"{where}.access_level", entry["access_level"], ACCESS_LEVELS)
    if "maximum_timeout" in entry:
        check.measure(
            f"{where}.maximum_timeout",
            entry["maximum_timeout"],
            SECONDS,
            MIN_MAXIMUM_TIMEOUT,
            zero_means="no limit",
            why="GitLab's minimum",
        )
    note = entry.get("maintenance_note")
    if note is not None and check.string(f"{where}.maintenance_note", note, "a string") and len(note) > MAX_NOTE:
        check.add(f"{where}.maintenance_note", f"must be at most {MAX_NOTE} characters; got {len(note)}")


def check_owner(check: Checker, where: str, entry: Mapping, owner_of: tuple[str, str], runner_type: object) -> None:
    """group (only and always for group_type runners), project likewise: a full path or a numeric id."""
    owner, owner_type = owner_of
    value = entry.get(owner)
    if value is None:
        if runner_type == owner_type:
            check.add(f"{where}.{owner}", f"is missing; a {owner_type} runner needs its {owner} (a path or an id)")
        return
    if runner_type is not None and runner_type != owner_type:
        check.add(f"{where}.{owner}", f"is only for runner_type {owner_type}; runner_type is {runner_type}")
        return
    valid = (is_int(value) and value > 0) or (isinstance(value, str) and GITLAB_PATH.match(value))
    if not valid:
        check.add(
            f"{where}.{owner}",
            f"must be the {owner}'s full path (platform/infra) or its numeric id; got {check.got(value)}",
        )


def check_runner_tags(check: Checker, where: str, tags: object) -> list[str] | None:
    """The entry's GitLab tags (tag_list), [] when none; None when unusable."""
    path = f"{where}.tags"
    if tags is None:
        return []
    if not check.listing(path, tags, "tag names (strings)"):
        return None
    if len(tags) > MAX_RUNNER_TAGS:
        check.add(path, f"has {len(tags)} tags; GitLab allows at most {MAX_RUNNER_TAGS}")
    seen: list[str] = []
    for index, tag in enumerate(tags):
        item = f"{path}[{index}]"
        if not isinstance(tag, str) or not tag.strip():
            check.add(item, f"must be a non-empty string; got {check.got(tag)}")
        elif "," in tag:
            check.add(item, f"{check.got(tag)} has a comma, which GitLab reads as two tags; list them apart")
        elif tag in seen:
            check.add(item, f"repeats {check.got(tag)}; each tag may appear once")
        else:
            seen.append(tag)
    return seen


def check_entry_values(check: Checker, where: str, entry: Mapping) -> None:
    """The types of the keys every executor may have."""
    for key in ("cache", "cache_shared", "privileged", "spot"):
        if key in entry:
            check.boolean(f"{where}.{key}", entry[key])
    if "request_concurrency" in entry:
        check.integer(f"{where}.request_concurrency", entry["request_concurrency"], 1)
    if "image" in entry:
        check.string(f"{where}.image", entry["image"], "a container image name such as alpine:3.20")
        if entry["image"] == "":
            check.add(f"{where}.image", "is empty; name an image such as alpine:3.20, or leave the key out")
    config = entry.get("config")
    if config is not None and not isinstance(config, Mapping):
        check.add(f"{where}.config", f"must be a mapping of config.toml [[runners]] keys; got {check.got(config)}")
    if entry.get("executor") == "custom":
        custom = config.get("custom") if isinstance(config, Mapping) else None
        run_exec = custom.get("run_exec") if isinstance(custom, Mapping) else None
        if not isinstance(run_exec, str) or not run_exec:
            check.add(
                f"{where}.config.custom.run_exec",
                "is missing; the custom executor needs config: {custom: {run_exec: /path/to/run}} (and usually "
                "prepare_exec and cleanup_exec)",
            )


def check_executor_keys(check: Checker, where: str, entry: Mapping, executor: str) -> None:
    for key in entry:
        executors = ENTRY_KEYS.get(key)
        if executors is not None and executor not in executors:
            check.add(f"{where}.{key}", f"is only for the executors {', '.join(executors)}; this entry's is {executor}")


def check_jobs_keep_off_the_manager_role(check: Checker, where: str, entry: Mapping, executor: str) -> None:
    """A job that can act as the manager can read every runner token and the docker-machine CA key in SSM and launch
    instances: the whole fleet. The managers' metadata answers one network hop only, so a docker job in a container
    of its own never reaches the instance role; a shell job, a privileged container or one on the host's network
    does. Such an entry is refused unless it says allow_manager_role: true, a choice made knowingly."""
    allowed = entry.get("allow_manager_role", False)
    if not check.boolean(f"{where}.allow_manager_role", allowed) or allowed or executor not in ON_THE_MANAGER:
        return
    docker = entry.get("config", {}).get("docker", {}) if isinstance(entry.get("config"), Mapping) else {}
    if executor == "shell":
        path, how = f"{where}.executor", "is shell: its jobs run on the manager as the runner's user"
    elif entry.get("privileged") is True:
        path, how = f"{where}.privileged", "is true: a privileged job container can take over the manager"
    elif isinstance(docker, Mapping) and docker.get("privileged") is True:
        path, how = f"{where}.config.docker.privileged", "is true: a privileged job container can take over the manager"
    elif isinstance(docker, Mapping) and docker.get("network_mode") == "host":
        path, how = f"{where}.config.docker.network_mode", "is host: job containers share the manager's network"
    else:
        return
    check.add(
        path,
        f"{how}, where the manager's instance role answers them (every runner token and the docker-machine CA key in "
        "SSM, launching instances). Use an autoscaled executor (docker-autoscaler, docker+machine), whose jobs run on "
        "workers; or set allow_manager_role: true on the entry if every job it takes may act as the manager",
    )


AUTOSCALING_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}\Z")
PRICE = re.compile(r"^\d+(\.\d+)?\Z")


def check_workers(check: Checker, where: str, entry: Mapping, executor: str) -> None:
    """The worker machines of the autoscaling executors: types, AMI, volumes, spot, the managers that drive them."""
    if executor not in AUTOSCALING_EXECUTORS:
        return
    if "instance_type" in entry:
        check.string(
            f"{where}.instance_type", entry["instance_type"], "an EC2 instance type such as m5.large", INSTANCE_TYPE
        )
        if "instance_types" in entry:
            check.add(f"{where}.instance_types", "and instance_type are both given; give one of them")
    if "instance_types" in entry:
        check_instance_types(check, where, entry["instance_types"], executor)
    ami = entry.get("ami")
    if ami is not None:
        check.string(f"{where}.ami", ami, "an AMI id such as ami-0123456789abcdef0", AMI)
    check_machine_settings(check, where, entry)
    managers = merged(MANAGER_DEFAULTS, check.get("fleet_managers"))["count"]
    if executor == "docker-autoscaler" and is_int(managers) and managers > 1:
        check.add(
            f"{where}.executor",
            f"is docker-autoscaler, which needs fleet_managers.count 1 (got {managers}): two managers would run "
            "two fleeting plugins on one Auto Scaling group, each taking the other's instances",
        )


def check_machine_settings(check: Checker, where: str, entry: Mapping) -> None:
    rules = {
        "root_size": lambda path, value: check.measure(path, value, GIB, 8, 16384),
        "volume_type": lambda path, value: check.choice(path, value, VOLUME_TYPES),
        "ssh_user": lambda path, value: check.string(path, value, "a login name such as ubuntu or ec2-user", SSH_USER),
        "spot_allocation_strategy": lambda path, value: check.choice(path, value, SPOT_STRATEGIES),
        "autoscaling_group": lambda path, value: check.string(
            path, value, "an Auto Scaling group name (letters, digits, . _ -)", AUTOSCALING_GROUP
        ),
    }
    for key, rule in rules.items():
        if key in entry:
            rule(f"{where}.{key}", entry[key])
    if "zone" in entry and check.string(f"{where}.zone", entry["zone"], "a zone name such as eu-west-1a", ZONE):
        region = check.get("fleet_region")
        if isinstance(region, str) and entry["zone"][:-1] != region:
            check.add(f"{where}.zone", f"must be a zone of fleet_region {region}; got {check.got(entry['zone'])}")
    price = entry.get("spot_price")
    if "spot_price" in entry and (isinstance(price, bool) or not PRICE.match(str(price))):
        check.add(f"{where}.spot_price", f"must be a price in US dollars such as 0.05; got {check.got(price)}")


def check_instance_types(check: Checker, where: str, types: object, executor: str) -> None:
    path = f"{where}.instance_types"
    if not check.listing(path, types, "EC2 instance types such as m5.large"):
        return
    if not types:
        check.add(path, "is empty; list at least one EC2 instance type, such as m5.large")
        return
    if executor == "docker+machine" and len(types) > 1:
        check.add(
            path,
            f"lists {len(types)} types, but docker+machine uses only one (instance_types[0]); give one type, or use "
            "docker-autoscaler for several",
        )
    seen: list[str] = []
    for index, item in enumerate(types):
        if not check.string(f"{path}[{index}]", item, "an EC2 instance type such as m5.large", INSTANCE_TYPE):
            continue
        if item in seen:
            check.add(f"{path}[{index}]", f"repeats {check.got(item)}; each type may appear once")
        seen.append(item)
    check_one_architecture(check, path, seen)


def check_one_architecture(check: Checker, path: str, types: list[str]) -> None:
    """A launch template has one AMI, and an AMI one architecture: the types must all boot it."""
    found = architectures(types)
    if len(found) > 1:
        named = "; ".join(f"{arch}: {', '.join(names)}" for arch, names in sorted(found.items()))
        check.add(path, f"mixes architectures ({named}); one image boots one architecture, so split the entry")


def check_capacity(check: Checker, where: str, entry: Mapping, executor: str) -> int | None:
    """Counts and the arithmetic between them: idle capacity and limit within what the workers hold."""
    ok = {
        "max_instances": "max_instances" not in entry
        or check.integer(f"{where}.max_instances", entry["max_instances"], 1, MAX_INSTANCES),
        "capacity_per_instance": "capacity_per_instance" not in entry
        or check.integer(f"{where}.capacity_per_instance", entry["capacity_per_instance"], 1),
        "limit": "limit" not in entry or check.integer(f"{where}.limit", entry["limit"], 1),
    }
    for key, low in (("idle_count", 0), ("max_builds", 1)):
        if key in entry:
            ok[key] = check.integer(f"{where}.{key}", entry[key], low)
    if "idle_time" in entry:
        check.measure(f"{where}.idle_time", entry["idle_time"], SECONDS, 0)
    capacity = None
    if executor == "docker-autoscaler" and ok["max_instances"] and ok["capacity_per_instance"]:
        instances = entry.get("max_instances", DEFAULT_MAX_INSTANCES)
        capacity = instances * entry.get("capacity_per_instance", DEFAULT_CAPACITY)
        described = f"max_instances * capacity_per_instance = {capacity}"
        if ok["limit"] and entry.get("limit", 0) > capacity:
            check.add(f"{where}.limit", f"is {entry['limit']}, more jobs than the workers hold ({described})")
        if "on_demand_base" in entry:
            check.integer(f"{where}.on_demand_base", entry["on_demand_base"], 0, instances)
    elif executor == "docker-autoscaler" and "on_demand_base" in entry:
        check.integer(f"{where}.on_demand_base", entry["on_demand_base"], 0, MAX_INSTANCES)
    elif executor == "docker+machine" and ok["limit"]:
        # docker-machine makes at most limit machines.
        capacity = entry.get("limit", DEFAULT_MACHINE_LIMIT)
        described = f"limit = {capacity}, the most machines docker+machine makes"
    if capacity is not None and ok.get("idle_count") and entry["idle_count"] > capacity:
        check.add(
            f"{where}.idle_count", f"is {entry['idle_count']}, more idle capacity than the workers hold ({described})"
        )
    return capacity


def check_autoscaling(check: Checker, where: str, entry: Mapping, executor: str, capacity: int | None) -> None:
    """Time-based idle policies, each with the bounds of the entry's own idle_count and idle_time."""
    if "autoscaling" not in entry:
        return
    path = f"{where}.autoscaling"
    policies = entry["autoscaling"]
    if not check.listing(path, policies, "mappings with periods, timezone, idle_count and idle_time"):
        return
    for index, policy in enumerate(policies):
        item = f"{path}[{index}]"
        check.mapping(item, policy, POLICY_KEYS, "an autoscaling policy key")
        if isinstance(policy, Mapping):
            check_policy(check, item, policy, executor, capacity)


def check_policy(check: Checker, item: str, policy: Mapping, executor: str, capacity: int | None) -> None:
    periods = policy.get("periods")
    if not is_list(periods) or not periods:
        check.add(
            f"{item}.periods",
            f'must be a non-empty list of cron lines such as "* 8-18 * * mon-fri"; got {check.got(periods)}',
        )
    else:
        check_periods(check, f"{item}.periods", periods, executor)
    timezone = policy.get("timezone")
    if timezone is not None and not (isinstance(timezone, str) and known_timezone(timezone)):
        check.add(
            f"{item}.timezone", f"must be a time zone name such as Europe/Berlin or UTC; got {check.got(timezone)}"
        )
    if policy.get("idle_time") is not None:
        check.measure(f"{item}.idle_time", policy["idle_time"], SECONDS, 0)
    idle_count = policy.get("idle_count")
    counted = idle_count is not None and check.integer(f"{item}.idle_count", idle_count, 0)
    if counted and capacity is not None and idle_count > capacity:
        check.add(f"{item}.idle_count", f"is {idle_count}, more idle capacity than the workers hold ({capacity})")


def check_periods(check: Checker, path: str, periods: Sequence, executor: str) -> None:
    for index, line in enumerate(periods):
        where = f"{path}[{index}]"
        if not isinstance(line, str):
            check.add(where, f"must be a cron line (a string); got {check.got(line)}")
            continue
        reason = cron_problem(line)
        if reason:
            check.add(where, f"{check.got(line)} is not a cron line GitLab Runner can read: {reason}")
        elif executor == "docker+machine" and not runs_every_second(line):
            check.add(
                where,
                f"{check.got(line)} would be active one second a minute: docker+machine periods need 7 fields with "
                '"*" seconds first, such as "* * 8-18 * * mon-fri *"',
            )
