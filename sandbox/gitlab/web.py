# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Requests, responses, GitLab's error bodies (contract §1.3) and routing by path template."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from sandbox.gitlab import params


@dataclasses.dataclass
class Request:
    method: str
    path: str  # raw, still percent-encoded (a project path arrives as group%2Fproject)
    query: str
    headers: Mapping[str, str]  # case-insensitive lookups (http.server's message object)
    body: bytes
    base_url: str  # scheme, host and port as the client addressed us: Link headers and web_url use it

    _params: dict | None = None

    @property
    def params(self) -> dict:
        """Query, form and JSON parameters merged (§1.1); a malformed JSON body is a 400 here."""
        if self._params is None:
            try:
                self._params = params.merge_request_params(
                    self.query, self.body, self.headers.get("Content-Type", "") or ""
                )
            except params.ParamError as error:
                raise ApiError(400, {"error": str(error)}) from error
        return self._params


@dataclasses.dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def json_response(status: int, document: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    body = json.dumps(document, separators=(",", ":")).encode()
    return Response(status, body, "application/json", headers or [])


def no_content() -> Response:
    return Response(204, b"", "")


class ApiError(Exception):
    """An error answer; raised anywhere in a handler, rendered by the dispatcher."""

    def __init__(self, status: int, document: Any, headers: list[tuple[str, str]] | None = None):
        super().__init__(f"{status} {document}")
        self.response = json_response(status, document, headers)


def unauthorized() -> ApiError:
    return ApiError(401, {"message": "401 Unauthorized"})


def forbidden(reason: str = "") -> ApiError:
    return ApiError(403, {"message": f"403 Forbidden - {reason}" if reason else "403 Forbidden"})


def not_found(what: str) -> ApiError:
    return ApiError(404, {"message": f"404 {what} Not Found"})


def bad_request(reason: str) -> ApiError:
    return ApiError(400, {"message": f"400 Bad request - {reason}"})


def validation_error(errors: dict[str, list[str]]) -> ApiError:
    """render_validation_error!: the attribute hash, as PUT and legacy registration answer (§1.3)."""
    return ApiError(400, {"message": errors})


def param_error(error: params.ParamError) -> ApiError:
    return ApiError(400, {"error": str(error)})


ROUTE_NOT_FOUND = {"error": "404 Not Found"}
METHOD_NOT_ALLOWED = {"error": "405 Not Allowed"}


@dataclasses.dataclass(frozen=True)
class Route:
    method: str
    template: str  # e.g. /api/v4/runners/:id
    handler: Callable[..., Response]
    scope: Any = None  # a policy.ScopeClass; None for the runner-facing endpoints, which take no user

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"

    def match(self, segments: list[str]) -> dict[str, str] | None:
        parts = self.template.strip("/").split("/")
        if len(parts) != len(segments):
            return None
        arguments = {}
        for part, segment in zip(parts, segments, strict=True):
            if part.startswith(":"):
                arguments[part[1:]] = unquote(segment)
            elif part != segment:
                return None
        return arguments


class Router:
    def __init__(self, routes: list[Route]):
        self.routes = routes

    def resolve(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """The route and its arguments; the flag says whether another method would have matched (405)."""
        segments = path.strip("/").split("/")
        other_method = False
        for route in self.routes:
            arguments = route.match(segments)
            if arguments is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return route, arguments, False
            other_method = True
        return None, {}, other_method
