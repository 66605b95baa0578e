# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks as AWX runs them: AWX's AWS credential sets AWS_SECURITY_TOKEN (the old name of
AWS_SESSION_TOKEN), which amazon.aws 10 no longer reads; the plays hand it to every AWS module as session_token,
a no_log option that never shows."""

from __future__ import annotations

SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLEsessiontokenFROMawx0123456789"


def test_awx_security_token_reaches_the_aws_modules_and_never_shows(playbook) -> None:
    run = playbook(
        "playbooks/preflight.yml",
        "-vvv",
        json_report=False,
        env={"AWS_SECURITY_TOKEN": SESSION_TOKEN, "AWS_SESSION_TOKEN": ""},
    )
    output = run.output + run.stderr
    assert run.returncode == 0, output[-3000:]
    # The AWS identity check received it (masked in its invocation, as a no_log option is).
    assert "session_token: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output
    assert SESSION_TOKEN not in output


def test_without_an_awx_token_the_modules_get_none(playbook) -> None:
    run = playbook("playbooks/preflight.yml", "-vvv", json_report=False, env={"AWS_SESSION_TOKEN": ""})
    output = run.output + run.stderr
    assert run.returncode == 0, output[-3000:]
    identity_check = output.split("Ask AWS who we are", 1)[1].split("TASK [", 1)[0]
    assert "invocation" in identity_check
    assert "session_token: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" not in identity_check
