# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GitLab API client the collection's modules share: python-gitlab's HTTP layer, a bounded retry policy and
error messages that say what failed and why.

Note that this module util is PRIVATE to the collection. It can have breaking changes at any time.

Why not python-gitlab's managers (`gl.runners.get`, `gl.user.runners.create`, ...): their transient-error retry
repeats a POST whose answer was lost, which is how duplicate runners are born; their rate-limit retry sleeps for
whatever Retry-After says, unbounded; `gl.user` needs a `GET /user` first (which a `create_runner`-only token
is refused); and there is no wrapper for a runner's token reset. So every call goes through `Gitlab.http_request`
(python-gitlab's authentication, URLs, TLS and errors) with its own retries switched off, and this module decides
what may be repeated.
"""

from __future__ import annotations

import json
import random
import time
from urllib.parse import quote

try:
    import gitlab
    import requests

    HAS_GITLAB = True
    GITLAB_IMPORT_ERROR = None
except ImportError as import_error:  # the module reports it with missing_required_lib
    HAS_GITLAB = False
    GITLAB_IMPORT_ERROR = import_error

from ansible.module_utils.basic import env_fallback

# Statuses worth another attempt: throttling and the gateway/server errors a restart or a deploy produces.
TRANSIENT_STATUSES = frozenset((429, 500, 502, 503, 504))
PAGE_SIZE = 100  # GitLab's cap on per_page: the fewest requests per listing


def connection_argument_spec() -> dict:
    """The options every GitLab module of the collection takes (documented by the `gitlab` doc fragment)."""
    return dict(
        api_url=dict(type="str", required=True, fallback=(env_fallback, ["GITLAB_URL"])),
        api_token=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["GITLAB_API_TOKEN"])),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        request_timeout=dict(type="float", default=30.0),
        retry_max_time=dict(type="float", default=120.0),
    )


class GitLabApiError(Exception):
    """A failed API call, with a message that names the operation and the cause (never a token)."""

    def __init__(self, message: str, status: int | None = None, body: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class TransientFailure(GitLabApiError):
    """The call failed in a way another attempt may fix (429, 5xx, a connection fault) and was not repeated:
    for a create, the change may or may not have been made."""

    def __init__(self, message: str, status: int | None = None, body: object = None, retry_after: float | None = None):
        super().__init__(message, status, body)
        self.retry_after = retry_after


def decode_body(raw: bytes | str | None) -> object:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def gitlab_message(body: object) -> str:
    """GitLab's own words from an error body: `message` (a string, or a hash of attribute errors) or `error`."""
    if isinstance(body, dict):
        message = body.get("message", body.get("error"))
        if isinstance(message, dict):
            return "; ".join(
                f"{attribute} {', '.join(map(str, problems if isinstance(problems, list) else [problems]))}"
                for attribute, problems in message.items()
            )
        if message is not None:
            description = body.get("error_description")
            return f"{message} ({description})" if description else str(message)
    if isinstance(body, str) and body.strip():
        return body.strip()[:300]
    return "no explanation in the answer"


def explain_failure(what: str, status: int, body: object) -> str:
    """The message for a non-transient error answer: what failed, GitLab's reason, and what to look at."""
    reason = gitlab_message(body)
    if status == 401:
        return (
            f"Failed to {what}: GitLab rejected the API token (401 Unauthorized). Check api_token "
            "(or GITLAB_API_TOKEN): it is wrong, expired or revoked."
        )
    if status == 403 and isinstance(body, dict) and body.get("error") == "insufficient_scope":
        needed = body.get("scope") or "api"
        return (
            f"Failed to {what}: the API token lacks the scope this call needs (GitLab accepts: {needed}). "
            "Use a token with the api scope (create_runner only allows creating runners, manage_runner only "
            "managing existing ones by id, read_api only reading)."
        )
    if status == 403:
        return f"Failed to {what}: GitLab refused it (403: {reason}). The token's user lacks the permission."
    return f"Failed to {what}: GitLab answered {status}: {reason}"


def path_segment(value: int | str) -> str:
    """A numeric id, or a full path URL-encoded as one segment (`platform%2Finfra`), as GitLab's `:id` takes."""
    return str(value) if isinstance(value, int) else quote(str(value), safe="")


def tls_verification(params: dict) -> bool | str:
    """python-gitlab's ssl_verify: off, on with the system's CAs, or on with the given bundle."""
    if not params["validate_certs"]:
        return False
    return params["ca_path"] or True


def base_url(url: str) -> str:
    """GitLab's base URL as python-gitlab takes it: a trailing slash or /api/v4 given by habit is dropped."""
    url = url.strip().rstrip("/")
    return url[: -len("/api/v4")] if url.endswith("/api/v4") else url


class RetryPolicy:
    """Exponential backoff with jitter, honouring Retry-After, bounded by a total time per operation."""

    def __init__(self, max_time: float, base_delay: float = 0.2, max_delay: float = 8.0, clock=time.monotonic):
        self.max_time = max_time
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.clock = clock

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """How long to wait before attempt `attempt + 1` (attempts count from 0)."""
        if retry_after is not None:
            return retry_after
        ceiling = min(self.max_delay, self.base_delay * (2 ** min(attempt, 32)))  # capped before it overflows
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret: keeps runs out of step


class Attempts:
    """The attempts of one operation: `wait()` sleeps before the next one, or raises when the budget is spent."""

    def __init__(self, policy: RetryPolicy, what: str, sleep=time.sleep) -> None:
        self.policy = policy
        self.what = what
        self.sleep = sleep
        self.started = policy.clock()
        self.count = 0

    def wait(self, failure: TransientFailure) -> None:
        pause = self.policy.delay(self.count, failure.retry_after)
        elapsed = self.policy.clock() - self.started
        if elapsed + pause > self.policy.max_time:
            raise GitLabApiError(
                f"Failed to {self.what}: GitLab kept failing ({failure}) for {elapsed:.1f} s over "
                f"{self.count + 1} attempt(s); the next attempt would pass retry_max_time "
                f"({self.policy.max_time:g} s).",
                failure.status,
                failure.body,
            ) from failure
        self.count += 1
        self.sleep(pause)


class GitLabApi:
    """Requests to /api/v4 through python-gitlab, each retried (or not) as its effect allows."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        verify: bool | str = True,
        timeout: float = 30.0,
        retry_max_time: float = 120.0,
        sleep=time.sleep,
    ) -> None:
        session = requests.Session()
        session.hooks["response"].append(self._observe)
        self.client = gitlab.Gitlab(
            base_url(url),
            private_token=token,
            ssl_verify=verify,
            timeout=timeout,
            session=session,
            retry_transient_errors=False,
        )
        self.policy = RetryPolicy(retry_max_time)
        self.sleep = sleep
        self.request_count = 0  # every answer GitLab gave, retries included (the benchmarks report it)
        self._retry_after: float | None = None
        self._last_headers: dict = {}

    @classmethod
    def from_params(cls, params: dict) -> GitLabApi:
        """The client for a module's connection options (connection_argument_spec)."""
        return cls(
            params["api_url"],
            params["api_token"],
            verify=tls_verification(params),
            timeout=params["request_timeout"],
            retry_max_time=params["retry_max_time"],
        )

    def _observe(self, response, *args, **kwargs):
        self.request_count += 1
        self._last_headers = response.headers
        value = response.headers.get("Retry-After") if response.status_code == 429 else None
        self._retry_after = float(value) if value and value.strip().isdigit() else None

    def attempts(self, what: str) -> Attempts:
        return Attempts(self.policy, what, self.sleep)

    def send(self, verb: str, path: str, what: str, query: dict | None = None, body: dict | None = None):
        """One attempt. Returns the decoded JSON answer (None for 204); raises TransientFailure or GitLabApiError."""
        self._retry_after = None
        try:
            response = self.client.http_request(
                verb, path, query_data=query or {}, post_data=body, obey_rate_limit=False, retry_transient_errors=False
            )
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
            # The exception text carries the URL, whose query may hold a token: name the kind of fault only.
            raise TransientFailure(f"no answer: {type(error).__name__}") from None
        except gitlab.exceptions.GitlabError as error:
            status = error.response_code
            body_seen = decode_body(error.response_body)
            if status in TRANSIENT_STATUSES:
                reason = gitlab_message(body_seen)  # GitLab's own text often starts with the status already
                text = reason if reason.startswith(str(status)) else f"{status} {reason}"
                raise TransientFailure(text, status, body_seen, self._retry_after) from None
            raise GitLabApiError(explain_failure(what, status or 0, body_seen), status, body_seen) from None
        if response.status_code == 204 or not response.content:
            return None
        return decode_body(response.content)

    def call(self, verb: str, path: str, what: str, query: dict | None = None, body: dict | None = None):
        """A call whose repetition is harmless (reads, PUT, DELETE, token resets): retried within the budget."""
        attempts = self.attempts(what)
        while True:
            try:
                return self.send(verb, path, what, query, body)
            except TransientFailure as failure:
                attempts.wait(failure)

    def get(self, path: str, what: str, query: dict | None = None):
        return self.call("get", path, what, query)

    def get_or_none(self, path: str, what: str, query: dict | None = None):
        """GET, with None for a 404 (an unknown runner, group or project)."""
        try:
            return self.get(path, what, query)
        except GitLabApiError as error:
            if error.status == 404:
                return None
            raise

    def list_all(self, path: str, what: str, query: dict | None = None) -> list:
        """Every page of a paginated listing, 100 at a time; each page retried on its own."""
        items: list = []
        page = 1
        while True:
            batch = self.call("get", path, what, dict(query or {}, per_page=PAGE_SIZE, page=page))
            items.extend(batch or [])
            next_page = str(self._last_headers.get("X-Next-Page", "")).strip()
            if next_page.isdigit():
                page = int(next_page)
            elif "X-Next-Page" in self._last_headers or len(batch or []) < PAGE_SIZE:
                return items
            else:  # a server that sends no pagination headers: a short page is the last one
                page += 1

    def version(self) -> str:
        answer = self.get("/version", "read GitLab's version")
        return str((answer or {}).get("version", ""))
