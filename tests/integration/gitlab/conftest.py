# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the sandbox GitLab's conformance suite.

The emulator is the one the session's sandbox started (tests/integration/conftest.py), reached over HTTP as any
client would. Every test starts from the seed (sandbox/gitlab/README.md): an autouse fixture resets it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import gitlab
import pytest
import requests

API = "/api/v4"
_ANY_BODY = object()


@dataclasses.dataclass
class GitLabSandbox:
    url: str  # the base URL, as python-gitlab takes it (no /api/v4)
    admin_token: str
    http: requests.Session

    def hook(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call a test hook under /-/sandbox/ (they need the admin's token); fails the test on an error."""
        response = self.http.request(
            method, f"{self.url}/-/sandbox/{path}", headers={"PRIVATE-TOKEN": self.admin_token}, timeout=30, **kwargs
        )
        assert response.status_code < 400, f"hook {method} {path}: {response.status_code} {response.text}"
        return response

    def mint(self, username: str, *scopes: str) -> str:
        """A new personal access token for a seeded user (default scope: api)."""
        body = {"username": username, "scopes": list(scopes or ("api",))}
        return self.hook("POST", "tokens", json=body).json()["token"]

    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        """A raw request to /api/v4<path> with PRIVATE-TOKEN (no token: anonymous); never raises on status."""
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["PRIVATE-TOKEN"] = token
        return self.http.request(method, f"{self.url}{API}{path}", headers=headers, timeout=30, **kwargs)

    def client(self, token: str | None = None, **kwargs) -> gitlab.Gitlab:
        """python-gitlab against the emulator, as the admin unless another token is given."""
        return gitlab.Gitlab(self.url, private_token=token or self.admin_token, **kwargs)

    def requests_made(self) -> dict:
        return self.hook("GET", "requests").json()

    def seed_runners(self, count: int, **body) -> list[int]:
        """Bulk-create runners through the hook (no API requests counted); their ids, ascending."""
        ids = self.hook("POST", "runners", json={"count": count, **body}).json()["ids"]
        assert len(ids) == count
        return ids

    @staticmethod
    def check(response: requests.Response, status: int, body=_ANY_BODY):
        """Assert the status, and the JSON body when one is given; return the decoded body (None for a 204)."""
        request = response.request
        assert response.status_code == status, f"{request.method} {request.url}: {response.status_code} {response.text}"
        if status == 204:
            assert response.content == b""
            return None
        decoded = response.json()
        if body is not _ANY_BODY:
            assert decoded == body
        return decoded

    def create_runner(self, token: str | None = None, **body) -> dict:
        """POST /user/runners (default: an instance runner as the admin); returns {id, token, token_expires_at}."""
        body.setdefault("runner_type", "instance_type")
        response = self.api("POST", "/user/runners", token or self.admin_token, json=body)
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture(scope="session")
def gitlab_sandbox(sandbox) -> GitLabSandbox:
    return GitLabSandbox(
        url=sandbox.endpoints["GITLAB_URL"], admin_token=sandbox.endpoints["GITLAB_API_TOKEN"], http=requests.Session()
    )


@pytest.fixture(autouse=True)
def _fresh_gitlab(gitlab_sandbox: GitLabSandbox) -> Iterator[None]:
    gitlab_sandbox.hook("POST", "reset")
    yield
    # And after: the session's sandbox is shared, and a setting a test leaves (a 1-second token expiry, a fault
    # plan) would change what the tests after this suite see.
    gitlab_sandbox.hook("POST", "reset")


@pytest.fixture
def gl(gitlab_sandbox: GitLabSandbox) -> gitlab.Gitlab:
    """python-gitlab as the admin, authenticated (gl.user is set)."""
    client = gitlab_sandbox.client()
    client.auth()
    return client
