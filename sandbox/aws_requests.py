# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local AWS's request log: every API call moto answers, by service and action, and whether it changes state.

Tests use it to prove that `--check` sends no mutating call. It is served by the sandbox's AWS process itself:

    GET  /-/sandbox/requests         {"total": n, "mutating": n, "by_action": {"ec2 CreateVpc": n, ...},
                                      "log": [{"service", "action", "method", "path", "status", "mutating"}, ...]}
    POST /-/sandbox/requests/reset   clears it (204)

The hooks are not counted. The log keeps the last LOG_LENGTH requests.
"""

from __future__ import annotations

import collections
import io
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

LOG_LENGTH = 10_000
HOOK_PREFIX = "/-/sandbox/requests"
# Query-protocol and JSON-protocol actions that only read. Anything else (Create, Delete, Put, Modify, Attach,
# Authorize, Run, Terminate, Tag, Set, Update, ...) changes state.
READ_ACTION = re.compile(r"^(Describe|List|Get|Head|Lookup|Search|Simulate|Validate|Check|Batch ?Get)")
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def service_of(environ: dict) -> str:
    """The signing service in the Authorization header: ec2, iam, s3, ssm, autoscaling, ..."""
    match = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else "unknown"


def action_of(environ: dict, body: bytes) -> str | None:
    """The API action: X-Amz-Target (JSON protocol), else Action= in the query or form body (query protocol)."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0]
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][0]
    return None


def is_mutating(method: str, action: str | None) -> bool:
    """A named action mutates unless it only reads; a REST call (S3) mutates unless it is a GET or HEAD."""
    if action is not None:
        return READ_ACTION.match(action) is None
    return method not in READ_METHODS


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self.total = 0
            self.mutating = 0
            self.by_action: collections.Counter[str] = collections.Counter()
            self.log: collections.deque[dict] = collections.deque(maxlen=LOG_LENGTH)

    def record(self, entry: dict) -> None:
        with self._lock:
            self.total += 1
            self.mutating += entry["mutating"]
            self.by_action[f"{entry['service']} {entry['action'] or entry['method']}"] += 1
            self.log.append(entry)

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": self.total,
                "mutating": self.mutating,
                "by_action": dict(self.by_action),
                "log": list(self.log),
            }


def read_body(environ: dict) -> bytes:
    """The request body, read once and put back so that moto reads it as if untouched."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def hook_response(environ: dict, log: RequestLog, start_response: Callable) -> Iterable[bytes]:
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "")
    if path == HOOK_PREFIX and method == "GET":
        payload = json.dumps(log.snapshot()).encode("utf-8")
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]
    if path == f"{HOOK_PREFIX}/reset" and method == "POST":
        log.clear()
        start_response("204 No Content", [])
        return [b""]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"unknown sandbox hook\n"]


def logged(application: Callable, log: RequestLog) -> Callable:
    """A WSGI application that records each request to `application` (moto's), then answers as it does."""

    def wrapper(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(HOOK_PREFIX):
            return hook_response(environ, log, start_response)
        body = read_body(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        action = action_of(environ, body)
        status: dict[str, Any] = {}

        def recording_start_response(status_line: str, headers: list, *args: Any) -> Callable:
            status["code"] = int(status_line.split(" ", 1)[0])
            return start_response(status_line, headers, *args)

        response = application(environ, recording_start_response)
        log.record(
            {
                "service": service_of(environ),
                "action": action,
                "method": method,
                "path": environ.get("PATH_INFO", ""),
                "status": status.get("code", 0),
                "mutating": is_mutating(method, action),
            }
        )
        return response

    return wrapper


def install(log: RequestLog | None = None) -> RequestLog:
    """Make moto's server application record its requests (call before moto.server.main builds it)."""
    from moto import server  # noqa: PLC0415 (imported by the caller's order: after the sandbox's moto patches)

    log = log or RequestLog()
    dispatcher = server.DomainDispatcherApplication

    class LoggedDispatcher(dispatcher):  # type: ignore[misc, valid-type]
        def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
            return logged(super().__call__, log)(environ, start_response)

    server.DomainDispatcherApplication = LoggedDispatcher
    return log
