# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Launch an AWX job template with a fleet description as its extra vars, and follow the job to its end.

    python3 ci/launch_awx_job.py --template "runner-fleet site" --extra-vars-file fleet.yml

AWX comes from the environment: AWX_HOST (https://awx.example.com) and AWX_TOKEN (an OAuth2 token of a user that
may execute the job template; a masked, protected CI/CD variable). The exit status is 0 when the job succeeded and
1 when it failed, was canceled, or did not end within --timeout seconds (it is then canceled, so that no fleet
change runs on unobserved). The job's output is printed once it ends.

Standard library only, so that any image with Python 3.9 or later runs it. The description file is sent as AWX
takes extra vars: its YAML text as is (AWX parses YAML or JSON), so that nothing here needs a YAML parser.

Transient faults are retried with exponential backoff, bounded by --timeout: every read on a connection error, 429
or 5xx; the launch only on a refused connection, 429 or 503, which say AWX did not take the request (a 502 or 504
from a proxy may hide a launched job, and launching twice would run the fleet's playbook twice).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

TERMINAL = {"successful", "failed", "error", "canceled"}
RETRIED_READ = frozenset({429, 500, 502, 503, 504})
RETRIED_LAUNCH = frozenset({429, 503})
FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0


class AwxError(Exception):
    """AWX refused a request, or could not be reached within the time allowed."""


class Awx:
    def __init__(self, host: str, token: str, deadline: float):
        self.base = host.rstrip("/")
        self.token = token
        self.deadline = deadline

    def request(self, method: str, path: str, body: dict | None = None, retried: frozenset = RETRIED_READ):
        """The decoded answer to one API call; retried on the statuses in `retried` until the deadline."""
        backoff = FIRST_BACKOFF_SECONDS
        while True:
            try:
                return self.send(method, path, body)
            except urllib.error.HTTPError as error:
                if error.code not in retried:
                    raise AwxError(f"{method} {path}: HTTP {error.code} {read_detail(error)}") from None
                reason, wait = f"HTTP {error.code}", retry_after(error, backoff)
            except OSError as error:
                # URLError (no connection), or a timeout or reset while the answer was read.
                cause = error.reason if isinstance(error, urllib.error.URLError) else error
                if method != "GET" and not isinstance(cause, ConnectionRefusedError):
                    raise AwxError(f"{method} {path}: {cause!r} (not retried: AWX may have taken it)") from None
                reason, wait = str(cause) or type(cause).__name__, backoff
            if time.monotonic() + wait > self.deadline:
                raise AwxError(f"{method} {path}: {reason}, and the time allowed is over")
            print(f"AWX answered {method} {path} with {reason}; retrying in {wait:.0f} s", flush=True)
            time.sleep(wait)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def send(self, method: str, path: str, body: dict | None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310 (AWX_HOST)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        timeout = max(1.0, min(60.0, self.deadline - time.monotonic()))
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (AWX_HOST)
            text = answer.read().decode()
            kind = answer.headers.get("Content-Type", "")
        return json.loads(text) if text and "json" in kind else text


def read_detail(error: urllib.error.HTTPError) -> str:
    """What AWX says about a refusal (its JSON body), on one line."""
    try:
        return " ".join(error.read().decode(errors="replace").split())[:2000]
    except OSError:
        return ""


def retry_after(error: urllib.error.HTTPError, backoff: float) -> float:
    """AWX's (or its proxy's) Retry-After in seconds when it sends one, else the current backoff."""
    value = error.headers.get("Retry-After", "") if error.headers else ""
    return min(float(value), MAX_BACKOFF_SECONDS) if value.isdigit() else backoff


def template_id(awx: Awx, name: str) -> int:
    query = urllib.parse.urlencode({"name": name})
    found = awx.request("GET", f"/api/v2/job_templates/?{query}")
    if found.get("count") != 1:
        raise AwxError(f"no job template named {name!r} that this token may see (found {found.get('count')})")
    return found["results"][0]["id"]


def launch(awx: Awx, template: int, extra_vars: str) -> int:
    answer = awx.request(
        "POST", f"/api/v2/job_templates/{template}/launch/", {"extra_vars": extra_vars}, RETRIED_LAUNCH
    )
    ignored = answer.get("ignored_fields") or {}
    if ignored:
        # The template does not prompt for what was sent: the job would run with other values than the file's, so
        # it is stopped before it changes anything.
        cancel(awx, answer["job"])
        raise AwxError(
            f"AWX ignored {sorted(ignored)} and job {answer['job']} was canceled: the job template must "
            "prompt for variables (ask_variables_on_launch)"
        )
    return answer["job"]


def follow(awx: Awx, job: int, poll_seconds: float) -> dict:
    """The job's record once it ended; AwxError when the deadline comes first."""
    last_status = None
    while True:
        record = awx.request("GET", f"/api/v2/jobs/{job}/")
        if record["status"] != last_status:
            print(f"job {job}: {record['status']}", flush=True)
            last_status = record["status"]
        if record["status"] in TERMINAL:
            return record
        if time.monotonic() + poll_seconds > awx.deadline:
            raise AwxError(f"job {job} was still {record['status']} when the time allowed was over")
        time.sleep(poll_seconds)


def cancel(awx: Awx, job: int) -> None:
    # A few seconds of grace beyond the deadline: an unobserved job must not run on.
    awx.deadline = time.monotonic() + 30
    try:
        awx.request("POST", f"/api/v2/jobs/{job}/cancel/", {}, RETRIED_LAUNCH)
    except AwxError as error:
        print(f"could not cancel job {job}: {error}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--template", required=True, help="the job template's name")
    parser.add_argument("--extra-vars-file", required=True, help="the fleet description (YAML), sent as extra vars")
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("AWX_JOB_TIMEOUT", "3600")))
    parser.add_argument("--poll", type=float, default=float(os.environ.get("AWX_POLL_SECONDS", "10")))
    options = parser.parse_args(argv)
    missing = [name for name in ("AWX_HOST", "AWX_TOKEN") if not os.environ.get(name)]
    if missing:
        print(f"set {' and '.join(missing)} (CI/CD variables; the token masked and protected)", file=sys.stderr)
        return 2
    with open(options.extra_vars_file, encoding="utf-8") as description:
        extra_vars = description.read()
    awx = Awx(os.environ["AWX_HOST"], os.environ["AWX_TOKEN"], time.monotonic() + options.timeout)
    try:
        job = launch(awx, template_id(awx, options.template), extra_vars)
        print(f"launched {options.template!r} as job {job}: {awx.base}/#/jobs/playbook/{job}/output", flush=True)
        try:
            record = follow(awx, job, options.poll)
        except AwxError as error:
            # Whatever stopped the following (the time allowed, AWX unreachable), the job must not run on unobserved.
            cancel(awx, job)
            raise AwxError(f"{error}; canceled job {job}") from None
        awx.deadline = max(awx.deadline, time.monotonic() + 60)  # the output of a job that ended is always read
        print(awx.request("GET", f"/api/v2/jobs/{job}/stdout/?format=txt"), flush=True)
    except AwxError as error:
        print(f"AWX: {error}", file=sys.stderr)
        return 1
    explanation = f" ({record['job_explanation']})" if record.get("job_explanation") else ""
    print(f"job {job} ended {record['status']}{explanation} after {record.get('elapsed', 0):.0f} s", flush=True)
    return 0 if record["status"] == "successful" else 1


if __name__ == "__main__":
    sys.exit(main())
