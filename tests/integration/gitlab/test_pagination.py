# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox GitLab's offset pagination (contract §1.5) on the paginated runner lists, over raw HTTP.

Each list is read as a user who sees the runners seeded for it: `/runners/all` as the admin (§4.2), `/runners` as
alice, who owns group `platform` (§4.1), `/projects/21/runners` and `/groups/11/runners` as the admin, where instance
runners show up because shared runners are enabled (§4.10, §4.13). Runners are seeded in bulk through the
`POST /-/sandbox/runners` hook.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

API = "/api/v4"
PAGINATION_HEADERS = ("X-Per-Page", "X-Page", "X-Next-Page", "X-Prev-Page", "X-Total", "X-Total-Pages")
LINK_PART = re.compile(r'^<([^<>]+)>; rel="(prev|next|first|last)"$')


@dataclasses.dataclass(frozen=True)
class Listing:
    """A paginated runner list, who reads it, and what kind of runner shows up in it for that reader."""

    path: str
    username: str
    seed: dict


LISTINGS = (
    Listing("/runners/all", "root", {"runner_type": "instance_type"}),
    Listing("/runners", "alice", {"runner_type": "group_type", "group_id": 11}),
    Listing("/projects/21/runners", "root", {"runner_type": "instance_type"}),
    Listing("/groups/11/runners", "root", {"runner_type": "instance_type"}),
)


@dataclasses.dataclass
class Lister:
    sandbox: object
    listing: Listing
    token: str

    def seed(self, count: int) -> list[int]:
        """Bulk-create `count` runners that show up in this list; their ids, ascending."""
        return self.sandbox.seed_runners(count, description="page-{n}", **self.listing.seed)

    def get(self, **params) -> requests.Response:
        return self.sandbox.api("GET", self.listing.path, self.token, params=params)

    @property
    def url(self) -> str:
        return f"{self.sandbox.url}{API}{self.listing.path}"


@pytest.fixture(params=LISTINGS, ids=lambda listing: listing.path)
def lister(request, gitlab_sandbox) -> Lister:
    listing = request.param
    token = gitlab_sandbox.admin_token if listing.username == "root" else gitlab_sandbox.mint(listing.username)
    return Lister(gitlab_sandbox, listing, token)


def headers_of(response: requests.Response) -> dict[str, str | None]:
    """The pagination headers, None for an absent one (an empty string is a present, empty header)."""
    return {name: response.headers.get(name) for name in PAGINATION_HEADERS}


def expected_headers(*values) -> dict[str, str | None]:
    """The pagination headers expected, given in PAGINATION_HEADERS order (None: absent)."""
    return {name: None if value is None else str(value) for name, value in zip(PAGINATION_HEADERS, values, strict=True)}


def links_of(response: requests.Response) -> list[tuple[str, str]]:
    """The Link header as (rel, url) pairs, in the order the server wrote them; each part must be well formed."""
    header = response.headers.get("Link")
    assert header is not None, "no Link header"
    pairs = []
    for part in header.split(", "):
        match = LINK_PART.match(part.strip())
        assert match, f"malformed Link part {part!r} in {header!r}"
        pairs.append((match.group(2), match.group(1)))
    return pairs


def split_link(url: str) -> tuple[str, dict[str, list[str]]]:
    """A Link URL as (scheme://host:port/path, its query parameters)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query, keep_blank_values=True)


def ids_of(response: requests.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [runner["id"] for runner in response.json()]


def test_default_page_size_is_20(lister):
    """Contract §1.5: per_page defaults to 20, page to 1; the first page has an empty X-Prev-Page."""
    ids = lister.seed(45)
    response = lister.get()
    assert ids_of(response) == ids[:20]
    assert headers_of(response) == expected_headers(20, 1, 2, "", 45, 3)


def test_pages_walk_in_id_order(lister):
    """Contract §1.5: X-Page/X-Next-Page/X-Prev-Page per page (empty on the last and first), lists by id ascending."""
    ids = lister.seed(45)
    pages = {1: ("2", ""), 2: ("3", "1"), 3: ("", "2")}
    seen = []
    for page, (next_page, prev_page) in pages.items():
        response = lister.get(page=page)
        seen += ids_of(response)
        assert headers_of(response) == expected_headers(20, page, next_page, prev_page, 45, 3), f"page {page}"
    assert seen == ids


@pytest.mark.parametrize("per_page", [101, 1000])
def test_per_page_is_capped_at_100(lister, per_page):
    """Contract §1.5: per_page is silently capped at 100 and X-Per-Page then reports 100."""
    ids = lister.seed(130)
    response = lister.get(per_page=per_page)
    assert ids_of(response) == ids[:100]
    assert headers_of(response) == expected_headers(100, 1, 2, "", 130, 2)
    last = lister.get(per_page=per_page, page=2)
    assert ids_of(last) == ids[100:]
    assert headers_of(last) == expected_headers(100, 2, "", 1, 130, 2)


def test_page_past_the_end_is_an_empty_list(lister):
    """Contract §1.5: a page past the end returns [] with 200."""
    lister.seed(5)
    response = lister.get(page=7)
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers.get("X-Total") == "5"
    assert response.headers.get("X-Page") == "7"


def test_empty_list_has_one_page(lister):
    """Contract §1.5: X-Total-Pages is never below 1, even for an empty list; the Link still has first and last."""
    response = lister.get()
    assert response.status_code == 200
    assert response.json() == []
    assert headers_of(response) == expected_headers(20, 1, "", "", 0, 1)
    links = links_of(response)
    assert [rel for rel, _url in links] == ["first", "last"]
    for rel, url in links:
        assert split_link(url) == (lister.url, {"page": ["1"], "per_page": ["20"]}), rel


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"per_page": "0"}, "per_page has a value not allowed"),
        ({"per_page": "-1"}, "per_page does not have a valid value"),
        ({"per_page": "-100"}, "per_page does not have a valid value"),
        ({"page": "0"}, "page does not have a valid value"),
        ({"page": "-3"}, "page does not have a valid value"),
        ({"page": "abc"}, "page is invalid"),
        ({"per_page": "ten"}, "per_page is invalid"),
    ],
    ids=lambda value: "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else None,
)
def test_invalid_pagination_parameters(lister, params, error):
    """Contract §1.5 and §1.3: per_page=0, non-positive and non-numeric page/per_page give Grape's 400 {"error"}."""
    response = lister.get(**params)
    assert response.status_code == 400
    assert response.json() == {"error": error}


def test_link_header_keeps_the_query_and_uses_the_request_base(lister):
    """Contract §1.5: Link has prev, next, first, last (in that order), built from the request's own scheme, host and
    port, keeping the original query parameters and adding page and per_page."""
    lister.seed(45)
    response = lister.get(paused="false", per_page=10, page=2)
    assert response.status_code == 200, response.text
    links = links_of(response)
    assert [rel for rel, _url in links] == ["prev", "next", "first", "last"]
    pages = {"prev": "1", "next": "3", "first": "1", "last": "5"}
    for rel, url in links:
        base, query = split_link(url)
        assert base == lister.url, rel
        assert query == {"paused": ["false"], "page": [pages[rel]], "per_page": ["10"]}, rel


def test_link_header_follows_the_host_the_client_used(gitlab_sandbox):
    """Contract §1.5: Link URLs use the request's own scheme, host and port (here a Host header naming another
    host), not a fixed address."""
    gitlab_sandbox.seed_runners(3, runner_type="instance_type")
    port = urlsplit(gitlab_sandbox.url).port
    response = gitlab_sandbox.api(
        "GET",
        "/runners/all",
        gitlab_sandbox.admin_token,
        params={"per_page": 1},
        headers={"Host": f"localhost:{port}"},
    )
    assert response.status_code == 200, response.text
    for rel, url in links_of(response):
        assert split_link(url)[0] == f"http://localhost:{port}{API}/runners/all", rel


def test_link_header_on_first_and_last_pages(lister):
    """Contract §1.5: no rel="prev" on the first page, no rel="next" on the last; first and last always."""
    lister.seed(25)
    first = links_of(lister.get(per_page=10))
    assert [rel for rel, _url in first] == ["next", "first", "last"]
    assert parse_qs(urlsplit(dict(first)["next"]).query)["page"] == ["2"]
    assert parse_qs(urlsplit(dict(first)["last"]).query)["page"] == ["3"]
    last = links_of(lister.get(per_page=10, page=3))
    assert [rel for rel, _url in last] == ["prev", "first", "last"]
    assert parse_qs(urlsplit(dict(last)["prev"]).query)["page"] == ["2"]


def test_lists_come_out_by_id_ascending_across_runner_types(gitlab_sandbox):
    """Contract §1.5 (ORDER BY id ASC), §4.2, §4.10 and §4.13: unions of instance, group and project runners are
    ordered by id, whatever the kind; a project sees its own, its ancestor groups' and instance runners."""
    kinds = [
        {"runner_type": "project_type", "project_id": 21},
        {"runner_type": "instance_type"},
        {"runner_type": "group_type", "group_id": 13},
        {"runner_type": "project_type", "project_id": 21},
        {"runner_type": "group_type", "group_id": 11},
        {"runner_type": "instance_type"},
        {"runner_type": "group_type", "group_id": 12},
    ]
    created = [(gitlab_sandbox.create_runner(**kind)["id"], kind["runner_type"]) for kind in kinds * 3]
    every = [runner_id for runner_id, _runner_type in created]
    token = gitlab_sandbox.admin_token
    for path, expected in [
        ("/runners/all", every),
        ("/projects/21/runners", every),
        ("/groups/13/runners", [i for i, kind in created if kind != "project_type"]),
    ]:
        response = gitlab_sandbox.api("GET", path, token, params={"per_page": 100})
        assert ids_of(response) == sorted(expected), path
        walked = []
        for page in (1, 2, 3):
            walked += ids_of(gitlab_sandbox.api("GET", path, token, params={"per_page": 7, "page": page}))
        assert walked == sorted(expected)[:21], path


def test_more_than_10000_runners_omit_the_totals(gitlab_sandbox):
    """Contract §1.5: when the count exceeds 10 000, X-Total, X-Total-Pages and the rel="last" link are omitted;
    the other headers and links stay."""
    ids = gitlab_sandbox.seed_runners(10_001, runner_type="instance_type", description="many-{n}")
    base = f"{gitlab_sandbox.url}{API}/runners/all"
    first = gitlab_sandbox.api("GET", "/runners/all", gitlab_sandbox.admin_token, params={"per_page": 100})
    assert ids_of(first) == ids[:100]
    assert headers_of(first) == expected_headers(100, 1, 2, "", None, None)
    assert [rel for rel, _url in links_of(first)] == ["next", "first"]
    assert split_link(dict(links_of(first))["next"]) == (base, {"page": ["2"], "per_page": ["100"]})
    last = gitlab_sandbox.api("GET", "/runners/all", gitlab_sandbox.admin_token, params={"per_page": 100, "page": 101})
    assert ids_of(last) == ids[10_000:]
    assert headers_of(last) == expected_headers(100, 101, "", 100, None, None)
    assert [rel for rel, _url in links_of(last)] == ["prev", "first"]


def test_managers_are_not_paginated(gitlab_sandbox):
    """Contract §1.5 and §4.7: GET /runners/:id/managers returns the whole bare array; page and per_page do not
    apply to it."""
    runner = gitlab_sandbox.create_runner(description="managed")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    managers = [
        {
            "system_id": f"s_{index:04d}",
            "version": "18.6.0",
            "revision": "abcdef12",
            "platform": "linux",
            "architecture": "amd64",
            "ip_address": f"10.0.0.{index}",
            "contacted_at": now,
        }
        for index in range(1, 26)
    ]
    gitlab_sandbox.hook("PATCH", f"runners/{runner['id']}", json={"managers": managers})
    for params in ({}, {"per_page": 1, "page": 2}):
        response = gitlab_sandbox.api(
            "GET", f"/runners/{runner['id']}/managers", gitlab_sandbox.admin_token, params=params
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert isinstance(body, list)
        assert sorted(manager["system_id"] for manager in body) == [m["system_id"] for m in managers], params
