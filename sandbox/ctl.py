# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start, stop and use the embedded sandbox.

    python -m sandbox.ctl start            start what is not running, reuse what is; write endpoints.env
    python -m sandbox.ctl status           say what runs where; exit 1 when something is down
    python -m sandbox.ctl stop             stop every process the sandbox started
    python -m sandbox.ctl run -- CMD ...   run CMD with the sandbox's endpoints and nothing that could reach
                                           a real AWS account (profiles and session tokens are dropped);
                                           ansible-playbook also gets the sandbox's extra vars (playbook_vars.yml)

State lives in the state directory (default .sandbox/ at the checkout's root, or RUNNERFLEET_SANDBOX_DIR, or
--state-dir): per service NAME.pid, NAME.port and NAME.log, endpoints.env, which a shell can `source`, and hosts/,
the disks of the instances the sandbox's EC2 runs (instance_disks.py).
Every service binds to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

HOST = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS_FILE = "endpoints.env"
GITLAB_TOKEN_FILE = "gitlab-admin-token"  # noqa: S105 (a file name)
HOSTS_DIR = "hosts"
# How the fleet's playbooks reach what the sandbox runs in place of EC2 instances (passed as extra vars).
PLAYBOOK_VARS = REPO_ROOT / "sandbox" / "playbook_vars.yml"
STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
START_ATTEMPTS = 5

# The sandbox's AWS account accepts any key; these make it obvious in any log that nothing real is used.
SANDBOX_AWS_KEY_ID = "sandbox-access-key"
SANDBOX_AWS_SECRET = "sandbox-secret-key"  # noqa: S105 (a fixed fake, accepted by moto only)
SANDBOX_AWS_REGION = "us-east-1"

# Variables that could point a command at a real AWS account or override the sandbox's endpoint. `run` drops
# them so that nothing started from the sandbox can touch real resources.
ENVIRONMENT_TO_DROP = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_URL",
    "EC2_URL",
    "S3_URL",
    "AWS_CA_BUNDLE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


class SandboxError(Exception):
    """A sandbox service could not be started, found or stopped."""


@dataclasses.dataclass(frozen=True)
class Service:
    """A server the sandbox runs: a Python module started with --host and --port."""

    name: str
    module: str
    health_path: str
    # What clients need to reach it, from its URL and the state directory (endpoints.env).
    endpoint_environment: Callable[[str, StateDir], dict[str, str]]
    # Extra environment for the server process itself (secrets go here, never on its command line).
    process_environment: Callable[[StateDir], dict[str, str]] = lambda _state: {}

    def command(self, port: int) -> list[str]:
        return [sys.executable, "-m", self.module, "--host", HOST, "--port", str(port)]


def aws_environment(url: str, _state: StateDir) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": SANDBOX_AWS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SANDBOX_AWS_SECRET,
        "AWS_DEFAULT_REGION": SANDBOX_AWS_REGION,
        "AWS_REGION": SANDBOX_AWS_REGION,
    }


def aws_process_environment(state: StateDir) -> dict[str, str]:
    return {"RUNNERFLEET_SANDBOX_HOSTS": str(state.path / HOSTS_DIR)}


def playbook_command(command: list[str]) -> list[str]:
    """The command with the sandbox's extra vars added when it runs ansible-playbook (anything else is unchanged).

    Extra vars rather than an inventory: they win over the connection variables the manager role sets for AWS."""
    if not command or Path(command[0]).name != "ansible-playbook":
        return list(command)
    return [command[0], "--extra-vars", f"@{PLAYBOOK_VARS}", *command[1:]]


def gitlab_admin_token(state: StateDir) -> str:
    """The sandbox GitLab's admin token: random, made once per state directory, kept 0600 beside the pid files."""
    path = state.path / GITLAB_TOKEN_FILE
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        token = ""
    if not token:
        state.path.mkdir(parents=True, exist_ok=True)
        token = "glpat-" + secrets.token_urlsafe(15)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
    return token


def gitlab_environment(url: str, state: StateDir) -> dict[str, str]:
    return {"GITLAB_URL": url, "GITLAB_API_TOKEN": gitlab_admin_token(state)}


def gitlab_process_environment(state: StateDir) -> dict[str, str]:
    return {"RUNNERFLEET_GITLAB_ADMIN_TOKEN": gitlab_admin_token(state)}


SERVICES: tuple[Service, ...] = (
    Service(
        name="aws",
        module="sandbox.aws_server",
        health_path="/moto-api/",
        endpoint_environment=aws_environment,
        process_environment=aws_process_environment,
    ),
    Service(
        name="gitlab",
        module="sandbox.gitlab.server",
        health_path="/-/health",
        endpoint_environment=gitlab_environment,
        process_environment=gitlab_process_environment,
    ),
)


@dataclasses.dataclass(frozen=True)
class Running:
    service: Service
    pid: int
    port: int
    reused: bool

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


class StateDir:
    """Where the sandbox keeps its pid, port and log files and endpoints.env."""

    def __init__(self, path: Path):
        self.path = path

    def pid_file(self, service: Service) -> Path:
        return self.path / f"{service.name}.pid"

    def port_file(self, service: Service) -> Path:
        return self.path / f"{service.name}.port"

    def log_file(self, service: Service) -> Path:
        return self.path / f"{service.name}.log"

    @property
    def endpoints_file(self) -> Path:
        return self.path / ENDPOINTS_FILE

    def read_int(self, path: Path) -> int | None:
        try:
            return int(path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None

    def recorded(self, service: Service) -> tuple[int | None, int | None]:
        return self.read_int(self.pid_file(service)), self.read_int(self.port_file(service))

    def record(self, service: Service, pid: int, port: int) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self.pid_file(service).write_text(f"{pid}\n", encoding="utf-8")
        self.port_file(service).write_text(f"{port}\n", encoding="utf-8")

    def forget(self, service: Service) -> None:
        for path in (self.pid_file(service), self.port_file(service)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def default_state_dir() -> Path:
    return Path(os.environ.get("RUNNERFLEET_SANDBOX_DIR") or REPO_ROOT / ".sandbox").resolve()


def process_is_ours(pid: int, service: Service) -> bool:
    """True when pid is alive and runs this service's module (a recycled pid is someone else's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc: trust the pid file
    return service.module.encode() in cmdline


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def answers(port: int, path: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=timeout) as response:
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (OSError, ValueError):
        return False


def terminate(pid: int, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """Stop a process group the sandbox started: SIGTERM, then SIGKILL when it does not go in time."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not is_alive(pid):
                return
            time.sleep(0.05)
    if is_alive(pid):
        raise SandboxError(f"process {pid} did not stop after SIGKILL")


def is_alive(pid: int) -> bool:
    # Reap it first if it is our own child, so that a zombie does not count as alive.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _launch(service: Service, state: StateDir, port: int) -> subprocess.Popen:
    state.path.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(service.process_environment(state))
    with state.log_file(service).open("ab") as log:
        log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting on {HOST}:{port}\n".encode())
        log.flush()
        return subprocess.Popen(  # noqa: S603
            service.command(port),
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop takes everything it spawned
        )


def _wait_until_ready(process: subprocess.Popen, service: Service, port: int, timeout: float) -> bool:
    """True once the service answers; False when it exited (typically: the port was taken meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if answers(port, service.health_path, timeout=1.0):
            return process.poll() is None
        time.sleep(0.1)
    terminate(process.pid)
    raise SandboxError(f"{service.name} did not answer on {HOST}:{port} within {timeout:.0f}s")


def find_running(service: Service, state: StateDir) -> Running | None:
    """The service as recorded, when its process is alive, is the sandbox's, and answers."""
    pid, port = state.recorded(service)
    if pid and port and process_is_ours(pid, service) and answers(port, service.health_path):
        return Running(service, pid, port, reused=True)
    return None


def ensure_running(service: Service, state: StateDir, timeout: float = STARTUP_TIMEOUT_SECONDS) -> Running:
    """Reuse the service when its recorded process is alive and answering; otherwise start it afresh."""
    running = find_running(service, state)
    if running:
        return running
    pid, port = state.recorded(service)
    if pid and process_is_ours(pid, service):
        terminate(pid)  # alive but not answering: a hung server is replaced, not trusted
    state.forget(service)

    preferred = port  # keep the previous port when it is still free, so that shells keep working
    for _attempt in range(START_ATTEMPTS):
        candidate = preferred if preferred and port_is_free(preferred) else free_port()
        preferred = None
        process = _launch(service, state, candidate)
        state.record(service, process.pid, candidate)
        if _wait_until_ready(process, service, candidate, timeout):
            return Running(service, process.pid, candidate, reused=False)
        state.forget(service)
    raise SandboxError(f"{service.name} exited at start {START_ATTEMPTS} times; see {state.log_file(service)}")


def stop(service: Service, state: StateDir) -> bool:
    """Stop the service's process if it runs; True when something was stopped."""
    pid = state.recorded(service)[0]
    stopped = False
    if pid and process_is_ours(pid, service):
        terminate(pid)
        stopped = True
    state.forget(service)
    return stopped


def endpoint_environment(running: list[Running], state: StateDir) -> dict[str, str]:
    env = {"RUNNERFLEET_SANDBOX_DIR": str(state.path)}
    for item in running:
        env.update(item.service.endpoint_environment(item.url, state))
    return env


def write_endpoints(env: dict[str, str], state: StateDir) -> Path:
    lines = ["# The runnerfleet sandbox's endpoints (written by sandbox/ctl.py). Use: source .sandbox/endpoints.env"]
    lines += [f"export {key}={value}" for key, value in sorted(env.items())]
    path = state.endpoints_file
    # 0600 from the start: later entries (the GitLab API token) are secrets.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def read_endpoints(path: Path) -> dict[str, str]:
    """Parse endpoints.env (`export KEY=VALUE` lines) into a dictionary."""
    env = {}
    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        key, _separator, value = line.removeprefix("export ").partition("=")
        env[key.strip()] = value.strip()
    return env


def sandboxed_environment(base: dict[str, str], endpoints: dict[str, str]) -> dict[str, str]:
    """The environment for a command run against the sandbox: the endpoints, and nothing that reaches AWS."""
    env = {key: value for key, value in base.items() if key not in ENVIRONMENT_TO_DROP}
    env.update(endpoints)
    return env


def start_all(state: StateDir) -> list[Running]:
    running = [ensure_running(service, state) for service in SERVICES]
    write_endpoints(endpoint_environment(running, state), state)
    return running


def stop_all(state: StateDir) -> list[str]:
    stopped = [service.name for service in SERVICES if stop(service, state)]
    with contextlib.suppress(FileNotFoundError):
        state.endpoints_file.unlink()
    return stopped


@contextlib.contextmanager
def temporary_sandbox() -> Iterator[tuple[Path, StateDir, dict[str, str]]]:
    """A sandbox of its own in a temporary directory (what the benchmarks run against), started for the block,
    stopped and removed after it. Yields the directory (for the block's own files too), the sandbox's state, and the
    environment that reaches it (this process's, with the endpoints and nothing that reaches AWS)."""
    with tempfile.TemporaryDirectory() as directory:
        state = StateDir(Path(directory) / "sandbox")
        start_all(state)
        try:
            yield Path(directory), state, sandboxed_environment(dict(os.environ), read_endpoints(state.endpoints_file))
        finally:
            stop_all(state)


def _cmd_start(state: StateDir, _args: argparse.Namespace) -> int:
    for item in start_all(state):
        verb = "reused" if item.reused else "started"
        print(f"sandbox {item.service.name}: {verb}, {item.url} (pid {item.pid}, log {state.log_file(item.service)})")
    print(f"sandbox endpoints: {state.endpoints_file} (source it to use the aws CLI, boto3 or python-gitlab)")
    return 0


def _cmd_status(state: StateDir, _args: argparse.Namespace) -> int:
    down = 0
    for service in SERVICES:
        running = find_running(service, state)
        if running:
            print(f"sandbox {service.name}: running, {running.url} (pid {running.pid})")
        else:
            print(f"sandbox {service.name}: not running")
            down += 1
    return 1 if down else 0


def _cmd_stop(state: StateDir, _args: argparse.Namespace) -> int:
    stopped = stop_all(state)
    print(f"sandbox stopped: {', '.join(stopped)}" if stopped else "sandbox: nothing was running")
    return 0


def _cmd_run(state: StateDir, args: argparse.Namespace) -> int:
    command = [part for part in args.command if part != "--"]
    if not command:
        raise SandboxError("run needs a command: python -m sandbox.ctl run -- ansible-playbook ...")
    if not state.endpoints_file.exists():
        raise SandboxError(f"the sandbox is not running ({state.endpoints_file} is missing); start it first")
    env = sandboxed_environment(dict(os.environ), read_endpoints(state.endpoints_file))
    command = playbook_command(command)
    os.execvpe(command[0], command, env)  # noqa: S606
    return 127  # not reached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.ctl", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--state-dir", type=Path, default=None, help="default: .sandbox or RUNNERFLEET_SANDBOX_DIR")
    commands = parser.add_subparsers(dest="action", required=True)
    commands.add_parser("start").set_defaults(handler=_cmd_start)
    commands.add_parser("status").set_defaults(handler=_cmd_status)
    commands.add_parser("stop").set_defaults(handler=_cmd_stop)
    run = commands.add_parser("run")
    run.add_argument("command", nargs=argparse.REMAINDER)
    run.set_defaults(handler=_cmd_run)
    args = parser.parse_args(argv)
    state = StateDir((args.state_dir or default_state_dir()).resolve())
    try:
        return args.handler(state, args)
    except SandboxError as error:
        print(f"sandbox: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
