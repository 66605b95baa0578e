# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The config.toml examples of GitLab Runner's own documentation, through the renderer.

Each file in fixtures/runner_docs/ is one example, copied from the doc page its header cites. An example either
renders and reads back as itself, or its header carries one or more `# Expect: <part of the error>` lines and the
renderer refuses it with a ConfigError holding each of them. A file with neither fails: a new fixture is picked up
from the directory listing and must say which it is. A header `# Doc mistake:` line marks an example refused only
for its url (a placeholder, or no scheme); with a real https:// url it must render unchanged.
"""

from __future__ import annotations

import copy
import datetime
import tomllib
from pathlib import Path

import pytest
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _runner_config
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._runner_config import ConfigError

FIXTURES = Path(__file__).parent / "fixtures" / "runner_docs"
FIXTURE_FILES = sorted(path for path in FIXTURES.iterdir() if path.is_file())
EXPECT = "# Expect:"
DOC_MISTAKE = "# Doc mistake:"
# The runner's datetime keys: a doc may give them as quoted RFC 3339 strings (time.Time reads those too).
TOKEN_TIMES = ("token_obtained_at", "token_expires_at")
REAL_URL = "https://gitlab.example.com"


def header(path: Path) -> list[str]:
    """The comment lines the file starts with."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def expectations(path: Path) -> list[str]:
    return [line[len(EXPECT) :].strip() for line in header(path) if line.startswith(EXPECT)]


def load(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def as_read_back(doc: dict) -> dict:
    """What the rendered file reads back as: the doc, with token times given as RFC 3339 STRINGS turned into
    datetimes, because the renderer writes them as TOML datetimes (unquoted), the way the runner itself does."""
    expected = copy.deepcopy(doc)
    for runner in expected.get("runners", []):
        for key in TOKEN_TIMES:
            if isinstance(runner.get(key), str):
                runner[key] = datetime.datetime.fromisoformat(runner[key])
    return expected


def test_the_fixture_directory_holds_the_doc_examples():
    assert len(FIXTURE_FILES) >= 39
    for path in FIXTURE_FILES:
        assert path.suffix == ".toml", path.name
        assert header(path)[0].startswith("# Source: gitlabhq/gitlab-runner docs/"), path.name


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[path.name for path in FIXTURE_FILES])
def test_a_doc_example_round_trips_or_is_refused_as_its_header_expects(path: Path):
    doc = load(path)
    expected_errors = expectations(path)
    if expected_errors:
        with pytest.raises(ConfigError) as caught:
            _runner_config.render(doc)
        message = str(caught.value)
        missing = [part for part in expected_errors if part not in message]
        assert not missing, f"{path.name}: the refusal lacks {missing}; it says: {message}"
        return
    try:
        rendered = _runner_config.render(doc)
    except ConfigError as error:
        pytest.fail(f"{path.name} has no `{EXPECT}` line but the renderer refuses it: {error}")
    assert tomllib.loads(rendered) == as_read_back(doc)


DOC_MISTAKES = [path for path in FIXTURE_FILES if any(line.startswith(DOC_MISTAKE) for line in header(path))]


def test_the_doc_mistake_fixtures_are_the_url_ones():
    assert [path.name for path in DOC_MISTAKES] == [
        "10-docker-machine-aws-full.toml",
        "28-kubernetes-node-affinity.toml",
        "29-kubernetes-pod-affinity.toml",
        "32-kubernetes-container-security-context.toml",
        "33-kubernetes-services.toml",
    ]


@pytest.mark.parametrize("path", DOC_MISTAKES, ids=[path.name for path in DOC_MISTAKES])
def test_a_doc_mistake_example_renders_once_its_url_is_real(path: Path):
    """The url is the example's only problem: every Expect line is about it, and a real url makes it render."""
    assert all("url" in part for part in expectations(path))
    doc = load(path)
    for runner in doc["runners"]:
        if not runner["url"].startswith(("http://", "https://")):
            runner["url"] = REAL_URL
    assert tomllib.loads(_runner_config.render(doc)) == as_read_back(doc)


def test_a_string_token_time_reads_back_as_a_toml_datetime():
    """30-kubernetes-node-selector-overwrite quotes the runner's zero time; the file written holds a datetime."""
    doc = load(FIXTURES / "30-kubernetes-node-selector-overwrite.toml")
    assert doc["runners"][0]["token_obtained_at"] == "0001-01-01T00:00:00Z"
    rendered = _runner_config.render(doc)
    assert "\ntoken_obtained_at = 0001-01-01T00:00:00Z\n" in rendered
    assert tomllib.loads(rendered)["runners"][0]["token_expires_at"] == datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
