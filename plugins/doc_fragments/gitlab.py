# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GitLab connection options every GitLab module of the collection takes (module_utils/_gitlab.py), how the
modules pass GitLab's refusals on, and the API they call (every GitLab module of the collection manages runners).

A module's own notes and seealso come first; Ansible appends the fragment's.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - GitLab's base URL, without C(/api/v4), for example V(https://gitlab.example.com).
      - When not set, the E(GITLAB_URL) environment variable is used.
    type: str
    required: true
  api_token:
    description:
      - A personal, group or project access token.
      - When not set, the E(GITLAB_API_TOKEN) environment variable is used.
      - Scopes - V(api) allows everything; V(read_api) allows listing and reading runners; V(manage_runner)
        allows reading, updating, re-keying and deleting runners by id, not listing or creating them;
        V(create_runner) allows only creating them.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify GitLab's TLS certificate. Leave it on outside a lab.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle to verify GitLab's certificate with, for a GitLab behind a private certificate authority.
      - Used only when O(validate_certs=true).
    type: path
  request_timeout:
    description:
      - Seconds to wait for one answer from GitLab.
    type: float
    default: 30
  retry_max_time:
    description:
      - The longest time, in seconds, one operation may spend retrying after throttling (429, honouring
        C(Retry-After)), server errors (5xx) and connection faults, with exponential backoff and jitter.
      - When the next attempt would pass it, the module fails and says what GitLab kept answering.
    type: float
    default: 120
requirements:
  - python-gitlab >= 4.0 (on the host that runs the module, usually the controller)
notes:
  - GitLab's answers are passed on - a 401 says the token was rejected, a 403 names the scope or the permission
    missing.
seealso:
  - name: GitLab runners API
    description: The REST endpoints this module calls.
    link: https://docs.gitlab.com/api/runners/
"""
