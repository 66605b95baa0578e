# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local AWS's request log: which service and action each call was, and whether it changes state."""

from __future__ import annotations

import io
import json

import pytest

from sandbox import aws_requests

EC2_AUTH = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/ec2/aws4_request, Signature=x"
S3_AUTH = EC2_AUTH.replace("/ec2/", "/s3/")


def environ(method: str = "POST", path: str = "/", body: bytes = b"", **headers: str) -> dict:
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": headers.pop("query", ""),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    env.update(headers)
    return env


@pytest.mark.parametrize(
    ("method", "action", "mutating"),
    [
        ("POST", "DescribeVpcs", False),
        ("POST", "ListRoles", False),
        ("POST", "GetParameter", False),
        ("POST", "CreateVpc", True),
        ("POST", "DeleteSecurityGroup", True),
        ("POST", "AuthorizeSecurityGroupIngress", True),
        ("POST", "PutParameter", True),
        ("POST", "SetDesiredCapacity", True),
        ("POST", "RunInstances", True),
        ("GET", None, False),
        ("HEAD", None, False),
        ("PUT", None, True),
        ("DELETE", None, True),
        ("POST", None, True),
    ],
)
def test_what_counts_as_mutating(method, action, mutating):
    assert aws_requests.is_mutating(method, action) is mutating


def test_the_action_comes_from_the_form_body_the_query_or_the_target_header():
    form = environ(body=b"Action=CreateVpc&CidrBlock=10.0.0.0%2F16", CONTENT_TYPE="application/x-www-form-urlencoded")
    assert aws_requests.action_of(form, aws_requests.read_body(form)) == "CreateVpc"
    assert aws_requests.action_of(environ("GET", query="Action=DescribeVpcs&Version=2016-11-15"), b"") == "DescribeVpcs"
    assert aws_requests.action_of(environ(HTTP_X_AMZ_TARGET="AmazonSSM.PutParameter"), b"{}") == "PutParameter"
    assert aws_requests.action_of(environ("PUT", "/bucket"), b"") is None


def test_the_service_is_the_signing_scope():
    assert aws_requests.service_of(environ(HTTP_AUTHORIZATION=EC2_AUTH)) == "ec2"
    assert aws_requests.service_of(environ(HTTP_AUTHORIZATION=S3_AUTH)) == "s3"
    assert aws_requests.service_of(environ()) == "unknown"


def fake_moto(seen_bodies: list[bytes]):
    def application(env, start_response):
        seen_bodies.append(env["wsgi.input"].read())
        start_response("200 OK", [])
        return [b"ok"]

    return application


def call(app, env) -> tuple[str, bytes]:
    statuses: list[str] = []
    body = b"".join(app(env, lambda status, headers, *args: statuses.append(status)))
    return statuses[0], body


def test_requests_are_logged_and_moto_still_reads_the_whole_body():
    log = aws_requests.RequestLog()
    bodies: list[bytes] = []
    app = aws_requests.logged(fake_moto(bodies), log)
    body = b"Action=CreateVpc&CidrBlock=10.0.0.0%2F16"
    call(app, environ(body=body, CONTENT_TYPE="application/x-www-form-urlencoded", HTTP_AUTHORIZATION=EC2_AUTH))
    call(app, environ("GET", "/bucket", HTTP_AUTHORIZATION=S3_AUTH))
    assert bodies == [body, b""]
    snapshot = log.snapshot()
    assert (snapshot["total"], snapshot["mutating"]) == (2, 1)
    assert snapshot["by_action"] == {"ec2 CreateVpc": 1, "s3 GET": 1}
    assert snapshot["log"][0] == {
        "service": "ec2",
        "action": "CreateVpc",
        "method": "POST",
        "path": "/",
        "status": 200,
        "mutating": True,
    }


def test_the_hooks_report_and_reset_without_being_counted():
    log = aws_requests.RequestLog()
    app = aws_requests.logged(fake_moto([]), log)
    call(app, environ("DELETE", "/bucket", HTTP_AUTHORIZATION=S3_AUTH))
    status, body = call(app, environ("GET", "/-/sandbox/requests"))
    assert status.startswith("200")
    assert json.loads(body)["mutating"] == 1
    status, _body = call(app, environ("POST", "/-/sandbox/requests/reset"))
    assert status.startswith("204")
    assert log.snapshot()["total"] == 0
    status, _body = call(app, environ("GET", "/-/sandbox/requests/unknown"))
    assert status.startswith("404")
