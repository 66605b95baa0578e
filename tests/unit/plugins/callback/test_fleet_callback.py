# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet stdout callback (plugins/callback/fleet.py), through ansible-playbook on a small local playbook: at
the default verbosity it hides what was ok or skipped and shows every change, failure, warning, diff and debug
message; with -v its output is the default callback's, line for line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

COLLECTIONS = Path(__file__).resolve().parents[4] / ".collections"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"

PLAYBOOK = """
- name: A play that shows nothing
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Quietly ok
      ansible.builtin.set_fact:
        quiet: true
    - name: Quietly skipped
      ansible.builtin.fail:
      when: false
    - name: Quietly included
      ansible.builtin.include_tasks: included.yml

- name: A play with something to show
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Ok again
      ansible.builtin.set_fact:
        x: 1
    - name: Say something
      ansible.builtin.debug:
        msg: a debug message
    - name: Warn while ok
      warn_ok:
    - name: Write a file
      ansible.builtin.copy:
        content: "new content\\n"
        dest: "{{ target }}"
        mode: "0600"
      diff: true
    - name: Fail, ignored
      ansible.builtin.fail:
        msg: a failure
      ignore_errors: true
"""
INCLUDED = """
- name: Quietly ok inside the include
  ansible.builtin.set_fact:
    included: true
"""
WARNING_MODULE = """
from ansible.module_utils.basic import AnsibleModule

module = AnsibleModule(argument_spec={})
module.warn("a warning from an ok task")
module.exit_json(changed=False)
"""


@pytest.fixture
def play(tmp_path: Path):
    (tmp_path / "site.yml").write_text(PLAYBOOK, encoding="utf-8")
    (tmp_path / "included.yml").write_text(INCLUDED, encoding="utf-8")
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "warn_ok.py").write_text(WARNING_MODULE, encoding="utf-8")
    (tmp_path / "ansible.cfg").write_text("[defaults]\n", encoding="utf-8")
    target = tmp_path / "written.txt"

    def run(callback: str, *args: str) -> str:
        target.write_text("old content\n", encoding="utf-8")  # the same change, run after run
        environment = dict(
            os.environ,
            ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"),
            ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
            ANSIBLE_STDOUT_CALLBACK=callback,
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
        )
        command = [str(ANSIBLE_PLAYBOOK), "site.yml", "-i", "localhost,", "-c", "local", *args]
        command += ["-e", f"ansible_python_interpreter={sys.executable} target={target}"]
        process = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, check=False)
        assert process.returncode == 0, process.stdout + process.stderr
        # Warnings go to stderr, the rest to stdout: read as a terminal shows them.
        return process.stdout + process.stderr

    return run


def test_the_default_verbosity_shows_only_what_a_person_must_read(play):
    output = play("runnerfleet.gitlab_aws.fleet")
    # What was ok, skipped or included, and the banners of the tasks and the play that showed nothing: hidden.
    for hidden in ("Quietly", "A play that shows nothing", "Ok again", "skipping:", "included:"):
        assert hidden not in output, output
    # A debug message, a warning (with its task's banner), a change with its diff, a failure: shown.
    for shown in (
        "PLAY [A play with something to show]",
        "TASK [Say something]",
        "a debug message",
        "TASK [Warn while ok]",
        "a warning from an ok task",
        "TASK [Write a file]",
        "-old content",
        "+new content",
        "changed: [localhost]",
        "TASK [Fail, ignored]",
        "fatal: [localhost]: FAILED!",
        "...ignoring",
        "PLAY RECAP",
    ):
        assert shown in output, f"{shown!r} is missing:\n{output}"
    assert output.count("ok: [localhost]") == 2, output  # the debug task's and the warning's


def test_verbose_output_is_the_default_callbacks(play):
    # Runs differ only in the names of the copy module's temporary files.
    def same_run(output: str) -> str:
        return re.sub(r"ansible-tmp-[0-9.-]+", "ansible-tmp-N", output)

    assert same_run(play("runnerfleet.gitlab_aws.fleet", "-v")) == same_run(play("ansible.builtin.default", "-v"))
