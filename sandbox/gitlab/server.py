# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox's GitLab as a threaded HTTP/1.1 server on loopback.

    python -m sandbox.gitlab.server --host 127.0.0.1 --port 8929 [--runners N]

The admin's token comes from RUNNERFLEET_GITLAB_ADMIN_TOKEN (sandbox/ctl.py sets it; it is not an argument so
that it never shows in the process list), else a random one is made and logged. Query strings are logged with
their token values masked.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import os
import re
import socket
import sys
import time
import traceback
from urllib.parse import urlsplit

from sandbox.gitlab import api, hooks, seed
from sandbox.gitlab.model import PERSONAL_TOKEN_PREFIX, Store, new_token
from sandbox.gitlab.web import METHOD_NOT_ALLOWED, ROUTE_NOT_FOUND, Request, Response, Router, json_response

ADMIN_TOKEN_VARIABLE = "RUNNERFLEET_GITLAB_ADMIN_TOKEN"  # noqa: S105 (a variable name)
SERVER_NAME = "runnerfleet-sandbox-gitlab"
_SECRET_QUERY = re.compile(r"((?:private_token|access_token|token)=)[^&\s]*", re.IGNORECASE)


class Drop:
    """Close the connection without answering (a fault)."""


DROP = Drop()


class GitLabApp:
    """Dispatch: health check, test hooks, then the API with its request log and fault injection."""

    def __init__(self, admin_token: str, runners: int = 0):
        self.admin_token = admin_token
        self.store = Store()
        seed.populate(self.store, admin_token)
        if runners:
            seed.add_runners(self.store, runners)
        self.api = Router(api.ROUTES)
        self.hooks = Router(hooks.HOOKS)
        self.requests = hooks.RequestLog()
        self.faults = hooks.Faults()

    def respond(self, request: Request) -> Response | Drop:
        if request.path == "/-/health":
            return Response(200, b"GitLab OK", "text/plain")
        if request.path.startswith(hooks.PREFIX + "/"):
            return self._hook(request)
        route, arguments, other_method = self.api.resolve(request.method, request.path)
        route_name = route.template if route else "(unknown)"
        kind = self.faults.choose(request.method, request.path) if request.path.startswith(api.API) else None
        if kind in ("500", "502", "429", "drop"):
            outcome = fault_answer(kind, self.faults.plan.retry_after if self.faults.plan else 1)
        else:
            if kind == "slow":
                time.sleep(self.faults.plan.delay if self.faults.plan else 0.5)
            outcome = self._api(request, route, arguments, other_method)
            if kind == "after":
                outcome = fault_answer("502", 0)
            elif kind == "after_drop":
                outcome = DROP
        status = 0 if isinstance(outcome, Drop) else outcome.status
        self.requests.record(request.method, route_name, request.path, status)
        return outcome

    def _api(self, request: Request, route, arguments: dict, other_method: bool) -> Response:
        if route is None:
            return json_response(405, METHOD_NOT_ALLOWED) if other_method else json_response(404, ROUTE_NOT_FOUND)
        return api.handle(self.store, route, arguments, request)

    def _hook(self, request: Request) -> Response:
        route, arguments, other_method = self.hooks.resolve(request.method, request.path)
        if route is None:
            return json_response(405, METHOD_NOT_ALLOWED) if other_method else json_response(404, ROUTE_NOT_FOUND)
        context = hooks.HookContext(self.store, request, arguments, self.requests, self.faults, self.admin_token)
        return hooks.handle(context, route.handler)


def fault_answer(kind: str, retry_after: int) -> Response | Drop:
    if kind == "drop":
        return DROP
    if kind == "500":
        return json_response(500, {"message": "500 Internal Server Error"})
    if kind == "429":
        headers = [
            ("Retry-After", str(retry_after)),
            ("RateLimit-Limit", "600"),
            ("RateLimit-Observed", "601"),
            ("RateLimit-Remaining", "0"),
            ("RateLimit-Reset", str(int(time.time()) + retry_after)),
        ]
        return Response(429, b"Retry later\n", "text/plain", headers)
    page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"
    return Response(502, page, "text/html")


def masked(text: str) -> str:
    return _SECRET_QUERY.sub(r"\1[masked]", text)


class Handler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive (python-gitlab reuses its connection); one write per answer."""

    protocol_version = "HTTP/1.1"
    server_version = SERVER_NAME
    sys_version = ""
    disable_nagle_algorithm = True
    app: GitLabApp  # set on the subclass main() builds

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = Request(self.command, parts.path, parts.query, self.headers, body, f"http://{host}")
        try:
            outcome = self.app.respond(request)
        except Exception:
            traceback.print_exc()
            outcome = json_response(500, {"message": "500 Internal Server Error"})
        if isinstance(outcome, Drop):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            self.log_message('"%s" dropped', masked(self.requestline))
            return
        self._send(outcome)

    def _send(self, response: Response) -> None:
        payload = b"" if self.command == "HEAD" else response.body
        head = [f"HTTP/1.1 {response.status} {self.responses.get(response.status, ('',))[0]}"]
        head.append(f"Server: {SERVER_NAME}")
        head.append(f"Date: {self.date_time_string()}")
        if response.content_type:
            head.append(f"Content-Type: {response.content_type}")
        if response.status != 204:
            head.append(f"Content-Length: {len(response.body)}")
        head += [f"{name}: {value}" for name, value in response.headers]
        if self.close_connection:
            head.append("Connection: close")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
        self.log_request(response.status, len(payload))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log_message('"%s" %s %s', masked(self.requestline), code, size)

    def log_message(self, format: str, *args) -> None:
        sys.stderr.write(f"{self.address_string()} [{self.log_date_time_string()}] {format % args}\n")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def build_server(host: str, port: int, app: GitLabApp) -> Server:
    handler = type("BoundHandler", (Handler,), {"app": app})
    return Server((host, port), handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.gitlab.server", description=__doc__.split("\n\n", maxsplit=1)[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8929)
    parser.add_argument("--runners", type=int, default=0, help="seed this many instance runners")
    args = parser.parse_args(argv)
    admin_token = os.environ.get(ADMIN_TOKEN_VARIABLE)
    if not admin_token:
        admin_token = new_token(PERSONAL_TOKEN_PREFIX)
        print(f"no {ADMIN_TOKEN_VARIABLE} given; the admin's token is {admin_token}", flush=True)
    server = build_server(args.host, args.port, GitLabApp(admin_token, args.runners))
    print(f"sandbox GitLab on http://{args.host}:{server.server_address[1]}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
