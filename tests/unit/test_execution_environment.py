# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX execution environment (execution-environment/), checked with ansible-builder itself: `create` accepts the
definition and writes a build context that installs this collection, ansible-core and ansible-runner on Python 3.11
with the session-manager-plugin; and `introspect`, which a build runs on the installed collections, finds the Python
packages the collection declares (meta/execution-environment.yml), the same pins requirements.txt installs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
ANSIBLE_BUILDER = Path(sys.executable).parent / "ansible-builder"
DEFINITION = REPO_ROOT / "execution-environment" / "execution-environment.yml"


def builder(*args: str) -> str:
    process = subprocess.run([str(ANSIBLE_BUILDER), *args], capture_output=True, text=True, check=False)
    assert process.returncode == 0, f"ansible-builder {' '.join(args)}:\n{process.stdout}\n{process.stderr}"
    return process.stdout


def declared_packages() -> list[str]:
    lines = (REPO_ROOT / "meta" / "ee-requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_ansible_builder_creates_the_build_context(tmp_path):
    builder("create", "-f", str(DEFINITION), "-c", str(tmp_path), "--output-filename", "Containerfile")
    containerfile = (tmp_path / "Containerfile").read_text(encoding="utf-8")
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert "ansible-core>=2.19,<2.20 ansible-runner>=2.4,<2.5" in containerfile
    assert "session-manager-plugin" in containerfile
    collections = yaml.safe_load((tmp_path / "_build" / "requirements.yml").read_text(encoding="utf-8"))
    assert [item["name"] for item in collections["collections"]] == ["runnerfleet.gitlab_aws"]


def test_a_build_finds_the_collections_python_packages():
    # The checkout as an installed collection (.collections/ansible_collections/runnerfleet/gitlab_aws, make venv).
    found = yaml.safe_load(builder("introspect", "--sanitize", str(REPO_ROOT / ".collections")))
    python = [line.split("#")[0].strip() for line in found["python"]]
    assert python == declared_packages()
    assert declared_packages(), "meta/ee-requirements.txt declares nothing"
    # requirements.txt installs the same pins on a controller.
    assert "-r meta/ee-requirements.txt" in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8")
