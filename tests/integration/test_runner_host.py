# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner_host role on stand-in managers (a temporary host root each), against the session's sandbox: the
files it writes (config.toml, the systemd drop-in and unit, the binaries) with their modes and content, a
config.toml that GitLab Runner's structs accept, idempotence and check mode with a masked diff, no restart for a
config.toml change, a token the runner rotated kept on the host and stored in SSM, the binary install against a
local HTTP server (checksums, no second download, the fleeting plugins), docker+machine with its certificates,
bad input refused before anything is written, no token in -vvv output, and state absent.

Each test converges its own fleet (named after the test), so that the tests share the session's sandbox without
meeting. The role's result comes back through a JSON file that the converge playbook writes.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import functools
import hashlib
import http.server
import re
import shlex
import threading
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
from stand_in import GROUP, OWNER, Converged, StandInManager, fleet_name, mode_of, owner_of, ssm_has

COLLECTIONS_ROOT = Path(__file__).resolve().parents[2] / ".collections"
# The collection's own plugin utils, imported as Ansible loads them (as tests/unit/conftest.py does).
if AnsibleCollectionConfig.collection_finder is None:
    _AnsibleCollectionFinder(paths=[str(COLLECTIONS_ROOT)])._install()

from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import normalize

GITLAB_URL = "https://gitlab.example.com"
CONFIG = "etc/gitlab-runner/config.toml"
MARKER = "etc/gitlab-runner/.runnerfleet-fleeting-plugins"
DROPIN = "etc/systemd/system/gitlab-runner.service.d/runnerfleet.conf"
UNIT = "etc/systemd/system/gitlab-runner.service"
RUNNER_BINARY = "usr/local/bin/gitlab-runner"
MACHINE_BINARY = "usr/local/bin/docker-machine"
CERTS = "root/.docker/machine/certs"
CERT_FILES = ("ca.pem", "ca-key.pem", "cert.pem", "key.pem")
TOKEN_VALUE = re.compile(r"glrt-[A-Za-z0-9_-]{8,}")
BINARY_CHANGED = "gitlab-runner binary changed"
# 127.0.0.1 is the test's own HTTP server: never through a proxy a CI machine may set.
NO_PROXY = {"no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"}


# --- the role, run on a stand-in manager -------------------------------------------------------------------------


@dataclasses.dataclass
class Manager(StandInManager):
    """A stand-in runner manager, and the runner_host_* variables (without the prefix) every run of it gets."""

    PLAYBOOK = Path(__file__).parent / "playbooks" / "runner_host" / "converge.yml"

    settings: dict = dataclasses.field(kw_only=True)

    def path(self, relative: str) -> Path:
        return self.root / relative

    @property
    def config_file(self) -> Path:
        return self.path(CONFIG)

    def config_text(self) -> str:
        return self.config_file.read_text(encoding="utf-8")

    def config(self) -> dict:
        return tomllib.loads(self.config_text())

    def runner(self, name: str) -> dict:
        runners = [runner for runner in self.config()["runners"] if runner["name"] == name]
        assert len(runners) == 1, [runner["name"] for runner in self.config()["runners"]]
        return runners[0]

    def snapshot(self) -> dict[str, tuple[int, bytes | None, int]]:
        """Every path under the host root: its mode, its content (files), its modification time in ns."""
        state = {}
        for path in sorted(self.root.rglob("*")):
            status = path.lstat()
            content = path.read_bytes() if path.is_file() else None
            state[str(path.relative_to(self.root))] = (status.st_mode, content, status.st_mtime_ns)
        return state

    def variables(self, overrides: dict) -> dict:
        settings = {**self.settings, **overrides}
        return {f"runner_host_{key}": value for key, value in settings.items()}

    def run(self, *args: str, json_report: bool = True, **overrides: Any) -> Converged:
        """Run the role; overrides are runner_host_* variables without the prefix. The run may fail."""
        return self.play(*args, extra_vars=self.variables(overrides), json_report=json_report, env=NO_PROXY)

    def converge(self, *args: str, json_report: bool = True, **overrides: Any) -> Converged:
        """Run the role; the run must succeed (and with state present, report its result)."""
        converged = self.run(*args, json_report=json_report, **overrides)
        assert converged.run.returncode == 0, converged.run.failure_text()
        if {**self.settings, **overrides}.get("state", "present") == "present":
            assert converged.result is not None, f"the role set no runner_host_result\n{converged.run.failure_text()}"
        return converged

    def rotate(self, name: str, new_token: str, obtained: datetime.datetime) -> None:
        """Rewrite config.toml as GitLab Runner does after it rotated the runner's token by itself: the new token
        and when it was obtained and expires, as unquoted TOML datetimes."""
        text = self.config_text()
        old_token = self.runner(name)["token"]
        old_line = f'token = "{old_token}"\n'
        assert text.count(old_line) == 1, f"no single token line for {name}"
        lines = [f'token = "{new_token}"\n', f"token_obtained_at = {utc(obtained)}\n"]
        lines.append(f"token_expires_at = {utc(obtained + datetime.timedelta(days=90))}\n")
        self.config_file.write_text(text.replace(old_line, "".join(lines)), encoding="utf-8")


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def token_for(fleet: str, name: str, generation: str = "") -> str:
    """A token shaped like GitLab's (glrt- and 20 characters), unique to the fleet, the entry and its generation."""
    return "glrt-" + hashlib.sha256(f"{fleet}/{name}/{generation}".encode()).hexdigest()[:20]


def aws_facts(fleet: str, region: str) -> dict:
    return {
        "region": region,
        "vpc_id": "vpc-0a1b2c3d4e5f60718",
        "worker_subnets": [
            {"id": "subnet-0aaa1111aaaa1111a", "zone": f"{region}a"},
            {"id": "subnet-0bbb2222bbbb2222b", "zone": f"{region}b"},
        ],
        "worker_security_group": f"{fleet}-workers",
        "worker_instance_profile": f"{fleet}-worker",
        "worker_ami": "ami-0123456789abcdef0",
        "cache_bucket": f"{fleet}-cache",
        "tags": {"runnerfleet:fleet": fleet},
    }


def autoscaler_entry(fleet: str, name: str = "as", runner_id: int = 101, **settings: Any) -> dict:
    entry = {"name": name, "executor": "docker-autoscaler", "id": runner_id, "token": token_for(fleet, name)}
    return {**entry, "max_instances": 4, "idle_count": 1, **settings}


def shell_entry(fleet: str, name: str = "sh", runner_id: int = 102, **settings: Any) -> dict:
    return {"name": name, "executor": "shell", "id": runner_id, "token": token_for(fleet, name), **settings}


def machine_entry(fleet: str, name: str = "dm", runner_id: int = 103, **settings: Any) -> dict:
    return {"name": name, "executor": "docker+machine", "id": runner_id, "token": token_for(fleet, name), **settings}


def tokens_of(entries: list[dict]) -> list[str]:
    return [entry["token"] for entry in entries]


def leaked(text: str, tokens: list[str]) -> list[str]:
    """The tokens the text holds, as they are or base64-encoded (a slurped file), and any glrt- token value."""
    found = [token for token in tokens if any(form in text for form in (token, *base64_forms(token)))]
    return found + TOKEN_VALUE.findall(text)


def base64_forms(secret: str) -> list[str]:
    """What base64 makes of the secret inside a longer text, at each of the three alignments: the characters that
    only the secret's own bytes decide."""
    forms = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret.encode()).decode()
        forms.append(encoded[4 if offset else 0 : -4])
    return forms


def systemd_environment(unit_text: str) -> dict[str, str]:
    """The environment systemd gives the service from a unit's Environment= lines, read as systemd reads them:
    specifiers first ("%%" is a percent sign; any other "%" is a specifier, and one systemd cannot resolve makes it
    ignore the whole line, as `systemd-analyze verify` reports), then the quoted words, each NAME=VALUE."""
    environment = {}
    for line in unit_text.splitlines():
        if not line.startswith("Environment="):
            continue
        value = line.removeprefix("Environment=")
        if "%" in value.replace("%%", ""):
            continue  # a specifier: the line is ignored, or the value is not the one written
        for word in shlex.split(value.replace("%%", "%")):
            name, _separator, item = word.partition("=")
            environment[name] = item
    return environment


@pytest.fixture
def new_manager(request: pytest.FixtureRequest, playbook, sandbox, tmp_path: Path) -> Callable[..., Manager]:
    """Make a stand-in manager with a fleet of its own: rh-<the test's name, shortened>-<a hash of the test id>."""

    def make(label: str = "a", **settings: Any) -> Manager:
        fleet = fleet_name(request, "rh", label, words_length=14)
        region = sandbox.endpoints["AWS_DEFAULT_REGION"]
        workdir = tmp_path / label
        base = {
            "fleet_name": fleet,
            "region": region,
            "root": str(workdir / "host"),
            "gitlab_url": GITLAB_URL,
            "install": False,
            "service_manager": "none",
            "config_owner": OWNER,
            "config_group": GROUP,
            "aws": aws_facts(fleet, region),
            "runners": [autoscaler_entry(fleet), shell_entry(fleet)],
        }
        manager = Manager(fleet, workdir, region, playbook, settings={**base, **settings})
        manager.root.mkdir(parents=True)
        return manager

    return make


def parameter_versions(ssm, parameters: dict[str, str]) -> dict[str, int]:
    return {name: ssm.get_parameter(Name=parameter)["Parameter"]["Version"] for name, parameter in parameters.items()}


# --- a download server for the binary install --------------------------------------------------------------------


@dataclasses.dataclass
class Downloads:
    """A local HTTP server serving a directory, with the paths it was asked for."""

    directory: Path
    base_url: str
    requests: list[str]
    calls_log: Path  # where the stand-in gitlab-runner writes its arguments

    def publish(self, name: str, content: bytes) -> tuple[str, str]:
        """Serve content as /name; its URL and its sha256."""
        (self.directory / name).write_bytes(content)
        return f"{self.base_url}/{name}", hashlib.sha256(content).hexdigest()

    def gets(self, name: str) -> int:
        return sum(1 for path in self.requests if path.split("?")[0] == f"/{name}")

    def calls(self) -> list[str]:
        return self.calls_log.read_text(encoding="utf-8").splitlines() if self.calls_log.exists() else []

    def runner_script(self, version: str) -> bytes:
        """A stand-in gitlab-runner: a shell script that logs its arguments (the fleeting install call)."""
        return f'#!/bin/sh\n# gitlab-runner stand-in {version}\necho "$*" >> "{self.calls_log}"\n'.encode()


@pytest.fixture
def downloads(tmp_path: Path) -> Iterator[Downloads]:
    directory = tmp_path / "downloads"
    directory.mkdir()
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            super().do_GET()

        def do_HEAD(self) -> None:
            requests.append(f"HEAD {self.path}")
            super().do_HEAD()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, name="downloads", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield Downloads(directory, f"http://{host}:{port}", requests, tmp_path / "gitlab-runner-calls.log")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def binary_settings(downloads: Downloads, content: bytes, sha256: str | None = None) -> dict:
    url, digest = downloads.publish("gitlab-runner", content)
    return {
        "install": True,
        "gitlab_runner_source": "binary",
        "gitlab_runner_binary_url": url,
        "gitlab_runner_binary_sha256": sha256 or digest,
    }


def fleeting_call(manager: Manager) -> str:
    return f"fleeting --config {manager.config_file} install"


# --- the tests ---------------------------------------------------------------------------------------------------


def assert_config_matches(manager: Manager, entries: list[dict]) -> None:
    """config.toml is TOML that the collection's own check of GitLab Runner's structs accepts, and holds the
    entries (a docker-autoscaler one, then a shell one) with their ids, url, tokens and the fleet's S3 cache."""
    text = manager.config_text()
    assert text.startswith("# Managed by Ansible"), text[:200]
    config = tomllib.loads(text)
    normalize(config)
    assert config["concurrent"] == 4 + 1  # the limits' sum: max_instances * capacity_per_instance, and 1
    runners = config["runners"]
    assert [runner["name"] for runner in runners] == ["as", "sh"]
    for runner, entry in zip(runners, entries, strict=True):
        assert (runner["id"], runner["url"], runner["token"]) == (entry["id"], GITLAB_URL, entry["token"])
        assert runner["executor"] == entry["executor"]
        cache = runner["cache"]
        assert cache["Type"] == "s3" and cache["Path"] == entry["name"], cache
        assert cache["s3"]["BucketName"] == f"{manager.fleet}-cache", cache
        assert cache["s3"]["AuthenticationType"] == "iam", cache
        assert not {"AccessKey", "SecretKey", "SessionToken"} & set(cache["s3"]), cache
    autoscaler = runners[0]["autoscaler"]
    assert autoscaler["plugin_config"] == {"name": f"{manager.fleet}-as"}, autoscaler
    assert autoscaler["plugin"] == "aws:1.0.0" and autoscaler["max_instances"] == 4, autoscaler
    assert autoscaler["policy"][0]["idle_count"] == 1, autoscaler
    assert autoscaler["connector_config"]["use_external_addr"] is False, autoscaler
    assert runners[0]["docker"]["image"] == "alpine:3.20"
    assert "docker" not in runners[1] and "autoscaler" not in runners[1]


def test_converge_writes_a_valid_config_and_a_second_run_changes_nothing(new_manager) -> None:
    manager = new_manager()
    entries = manager.settings["runners"]

    first = manager.converge()

    assert first.changed > 0
    assert first.result["config_changed"] is True, first.result
    assert first.result["runners"] == {"as": 101, "sh": 102}, first.result
    assert first.result["rotated_tokens"] == [], first.result
    assert first.result["restart_reasons"] == ["service unit changed"], first.result  # the new drop-in
    assert first.result["installed"] is False and first.result["service_manager"] == "none", first.result
    assert first.result["config_file"] == str(manager.config_file), first.result
    said = first.run.messages("runner_host:")
    assert any("installation is switched off" in message for message in said), said
    assert not leaked(first.text, tokens_of(entries))

    # The files, their modes and owners.
    for relative, mode in ((CONFIG, 0o600), (DROPIN, 0o644)):
        path = manager.path(relative)
        assert path.is_file(), relative
        assert mode_of(path) == mode, f"{relative}: {oct(mode_of(path))}"
        assert owner_of(path) == (OWNER, GROUP), relative
    assert mode_of(manager.path("etc/gitlab-runner")) == 0o700
    assert not manager.path(UNIT).exists(), "the unit is written for the binary install only"
    assert not manager.path(RUNNER_BINARY).exists(), "installation is off, yet a binary was placed"
    assert not manager.path(MARKER).exists(), "installation is off, yet fleeting plugins were installed"

    dropin = manager.path(DROPIN).read_text(encoding="utf-8")
    for line in ("KillSignal=SIGQUIT", "KillMode=mixed", "TimeoutStopSec=7200"):
        assert line in dropin.splitlines(), dropin
    environment = systemd_environment(dropin)
    assert environment == {"MACHINE_STORAGE_PATH": "/root/.docker/machine", "AWS_REGION": manager.region}, dropin

    assert_config_matches(manager, entries)
    before = manager.snapshot()

    second = manager.converge()

    assert second.changed == 0, second.run.changed_tasks()
    assert second.result["config_changed"] is False, second.result
    assert second.result["restart_reasons"] == [] and second.result["restarted"] is False, second.result
    assert manager.snapshot() == before


def test_check_mode_shows_a_masked_diff_and_changes_nothing(new_manager) -> None:
    manager = new_manager()
    entries = manager.settings["runners"]
    manager.converge()
    before = manager.snapshot()

    unchanged = manager.converge("--check", "--diff")

    assert unchanged.changed == 0, unchanged.run.changed_tasks()
    assert unchanged.result["config_changed"] is False, unchanged.result
    assert manager.snapshot() == before

    # The shell entry's limit sits just above its url, id and token: the diff's context shows the token's line.
    changed_entries = [{**entries[0], "idle_count": 3}, {**entries[1], "limit": 2}]

    predicted = manager.converge("--check", "--diff", json_report=False, runners=changed_entries)

    output = predicted.run.output
    assert predicted.result["config_changed"] is True, predicted.result
    assert re.search(r"^-idle_count = 1$", output, re.MULTILINE), output
    assert re.search(r"^\+idle_count = 3$", output, re.MULTILINE), output
    assert re.search(r"^-limit = 1$", output, re.MULTILINE), output
    assert re.search(r"^\+limit = 2$", output, re.MULTILINE), output
    assert re.search(r'^ token = "\[MASKED\]"$', output, re.MULTILINE), output
    assert not leaked(predicted.text, tokens_of(entries))
    assert re.search(r"changed=[1-9]", output), output
    assert manager.snapshot() == before


def test_a_changed_entry_changes_config_toml_and_restarts_nothing(new_manager, downloads) -> None:
    manager = new_manager(**binary_settings(downloads, downloads.runner_script("1")))
    entries = manager.settings["runners"]
    first = manager.converge()
    assert BINARY_CHANGED in first.result["restart_reasons"], first.result
    binary = manager.path(RUNNER_BINARY).read_bytes()
    requests = len(downloads.requests)

    changed = manager.converge(runners=[{**entries[0], "max_instances": 7}, {**entries[1], "limit": 3}])

    assert changed.result["config_changed"] is True, changed.result
    assert changed.result["restart_reasons"] == [], changed.result
    assert changed.result["restarted"] is False, changed.result
    assert manager.runner("as")["autoscaler"]["max_instances"] == 7
    assert manager.runner("sh")["limit"] == 3
    assert manager.config()["concurrent"] == 7 + 3
    assert manager.path(RUNNER_BINARY).read_bytes() == binary
    assert len(downloads.requests) == requests, downloads.requests[requests:]
    assert downloads.calls() == [fleeting_call(manager)], "the fleeting plugins were installed again"
    report = [message for message in changed.run.messages("runner_host:") if "config.toml changed" in message]
    assert report and "no restart" in report[0], changed.run.messages("runner_host:")


def test_a_token_the_runner_rotated_is_kept_and_stored_in_ssm(new_manager, ssm) -> None:
    manager = new_manager()
    custom_parameter = f"/runnerfleet/{manager.fleet}/custom/sh-token"
    entries = [autoscaler_entry(manager.fleet), shell_entry(manager.fleet, token_parameter=custom_parameter)]
    manager.converge(runners=entries)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    rotated = {"as": token_for(manager.fleet, "as", "rotated"), "sh": token_for(manager.fleet, "sh", "rotated")}
    for name, token in rotated.items():
        manager.rotate(name, token, now)

    kept = manager.converge(runners=entries)

    assert kept.result["rotated_tokens"] == ["as", "sh"], kept.result
    assert kept.result["stored_tokens"] == ["as", "sh"], kept.result
    for name, token in rotated.items():
        runner = manager.runner(name)
        assert runner["token"] == token, f"{name}: the rotated token was undone"
        assert runner["token_obtained_at"] == now, runner.get("token_obtained_at")
        assert runner["token_expires_at"] == now + datetime.timedelta(days=90), runner.get("token_expires_at")
    normalize(manager.config())
    parameters = {"as": f"/runnerfleet/{manager.fleet}/runners/as/token", "sh": custom_parameter}
    for name, parameter_name in parameters.items():
        parameter = ssm.get_parameter(Name=parameter_name, WithDecryption=True)["Parameter"]
        assert parameter["Type"] == "SecureString", parameter_name
        assert parameter["Value"] == rotated[name], parameter_name
    assert not ssm_has(ssm, f"/runnerfleet/{manager.fleet}/runners/sh/token"), "the entry's token_parameter was ignored"
    assert not leaked(kept.text, tokens_of(entries) + list(rotated.values()))
    versions = parameter_versions(ssm, parameters)
    before = manager.snapshot()

    again = manager.converge(runners=entries)

    assert again.changed == 0, again.run.changed_tasks()
    assert manager.snapshot() == before
    assert parameter_versions(ssm, parameters) == versions, "a token parameter was written again"
    assert again.result["rotated_tokens"] == ["as", "sh"] and again.result["stored_tokens"] == [], again.result
    assert not leaked(again.text, tokens_of(entries) + list(rotated.values()))


def test_the_binary_install_checks_its_checksum_and_downloads_once(new_manager, downloads) -> None:
    first_binary = downloads.runner_script("1")
    manager = new_manager(**binary_settings(downloads, first_binary))

    installed = manager.converge()

    binary = manager.path(RUNNER_BINARY)
    assert installed.result["installed"] is True, installed.result
    assert binary.read_bytes() == first_binary
    assert mode_of(binary) == 0o755 and owner_of(binary) == (OWNER, GROUP)
    assert BINARY_CHANGED in installed.result["restart_reasons"], installed.result
    assert "fleeting plugins installed" in installed.result["restart_reasons"], installed.result
    assert installed.result["restarted"] is False, installed.result  # service management is off
    assert downloads.gets("gitlab-runner") == 1, downloads.requests
    assert downloads.calls() == [fleeting_call(manager)]
    unit = manager.path(UNIT)
    assert mode_of(unit) == 0o644 and owner_of(unit) == (OWNER, GROUP)
    exec_start = [line for line in unit.read_text(encoding="utf-8").splitlines() if line.startswith("ExecStart=")]
    assert exec_start and exec_start[0].startswith("ExecStart=/usr/local/bin/gitlab-runner "), exec_start
    assert '"--config" "/etc/gitlab-runner/config.toml"' in exec_start[0], exec_start
    assert manager.path(MARKER).read_text(encoding="utf-8") == "aws:1.0.0\n"
    mtime = binary.stat().st_mtime_ns
    before = manager.snapshot()
    requests = len(downloads.requests)

    again = manager.converge()

    assert again.changed == 0, again.run.changed_tasks()
    assert again.result["restart_reasons"] == [], again.result
    assert downloads.requests[requests:] == [], "the binary was downloaded again"
    assert binary.stat().st_mtime_ns == mtime
    assert manager.snapshot() == before
    assert downloads.calls() == [fleeting_call(manager)], "the fleeting plugins were installed again"

    # A new artifact whose checksum is not the one given: the run fails and the installed binary stays.
    refused = manager.run(**binary_settings(downloads, downloads.runner_script("2"), hashlib.sha256(b"x").hexdigest()))

    assert refused.run.returncode != 0
    assert "checksum" in refused.run.final_failure.lower(), refused.run.final_failure
    assert binary.read_bytes() == first_binary
    assert mode_of(binary) == 0o755

    # The new artifact with its own checksum replaces the binary, and that is a reason to restart.
    second_binary = downloads.runner_script("3")
    replaced = manager.converge(**binary_settings(downloads, second_binary))

    assert binary.read_bytes() == second_binary
    assert mode_of(binary) == 0o755
    assert BINARY_CHANGED in replaced.result["restart_reasons"], replaced.result
    assert downloads.calls() == [fleeting_call(manager)], "the plugin list did not change, yet they were installed"


def test_docker_machine_entries_get_their_binary_options_and_certificates_until_state_absent(
    new_manager, downloads
) -> None:
    docker_machine = b"#!/bin/sh\n# docker-machine stand-in\nexit 0\n"
    machine_url, machine_sha256 = downloads.publish("docker-machine", docker_machine)
    machine = {
        "docker_machine_url": machine_url,
        "docker_machine_sha256": machine_sha256,
        "docker_machine_version": "0.16.2-gitlab.34",
    }
    manager = new_manager(**binary_settings(downloads, downloads.runner_script("1")), **machine)
    zone = f"{manager.region}b"
    entries = [machine_entry(manager.fleet, zone=zone, idle_count=2), shell_entry(manager.fleet)]
    manager.settings["runners"] = entries

    converged = manager.converge()

    placed = manager.path(MACHINE_BINARY)
    assert placed.read_bytes() == docker_machine
    assert mode_of(placed) == 0o755 and owner_of(placed) == (OWNER, GROUP)
    for file_name in CERT_FILES:
        assert manager.path(f"{CERTS}/{file_name}").is_file(), file_name
    assert converged.result["runners"] == {"dm": 103, "sh": 102}, converged.result
    assert downloads.calls() == [], "fleeting plugins were installed with no docker-autoscaler entry"
    normalize(manager.config())
    runner = manager.runner("dm")
    assert runner["token"] == entries[0]["token"]
    machine_table = runner["machine"]
    assert machine_table["MachineName"] == f"{manager.fleet}-dm-%s", machine_table
    assert machine_table["IdleCount"] == 2, machine_table
    options = machine_table["MachineOptions"]
    for option in (
        "amazonec2-metadata-token=required",
        "amazonec2-private-address-only=true",
        "amazonec2-volume-encrypted=true",
        "amazonec2-security-group-readonly=true",
        f"amazonec2-security-group={manager.fleet}-workers",
        "amazonec2-subnet-id=subnet-0bbb2222bbbb2222b",
        "amazonec2-zone=b",
        f"amazonec2-region={manager.region}",
        "amazonec2-ami=ami-0123456789abcdef0",
    ):
        assert option in options, f"{option} not in {options}"
    assert not [option for option in options if "access-key" in option or "secret-key" in option], options
    assert runner["cache"]["s3"]["AuthenticationType"] == "iam"
    assert 'Environment="MACHINE_STORAGE_PATH=/root/.docker/machine"' in manager.path(DROPIN).read_text()
    assert not leaked(converged.text, tokens_of(entries))

    # state absent takes the configuration off: config.toml, the drop-in, the unit and the certificates.
    removed = manager.converge(state="absent")

    assert removed.changed > 0
    gone = [CONFIG, DROPIN, UNIT, *(f"{CERTS}/{name}" for name in CERT_FILES)]
    assert [relative for relative in gone if manager.path(relative).exists()] == []
    assert not manager.path(DROPIN).parent.exists(), "the drop-in directory is left"
    assert manager.path(RUNNER_BINARY).is_file() and manager.path(MACHINE_BINARY).is_file(), "binaries stay"
    assert not leaked(removed.text, tokens_of(entries))

    again = manager.converge(state="absent")

    assert again.changed == 0, again.run.changed_tasks()

    # Without the docker-machine checksum the run fails before anything is written, naming the variable.
    fresh = new_manager("no-checksum", **binary_settings(downloads, downloads.runner_script("1")), **machine)
    refused = fresh.run(runners=entries, docker_machine_sha256="")

    assert refused.run.returncode != 0
    assert "runner_host_docker_machine_sha256" in refused.run.final_failure, refused.run.final_failure
    assert list(fresh.root.iterdir()) == [], [str(path) for path in fresh.root.rglob("*")]
    assert not leaked(refused.text, tokens_of(entries))


def _bad_entries(fleet: str) -> dict[str, tuple[list[dict], dict, str]]:
    """Each case: the runner entries, other settings, and what the failure must name."""
    no_ami = {key: value for key, value in aws_facts(fleet, "us-east-1").items() if key != "worker_ami"}
    return {
        "machine-without-ami": ([machine_entry(fleet)], {"aws": no_ami}, "runner_host_runners[0].ami"),
        "unknown-config-key": (
            [shell_entry(fleet), autoscaler_entry(fleet, config={"docker": {"privilegd": True}})],
            {},
            "privilegd",
        ),
        "duplicate-names": (
            [shell_entry(fleet, name="twin"), shell_entry(fleet, name="twin", runner_id=202)],
            {},
            "'twin' is also the name of entry 0",
        ),
        "invalid-executor": ([shell_entry(fleet, executor="kubernetes")], {}, "kubernetes"),
        "no-runners": ([], {}, "runner_host_runners is empty"),
    }


@pytest.mark.parametrize(
    "case", ["machine-without-ami", "unknown-config-key", "duplicate-names", "invalid-executor", "no-runners"]
)
def test_bad_input_fails_before_anything_is_written(new_manager, case: str) -> None:
    manager = new_manager()
    entries, settings, expected = _bad_entries(manager.fleet)[case]

    refused = manager.run(runners=entries, **settings)

    assert refused.run.returncode != 0
    assert expected in refused.run.final_failure, refused.run.final_failure
    if case == "invalid-executor":
        assert "executor" in refused.run.final_failure, refused.run.final_failure
    assert not manager.config_file.exists()
    assert list(manager.root.iterdir()) == [], [str(path) for path in manager.root.rglob("*")]
    assert not leaked(refused.text, tokens_of(entries))


def test_no_token_in_verbose_output(new_manager) -> None:
    manager = new_manager()
    entries = manager.settings["runners"]

    first = manager.converge("-vvv", "--diff", json_report=False)

    assert "runner_host: config.toml changed" in first.run.output
    rotated = token_for(manager.fleet, "sh", "rotated")
    manager.rotate("sh", rotated, datetime.datetime.now(datetime.UTC))

    second = manager.converge("-vvv", "--diff", json_report=False)

    assert second.result["rotated_tokens"] == ["sh"], second.result
    assert manager.runner("sh")["token"] == rotated
    for number, run in enumerate((first, second), start=1):
        found = leaked(run.text, [*tokens_of(entries), rotated])
        assert not found, f"run {number} printed {len(found)} token(s)"


def test_the_service_gets_a_proxy_url_with_a_percent_encoded_password(new_manager) -> None:
    manager = new_manager()
    proxy = "http://runner:p%40ss@proxy.internal:3128"

    manager.converge(service_environment={"HTTPS_PROXY": proxy, "NO_PROXY": "169.254.169.254,.internal"})

    environment = systemd_environment(manager.path(DROPIN).read_text(encoding="utf-8"))
    assert environment["NO_PROXY"] == "169.254.169.254,.internal"
    assert environment["AWS_REGION"] == manager.region
    assert environment.get("HTTPS_PROXY") == proxy, manager.path(DROPIN).read_text(encoding="utf-8")
