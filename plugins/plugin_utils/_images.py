# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The machine images a fleet uses when its description names none, and the architecture an instance type needs.

AWS and Canonical publish the id of their current images as public SSM parameters in every commercial region, so
a fleet needs no AMI id found by hand: pre-flight reads the parameters the plan names (`image_parameter`) and the
plan takes the ids (`_fleet_plan.resolve(images=...)`). Which image serves which machine:

- runner managers: Amazon Linux 2023 (the runner_host role installs gitlab-runner and Docker there);
- docker-autoscaler workers: the ECS-optimized Amazon Linux 2023 image, which ships Docker running, which is what
  the fleeting plugin's connector needs on a worker;
- docker+machine workers: Ubuntu 24.04 LTS, the system docker-machine's provisioner installs Docker on.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import re

X86_64 = "x86_64"
ARM64 = "arm64"

# Graviton (arm64) instance families carry a "g" among the attributes after the generation: t4g, m7gd, c6gn,
# hpc7g, g5g; and a1, the first Graviton. Every other family (m7i-flex, g4dn, inf2, ...) is x86_64.
ARM64_FAMILY = re.compile(r"^(?:a1|[a-z]+[0-9]+[a-z]*g[a-z]*(?:-flex)?)$")

MANAGER = "manager"
PUBLIC_PARAMETERS = {
    (MANAGER, X86_64): "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    (MANAGER, ARM64): "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    ("docker-autoscaler", X86_64): "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    ("docker-autoscaler", ARM64): "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
    ("docker+machine", X86_64): "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
    ("docker+machine", ARM64): "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id",
}


def architecture(instance_type: str) -> str:
    """x86_64 or arm64: the architecture an image must have to boot on the instance type (m7g.large: arm64)."""
    family = instance_type.partition(".")[0]
    return ARM64 if ARM64_FAMILY.match(family) else X86_64


def architectures(instance_types: list[str]) -> dict[str, list[str]]:
    """The instance types by architecture, for a message naming those that do not match the others."""
    found: dict[str, list[str]] = {}
    for instance_type in instance_types:
        found.setdefault(architecture(instance_type), []).append(instance_type)
    return found


def image_parameter(machine: str, instance_type: str) -> str:
    """The public parameter that names the default image of a machine (MANAGER or a worker's executor)."""
    return PUBLIC_PARAMETERS[(machine, architecture(instance_type))]
