# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fleet whose description chooses its own tag key (fleet_tag_key): site.yml tags every resource with it and with
no other fleet key, scopes the manager's IAM conditions to it, finds everything again (a second run changes nothing)
and teardown finds and removes everything by it."""

from __future__ import annotations

import json

from test_site import (
    EXAMPLE_RUNNERS,
    FLEET_TAG,
    SITE,
    TEARDOWN,
    assert_counts,
    assert_no_change,
    assert_succeeded,
    fleet_resources,
)

FLEET = "e2e-tagkey"
TAG_KEY = "acme:ci-fleet"


def manager_policy(aws) -> str:
    """The manager role's inline policy, as IAM stores it."""
    iam = aws("iam")
    role = f"{FLEET}-manager"
    names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    assert names == [f"{FLEET}-manager"], names
    return json.dumps(iam.get_role_policy(RoleName=role, PolicyName=names[0])["PolicyDocument"])


def test_a_chosen_tag_key_tags_scopes_and_tears_down_everything(playbook, aws) -> None:
    variables = {"fleet_name": FLEET, "fleet_tag_key": TAG_KEY}
    assert_succeeded(playbook(SITE, extra_vars=variables), "the converge with a chosen tag key")

    resources = fleet_resources(aws, FLEET, TAG_KEY)
    assert_counts(resources, EXAMPLE_RUNNERS)
    assert resources["tagged"], "the tagging API finds nothing by the chosen key"
    # Nothing of the fleet carries the default key: teardown and the janitor go by the chosen one only.
    by_default_key = {kind: found for kind, found in fleet_resources(aws, FLEET, FLEET_TAG).items() if found}
    assert set(by_default_key) <= {"iam_roles", "instance_profiles", "buckets", "ssm_parameters"}, by_default_key
    policy = manager_policy(aws)
    assert f"/{TAG_KEY}" in policy, policy
    assert f"/{FLEET_TAG}" not in policy, policy

    assert_no_change(playbook(SITE, extra_vars=variables), "the second run", {"localhost", f"{FLEET}-manager-1"})

    assert_succeeded(playbook(TEARDOWN, extra_vars={**variables, "fleet_remove_cache": True}), "the teardown")
    left = {kind: found for kind, found in fleet_resources(aws, FLEET, TAG_KEY).items() if found}
    assert left == {}, left
