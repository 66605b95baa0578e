# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox GitLab serves many clients at once, and stays consistent while it does."""

from __future__ import annotations

import concurrent.futures
import time

import requests

CLIENTS = 16
RUNNERS_PER_CLIENT = 10


def test_concurrent_creates_get_distinct_ids_and_all_land(gitlab_sandbox):
    """Contract §4.14 and §7.1 (ids are monotonic and unique), under 16 concurrent keep-alive clients."""

    def create_several(client: int) -> list[int]:
        with requests.Session() as session:
            session.headers["PRIVATE-TOKEN"] = gitlab_sandbox.admin_token
            ids = []
            for index in range(RUNNERS_PER_CLIENT):
                response = session.post(
                    f"{gitlab_sandbox.url}/api/v4/user/runners",
                    json={"runner_type": "instance_type", "description": f"client-{client}-{index}"},
                    timeout=30,
                )
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])
            return ids

    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        created = [runner_id for ids in pool.map(create_several, range(CLIENTS)) for runner_id in ids]
    assert len(set(created)) == CLIENTS * RUNNERS_PER_CLIENT
    listed = gitlab_sandbox.api("GET", "/runners/all?per_page=1", gitlab_sandbox.admin_token)
    assert listed.headers["X-Total"] == str(CLIENTS * RUNNERS_PER_CLIENT)
    assert gitlab_sandbox.requests_made()["by_route"]["POST /api/v4/user/runners"] == CLIENTS * RUNNERS_PER_CLIENT


def test_a_slow_answer_does_not_hold_up_other_clients(gitlab_sandbox):
    """Threaded: while one request is held by a `slow` fault, another client is answered at once."""
    gitlab_sandbox.hook("PUT", "faults", json={"kinds": ["slow"], "delay": 1.5, "path": "/api/v4/version"})
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(gitlab_sandbox.api, "GET", "/version", gitlab_sandbox.admin_token)
        time.sleep(0.2)
        started = time.monotonic()
        quick = gitlab_sandbox.api("GET", "/user", gitlab_sandbox.admin_token)
        quick_seconds = time.monotonic() - started
        assert quick.status_code == 200
        assert quick_seconds < 1.0
        assert not slow.done()
        assert slow.result().status_code == 200
