# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for the part of AWX's REST API (v2) a GitLab pipeline uses to run a job template and follow its job,
with the job run the way AWX runs one: ansible-runner on a private data directory holding a copy of the project, the
credentials injected as environment variables, the template's extra vars overlaid by the launch's.

    python -m sandbox.awx_api --config awx.json --port-file awx.port

Served (JSON unless said otherwise; `Authorization: Bearer <token>` required, else 401 as AWX answers):

    GET  /api/v2/ping/                              no token needed
    GET  /api/v2/job_templates/?name=NAME           {count, results: [template]}
    POST /api/v2/job_templates/ID/launch/           201 {job, id, status, ignored_fields}; 400 as AWX refuses
    GET  /api/v2/jobs/ID/                           {id, status, failed, elapsed, job_explanation, ...}
    GET  /api/v2/jobs/ID/stdout/?format=txt         the job's output, text/plain
    POST /api/v2/jobs/ID/cancel/                    202, or 405 once the job ended

What AWX does at launch and the stand-in does too: a survey's required questions must be answered (defaults fill
what is left out; text answers within min and max length); launch-time extra vars are refused when they hold Jinja
(AWX's default ALLOW_JINJA_IN_EXTRA_VARS = template); what the template does not prompt for is ignored and named in
`ignored_fields` (extra vars outside the survey unless ask_variables_on_launch).

The configuration file (JSON) says what AWX would hold:

    token             the OAuth2 token the API accepts
    jobs_dir          where each job's private data directory is made (jobs_dir/job-ID), and kept, as AWX keeps a
                      job's events
    project           the project's directory (AWX's checkout of the project's repository)
    environment       the execution environment's variables (the collections path that project sync installs into)
    credential_types  {name: {"injectors": {"env": {VAR: "{{ input }}"}}}}, custom types as AWX defines them; the
                      built-in "Amazon Web Services" type injects AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
                      AWS_SECURITY_TOKEN from username, password and security_token, as AWX does
    credentials       [{name, credential_type, inputs}]
    job_templates     [{id, name, playbook, inventory, extra_vars, ask_variables_on_launch, survey_enabled,
                      survey_spec, credentials: [credential names]}], as awx.awx.job_template takes them
    fail_every        optional: every Nth authenticated GET answers 503 with Retry-After: 1, so that a client's
                      retries are exercised

Only loopback is served. It is a test double for the pipeline's calls, not an AWX: no users, no inventories, no
project updates.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import http.server
import itertools
import json
import re
import shutil
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import ansible_runner
import yaml

HOST = "127.0.0.1"
TERMINAL = frozenset({"successful", "failed", "error", "canceled"})
# AWX's built-in credential type for AWS, as it injects it.
AWS_CREDENTIAL_TYPE = {
    "injectors": {
        "env": {
            "AWS_ACCESS_KEY_ID": "{{ username }}",
            "AWS_SECRET_ACCESS_KEY": "{{ password }}",
            "AWS_SECURITY_TOKEN": "{{ security_token }}",
        }
    }
}
INJECTED_INPUT = re.compile(r"^\{\{\s*(\w+)\s*\}\}$")
JINJA = re.compile(r"\{\{|\{%|\{#")


class Refused(Exception):
    """A request AWX answers with an error status and a JSON body."""

    def __init__(self, status: int, body: dict):
        super().__init__(body)
        self.status, self.body = status, body


@dataclasses.dataclass
class Job:
    id: int
    template: dict
    extra_vars: dict
    private_dir: Path
    status: str = "pending"
    job_explanation: str = ""
    created: float = dataclasses.field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    cancel_requested: bool = False

    def record(self) -> dict:
        end = self.finished or time.time()
        return {
            "id": self.id,
            "type": "job",
            "url": f"/api/v2/jobs/{self.id}/",
            "name": self.template["name"],
            "job_template": self.template["id"],
            "playbook": self.template["playbook"],
            "status": self.status,
            "failed": self.status in {"failed", "error"},
            "started": iso(self.started),
            "finished": iso(self.finished),
            "elapsed": round(end - self.started, 3) if self.started else 0.0,
            "job_explanation": self.job_explanation,
        }

    def stdout(self) -> str:
        artifacts = self.private_dir / "artifacts"
        outputs = sorted(artifacts.glob("*/stdout")) if artifacts.is_dir() else []
        return outputs[0].read_text(encoding="utf-8", errors="replace") if outputs else ""


def iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.datetime.fromtimestamp(moment, datetime.UTC).isoformat().replace("+00:00", "Z")


class Awx:
    """What the API serves: the configured templates and credentials, and the jobs launched from them."""

    def __init__(self, config: dict):
        self.config = config
        self.jobs: dict[int, Job] = {}
        self.lock = threading.Lock()
        self.next_id = itertools.count(1)
        self.gets = itertools.count(1)

    def template(self, template_id: int) -> dict:
        for template in self.config["job_templates"]:
            if template["id"] == template_id:
                return template
        raise Refused(404, {"detail": "Not found."})

    def templates_named(self, name: str | None) -> list[dict]:
        templates = self.config["job_templates"]
        return [summary(template) for template in templates if name is None or template["name"] == name]

    def job(self, job_id: int) -> Job:
        with self.lock:
            if job_id not in self.jobs:
                raise Refused(404, {"detail": "Not found."})
            return self.jobs[job_id]

    def launch(self, template_id: int, body: dict) -> dict:
        template = self.template(template_id)
        launch_vars, ignored = accepted_extra_vars(template, body)
        extra_vars = {**(template.get("extra_vars") or {}), **launch_vars}
        job_id = next(self.next_id)
        job = Job(job_id, template, extra_vars, Path(self.config["jobs_dir"]) / f"job-{job_id}")
        with self.lock:
            self.jobs[job_id] = job
        threading.Thread(target=self.run, args=(job,), name=f"job-{job_id}", daemon=True).start()
        return {**job.record(), "job": job_id, "ignored_fields": ignored}

    def run(self, job: Job) -> None:
        """The job as AWX runs it: the project copied into a private data directory, then ansible-runner."""
        job.status, job.started = "running", time.time()
        try:
            shutil.copytree(self.config["project"], job.private_dir / "project")
            environment = {**self.config.get("environment", {}), **self.injected(job.template)}
            result = ansible_runner.run(
                private_data_dir=str(job.private_dir),
                playbook=job.template["playbook"],
                inventory=str(job.private_dir / "project" / job.template.get("inventory", "inventory")),
                extravars=job.extra_vars,
                envvars=environment,
                cancel_callback=lambda: job.cancel_requested,
                quiet=True,
            )
            job.status = {"successful": "successful", "canceled": "canceled"}.get(result.status, "failed")
            if job.status == "canceled":
                job.job_explanation = "Job was canceled"
        except Exception as error:
            job.status, job.job_explanation = "error", f"{type(error).__name__}: {error}"
        job.finished = time.time()

    def injected(self, template: dict) -> dict[str, str]:
        """The environment the template's credentials inject, as their types' env injectors say."""
        types = {"Amazon Web Services": AWS_CREDENTIAL_TYPE, **self.config.get("credential_types", {})}
        credentials = {credential["name"]: credential for credential in self.config.get("credentials", [])}
        environment: dict[str, str] = {}
        for name in template.get("credentials", []):
            credential = credentials[name]
            for variable, value in types[credential["credential_type"]]["injectors"].get("env", {}).items():
                environment[variable] = render(value, credential.get("inputs", {}))
        return {variable: value for variable, value in environment.items() if value}

    def cancel(self, job_id: int) -> None:
        job = self.job(job_id)
        if job.status in TERMINAL:
            raise Refused(405, {"detail": 'Method "POST" not allowed.'})
        job.cancel_requested = True


def summary(template: dict) -> dict:
    keys = ("id", "name", "playbook", "ask_variables_on_launch", "survey_enabled")
    return {"type": "job_template", **{key: template.get(key) for key in keys}}


def render(value: str, inputs: dict) -> str:
    """A credential type's injector template: only `{{ input }}`, which is all the types here use."""
    match = INJECTED_INPUT.match(value.strip())
    if not match:
        raise ValueError(f"injector {value!r}: the stand-in renders only '{{{{ input }}}}'")
    return str(inputs.get(match.group(1), ""))


def accepted_extra_vars(template: dict, body: dict) -> tuple[dict, dict]:
    """(the launch's extra vars AWX passes on, the fields it ignores), or Refused as AWX refuses the launch."""
    raw = body.get("extra_vars") or {}
    if isinstance(raw, str):
        try:
            raw = yaml.safe_load(raw) or {}
        except yaml.YAMLError as error:
            raise Refused(400, {"extra_vars": [f"Cannot parse as JSON or YAML: {error}"]}) from None
    if not isinstance(raw, dict):
        raise Refused(400, {"extra_vars": ["Must be a valid JSON or YAML dictionary."]})
    if JINJA.search(json.dumps(raw)):
        raise Refused(400, {"extra_vars": ["Jinja variables are not allowed in extra vars passed on launch."]})
    questions = survey_questions(template)
    prompted = template.get("ask_variables_on_launch", False)
    accepted = {key: value for key, value in raw.items() if prompted or key in questions}
    ignored = {"extra_vars": {key: value for key, value in raw.items() if key not in accepted}}
    ignored |= {field: value for field, value in body.items() if field != "extra_vars"}
    answered = {**survey_defaults(questions), **accepted}
    problems = [problem for question in questions.values() for problem in survey_problems(question, answered)]
    if problems:
        raise Refused(400, {"variables_needed_to_start": problems})
    return answered, {field: value for field, value in ignored.items() if value}


def survey_questions(template: dict) -> dict[str, dict]:
    if not template.get("survey_enabled"):
        return {}
    return {question["variable"]: question for question in (template.get("survey_spec") or {}).get("spec", [])}


def survey_defaults(questions: dict[str, dict]) -> dict:
    return {
        name: question["default"] for name, question in questions.items() if question.get("default") not in (None, "")
    }


def survey_problems(question: dict, answered: dict) -> list[str]:
    variable = question["variable"]
    if variable not in answered:
        return [f"'{variable}' value missing"] if question.get("required") else []
    value = answered[variable]
    if question.get("type") in {"text", "textarea", "password"} and isinstance(value, str):
        if "min" in question and len(value) < int(question["min"]):
            return [
                f"'{variable}' value {value} is too small (length is {len(value)} must be at least {question['min']})."
            ]
        if "max" in question and len(value) > int(question["max"]):
            return [f"'{variable}' value {value} is too large (must be no more than {question['max']})."]
    return []


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "awx-stand-in"
    awx: Awx

    def do_GET(self) -> None:
        self.answer("GET")

    def do_POST(self) -> None:
        self.answer("POST")

    def answer(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        try:
            if url.path == "/api/v2/ping/":
                self.send(200, {"version": "24.6.1", "active_node": "sandbox", "ha": False})
                return
            self.authenticate()
            if method == "GET" and self.flaky():
                self.send(503, {"detail": "Service Unavailable"}, {"Retry-After": "1"})
                return
            self.route(method, url.path, urllib.parse.parse_qs(url.query))
        except Refused as refusal:
            self.send(refusal.status, refusal.body)

    def authenticate(self) -> None:
        header = self.headers.get("Authorization", "")
        if not header:
            raise Refused(401, {"detail": "Authentication credentials were not provided."})
        if header != f"Bearer {self.awx.config['token']}":
            raise Refused(401, {"detail": "Invalid token."})

    def flaky(self) -> bool:
        every = self.awx.config.get("fail_every")
        return bool(every) and next(self.awx.gets) % int(every) == 0

    def route(self, method: str, path: str, query: dict) -> None:
        parts = path.strip("/").split("/")[2:]  # after api/v2
        if method == "GET" and parts == ["job_templates"]:
            found = self.awx.templates_named(query.get("name", [None])[0])
            self.send(200, {"count": len(found), "next": None, "previous": None, "results": found})
        elif method == "POST" and len(parts) == 3 and parts[0] == "job_templates" and parts[2] == "launch":
            self.send(201, self.awx.launch(number(parts[1]), self.body()))
        elif method == "GET" and len(parts) == 2 and parts[0] == "jobs":
            self.send(200, self.awx.job(number(parts[1])).record())
        elif method == "GET" and len(parts) == 3 and parts[0] == "jobs" and parts[2] == "stdout":
            self.send_text(self.awx.job(number(parts[1])).stdout())
        elif method == "POST" and len(parts) == 3 and parts[0] == "jobs" and parts[2] == "cancel":
            self.awx.cancel(number(parts[1]))
            self.send(202, {})
        else:
            raise Refused(404, {"detail": "Not found."})

    def body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError as error:
            raise Refused(400, {"detail": f"JSON parse error - {error}"}) from None
        if not isinstance(body, dict):
            raise Refused(400, {"detail": "Expected a JSON object."})
        return body

    def send(self, status: int, body: dict, headers: dict | None = None) -> None:
        self.send_bytes(status, json.dumps(body).encode(), "application/json", headers)

    def send_text(self, text: str) -> None:
        self.send_bytes(200, text.encode(), "text/plain; charset=utf-8")

    def send_bytes(self, status: int, data: bytes, kind: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def number(text: str) -> int:
    if not text.isdigit():
        raise Refused(404, {"detail": "Not found."})
    return int(text)


def serve(config: dict, port: int = 0) -> http.server.ThreadingHTTPServer:
    """A server on loopback for the configuration (not yet serving: call serve_forever)."""
    handler = type("BoundHandler", (Handler,), {"awx": Awx(config)})
    return http.server.ThreadingHTTPServer((HOST, port), handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", type=Path, help="where to write the port once listening")
    options = parser.parse_args(argv)
    server = serve(json.loads(options.config.read_text(encoding="utf-8")), options.port)
    if options.port_file:
        options.port_file.write_text(str(server.server_address[1]), encoding="utf-8")
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
