#!/usr/bin/python
# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gitlab_runner
short_description: Create, update, re-key and delete GitLab runners, idempotently and never twice
version_added: 0.1.0
description:
  - Manages runners through GitLab's REST API (python-gitlab) - one runner, or many in one run with O(runners).
  - "Identity is the runner id, never a description alone: with O(id) or O(token) known the runner is read
    directly (a run that changes nothing costs at most 2 requests). Without them the runner is found in its
    owner's scope (the instance, the group or the project; filtered by type on GitLab's side, one listing per
    scope per run) by exact description and owner. Two matches fail with their ids; none creates the runner."
  - Creates with C(POST /user/runners) (GitLab 15.10 and later), or with the legacy registration token when
    O(registration_token) is given. A create whose answer is lost (timeout, dropped connection, 5xx after the
    change) is never blindly repeated - the module looks again and adopts, with a new token, the runner the lost
    attempt made.
  - Updates only what differs (tags compared as sets; V(paused) on GitLab 14.8 and later, V(active) before,
    detected from the first runner read).
  - "Tokens: GitLab shows a runner's token only when it is created or reset. The module returns it in
    RV(token) - the result you register holds it - but keeps the whole result out of the task's verbose output
    (as fact gathering does) whenever it carries a token, and never puts it in a diff or a message."
author:
  - runnerfleet maintainers (@runnerfleet)
extends_documentation_fragment:
  - runnerfleet.gitlab_aws.gitlab
  - runnerfleet.gitlab_aws.attributes.check_and_diff_mode
attributes:
  check_mode:
    details: Predicts the result and sends no request that changes GitLab (not even the token check, see O(token)).
  diff_mode:
    details: The runner's attributes before and after; never a token.
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed
      on the controller.
    support: full
    details: An action plugin of the same name keeps token-bearing results out of verbose output.
options:
  state:
    description:
      - V(present) creates or updates the runner; V(absent) deletes it (by id, by token, or found by description).
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - The runner's description. Required for O(state=present); unique within the owner's scope for the
        module to find the runner again.
      - With O(id) or O(token) known, a different description renames the runner.
    type: str
  runner_type:
    description:
      - Where the runner lives. Required for O(state=present). It cannot change once the runner exists.
    type: str
    choices: [instance_type, group_type, project_type]
  group:
    description:
      - The group of a V(group_type) runner, as a numeric id or a full path (V(platform/infra)). A path is
        resolved to the numeric id C(POST /user/runners) needs.
    type: raw
  project:
    description:
      - The project of a V(project_type) runner, as a numeric id or a full path (V(platform/website)).
    type: raw
  tag_list:
    description:
      - The runner's tags, compared as a set. V([]) removes every tag. Not set - GitLab's tags are left alone.
    type: list
    elements: str
  run_untagged:
    description:
      - Whether the runner picks jobs without tags. Not set - left as GitLab has it (V(true) on a new runner).
    type: bool
  locked:
    description:
      - Whether a project runner is locked to its projects.
    type: bool
  paused:
    description:
      - Whether the runner is paused (takes no new jobs).
    type: bool
  access_level:
    description:
      - V(ref_protected) runs only jobs of protected branches and tags.
    type: str
    choices: [not_protected, ref_protected]
  maximum_timeout:
    description:
      - The most seconds a job may run on this runner; at least 600. V(0) means no limit.
    type: int
  maintenance_note:
    description:
      - Free text for the runner's maintainers (at most 1024 characters).
    type: str
  id:
    description:
      - The runner's id, when known (from an earlier run's RV(id)). A runner of another type or owner fails.
      - If GitLab no longer has it, the module warns and looks for the runner by description (and creates it).
    type: int
  token:
    description:
      - The runner's authentication token, when known.
      - How the token is judged is O(token_check)'s choice; O(token_reset=never) neither checks nor re-keys it.
    type: str
  token_check:
    description:
      - How the module tells whether the given O(token) still works, to re-key it under O(token_reset).
      - V(verify) asks GitLab with C(POST /runners/verify) on every run (never in check mode), which answers the
        runner's id and the token's expiry. GitLab counts that call as a contact from the runner - its status turns
        V(online) and a runner manager with the system id C(runnerfleet-ansible-verify) appears - so it makes a
        runner that no C(gitlab-runner) contacts look alive.
      - V(expiry) sends no such request when O(id) names the runner. The token stands while that runner exists and
        its O(token_expires_at) (recorded when GitLab made the token) has not passed; GitLab's own view of the
        runner (its status and managers, see O(managers)) is left as the runner's managers made it. A token reset
        elsewhere (in GitLab's UI) is not noticed; a run with V(verify) notices and re-keys it. Without O(id) the
        token is verified, since only GitLab can tell which runner it belongs to.
    type: str
    choices: [verify, expiry]
    default: verify
  token_expires_at:
    description:
      - When the given O(token) expires (ISO 8601, as RV(token_expires_at) said when GitLab made it); not set - it
        does not expire. Read only with O(token_check=expiry), in check mode too.
    type: str
  managers:
    description:
      - Also read each runner's managers (C(GET /runners/:id/managers), GitLab 17 and later), the C(gitlab-runner)
        processes that contacted it, into RV(managers) - one request per runner. Null where GitLab has no such
        endpoint, and for a runner created or deleted in this run.
    type: bool
    default: false
  registration_token:
    description:
      - Create the runner with this registration token (the legacy workflow, C(POST /runners)) instead of
        C(POST /user/runners). GitLab disables registration tokens by default since 17.0 and removes them in 20.0.
      - The token decides the runner's type and owner; a runner registered elsewhere than O(runner_type) and
        O(group) or O(project) say is deleted again and the module fails.
      - The API token is still needed, to find, update and delete runners.
    type: str
  token_reset:
    description:
      - When to re-key the runner with C(POST /runners/:id/reset_authentication_token), which answers a new token
        in RV(token) (the old one stops working at once).
      - V(if_invalid) re-keys when the given O(token) no longer works (see O(token_check)); with no O(token) the
        runner keeps its token and RV(token) is null.
      - V(if_missing) also re-keys an existing runner when no O(token) is given - the recovery for a runner that
        was created but whose token was never recorded. It changes the token on every run without O(token).
      - V(always) re-keys on every run; V(never) neither checks nor re-keys the given token.
    type: str
    choices: [if_invalid, if_missing, always, never]
    default: if_invalid
  runners:
    description:
      - Many runners in one run (the bulk form), one listing per scope for all of them.
      - Each entry takes the per-runner options above. The options O(state), O(runner_type), O(group),
        O(project), O(tag_list), O(run_untagged), O(locked), O(paused), O(access_level), O(maximum_timeout),
        O(maintenance_note), O(registration_token), O(token_reset) and O(token_check) given at the top level apply
        to every entry
        that does not set them.
      - RV(runners) holds one result per entry, in order.
    type: list
    elements: dict
    suboptions:
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
      description:
        description: As O(description).
        type: str
      runner_type:
        description: As O(runner_type).
        type: str
        choices: [instance_type, group_type, project_type]
      group:
        description: As O(group).
        type: raw
      project:
        description: As O(project).
        type: raw
      tag_list:
        description: As O(tag_list).
        type: list
        elements: str
      run_untagged:
        description: As O(run_untagged).
        type: bool
      locked:
        description: As O(locked).
        type: bool
      paused:
        description: As O(paused).
        type: bool
      access_level:
        description: As O(access_level).
        type: str
        choices: [not_protected, ref_protected]
      maximum_timeout:
        description: As O(maximum_timeout).
        type: int
      maintenance_note:
        description: As O(maintenance_note).
        type: str
      id:
        description: As O(id).
        type: int
      token:
        description: As O(token).
        type: str
      registration_token:
        description: As O(registration_token).
        type: str
      token_reset:
        description: As O(token_reset).
        type: str
        choices: [if_invalid, if_missing, always, never]
      token_check:
        description: As O(token_check).
        type: str
        choices: [verify, expiry]
      token_expires_at:
        description: As O(token_expires_at).
        type: str
notes:
  - Input is checked before any request; a bad value fails naming the option (V(runners[3].maximum_timeout)).
  - The API token needs the V(api) scope for creating and finding runners.
  - "Under AWX or automation controller, which store every task result as a job event, set C(no_log: true) on
    tasks that return tokens."
seealso:
  - module: runnerfleet.gitlab_aws.gitlab_runner_info
"""

EXAMPLES = r"""
- name: A group runner for the fleet's docker-autoscaler workers
  runnerfleet.gitlab_aws.gitlab_runner:
    api_url: https://gitlab.example.com
    api_token: "{{ gitlab_api_token }}"
    description: fleet-a autoscaler
    runner_type: group_type
    group: platform/infra
    tag_list: [docker, aws]
    run_untagged: false
    maximum_timeout: 3600
  register: runner

- name: Keep the id and token (GitLab shows the token only now)
  community.aws.ssm_parameter:
    name: /fleet-a/runners/autoscaler
    string_type: SecureString
    value: "{{ {'id': runner.id, 'token': runner.token} | to_json }}"
  no_log: true
  when: runner.token_source in ['created', 'reset']

- name: Later runs - id and token known, at most 2 requests when nothing changed
  runnerfleet.gitlab_aws.gitlab_runner:
    description: fleet-a autoscaler
    runner_type: group_type
    group: platform/infra
    id: "{{ stored.id }}"
    token: "{{ stored.token }}"
    tag_list: [docker, aws]

- name: Recover a runner whose token was never recorded (re-key it instead of creating another)
  runnerfleet.gitlab_aws.gitlab_runner:
    description: fleet-a autoscaler
    runner_type: group_type
    group: platform/infra
    token_reset: if_missing

- name: Many runners in one run, one listing per scope
  runnerfleet.gitlab_aws.gitlab_runner:
    runner_type: project_type
    project: platform/website
    run_untagged: false
    runners:
      - description: website small
        tag_list: [small]
      - description: website large
        tag_list: [large]
        maximum_timeout: 7200
      - description: website legacy
        state: absent
  register: fleet

- name: Remove a runner by id
  runnerfleet.gitlab_aws.gitlab_runner:
    id: 42
    state: absent
"""

RETURN = r"""
id:
  description:
    - The runner's id; null when there is no runner (or, in check mode, it is not created yet).
    - For O(state=absent), the id of the runner deleted, null when there was none.
  returned: single form
  type: int
  sample: 9171
runner:
  description:
    - The runner's attributes as GitLab answers C(GET /runners/:id), after the change; predicted in check mode.
    - For O(state=absent), the last attributes of the runner deleted; null when there was none to delete.
  returned: single form
  type: dict
  sample:
    id: 9171
    description: fleet-a autoscaler
    runner_type: group_type
    paused: false
    tag_list: [aws, docker]
    run_untagged: false
    locked: false
    access_level: not_protected
    maximum_timeout: 3600
    status: never_contacted
    groups: [{id: 12, name: infra, web_url: "https://gitlab.example.com/groups/platform/infra"}]
token:
  description:
    - The runner's authentication token - new when RV(token_source) is V(created) or V(reset), else the given
      O(token). Null when no token is known.
    - Kept out of verbose output; store it as a secret.
  returned: single form
  type: str
  sample: glrt-kyahzxLaj4Dc1jQf4xjX
token_expires_at:
  description: When the token expires (ISO 8601), if GitLab sets an expiry and said so; null otherwise.
  returned: single form
  type: str
  sample: "2027-01-01T00:00:00.000Z"
token_source:
  description:
    - V(created) for a new runner, V(reset) for a re-keyed one, V(given) when the given O(token) stands, null when
      no token is known. V(created) and V(reset) mean the stored token must be replaced.
  returned: single form
  type: str
  sample: created
operation:
  description:
    - What the run did to the runner, and in check mode what a real run would do - V(create), V(update) (its
      attributes), V(re-key) (its token reset, its attributes updated too where they differed), V(delete) or
      V(none).
    - In check mode a runner to be created has no id and no token yet.
  returned: single form
  type: str
  choices: [create, update, re-key, delete, none]
  sample: create
managers:
  description:
    - With O(managers), the runner's managers as GitLab answers C(GET /runners/:id/managers) (C(system_id),
      C(version), C(status), C(contacted_at), ...); an empty list when no C(gitlab-runner) has contacted it yet.
    - Null without O(managers), where GitLab has no such endpoint, and for a runner created or deleted in this run.
  returned: single form
  type: list
  elements: dict
  sample: [{system_id: s_0a1b2c3d4e5f, version: 18.9.0, status: online, contacted_at: "2026-12-07T10:00:00.000Z"}]
runners:
  description: One result per O(runners) entry, in order.
  returned: bulk form
  type: list
  elements: dict
  contains:
    description:
      description: The entry's description.
      type: str
    changed:
      description: Whether this entry changed something.
      type: bool
    id:
      description: As RV(id).
      type: int
    runner:
      description: As RV(runner).
      type: dict
    token:
      description: As RV(token).
      type: str
    token_expires_at:
      description: As RV(token_expires_at).
      type: str
    token_source:
      description: As RV(token_source).
      type: str
    operation:
      description: As RV(operation).
      type: str
    managers:
      description: As RV(managers).
      type: list
      elements: dict
api_requests:
  description: How many requests GitLab answered during the run, retries included.
  returned: always
  type: int
  sample: 2
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._gitlab import (
    GITLAB_IMPORT_ERROR,
    HAS_GITLAB,
    GitLabApi,
    GitLabApiError,
    connection_argument_spec,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._runner_spec import (
    ACCESS_LEVELS,
    RUNNER_TYPES,
    TOKEN_CHECKS,
    TOKEN_RESET_POLICIES,
    SpecError,
    about,
    build_spec,
    check_unique,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._runners import RunnerError, RunnerService

# Options of one runner that, given at the top level of the bulk form, apply to every entry not setting them.
SHARED_OPTIONS = (
    "state",
    "runner_type",
    "group",
    "project",
    "tag_list",
    "run_untagged",
    "locked",
    "paused",
    "access_level",
    "maximum_timeout",
    "maintenance_note",
    "registration_token",
    "token_reset",
    "token_check",
)
# The token sources that mean GitLab made a token during this run.
NEW = ("created", "reset")
# Options naming one runner: never shared.
IDENTITY_OPTIONS = ("description", "id", "token")


def runner_options(top_level: bool) -> dict:
    """The per-runner options; entries of `runners` carry no defaults, so that shared options can fill them."""
    options = dict(
        state=dict(type="str", choices=["present", "absent"]),
        description=dict(type="str"),
        runner_type=dict(type="str", choices=list(RUNNER_TYPES)),
        group=dict(type="raw"),
        project=dict(type="raw"),
        tag_list=dict(type="list", elements="str"),
        run_untagged=dict(type="bool"),
        locked=dict(type="bool"),
        paused=dict(type="bool"),
        access_level=dict(type="str", choices=list(ACCESS_LEVELS)),
        maximum_timeout=dict(type="int"),
        maintenance_note=dict(type="str"),
        id=dict(type="int"),
        token=dict(type="str", no_log=True),
        registration_token=dict(type="str", no_log=True),
        token_reset=dict(type="str", choices=list(TOKEN_RESET_POLICIES)),
        token_check=dict(type="str", choices=list(TOKEN_CHECKS)),
        token_expires_at=dict(type="str", no_log=False),  # a time, not a secret
    )
    if top_level:
        options["state"]["default"] = "present"
        options["token_reset"]["default"] = "if_invalid"
        options["token_check"]["default"] = "verify"
        options["managers"] = dict(type="bool", default=False)
    return options


def argument_spec() -> dict:
    spec = connection_argument_spec()
    spec.update(runner_options(top_level=True))
    spec["runners"] = dict(type="list", elements="dict", options=runner_options(top_level=False))
    return spec


def entry_specs(params: dict) -> list:
    """Every entry, validated, before any request: the single form is one entry labelled by its bare options."""
    if params["runners"] is None:
        return [build_spec(params, "")]
    shared = {name: params[name] for name in SHARED_OPTIONS}
    specs = []
    for index, entry in enumerate(params["runners"]):
        merged = dict(shared)
        merged.update({name: value for name, value in entry.items() if value is not None})
        specs.append(build_spec(merged, f"runners[{index}]"))
    check_unique(specs)
    return specs


def fail_partway(module: AnsibleModule, error: Exception, failed_label: str, done: list, api_requests: int):
    """Fail after some entries were converged. A failed result is printed in full at any verbosity, so the
    tokens already made stay out of it; the message says which runners got one, and how to get it back."""
    results = []
    for spec, outcome in done:
        result = outcome.as_result(spec.description)
        result["token"] = None
        results.append(result)
    withheld = [f"{spec.label} (id {outcome.runner['id']})" for spec, outcome in done if outcome.token_source in NEW]
    message = f"{about(failed_label)}{error}"
    if withheld:
        message += (
            f". Before the failure, GitLab gave new tokens to {', '.join(withheld)}; they are not shown in a failed "
            "result. Run again with token_reset if_missing for those entries to re-key them."
        )
    module.fail_json(msg=message, changed=any(outcome.changed for _spec, outcome in done), api_requests=api_requests,
                     runners=results)  # fmt: skip


def run(module: AnsibleModule, specs: list) -> dict:
    params = module.params
    api = GitLabApi.from_params(params)
    service = RunnerService(api, module.check_mode)
    done = []  # (spec, outcome) pairs, in entry order
    label = ""  # the entry being worked on, for messages
    try:
        for spec in specs:  # first every read that can fail, then the changes
            label = spec.label
            service.prepare(spec)
        label = ""
        service.refuse_one_runner_twice(specs)
        for spec in specs:
            label = spec.label
            done.append((spec, service.converge(spec)))
        for spec, outcome in done if params["managers"] else ():
            label = spec.label
            service.read_managers(outcome)
    except (GitLabApiError, RunnerError) as error:
        for warning in service.warnings:
            module.warn(warning)
        if not done:
            module.fail_json(msg=f"{about(label)}{error}", api_requests=api.request_count)
        fail_partway(module, error, label, done, api.request_count)
    for warning in service.warnings:
        module.warn(warning)
    result = {"changed": any(outcome.changed for _spec, outcome in done), "api_requests": api.request_count}
    if params["runners"] is None:
        spec, outcome = done[0]
        result.update(outcome.as_result(spec.description))
        result.pop("description")
        diff = {"before": outcome.before, "after": outcome.after}
    else:
        result["runners"] = [outcome.as_result(spec.description) for spec, outcome in done]
        changed = [(spec.description or spec.label, outcome) for spec, outcome in done if outcome.changed]
        diff = {
            "before": {name: outcome.before for name, outcome in changed},
            "after": {name: outcome.after for name, outcome in changed},
        }
    if module._diff:
        result["diff"] = diff
    return result


def main() -> None:
    module = AnsibleModule(
        argument_spec=argument_spec(),
        mutually_exclusive=[("group", "project")] + [("runners", name) for name in IDENTITY_OPTIONS],
        supports_check_mode=True,
    )
    if not HAS_GITLAB:
        module.fail_json(msg=missing_required_lib("python-gitlab"), exception=str(GITLAB_IMPORT_ERROR))
    try:
        specs = entry_specs(module.params)
    except SpecError as error:
        module.fail_json(msg=str(error))
    module.exit_json(**run(module, specs))


if __name__ == "__main__":
    main()
