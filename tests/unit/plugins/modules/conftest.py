# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the module tests that run against moto in-process share: an environment that reaches no real AWS and
no sandbox, and botocore's service models parsed once for all the module runs of a test."""

from __future__ import annotations

import os
from collections.abc import Callable

import botocore.loaders
import botocore.session
import pytest


@pytest.fixture
def offline_aws_environment(monkeypatch, tmp_path) -> Callable[[str], None]:
    """Call it with a region: fake credentials, that region, and no endpoint, profile or config file of the
    developer's or the sandbox's (AWS_ENDPOINT_URL would send moto's calls to the sandbox)."""

    def isolate(region: str) -> None:
        for name in list(os.environ):
            if name.startswith(("AWS_", "EC2_", "BOTO_")) or name == "S3_URL":
                monkeypatch.delenv(name)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))

    return isolate


@pytest.fixture
def botocore_models_parsed_once(monkeypatch) -> None:
    """Every module run builds its own botocore session, which would parse the service models again (most of a
    run's time here). One loader per search path serves them all; the models do not change."""
    loaders: dict[str | None, botocore.loaders.Loader] = {}
    create_loader = botocore.session.create_loader

    def shared_loader(search_path_string=None):
        if search_path_string not in loaders:
            loaders[search_path_string] = create_loader(search_path_string)
        return loaders[search_path_string]

    monkeypatch.setattr(botocore.session, "create_loader", shared_loader)
