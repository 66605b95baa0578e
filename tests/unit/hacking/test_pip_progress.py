# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hacking/pip_progress.py: pip's install output as make sandbox shows it, a line per package."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SPEC = importlib.util.spec_from_file_location("pip_progress", REPO / "hacking" / "pip_progress.py")
pip_progress = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(pip_progress)

# pip 23.2's output for requirements-sandbox.txt on a machine whose pip.conf names index directories that do not
# exist (abridged).
PIP_OUTPUT = """\
Looking in indexes: https://pypi.org/simple, file:///opt/pypi/simple
WARNING: Location 'file:///opt/pypi/simple/ansible/' is ignored: it is neither a file nor a directory.
Collecting ansible==12.3.0 (from -r requirements.txt (line 4))
  Downloading ansible-12.3.0-py3-none-any.whl (54.4 MB)
WARNING: Location 'file:///opt/pypi/simple/boto3/' is ignored: it is neither a file nor a directory.
Collecting boto3==1.44.5 (from -r meta/ee-requirements.txt (line 4))
  Obtaining dependency information for boto3==1.44.5 from https://files/boto3-1.44.5-py3-none-any.whl.metadata
  Downloading boto3-1.44.5-py3-none-any.whl.metadata (6.7 kB)
  Using cached boto3-1.44.5-py3-none-any.whl (140 kB)
Processing /opt/pypi/files/flask-3.1.3-py3-none-any.whl (from -r requirements-sandbox.txt (line 3))
Requirement already satisfied: six>=1.5 in ./.venv/lib/python3.11/site-packages (from python-dateutil)
Requirement already satisfied: idna<4,>=2.5 in ./.venv/lib/python3.11/site-packages (from requests)
Collecting PyYAML>=5.1
  Downloading https://files.example/pyyaml-6.0.4.tar.gz (130 kB)
Installing collected packages: PyYAML, flask, boto3, ansible
  Attempting uninstall: PyYAML
    Found existing installation: PyYAML 6.0.1
    Uninstalling PyYAML-6.0.1:
      Successfully uninstalled PyYAML-6.0.1
Successfully installed PyYAML-6.0.4 ansible-12.3.0 boto3-1.44.5 flask-3.1.3
"""


def shown(text: str) -> list[str]:
    lines: list[str] = []
    pip_progress.run(text.splitlines(keepends=True), lines.append, interval=60)
    return lines


def test_a_line_per_package_and_each_warning_once():
    lines = shown(PIP_OUTPUT)
    assert lines[:2] == [
        "WARNING: Location 'file:///opt/pypi/simple/ansible/' is ignored: it is neither a file nor a directory.",
        "  (pip repeats this warning for each package: said once here)",
    ]
    assert lines[2:8] == [
        "  ansible 12.3.0 (54.4 MB)",
        "  boto3 1.44.5 (cached)",
        "  flask 3.1.3 (local file)",
        "  pyyaml 6.0.4 (130 kB)",
        "  unpacking 4 packages into the venv (the longest step: ansible is 20,000 files)",
        "  replacing the installed PyYAML",
    ]
    assert lines[8].startswith("  installed 4 packages in ")
    assert lines[9:] == [
        "  2 requirements already installed",
        "  (2 warnings in all about locations that do not exist)",
    ]


def test_anything_else_passes_unchanged():
    errors = "ERROR: Could not find a version that satisfies the requirement nothing==9\nsomething new from pip\n"
    assert shown(errors) == [
        "ERROR: Could not find a version that satisfies the requirement nothing==9",
        "something new from pip",
    ]


def test_a_quiet_pip_is_said_to_be_still_at_work():
    summary = pip_progress.Summary()
    assert summary.heartbeat(time.monotonic()) == []  # nothing started: nothing to say
    summary.line("Installing collected packages: ansible\n", 100.0)
    assert summary.heartbeat(112.0) == ["  ... still unpacking (12 s)"]
    summary.line("Successfully installed ansible-12.3.0\n", 130.0)
    assert summary.heartbeat(140.0) == []


def test_heartbeats_come_between_lines_when_the_source_is_slow():
    def slow():
        yield "Installing collected packages: ansible\n"
        time.sleep(0.35)
        yield "Successfully installed ansible-12.3.0\n"

    lines: list[str] = []
    pip_progress.run(slow(), lines.append, interval=0.1)
    assert lines[0] == "  unpacking 1 package into the venv (the longest step: ansible is 20,000 files)"
    assert any(line.startswith("  ... still unpacking") for line in lines[1:-1])
    assert lines[-1].startswith("  installed 1 package in ")
