# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = """
    name: fleet
    type: stdout
    short_description: The default output without what a run left as it was
    version_added: 0.1.0
    author:
      - runnerfleet maintainers (@runnerfleet)
    description:
      - The default callback, P(ansible.builtin.default#callback), that, at the default verbosity, leaves out what
        a person need not read on a run that changed nothing, so that a no-op run of C(playbooks/site.yml) prints
        little more than its summary.
      - At verbosity 0 it hides the results of tasks that were ok or skipped, the C(included:) lines, and the banner
        of every task and play that showed nothing. Whatever C(display_ok_hosts) and C(display_skipped_hosts) say,
        they are taken as false at that verbosity.
      - It always shows what a run changed, failed or could not reach, every warning and deprecation (with the
        banner of the task that raised it), the diff of a changed task, and the message of every
        M(ansible.builtin.debug) task.
      - With C(-v) or more it is the default callback, every option included.
      - AWX and AAP replace the stdout callback with their own, so there the output is theirs; nothing in the
        collection depends on this callback.
    extends_documentation_fragment:
      - default_callback
      - result_format_callback
    requirements:
      - set as the stdout callback, C(stdout_callback = runnerfleet.gitlab_aws.fleet) in ansible.cfg's
        C([defaults]) or C(ANSIBLE_STDOUT_CALLBACK=runnerfleet.gitlab_aws.fleet)
"""

import contextlib

from ansible.playbook.task_include import TaskInclude
from ansible.plugins.callback.default import CallbackModule as DefaultCallback
from ansible.utils.fqcn import add_internal_fqcns

# The default callback's options that this one takes as false at verbosity 0.
HIDING_OPTIONS = frozenset({"display_ok_hosts", "display_skipped_hosts"})
DEBUG_ACTIONS = frozenset(add_internal_fqcns(("debug",)))


def task_of(result):
    """The result's task: `task` since ansible-core 2.19, `_task` before (the collection supports 2.17)."""
    return getattr(result, "task", None) or result._task


def data_of(result):
    """The result's returned data: `result` since ansible-core 2.19, `_result` before."""
    data = getattr(result, "result", None)
    return data if data is not None else result._result


def has_messages(data) -> bool:
    """Whether a result (or one of its loop items) carries a warning or a deprecation, which is never hidden."""
    if data.get("warnings") or data.get("deprecations"):
        return True
    return any(has_messages(item) for item in data.get("results") or [] if hasattr(item, "get"))


class CallbackModule(DefaultCallback):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "runnerfleet.gitlab_aws.fleet"

    def __init__(self):
        super().__init__()
        # A result this callback shows though it is ok (a debug message, a warning): the hiding options are then
        # read as the user set them, for the time the default callback prints it.
        self._showing_ok = False
        # The banner of the play being run, printed before its first task banner (a play that shows nothing,
        # shows no banner).
        self._pending_play_banner = None

    def _quiet(self) -> bool:
        return self._display.verbosity < 1

    def get_option(self, k):
        if k in HIDING_OPTIONS and self._quiet() and not self._showing_ok:
            return False
        return super().get_option(k)

    @contextlib.contextmanager
    def _shown(self, show: bool):
        self._showing_ok = show
        try:
            yield
        finally:
            self._showing_ok = False

    def _worth_showing(self, result) -> bool:
        """An ok result a person reads all the same: a debug task's message, a warning or a deprecation."""
        return task_of(result).action in DEBUG_ACTIONS or has_messages(data_of(result))

    # --- results -------------------------------------------------------------------------------------------------

    def v2_runner_on_ok(self, result):
        # An include's own result is a banner with nothing under it; the included tasks show what they did.
        if self._quiet() and isinstance(task_of(result), TaskInclude):
            return
        with self._shown(self._worth_showing(result)):
            super().v2_runner_on_ok(result)

    def v2_runner_item_on_ok(self, result):
        with self._shown(self._worth_showing(result)):
            super().v2_runner_item_on_ok(result)

    def v2_runner_retry(self, result):
        # A task that waits says so under its own banner, which quiet output has not printed yet.
        task = task_of(result)
        if self._quiet() and self._last_task_banner != task._uuid:
            self._print_task_banner(task)
        super().v2_runner_retry(result)

    def v2_playbook_on_include(self, included_file):
        if not self._quiet():
            super().v2_playbook_on_include(included_file)

    # --- banners -------------------------------------------------------------------------------------------------

    def v2_playbook_on_play_start(self, play):
        if not self._quiet():
            super().v2_playbook_on_play_start(play)
            return
        # The default callback prints the banner at once; it is kept here until something of the play is shown.
        self._play = play
        name = play.get_name().strip()
        marker = " [CHECK MODE]" if play.check_mode and self.get_option("check_mode_markers") else ""
        self._pending_play_banner = f"PLAY [{name}]{marker}" if name else f"PLAY{marker}"

    def _flush_play_banner(self):
        if self._pending_play_banner:
            self._display.banner(self._pending_play_banner)
            self._pending_play_banner = None

    def _print_task_banner(self, task):
        self._flush_play_banner()
        super()._print_task_banner(task)

    def v2_playbook_on_no_hosts_matched(self):
        self._flush_play_banner()
        super().v2_playbook_on_no_hosts_matched()

    def v2_playbook_on_no_hosts_remaining(self):
        self._flush_play_banner()
        super().v2_playbook_on_no_hosts_remaining()
