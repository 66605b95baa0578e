# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter plugin's adapter: the names Ansible finds, the header option, errors as AnsibleFilterError, and the
configs in the filters' ansible-doc EXAMPLES, which must render as they stand."""

from __future__ import annotations

import tomllib

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.runner_config_fleet import runner_config_fleet
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.runner_config_mask import runner_config_mask
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.runner_config_merge import runner_config_merge
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.runner_config_toml import runner_config_toml
from filter_plugins import FILTER_DIR, found_filters

SHELL_RUNNER = {"name": "a", "url": "https://gitlab.example.com", "token": "glrt-unit-secret", "executor": "shell"}


def test_ansible_finds_every_filter() -> None:
    filters = found_filters("runner_config_fleet", "runner_config_mask", "runner_config_merge", "runner_config_toml")

    assert filters == {
        "runner_config_fleet": runner_config_fleet,
        "runner_config_mask": runner_config_mask,
        "runner_config_merge": runner_config_merge,
        "runner_config_toml": runner_config_toml,
    }


def test_every_filter_has_its_documentation_file() -> None:
    for name in found_filters("runner_config_fleet", "runner_config_mask", "runner_config_merge", "runner_config_toml"):
        documentation = yaml.safe_load((FILTER_DIR / f"{name}.yml").read_text(encoding="utf-8"))
        assert documentation["DOCUMENTATION"]["name"] == name
        assert documentation["EXAMPLES"].strip() and documentation["RETURN"]["_value"]


@pytest.mark.parametrize(
    ("header", "expected_start"),
    [
        (None, "# Managed by Ansible (runnerfleet.gitlab_aws.runner_config_toml)"),
        ("Fleet a, written by AWX\n# job 12", "# Fleet a, written by AWX\n# job 12\nconcurrent = 1\n"),
        ("", "concurrent = 1\n"),
    ],
    ids=["default", "own-lines", "none"],
)
def test_header(header: str | None, expected_start: str) -> None:
    text = runner_config_toml({"concurrent": 1, "runners": [SHELL_RUNNER]}, header=header)

    assert text.startswith(expected_start)
    assert tomllib.loads(text)["runners"] == [SHELL_RUNNER]


def test_a_header_that_is_not_text_is_refused() -> None:
    with pytest.raises(AnsibleFilterError, match="header must be a string"):
        runner_config_toml({"concurrent": 1}, header=["# a"])


def test_problems_become_a_filter_error_naming_the_path_without_the_token() -> None:
    runner = dict(SHELL_RUNNER, executor="docker", token=["glrt-unit-secret"])

    with pytest.raises(AnsibleFilterError) as raised:
        runner_config_toml({"runners": [runner]})

    message = str(raised.value)
    assert message.startswith("runner_config_toml: config.toml is not valid for GitLab Runner")
    assert "runners[0].token: expects a string" in message
    assert "glrt-unit-secret" not in message


def test_merge_errors_become_a_filter_error() -> None:
    with pytest.raises(AnsibleFilterError, match=r"runner_config_merge: .*not valid TOML"):
        runner_config_merge({"runners": []}, "[[runners]\nurl =")


def example_configs(filter_name: str) -> list[dict]:
    """The config.toml dictionaries in a filter's EXAMPLES (the `vars` of its tasks), tokens filled in."""
    documentation = yaml.safe_load((FILTER_DIR / f"{filter_name}.yml").read_text(encoding="utf-8"))
    configs = []
    for task in yaml.safe_load(documentation["EXAMPLES"]):
        for value in (task.get("vars") or {}).values():
            if isinstance(value, dict) and "runners" in value:
                for runner in value["runners"]:
                    runner["token"] = "glrt-example"
                configs.append(value)
    return configs


def test_the_documented_examples_render() -> None:
    configs = example_configs("runner_config_toml")

    assert len(configs) == 2  # the docker+machine spot runner and the docker-autoscaler runner
    for config in configs:
        assert tomllib.loads(runner_config_toml(config)) == config
