# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pip's install output, a line per package: what `make sandbox` and `make venv` show while they install.

    pip install --progress-bar off -r requirements-sandbox.txt 2>&1 | python hacking/pip_progress.py

- `Collecting X` and the `Downloading x-1.0-py3-none-any.whl (2.4 MB)` under it (or `Using cached ...`,
  `Processing /path/x-1.0-....whl`) become one line: `  x 1.0 (2.4 MB)`.
- `Requirement already satisfied: ...` lines are counted, and said once at the end.
- `Installing collected packages: a, b, ...` says how many. pip is silent while it unpacks them (ansible's bundled
  collections are 20,000 files) and while it downloads a large file, so a line every HEARTBEAT_SECONDS of silence
  says what it is still doing.
- pip's warning that a location its configuration names does not exist, which it repeats for every package, is
  shown once with a count.
- Anything else, warnings and errors among them, passes unchanged.

It never fails: the Makefile's pipefail gives pip's own exit status.
"""

from __future__ import annotations

import queue
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator

HEARTBEAT_SECONDS = 10.0
INDENT = "  "
COLLECTING = re.compile(r"^Collecting (?P<spec>\S+)")
# `  Downloading https://.../ansible-12.3.0-py3-none-any.whl (54.4 MB)`, `  Using cached botocore-1.44.5-....whl`
FETCHED = re.compile(r"^\s*(?P<how>Downloading|Using cached) (?P<file>\S+)(?: \((?P<size>[^)]*)\))?")
PROCESSING = re.compile(r"^Processing (?P<file>\S+)")
INSTALLING = re.compile(r"^Installing collected packages: (?P<names>.*)$")
INSTALLED = re.compile(r"^Successfully installed (?P<items>.*)$")
ALREADY = re.compile(r"^Requirement already satisfied: ")
REPLACING = re.compile(r"^\s*Attempting uninstall: (?P<name>\S+)")
MISSING_LOCATION = re.compile(r"^WARNING: Location '[^']*' is ignored: it is neither a file nor a directory\.")
DROPPED = re.compile(
    r"^(Looking in (indexes|links): "
    r"|\s*Obtaining dependency information for "
    r"|\s*Found existing installation: "
    r"|\s*Uninstalling \S+:"
    r"|\s*Successfully uninstalled "
    r"|\s*$)"
)


def distribution(file: str) -> str:
    """`name version` from a wheel's or sdist's file name or URL (the file name itself when it is neither)."""
    name = file.rstrip("/").rsplit("/", 1)[-1].split("#", 1)[0]
    if name.endswith(".whl"):
        parts = name[: -len(".whl")].split("-")
        if len(parts) >= 2:  # name-version-...
            return f"{parts[0]} {parts[1]}"
    for suffix in (".tar.gz", ".zip", ".tar.bz2"):
        if name.endswith(suffix) and "-" in name:
            stem, version = name[: -len(suffix)].rsplit("-", 1)
            return f"{stem} {version}"
    return name


def count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


class Summary:
    """Turns pip's lines into the short ones, keeping what it has to say at the end."""

    def __init__(self) -> None:
        self.already = 0
        self.missing_locations = 0
        self.installing_since: float | None = None
        # What pip started last and when, for the heartbeat: ("downloading ansible 12.3.0", t) or ("unpacking", t).
        self.busy: tuple[str, float] | None = None

    def line(self, raw: str, now: float) -> list[str]:  # noqa: PLR0911 (one return per kind of line)
        text = raw.rstrip("\n")
        if match := FETCHED.match(text):
            file = match["file"]
            if file.endswith(".metadata"):  # pip reading a package's metadata before it resolves
                return []
            if match["how"] == "Using cached":
                return [f"{INDENT}{distribution(file)} (cached)"]
            self.busy = (f"downloading {distribution(file)}", now)
            return [f"{INDENT}{distribution(file)} ({match['size'] or 'downloading'})"]
        if match := PROCESSING.match(text):
            self.busy = None
            return [f"{INDENT}{distribution(match['file'])} (local file)"]
        if COLLECTING.match(text):
            self.busy = None  # the download before it is done
            return []
        if DROPPED.match(text):
            return []
        if ALREADY.match(text):
            self.already += 1
            return []
        if MISSING_LOCATION.match(text):
            self.missing_locations += 1
            if self.missing_locations == 1:
                return [text, f"{INDENT}(pip repeats this warning for each package: said once here)"]
            return []
        if match := REPLACING.match(text):
            return [f"{INDENT}replacing the installed {match['name']}"]
        if match := INSTALLING.match(text):
            names = [name.strip() for name in match["names"].split(",") if name.strip()]
            self.installing_since = now
            self.busy = ("unpacking", now)
            why = " (the longest step: ansible is 20,000 files)" if "ansible" in names else ""
            return [f"{INDENT}unpacking {count(len(names), 'package')} into the venv{why}"]
        if match := INSTALLED.match(text):
            installed = len(match["items"].split())
            took = f" in {now - self.installing_since:.0f} s" if self.installing_since is not None else ""
            self.installing_since = None
            self.busy = None
            return [f"{INDENT}installed {count(installed, 'package')}{took}"]
        self.busy = None
        return [text]

    def heartbeat(self, now: float) -> list[str]:
        """What pip is still busy with, when it has been quiet for a while."""
        if self.busy is None:
            return []
        what, since = self.busy
        return [f"{INDENT}... still {what} ({now - since:.0f} s)"]

    def end(self) -> list[str]:
        lines = []
        if self.already:
            lines.append(f"{INDENT}{count(self.already, 'requirement')} already installed")
        if self.missing_locations > 1:
            lines.append(f"{INDENT}({self.missing_locations} warnings in all about locations that do not exist)")
        return lines


def lines_with_heartbeats(source: Iterable[str], interval: float) -> Iterator[str | None]:
    """The lines of source as they come, and None whenever interval seconds pass without one."""
    pending: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in source:
            pending.put(line)
        pending.put(None)

    threading.Thread(target=read, daemon=True).start()
    while True:
        try:
            item = pending.get(timeout=interval)
        except queue.Empty:
            yield None
            continue
        if item is None:
            return
        yield item


def run(source: Iterable[str], write: Callable[[str], None], interval: float = HEARTBEAT_SECONDS) -> None:
    summary = Summary()
    for item in lines_with_heartbeats(source, interval):
        now = time.monotonic()
        for line in summary.heartbeat(now) if item is None else summary.line(item, now):
            write(line)
    for line in summary.end():
        write(line)


def main() -> None:
    def write(line: str) -> None:
        print(line, flush=True)

    run(sys.stdin, write)


if __name__ == "__main__":
    main()
