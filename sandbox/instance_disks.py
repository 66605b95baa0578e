# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox's instances have disks: a directory on this machine per instance, named by its Name tag.

The fleet's playbooks run on AWS as they are; in the sandbox, an EC2 instance the manager role launches is reached
with the local connection and its files are written under `<state>/hosts/<name>` (sandbox/playbook_vars.yml, which
ctl.py passes to every ansible-playbook it runs). On AWS a terminated instance's root volume is deleted with it
(the managers' volumes are DeleteOnTermination); here its directory goes when moto terminates the instance, so a
manager launched again under the same name starts from an empty disk, as on AWS.

aws_server.py installs this with the state directory's hosts/ (RUNNERFLEET_SANDBOX_HOSTS, from ctl.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from moto.ec2.models.instances import Instance

HOSTS_ENVIRONMENT = "RUNNERFLEET_SANDBOX_HOSTS"


def disk_of(hosts: Path, tags: list[dict[str, str]]) -> Path | None:
    """The directory of the instance with these tags (moto's DescribeTags items), if it has a usable Name."""
    name = next((tag.get("value", "") for tag in tags if tag.get("key") == "Name"), "")
    if not name or name in (".", "..") or "/" in name:
        return None
    return hosts / name


def install(hosts: Path) -> None:
    """Remove an instance's directory when moto terminates the instance (TerminateInstances, or its group's)."""
    original_terminate = Instance.terminate

    def terminate(self: Instance, *args: Any, **kwargs: Any) -> Any:
        disk = disk_of(hosts, self.get_tags())
        previous = original_terminate(self, *args, **kwargs)
        if disk is not None:
            shutil.rmtree(disk, ignore_errors=True)
        return previous

    Instance.terminate = terminate
