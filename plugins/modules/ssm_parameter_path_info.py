#!/usr/bin/python
# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Why this module and not the amazon.aws.ssm_parameter lookup: that lookup fails on a path with no parameter under
# it (a fleet before its first run), and at -vvvv it prints every value it read, decrypted SecureStrings included.
# A module's result is hidden whole by the task's no_log, at any verbosity.

from __future__ import annotations

DOCUMENTATION = r"""
module: ssm_parameter_path_info
extends_documentation_fragment:
  - runnerfleet.gitlab_aws.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
short_description: Read every SSM parameter under a path, SecureStrings decrypted
version_added: 0.1.0
description:
  - Reads the parameters under O(path) with C(GetParametersByPath) and returns them by name.
  - A path with no parameter under it gives an empty result, not an error.
  - The values may be secrets. Set C(no_log) on the task; the module marks nothing itself, because the caller
    needs the values.
author:
  - runnerfleet maintainers (@runnerfleet)
options:
  path:
    description: The path, such as C(/runnerfleet/fleet/runners).
    type: str
    required: true
  recursive:
    description: Read the parameters of every level below O(path), not only the first.
    type: bool
    default: true
  decrypt:
    description: Decrypt SecureString values.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Read the fleet's runner tokens
  runnerfleet.gitlab_aws.ssm_parameter_path_info:
    path: /runnerfleet/fleet/runners
  register: stored
  no_log: true
"""

RETURN = r"""
parameters:
  description: Each parameter's value by its full name.
  returned: always
  type: dict
  sample: {"/runnerfleet/fleet/runners/small/id": "12"}
types:
  description: Each parameter's type (V(String), V(StringList) or V(SecureString)) by its full name.
  returned: always
  type: dict
  sample: {"/runnerfleet/fleet/runners/small/id": "String"}
"""

import contextlib

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore
    import botocore

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def read_path(client, path: str, recursive: bool, decrypt: bool) -> list[dict]:
    """Every parameter under the path, every page read (retried with backoff on throttling and server errors)."""
    answer = paginated_query_with_retries(
        client, "get_parameters_by_path", Path=path, Recursive=recursive, WithDecryption=decrypt
    )
    return answer.get("Parameters", [])


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec={
            "path": {"type": "str", "required": True},
            "recursive": {"type": "bool", "default": True},
            "decrypt": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    client = module.client("ssm", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    params = module.params
    try:
        found = read_path(client, params["path"], params["recursive"], params["decrypt"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to read the SSM parameters under {params['path']}")
    module.exit_json(
        changed=False,
        parameters={parameter["Name"]: parameter["Value"] for parameter in found},
        types={parameter["Name"]: parameter["Type"] for parameter in found},
    )


if __name__ == "__main__":
    main()
