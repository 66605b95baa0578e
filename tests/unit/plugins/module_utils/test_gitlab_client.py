# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GitLab client's pure parts: error bodies and messages (contract §1.2, §1.3), URLs, and the bounded retry
policy, driven by a fake clock and a fake sleep."""

from __future__ import annotations

import random
import types

import pytest
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils import _gitlab
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._gitlab import (
    Attempts,
    GitLabApiError,
    RetryPolicy,
    TransientFailure,
)

SCOPE_DESCRIPTION = "The request requires higher privileges than provided by the access token."
INSUFFICIENT_SCOPE = {
    "error": "insufficient_scope",
    "error_description": SCOPE_DESCRIPTION,
    "scope": "api manage_runner",
}

# ------------------------------------------------------------------------------------------------- decode_body


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        (None, None),
        (b"", None),
        ("", None),
        (b'{"message": "404 Runner Not Found"}', {"message": "404 Runner Not Found"}),
        ('{"message": {"tags_list": ["x"]}}', {"message": {"tags_list": ["x"]}}),
        (b"[]", []),
        (b"null", None),
        (b"<html>502 Bad Gateway</html>", "<html>502 Bad Gateway</html>"),
        ("plain text", "plain text"),
        (b"\xffbad", "\ufffdbad"),
    ],
)
def test_decode_body(raw, decoded):
    assert _gitlab.decode_body(raw) == decoded


# ------------------------------------------------------------------------------------------------- gitlab_message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"message": "404 Runner Not Found"}, "404 Runner Not Found"),
        ({"message": "403 Forbidden - Insufficient permissions"}, "403 Forbidden - Insufficient permissions"),
        (
            {"message": {"tags_list": ["can not be empty when runner is not allowed to pick untagged jobs"]}},
            "tags_list can not be empty when runner is not allowed to pick untagged jobs",
        ),
        (
            {
                "message": {
                    "maximum_timeout": ["needs to be at least 10 minutes"],
                    "description": ["is too long (maximum is 1024 characters)"],
                }
            },
            "maximum_timeout needs to be at least 10 minutes; description is too long (maximum is 1024 characters)",
        ),
        ({"message": {"tags_list": ["one", "two"]}}, "tags_list one, two"),
        ({"message": {"base": "not a list"}}, "base not a list"),
        (
            {"error": "runner_type is missing, runner_type does not have a valid value"},
            "runner_type is missing, runner_type does not have a valid value",
        ),
        ({"error": "404 Not Found"}, "404 Not Found"),
        ({"message": "from message", "error": "from error"}, "from message"),
        (INSUFFICIENT_SCOPE, f"insufficient_scope ({SCOPE_DESCRIPTION})"),
        ({"error": "insufficient_scope", "error_description": ""}, "insufficient_scope"),
        ("  502 Bad Gateway \n", "502 Bad Gateway"),
        ("x" * 400, "x" * 300),
        ("", "no explanation in the answer"),
        ("  ", "no explanation in the answer"),
        (None, "no explanation in the answer"),
        ({}, "no explanation in the answer"),
        ({"id": 5}, "no explanation in the answer"),
        (["message"], "no explanation in the answer"),
    ],
)
def test_gitlab_message(body, message):
    assert _gitlab.gitlab_message(body) == message


# ------------------------------------------------------------------------------------------------- explain_failure


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            401,
            {"message": "401 Unauthorized"},
            "Failed to update runner 5: GitLab rejected the API token (401 Unauthorized). Check api_token "
            "(or GITLAB_API_TOKEN): it is wrong, expired or revoked.",
        ),
        (
            401,
            None,
            "Failed to update runner 5: GitLab rejected the API token (401 Unauthorized). Check api_token "
            "(or GITLAB_API_TOKEN): it is wrong, expired or revoked.",
        ),
        (
            403,
            INSUFFICIENT_SCOPE,
            "Failed to update runner 5: the API token lacks the scope this call needs (GitLab accepts: api "
            "manage_runner). Use a token with the api scope (create_runner only allows creating runners, "
            "manage_runner only managing existing ones by id, read_api only reading).",
        ),
        (
            403,
            {"error": "insufficient_scope", "error_description": SCOPE_DESCRIPTION},
            "Failed to update runner 5: the API token lacks the scope this call needs (GitLab accepts: api). Use a "
            "token with the api scope (create_runner only allows creating runners, manage_runner only managing "
            "existing ones by id, read_api only reading).",
        ),
        (
            403,
            {"message": "403 Forbidden - Insufficient permissions"},
            "Failed to update runner 5: GitLab refused it (403: 403 Forbidden - Insufficient permissions). The "
            "token's user lacks the permission.",
        ),
        (
            403,
            {"message": "403 Forbidden"},
            "Failed to update runner 5: GitLab refused it (403: 403 Forbidden). The token's user lacks the permission.",
        ),
        (
            400,
            {"message": {"maximum_timeout": ["needs to be at least 10 minutes"]}},
            "Failed to update runner 5: GitLab answered 400: maximum_timeout needs to be at least 10 minutes",
        ),
        (
            400,
            {"error": "active, paused are mutually exclusive"},
            "Failed to update runner 5: GitLab answered 400: active, paused are mutually exclusive",
        ),
        (
            400,
            {"message": "400 Bad request - Missing/invalid group"},
            "Failed to update runner 5: GitLab answered 400: 400 Bad request - Missing/invalid group",
        ),
        (404, None, "Failed to update runner 5: GitLab answered 404: no explanation in the answer"),
    ],
)
def test_explain_failure(status, body, message):
    assert _gitlab.explain_failure("update runner 5", status, body) == message


# ------------------------------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        (42, "42"),
        ("42", "42"),
        ("platform/infra", "platform%2Finfra"),
        ("platform/infra/sub group", "platform%2Finfra%2Fsub%20group"),
        ("a.b_c-d~e", "a.b_c-d~e"),
    ],
)
def test_path_segment(value, segment):
    assert _gitlab.path_segment(value) == segment


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://gitlab.example.com", "https://gitlab.example.com"),
        ("https://gitlab.example.com/", "https://gitlab.example.com"),
        ("https://gitlab.example.com/api/v4", "https://gitlab.example.com"),
        ("https://gitlab.example.com/api/v4/", "https://gitlab.example.com"),
        (" https://example.com/gitlab/api/v4 ", "https://example.com/gitlab"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_base_url(url, base):
    assert _gitlab.base_url(url) == base


# ------------------------------------------------------------------------------------------------- RetryPolicy


@pytest.fixture
def jitter(monkeypatch):
    """random.uniform replaced: records the bounds it is given and answers the upper one (the ceiling)."""
    calls: list = []

    def uniform(low, high):
        calls.append((low, high))
        return high

    monkeypatch.setattr(_gitlab, "random", types.SimpleNamespace(uniform=uniform))
    return calls


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(0, 0.2), (1, 0.4), (2, 0.8), (3, 1.6), (4, 3.2), (5, 6.4), (6, 8.0), (7, 8.0), (30, 8.0)],
)
def test_delay_is_exponential_and_capped(jitter, attempt, ceiling):
    assert RetryPolicy(120).delay(attempt, None) == pytest.approx(ceiling)
    assert jitter == [(pytest.approx(ceiling / 2), pytest.approx(ceiling))]


@pytest.mark.parametrize(("attempt", "ceiling"), [(0, 1.0), (1, 2.0), (2, 4.0), (3, 5.0), (9, 5.0)])
def test_delay_follows_the_policy_s_own_base_and_cap(jitter, attempt, ceiling):
    assert RetryPolicy(120, base_delay=1.0, max_delay=5.0).delay(attempt, None) == ceiling
    assert jitter == [(ceiling / 2, ceiling)]


@pytest.mark.parametrize("attempt", range(8))
def test_jitter_stays_between_half_the_ceiling_and_the_ceiling(attempt):
    ceiling = min(8.0, 0.2 * 2**attempt)
    random.seed(attempt)
    delays = [RetryPolicy(120).delay(attempt, None) for _attempt in range(300)]
    assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
    assert max(delays) - min(delays) > ceiling / 4  # jittered, not a constant


@pytest.mark.parametrize(("attempt", "retry_after"), [(0, 30.0), (6, 0.5), (3, 0.0), (0, 500.0)])
def test_retry_after_is_honoured_as_given(jitter, attempt, retry_after):
    assert RetryPolicy(120).delay(attempt, retry_after) == retry_after
    assert jitter == []


def test_a_late_attempt_still_gets_the_capped_delay():
    assert 4.0 <= RetryPolicy(7200).delay(1024, None) <= 8.0


# ------------------------------------------------------------------------------------------------- Attempts


class FakeTime:
    """A clock that only sleeping (or a simulated request) moves forward."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def failure(retry_after: float | None = None) -> TransientFailure:
    return TransientFailure("502 Bad Gateway", 502, {"message": "502 Bad Gateway"}, retry_after)


def attempts(fake: FakeTime, max_time: float) -> Attempts:
    return Attempts(RetryPolicy(max_time, clock=fake.clock), "update runner 5", sleep=fake.sleep)


def test_wait_sleeps_the_policy_s_delays_until_the_budget_is_spent(jitter):
    fake = FakeTime()
    tries = attempts(fake, 10)
    for _attempt in range(5):
        tries.wait(failure())
    assert fake.slept == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.2])
    assert tries.count == 5
    with pytest.raises(GitLabApiError) as caught:  # 6.2 s spent, and the next pause is 6.4 s
        tries.wait(failure())
    assert str(caught.value) == (
        "Failed to update runner 5: GitLab kept failing (502 Bad Gateway) for 6.2 s over 6 attempt(s); the next "
        "attempt would pass retry_max_time (10 s)."
    )
    assert len(fake.slept) == 5
    assert tries.count == 5
    assert [high for _low, high in jitter] == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.2, 6.4])


def test_the_time_requests_take_counts_against_the_budget():
    fake = FakeTime()
    tries = attempts(fake, 30)
    fake.now += 12.0  # the first request timed out
    tries.wait(failure(retry_after=5))
    fake.now += 12.0  # and the second
    with pytest.raises(GitLabApiError) as caught:
        tries.wait(failure(retry_after=5))
    assert fake.slept == [5]
    assert str(caught.value) == (
        "Failed to update runner 5: GitLab kept failing (502 Bad Gateway) for 29.0 s over 2 attempt(s); the next "
        "attempt would pass retry_max_time (30 s)."
    )


def test_a_pause_that_ends_exactly_at_the_budget_is_still_taken():
    fake = FakeTime()
    tries = attempts(fake, 10)
    tries.wait(failure(retry_after=5))
    tries.wait(failure(retry_after=5))
    assert fake.slept == [5, 5]
    with pytest.raises(GitLabApiError):
        tries.wait(failure(retry_after=0.001))


def test_a_retry_after_beyond_the_budget_fails_at_once_without_sleeping():
    fake = FakeTime()
    tries = attempts(fake, 120)
    cause = failure(retry_after=300)
    with pytest.raises(GitLabApiError) as caught:
        tries.wait(cause)
    error = caught.value
    assert fake.slept == []
    assert not isinstance(error, TransientFailure)  # not a TransientFailure: the caller's retry loop must stop
    assert (error.status, error.body, error.__cause__) == (502, {"message": "502 Bad Gateway"}, cause)
    assert str(error) == (
        "Failed to update runner 5: GitLab kept failing (502 Bad Gateway) for 0.0 s over 1 attempt(s); the next "
        "attempt would pass retry_max_time (120 s)."
    )


def test_the_budget_is_named_as_given():
    fake = FakeTime()
    with pytest.raises(GitLabApiError) as caught:
        attempts(fake, 0.5).wait(TransientFailure("no answer: ConnectTimeout", retry_after=1))
    assert str(caught.value).endswith(
        "GitLab kept failing (no answer: ConnectTimeout) for 0.0 s over 1 attempt(s); "
        "the next attempt would pass retry_max_time (0.5 s)."
    )
    assert (caught.value.status, caught.value.body) == (None, None)
