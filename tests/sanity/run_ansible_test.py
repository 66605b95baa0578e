# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run `ansible-test sanity` on the checkout from a temporary ansible_collections/runnerfleet/gitlab_aws tree.

ansible-test insists on that path. The tree holds exactly the files git would take (tracked, plus untracked
files that .gitignore does not exclude), so the venv, the sandbox's state and build output are never tested.
Extra arguments go to ansible-test (e.g. `--test validate-modules`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP_TOOL = REPO_ROOT.parent / "shared" / "tools" / "install-ansible-test-bootstrap"
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
# The collections ours builds on (galaxy.yml dependencies), as the venv's `ansible` bundles them. ansible-test finds
# a dependency's doc fragments and module_utils only beside the collection under test.
DEPENDENCY_NAMESPACES = ("amazon", "ansible", "community")


def collection_files() -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [name for name in listing.split("\0") if name and (REPO_ROOT / name).is_file()]


def copy_tree(destination: Path) -> None:
    for name in collection_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target)


def link_dependencies(collections_root: Path) -> None:
    """Link the venv's bundled namespaces into the temporary ansible_collections/ (only ours is tested)."""
    import ansible_collections  # noqa: PLC0415 (the venv's namespace package; only needed here)

    for base in map(Path, ansible_collections.__path__):
        for namespace in DEPENDENCY_NAMESPACES:
            target = collections_root / namespace
            if (base / namespace).is_dir() and not target.exists():
                target.symlink_to(base / namespace, target_is_directory=True)


def install_offline_bootstrap() -> None:
    """ansible-test downloads get-pip.py from a host this network cannot reach; the workplace's tool caches a
    stand-in (see .ci/run). Without the tool, ansible-test downloads as usual."""
    if BOOTSTRAP_TOOL.exists():
        subprocess.run([str(BOOTSTRAP_TOOL), sys.executable], check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    install_offline_bootstrap()
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    with tempfile.TemporaryDirectory(prefix="runnerfleet-sanity-") as workspace:
        tree = Path(workspace) / "ansible_collections" / "runnerfleet" / "gitlab_aws"
        copy_tree(tree)
        link_dependencies(tree.parents[1])
        command = [str(bin_dir / "ansible-test"), "sanity", "--venv", "--python", PYTHON_VERSION, "--color", "no"]
        return subprocess.run(command + argv, cwd=tree, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
