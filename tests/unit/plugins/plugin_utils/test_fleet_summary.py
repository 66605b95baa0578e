# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The summary site.yml ends with (plugin_utils/_fleet_summary and the fleet_summary_lines filter)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.runnerfleet.gitlab_aws.plugins.filter.fleet_summary_lines import fleet_summary_lines
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._fleet_summary import runner_line, summary_lines

FLEET = {"name": "ci", "region": "eu-west-1"}


# The plan's worker pool of a docker-autoscaler entry (fleet_plan.worker_pool.pools), the keys the summary reads.
SMALL_POOL = {
    "entry": "small",
    "group_name": "ci-small",
    "instance_types": ["t3.large", "t3a.large"],
    "spot": True,
    "on_demand_base": 1,
    "spot_allocation_strategy": "price-capacity-optimized",
    "max_instances": 10,
    "capacity_per_instance": 2,
}


def test_a_fleet_whose_roles_did_not_run():
    assert summary_lines(FLEET) == [
        "fleet ci in eu-west-1",
        "network: none, private subnets none",
        "cache bucket: none",
    ]


def test_every_part_of_a_converged_fleet():
    lines = summary_lines(
        FLEET,
        network={"vpc_id": "vpc-1", "private_subnets": [{"id": "subnet-a"}, {"id": "subnet-b"}]},
        cache={"bucket": "ci-runner-cache-1"},
        registration={
            "runners": [
                {"name": "small", "id": 7, "status": "online", "tags": ["a", "b"], "changed": True},
                {"name": "big", "id": 8, "status": "never_contacted", "tags": [], "changed": False},
            ],
            "removed": ["old"],
        },
        worker_pools={"pools": {"small": {"autoscaling_group_name": "ci-small", "launch_template_id": "lt-1"}}},
        managers={"instances": [{"name": "ci-manager-1", "instance_id": "i-1", "private_ip": "10.0.0.5", "zone": "a"}]},
        entries=[{"name": "small", "executor": "docker-autoscaler"}],
        pools=[SMALL_POOL],
        hosts={
            "m1": {"config_changed": True, "restarted": True, "restart_reasons": ["service unit changed"]},
            "m2": {"restart_reasons": ["gitlab-runner package changed"]},
            "m3": {},
        },
        label="AWS at http://127.0.0.1:4566",
    )
    assert lines == [
        "fleet ci in eu-west-1 (AWS at http://127.0.0.1:4566)",
        "network: vpc-1, private subnets subnet-a, subnet-b",
        "cache bucket: ci-runner-cache-1",
        "runner small: GitLab id 7, online, tags a, b, updated in this run",
        "entry small: docker-autoscaler on t3.large, t3a.large; capacity 10 instances x 2 = 20 jobs;"
        " spot (on-demand base 1, price-capacity-optimized); worker group ci-small (launch template lt-1)",
        "runner big: GitLab id 8, never_contacted (no manager has contacted it yet), tags none",
        "runner old: removed in this run",
        "manager ci-manager-1: i-1 10.0.0.5 in a",
        "config.toml on m1: changed in this run; restarted (service unit changed)",
        "config.toml on m2: unchanged; restart needed (gitlab-runner package changed)",
        "config.toml on m3: unchanged",
    ]


def test_a_preview_says_what_a_real_run_would_do():
    lines = summary_lines(
        FLEET,
        registration={
            "runners": [
                {"name": "new", "id": None, "status": "unknown", "tags": ["x"], "changed": True, "operation": "create"},
                {"name": "keyed", "id": 9, "status": "online", "tags": [], "changed": True, "operation": "re-key"},
                {"name": "same", "id": 8, "status": "online", "tags": [], "changed": False, "operation": "none"},
            ],
            "removed": ["old"],
        },
        managers={
            "instances": [
                {"name": "ci-manager-1", "instance_id": "i-1", "private_ip": "10.0.0.5", "zone": "a"},
                {"name": "ci-manager-2", "instance_id": "", "private_ip": "", "subnet_id": "subnet-b", "zone": ""},
            ]
        },
        hosts={"m1": {"config_changed": True}},
        preview=True,
    )
    assert lines == [
        "fleet ci in eu-west-1 (check mode: nothing was changed)",
        "network: none, private subnets none",
        "cache bucket: none",
        "runner new: not in GitLab yet, tags x, a real run would create it",
        "runner keyed: GitLab id 9, online, tags none, a real run would re-key it",
        "runner same: GitLab id 8, online, tags none",
        "runner old: a real run would remove it",
        "manager ci-manager-1: i-1 10.0.0.5 in a",
        "manager ci-manager-2: a real run would launch it in subnet subnet-b",
        "config.toml on m1: a real run would change it",
    ]
    created = {"name": "new", "id": 3, "status": "never_contacted", "tags": [], "changed": True, "operation": "create"}
    assert summary_lines(FLEET, registration={"runners": [created]})[3] == (
        "runner new: GitLab id 3, never_contacted (no manager has contacted it yet), tags none, created in this run"
    )
    with pytest.raises(AnsibleFilterError, match="preview"):
        fleet_summary_lines(FLEET, preview="yes")


def test_each_entry_says_what_it_runs_its_jobs_on():
    """One line per entry after its runner's, from the plan: a docker+machine entry's instance type, zone, AMI,
    limit, idle and spot price; an entry GitLab was not asked about (no registration result) still gets one."""
    machine = {"name": "dm", "executor": "docker+machine", "instance_type": "c5.large", "ami": "ami-1", "limit": 4}
    lines = summary_lines(
        FLEET,
        network={"vpc_id": "vpc-1", "private_subnets": [{"id": "subnet-a", "zone": "eu-west-1a"}]},
        registration={"runners": [{"name": "dm", "id": 3, "status": "online", "tags": []}]},
        entries=[
            machine,
            {**machine, "name": "spotless", "spot": False, "zone": "eu-west-1b", "idle_count": 2, "idle_time": 600},
            {"name": "priced", "executor": "docker+machine", "spot_price": 0.05},
            {"name": "local", "executor": "shell"},
        ],
    )
    assert lines[3:] == [
        "runner dm: GitLab id 3, online, tags none",
        "entry dm: docker+machine on c5.large in eu-west-1a, AMI ami-1; limit 4 jobs, keeps 0 idle, idle time 1800 s;"
        " spot (no max price)",
        "entry spotless: docker+machine on c5.large in eu-west-1b, AMI ami-1; limit 4 jobs, keeps 2 idle,"
        " idle time 600 s; on-demand",
        "entry priced: docker+machine on m5.large in eu-west-1a, AMI docker-machine's default; limit 10 jobs,"
        " keeps 0 idle, idle time 1800 s; spot (max price 0.05)",
        "entry local: shell on the managers; limit 1 job",
    ]


def test_a_preview_says_a_real_run_would_create_a_worker_group():
    on_demand = {**SMALL_POOL, "entry": "big", "group_name": "ci-big", "instance_types": ["m5.2xlarge"], "spot": False}
    lines = summary_lines(
        FLEET,
        entries=[{"name": "big", "executor": "docker-autoscaler"}],
        pools=[on_demand],
        worker_pools={"pools": {"big": {"autoscaling_group_name": "ci-big", "launch_template_id": ""}}},
        preview=True,
    )
    assert lines[3] == (
        "entry big: docker-autoscaler on m5.2xlarge; capacity 10 instances x 2 = 20 jobs; on-demand;"
        " worker group ci-big, a real run would create it"
    )


def test_the_summary_says_what_a_run_does_to_worker_groups_and_managers():
    """A worker group or manager a run updates is said with what differs; one it removes or terminates gets its own
    line; the same in a preview as what a real run would do."""
    update = ["Auto Scaling group ci-small: differs in MaxSize"]
    pools = {"small": {"launch_template_id": "lt-1", "operation": "update", "changes": update}}
    managers = {
        "instances": [
            {
                "name": "ci-manager-1",
                "instance_id": "i-1",
                "private_ip": "10.0.0.5",
                "zone": "a",
                "operation": "update",
                "changes": ["instance type t3.small, not t3.medium"],
            }
        ],
        "removed": ["ci-manager-2"],
    }
    results = {
        "entries": [{"name": "small", "executor": "docker-autoscaler"}],
        "pools": [SMALL_POOL],
        "worker_pools": {"pools": pools, "removed": ["ci-large"]},
        "managers": managers,
    }
    preview = summary_lines(FLEET, preview=True, **results)
    assert preview[3].endswith(
        "worker group ci-small (launch template lt-1), a real run would update it"
        " (Auto Scaling group ci-small: differs in MaxSize)"
    ), preview[3]
    assert preview[4:] == [
        "worker group ci-large: a real run would remove it",
        "manager ci-manager-1: i-1 10.0.0.5 in a, a real run would update it (instance type t3.small, not t3.medium)",
        "manager ci-manager-2: a real run would terminate it",
    ]
    done = summary_lines(FLEET, **results)
    assert done[3].endswith(
        "worker group ci-small (launch template lt-1), updated in this run"
        " (Auto Scaling group ci-small: differs in MaxSize)"
    ), done[3]
    assert done[4:] == [
        "worker group ci-large: removed in this run",
        "manager ci-manager-1: i-1 10.0.0.5 in a, updated in this run (instance type t3.small, not t3.medium)",
        "manager ci-manager-2: terminated in this run",
    ]


def test_the_filter_checks_its_input():
    assert fleet_summary_lines(FLEET, {"cache": {"bucket": "b"}})[2] == "cache bucket: b"
    with pytest.raises(AnsibleFilterError):
        fleet_summary_lines({"name": "ci"})
    with pytest.raises(AnsibleFilterError):
        fleet_summary_lines(FLEET, ["x"])
    with pytest.raises(AnsibleFilterError, match="entries"):
        fleet_summary_lines(FLEET, entries={"small": {}})
    entries = [{"name": "small", "executor": "docker-autoscaler"}]
    assert fleet_summary_lines(FLEET, entries=entries, pools=[SMALL_POOL])[3].startswith("entry small: ")


def test_a_runner_line_reports_gitlabs_view_as_its_managers_left_it():
    managers = [
        {"system_id": "s_0a1b2c", "version": "18.9.0", "status": "online", "contacted_at": "2026-12-07T10:00:00Z"},
        {"system_id": "s_3d4e5f", "version": None, "status": "offline", "contacted_at": "2026-12-01T08:00:00Z"},
    ]
    runner = {"name": "small", "id": 7, "status": "online", "contacted_at": "2026-12-07T10:00:00Z", "tags": ["a"]}
    assert runner_line(dict(runner, managers=managers)) == (
        "runner small: GitLab id 7, online, last contact 2026-12-07T10:00:00Z from 2 managers: "
        "s_0a1b2c (18.9.0, online), s_3d4e5f (version unknown, offline), tags a"
    )
    never = dict(runner, status="never_contacted", contacted_at=None, managers=[])
    assert runner_line(never) == (
        "runner small: GitLab id 7, never_contacted (no manager has contacted it yet), tags a"
    )
