# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox's local AWS: moto's server with the sandbox's patches applied first, and its request log
(sandbox/aws_requests.py: GET /-/sandbox/requests, POST /-/sandbox/requests/reset), and its instances' disks
(sandbox/instance_disks.py).

Run by sandbox/ctl.py as `python -m sandbox.aws_server --host 127.0.0.1 --port N`; the arguments are
moto_server's own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sandbox import aws_requests, instance_disks, moto_patches


def main(argv: list[str] | None = None) -> None:
    moto_patches.apply()
    hosts = os.environ.get(instance_disks.HOSTS_ENVIRONMENT)
    if hosts:
        instance_disks.install(Path(hosts))
    from moto import server  # noqa: PLC0415 (imported after the patches so that every backend is built patched)

    aws_requests.install()

    server.main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
