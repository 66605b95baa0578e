# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The default images (plugin_utils/_images): the architecture each instance type needs, and the public parameter
that names each machine's image."""

from __future__ import annotations

import pytest
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._images import (
    MANAGER,
    PUBLIC_PARAMETERS,
    architecture,
    architectures,
    image_parameter,
)


@pytest.mark.parametrize(
    "instance_type",
    [
        "t4g.small",
        "m7g.large",
        "m6gd.xlarge",
        "c6gn.2xlarge",
        "c7gn.medium",
        "hpc7g.4xlarge",
        "g5g.xlarge",
        "a1.large",
        "r8g.large",
        "x2gd.medium",
        "im4gn.large",
        "m8g.metal-24xl",
    ],
)
def test_graviton_types_are_arm64(instance_type):
    assert architecture(instance_type) == "arm64"


@pytest.mark.parametrize(
    "instance_type",
    [
        "t3.medium",
        "m5.large",
        "m7i-flex.large",
        "g4dn.xlarge",
        "g6e.xlarge",
        "inf2.xlarge",
        "p4de.24xlarge",
        "c5n.large",
        "z1d.large",
        "u-6tb1.metal",
        "t3a.large",
        "r7iz.large",
    ],
)
def test_other_types_are_x86_64(instance_type):
    assert architecture(instance_type) == "x86_64"


def test_architectures_groups_the_types_in_their_order():
    assert architectures(["m5.large", "t4g.small", "c5.large"]) == {
        "x86_64": ["m5.large", "c5.large"],
        "arm64": ["t4g.small"],
    }


def test_each_machine_has_an_image_per_architecture():
    assert (
        image_parameter(MANAGER, "t3.medium") == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    )
    assert (
        image_parameter(MANAGER, "t4g.medium") == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    )
    assert image_parameter("docker-autoscaler", "m7g.large").endswith("/amazon-linux-2023/arm64/recommended/image_id")
    assert image_parameter("docker+machine", "m5.large") == (
        "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"
    )
    # Every parameter is a public one: AWS's /aws/service tree, readable in every account.
    assert all(name.startswith("/aws/service/") for name in PUBLIC_PARAMETERS.values())
    assert len(set(PUBLIC_PARAMETERS.values())) == len(PUBLIC_PARAMETERS)
