# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registration role's filters, over the plan's `registration` part and the gitlab_runner module's results.

- registration_stored: the tokens and ids SSM keeps, by runner name.
- registration_entries: the gitlab_runner module's entries, with the stored ids (and tokens).
- registration_undescribed: the runners SSM keeps whose entry is no longer described, and how to delete them.
- registration_parameters: the tokens and ids a run must write to SSM.
- registration_results: the role's registration_result.runners (no token).
- registration_tokens: the role's registration_tokens, for runner_host (tokens).

Their documentation is in one YAML file per filter beside this file; the logic is in
plugin_utils/_registration.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils import _registration
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._filter import boolean, mapping, refusing, string


def _runners(filter_name: str, what: str, value: object) -> Sequence[Mapping]:
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or not all(isinstance(entry, Mapping) and isinstance(entry.get("name"), str) for entry in value)
    ):
        raise AnsibleFilterError(f"{filter_name}: {what} must be the plan's registration.runners (named entries)")
    return value


def _results(filter_name: str, value: object) -> Sequence[Mapping]:
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or not all(entry is None or isinstance(entry, Mapping) for entry in value)
    ):
        raise AnsibleFilterError(f"{filter_name}: the input must be the gitlab_runner module's `runners` result")
    return value


def registration_stored(parameters: object, ssm_path: object) -> dict:
    """{name: {token, id}} of ssm_parameter_path_info's `parameters` under the plan's `ssm_path`."""
    name = "registration_stored"
    return _registration.stored_by_name(
        mapping(name, "the input (ssm_parameter_path_info's parameters)", parameters),
        string(name, "ssm_path", ssm_path),
    )


def registration_entries(runners: object, stored: object = None, with_tokens: object = True) -> list[dict]:
    """The gitlab_runner module's `runners`: the plan's entries with the ids (and tokens) SSM keeps."""
    name = "registration_entries"
    return _registration.gitlab_entries(
        _runners(name, "the input", runners),
        mapping(name, "stored (registration_stored)", stored if stored is not None else {}),
        with_tokens=boolean(name, "with_tokens", with_tokens),
    )


def registration_undescribed(stored: object, runners: object, description_prefix: object) -> dict:
    """{names, entries}: the runners SSM keeps that the plan no longer describes, and their deleting entries."""
    name = "registration_undescribed"
    return _registration.undescribed(
        mapping(name, "the input (registration_stored)", stored),
        _runners(name, "runners", runners),
        string(name, "description_prefix", description_prefix),
    )


def _over_results(name: str, function, results: object, runners: object, *extra: object):
    with refusing(name, _registration.RegistrationError):
        return function(_results(name, results), _runners(name, "runners", runners), *extra)


def registration_parameters(results: object, runners: object, stored: object = None) -> list[dict]:
    """[{name, kind, value}]: the tokens GitLab made or re-keyed and the ids SSM does not hold yet."""
    name = "registration_parameters"
    kept = mapping(name, "stored (registration_stored)", stored if stored is not None else {})
    return _over_results(name, _registration.parameters_to_write, results, runners, kept)


def registration_results(results: object, runners: object) -> list[dict]:
    """registration_result.runners: {name, description, id, status, runner_type, tags, changed}, no token."""
    return _over_results("registration_results", _registration.runner_results, results, runners)


def registration_tokens(results: object, runners: object) -> dict:
    """registration_tokens: {name: {id, token, token_expires_at}}."""
    return _over_results("registration_tokens", _registration.runner_tokens, results, runners)


class FilterModule:
    def filters(self) -> dict:
        return {
            "registration_stored": registration_stored,
            "registration_entries": registration_entries,
            "registration_undescribed": registration_undescribed,
            "registration_parameters": registration_parameters,
            "registration_results": registration_results,
            "registration_tokens": registration_tokens,
        }
