#!/usr/bin/python
# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gitlab_runner_info
short_description: List GitLab runners of the instance, a group or a project, with filters
version_added: 0.1.0
description:
  - Lists the runners of one scope through GitLab's REST API (python-gitlab), fetching pages of 100 - a listing of
    250 runners costs 3 requests.
  - The scope is a group (O(group), C(GET /groups/:id/runners)), a project (O(project),
    C(GET /projects/:id/runners)), or, with neither, every runner of the instance (O(scope=all),
    C(GET /runners/all), administrators only) or the runners available to the token's user (O(scope=available),
    C(GET /runners)).
  - O(runner_type), O(status), O(paused) and O(tag_list) filter on GitLab's side; O(description) and
    O(description_pattern) filter the answer on the controller.
  - Returns the runners' attributes as GitLab answers them, never a token (GitLab shows a runner's token only when
    it is created or reset; a C(token) key is dropped anyway).
author:
  - runnerfleet maintainers (@runnerfleet)
extends_documentation_fragment:
  - runnerfleet.gitlab_aws.gitlab
  - runnerfleet.gitlab_aws.attributes.info_module
attributes:
  check_mode:
    details: The module only reads; check mode lists the runners as a normal run does.
  diff_mode:
    details: The module changes nothing.
options:
  group:
    description:
      - List the runners a group can use, as a numeric id or a full path (V(platform/infra)).
      - "GitLab answers the group runners of the group and of its ancestors (not of its subgroups), plus the
        instance runners if the group allows shared runners."
      - The token's user needs the Maintainer role in the group (or to be an administrator).
    type: raw
  project:
    description:
      - List the runners a project can use, as a numeric id or a full path (V(platform/website)).
      - "GitLab answers the project's own runners, the group runners of its ancestor groups if the project has
        group runners enabled, and the instance runners if it has shared runners enabled."
      - The token's user needs the Maintainer role in the project (or to be an administrator).
    type: raw
  scope:
    description:
      - Which runners to list when neither O(group) nor O(project) is given (it cannot be combined with them).
      - V(all) lists every runner of the instance; only an administrator (or an auditor) may.
      - V(available) lists the project runners of the projects the token's user maintains and the group runners
        of the groups (and their subgroups) the user owns - never instance runners.
    type: str
    choices: [all, available]
    default: all
  runner_type:
    description:
      - Only runners of this type (GitLab's C(type) filter). A group's listing has no V(project_type) runners.
    type: str
    choices: [instance_type, group_type, project_type]
  status:
    description:
      - Only runners in this status (GitLab's C(status) filter). V(online) runners made contact in the last
        2 hours, V(offline) ones before (stale ones included), V(never_contacted) ones never did, and V(stale)
        ones neither were created nor made contact in the last 7 days.
    type: str
    choices: [online, offline, never_contacted, stale]
  paused:
    description:
      - V(true) lists only paused runners, V(false) only active ones (GitLab's C(paused) filter, GitLab 14.8 and
        later). Not set - both.
    type: bool
  tag_list:
    description:
      - Only runners that have every one of these tags (GitLab's C(tag_list) filter). They may have others too.
    type: list
    elements: str
  description:
    description:
      - Only runners whose description is exactly this (compared on the controller; GitLab has no such filter).
    type: str
  description_pattern:
    description:
      - Only runners whose description matches this Python regular expression, searched anywhere in it (use
        C(^) and C($) to anchor it). Runners without a description are not listed.
      - Compared on the controller. An invalid expression fails before any request.
    type: str
  details:
    description:
      - Replace each listed runner by its details (C(GET /runners/:id)) - RV(runners[].tag_list),
        RV(runners[].run_untagged), RV(runners[].locked), RV(runners[].maximum_timeout),
        RV(runners[].access_level), RV(runners[].projects), RV(runners[].groups) and more.
      - This costs one more request per runner listed (after every filter), on top of the listing's pages;
        narrow the listing first when it is long.
      - A runner whose details the token's user may not read (GitLab answers 403, for example a group runner of an
        ancestor group seen by a subgroup's maintainer) keeps its listing's attributes, with a warning; a runner
        deleted meanwhile is left out, with a warning.
    type: bool
    default: false
notes:
  - Options are checked before any request; a bad value fails naming the option.
  - The API token needs the V(api) or V(read_api) scope; a V(manage_runner) or V(create_runner) token may not list
    runners.
seealso:
  - module: runnerfleet.gitlab_aws.gitlab_runner
"""

EXAMPLES = r"""
- name: Every runner of the instance (as an administrator)
  runnerfleet.gitlab_aws.gitlab_runner_info:
    api_url: https://gitlab.example.com
    api_token: "{{ gitlab_api_token }}"
  register: everything

- name: The runners a group's pipelines can use, with their tags
  runnerfleet.gitlab_aws.gitlab_runner_info:
    group: platform/infra
    details: true
  register: infra

- name: Show which runners pick untagged jobs
  ansible.builtin.debug:
    msg: "{{ infra.runners | selectattr('run_untagged') | map(attribute='description') | list }}"

- name: The fleet's group runners that have not been heard of for a while
  runnerfleet.gitlab_aws.gitlab_runner_info:
    group: platform/infra
    runner_type: group_type
    status: stale
    description_pattern: "^fleet-a "
  register: stale

- name: Paused docker runners a project can use
  runnerfleet.gitlab_aws.gitlab_runner_info:
    project: platform/website
    paused: true
    tag_list: [docker]
  register: paused_docker

- name: The runners of the groups and projects I look after (no administrator needed)
  runnerfleet.gitlab_aws.gitlab_runner_info:
    scope: available
  register: mine

- name: One runner by its exact description
  runnerfleet.gitlab_aws.gitlab_runner_info:
    project: 21
    description: fleet-a autoscaler
  register: found
"""

RETURN = r"""
runners:
  description:
    - The runners listed, after every filter, by id ascending, as GitLab answers the listing (C(Runner) entity) or,
      with O(details=true), C(GET /runners/:id) (C(RunnerDetails) entity). Never a token.
    - Keys vary with GitLab's version; the ones below are GitLab 18's.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The runner's id.
      type: int
      sample: 9171
    description:
      description: The runner's description (null or empty when it has none).
      type: str
      sample: fleet-a autoscaler
    runner_type:
      description: V(instance_type), V(group_type) or V(project_type).
      type: str
      sample: group_type
    paused:
      description: Whether the runner is paused (GitLab 14.8 and later; C(active) is its opposite).
      type: bool
      sample: false
    active:
      description: Deprecated by GitLab - the opposite of RV(runners[].paused).
      type: bool
      sample: true
    is_shared:
      description: Whether it is an instance runner.
      type: bool
      sample: false
    online:
      description: Whether it made contact in the last 2 hours; null when it never did.
      type: bool
      sample: true
    status:
      description: V(online), V(offline), V(stale), V(never_contacted) or V(paused).
      type: str
      sample: online
    name:
      description: The name the runner registered with, if any.
      type: str
      sample: gitlab-runner
    ip_address:
      description: Deprecated by GitLab; null on current versions.
      type: str
      sample: null
    created_at:
      description: When the runner was created (ISO 8601; recent GitLab versions).
      type: str
      sample: "2026-01-05T10:00:00.000Z"
    created_by:
      description: The runner's creator, when the token's user may see it.
      type: dict
      sample: {id: 1, username: root}
    job_execution_status:
      description: V(active) when it runs jobs, else V(idle) (recent GitLab versions).
      type: str
      sample: idle
    tag_list:
      description: The runner's tags (compare them as a set).
      returned: O(details=true)
      type: list
      elements: str
      sample: [aws, docker]
    run_untagged:
      description: Whether it picks jobs without tags.
      returned: O(details=true)
      type: bool
      sample: false
    locked:
      description: Whether a project runner is locked to its projects.
      returned: O(details=true)
      type: bool
      sample: false
    access_level:
      description: V(not_protected) or V(ref_protected).
      returned: O(details=true)
      type: str
      sample: not_protected
    maximum_timeout:
      description: The most seconds a job may run on it; null for no limit.
      returned: O(details=true)
      type: int
      sample: 3600
    maintenance_note:
      description: The maintainers' note; null unless the token's user may update the runner.
      returned: O(details=true)
      type: str
      sample: null
    contacted_at:
      description: When it last made contact (ISO 8601); null when it never did.
      returned: O(details=true)
      type: str
      sample: "2026-01-05T10:30:00.000Z"
    version:
      description: The version of the runner manager that made contact last.
      returned: O(details=true)
      type: str
      sample: 18.6.0
    projects:
      description: The projects of a project runner that the token's user may see (the first is its owner).
      returned: O(details=true)
      type: list
      elements: dict
      sample: [{id: 22, path_with_namespace: platform/website}]
    groups:
      description: The group of a group runner, when the token's user may see it.
      returned: O(details=true)
      type: list
      elements: dict
      sample: [{id: 12, name: infra, web_url: "https://gitlab.example.com/groups/platform/infra"}]
count:
  description: How many runners RV(runners) holds.
  returned: always
  type: int
  sample: 3
api_requests:
  description: How many requests GitLab answered during the run, retries included.
  returned: always
  type: int
  sample: 1
"""

import re
from typing import NamedTuple

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._gitlab import (
    GITLAB_IMPORT_ERROR,
    HAS_GITLAB,
    GitLabApi,
    GitLabApiError,
    connection_argument_spec,
    path_segment,
)
from ansible_collections.runnerfleet.gitlab_aws.plugins.module_utils._runner_spec import (
    RUNNER_TYPES,
    SpecError,
    normalize_tags,
    owner_ref,
)

SCOPES = ("all", "available")
STATUSES = ("online", "offline", "never_contacted", "stale")
OWNER_KINDS = ("group", "project")


class ListingError(Exception):
    """The listing cannot be made: the message says why, without a token."""


def argument_spec() -> dict:
    spec = connection_argument_spec()
    spec.update(
        group=dict(type="raw"),
        project=dict(type="raw"),
        scope=dict(type="str", choices=list(SCOPES), default="all"),
        runner_type=dict(type="str", choices=list(RUNNER_TYPES)),
        status=dict(type="str", choices=list(STATUSES)),
        paused=dict(type="bool"),
        tag_list=dict(type="list", elements="str"),
        description=dict(type="str"),
        description_pattern=dict(type="str"),
        details=dict(type="bool", default=False),
    )
    return spec


def description_matcher(params: dict):
    """A compiled description_pattern, or None; an invalid expression fails naming the option."""
    pattern = params["description_pattern"]
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as error:
        raise SpecError(f"description_pattern {pattern!r} is not a valid Python regular expression: {error}") from None


class Listing(NamedTuple):
    """The endpoint to list, what messages call the listing, and its group or project when it has one."""

    path: str
    what: str
    kind: str | None = None
    ref: int | str | None = None


def listing(params: dict) -> Listing:
    for kind in OWNER_KINDS:
        if params[kind] is not None:
            ref = owner_ref(params[kind], kind)
            return Listing(f"/{kind}s/{path_segment(ref)}/runners", f"list the runners of {kind} {ref}", kind, ref)
    if params["scope"] == "available":
        return Listing("/runners", "list the runners available to the token's user")
    return Listing("/runners/all", "list every runner of the instance")


def server_filters(params: dict) -> dict:
    """The query parameters GitLab filters by (tags as one comma-separated value, booleans spelled out)."""
    query = {}
    if params["runner_type"] is not None:
        query["type"] = params["runner_type"]
    if params["status"] is not None:
        query["status"] = params["status"]
    if params["paused"] is not None:
        query["paused"] = "true" if params["paused"] else "false"
    tags = normalize_tags(params["tag_list"] or [], "tag_list")
    if tags:
        query["tag_list"] = ",".join(tags)
    return query


def without_token(runner: dict) -> dict:
    """GitLab stopped showing tokens in 13.0; drop one anyway, should any server still send it."""
    return {key: value for key, value in runner.items() if key != "token"}


def keeps(runner: dict, description: str | None, matcher) -> bool:
    shown = runner.get("description")
    if description is not None and shown != description:
        return False
    return matcher is None or (shown is not None and matcher.search(str(shown)) is not None)


def fetch(api: GitLabApi, scope: Listing, query: dict) -> list:
    """Every page of the listing; a 404 names the group or project, a 403 on the instance's says who may."""
    try:
        return api.list_all(scope.path, scope.what, query)
    except GitLabApiError as error:
        if scope.kind is not None and error.status == 404:
            raise ListingError(
                f"Failed to {scope.what}: the {scope.kind} {scope.ref} does not exist or the token's user cannot see "
                "it (GitLab answered 404)."
            ) from None
        body = error.body
        insufficient_scope = isinstance(body, dict) and body.get("error") == "insufficient_scope"
        if scope.path == "/runners/all" and error.status == 403 and not insufficient_scope:
            raise ListingError(
                f"{error} Listing every runner (scope=all) needs an administrator; scope=available lists the runners "
                "of the groups and projects the user looks after, group or project those of one group or project."
            ) from None
        raise ListingError(str(error)) from None


def with_details(api: GitLabApi, runners: list, warnings: list) -> list:
    """Each runner replaced by GET /runners/:id; refused ones keep their listing, vanished ones are left out."""
    detailed = []
    refused = []
    vanished = []
    for runner in runners:
        runner_id = runner.get("id")
        try:
            answer = api.get(f"/runners/{runner_id}", f"read runner {runner_id}")
        except GitLabApiError as error:
            if error.status == 404:
                vanished.append(runner_id)
                continue
            if error.status != 403:
                raise ListingError(str(error)) from None
            refused.append(runner_id)
            answer = runner
        detailed.append(without_token(answer or runner))
    if refused:
        warnings.append(
            f"GitLab refused the details of runner(s) {', '.join(map(str, refused))} (403): the token's user may list "
            "them but not read them; they are returned with their listing's attributes only."
        )
    if vanished:
        warnings.append(
            f"Runner(s) {', '.join(map(str, vanished))} were deleted between the listing and the reading of their "
            "details; they are left out."
        )
    return detailed


def run(module: AnsibleModule) -> dict:
    params = module.params
    try:
        matcher = description_matcher(params)
        scope = listing(params)
        query = server_filters(params)
    except SpecError as error:
        module.fail_json(msg=str(error), api_requests=0)
    api = GitLabApi.from_params(params)
    warnings: list = []
    try:
        runners = [
            without_token(runner)
            for runner in fetch(api, scope, query)
            if keeps(runner, params["description"], matcher)
        ]
        if params["details"]:
            runners = with_details(api, runners, warnings)
    except ListingError as error:
        module.fail_json(msg=str(error), api_requests=api.request_count)
    for warning in warnings:
        module.warn(warning)
    return {"changed": False, "runners": runners, "count": len(runners), "api_requests": api.request_count}


def main() -> None:
    module = AnsibleModule(
        argument_spec=argument_spec(),
        mutually_exclusive=[("group", "project", "scope")],
        supports_check_mode=True,
    )
    if not HAS_GITLAB:
        module.fail_json(msg=missing_required_lib("python-gitlab"), exception=str(GITLAB_IMPORT_ERROR))
    module.exit_json(**run(module))


if __name__ == "__main__":
    main()
