# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the gitlab_runner module and keeps a result that carries a runner token out of verbose output.

The result a user registers must hold the token (GitLab shows it only once), but the default callback prints
every result at -v. Fact gathering faces the same problem with its large result and marks it
`_ansible_verbose_override`, which the callbacks honour at any verbosity; a module cannot set that key itself
(Ansible strips `_ansible_*` keys from module results), so this action plugin does.

It also puts back the given token where Ansible masked it: a module's result is scrubbed of every no_log
option's value, so a token the user passed in and the module confirmed comes back as a placeholder.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

MODULE = "runnerfleet.gitlab_aws.gitlab_runner"


def _restore_given_token(result: dict, given: object) -> None:
    if result.get("token_source") == "given" and isinstance(given, str) and given:
        result["token"] = given


def _carries_token(result: dict) -> bool:
    entries = result.get("runners") or [result]
    return any(isinstance(entry, dict) and entry.get("token") for entry in entries)


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        result.update(self._execute_module(module_name=MODULE, module_args=self._task.args, task_vars=task_vars))
        arguments = self._task.args
        if isinstance(result.get("runners"), list) and isinstance(arguments.get("runners"), list):
            for entry_result, entry in zip(result["runners"], arguments["runners"], strict=False):
                if isinstance(entry_result, dict) and isinstance(entry, dict):
                    _restore_given_token(entry_result, entry.get("token"))
        else:
            _restore_given_token(result, arguments.get("token"))
        if _carries_token(result):
            result["_ansible_verbose_override"] = True
        return result
