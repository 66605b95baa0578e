# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks a docker-machine `Periods` line the way GitLab Runner compiles it when it loads config.toml.

The runner hands each line to github.com/gorhill/cronexpr (helpers/timeperiod); a line it cannot compile makes
the whole config.toml fail to load. cronexpr takes 5 fields (minute hour day-of-month month day-of-week), 6 (plus
year) or 7 (second first, then the 6), or one of @yearly, @annually, @monthly, @weekly, @daily, @hourly. A field is
a comma-separated list of `*`, `?`, a value, a range `a-b`, each optionally stepped `/n`; months and weekdays may be
names (jan, january; mon, monday); day-of-month takes `L`, `nW` and `LW`; day-of-week takes `nL` and `n#k`.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import functools
import re

PREDEFINED = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly"})

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NAMES = {name: number for number, name in enumerate(MONTHS, start=1)}
MONTH_NAMES.update(
    {
        full: number
        for number, full in enumerate(
            (
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ),
            start=1,
        )
    }
)
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
WEEKDAY_NAMES = {name: number for number, name in enumerate(WEEKDAYS)}
WEEKDAY_NAMES.update(
    {
        full: number
        for number, full in enumerate(("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"))
    }
)


class Field:
    def __init__(self, label: str, low: int, high: int, names: dict[str, int] | None = None) -> None:
        self.label, self.low, self.high, self.names = label, low, high, names or {}

    def value(self, text: str) -> int:
        lowered = text.lower()
        if lowered in self.names:
            return self.names[lowered]
        if not text.isdigit():
            raise ValueError(f"{self.label} {text!r} is not a number{self.name_hint()}")
        number = int(text)
        if not self.low <= number <= self.high:
            raise ValueError(f"{self.label} {number} is outside {self.low}-{self.high}")
        return number

    def name_hint(self) -> str:
        if not self.names:
            return ""
        return " or a name (" + ", ".join(sorted(name for name in self.names if len(name) == 3)) + ")"


SECOND = Field("second", 0, 59)
MINUTE = Field("minute", 0, 59)
HOUR = Field("hour", 0, 23)
DAY_OF_MONTH = Field("day of month", 1, 31)
MONTH = Field("month", 1, 12, MONTH_NAMES)
DAY_OF_WEEK = Field("day of week", 0, 7, WEEKDAY_NAMES)  # 7 is Sunday too
YEAR = Field("year", 1970, 2099)

LAYOUTS = {
    5: (MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK),
    6: (MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR),
    7: (SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR),
}
STEP = re.compile(r"^(.*)/(\d+)$")


@functools.lru_cache(maxsize=1024)
def cron_problem(line: str) -> str | None:
    """Why cronexpr would refuse `line`, or None when it compiles."""
    text = line.strip()
    if text.startswith("@"):
        return None if text.lower() in PREDEFINED else f"{text!r} is not one of {', '.join(sorted(PREDEFINED))}"
    fields = text.split()
    if len(fields) not in LAYOUTS:
        return f"has {len(fields)} fields; cron lines here have 5, 6 (with year) or 7 (with second and year)"
    for part, field in zip(fields, LAYOUTS[len(fields)], strict=True):
        try:
            check_field(part, field)
        except ValueError as problem:
            return str(problem)
    return None


def seconds_field(line: str) -> str:
    """The seconds field of a line that compiles: "0" unless it has all 7 fields (cronexpr fixes it at 0)."""
    fields = line.split()
    return fields[0] if len(fields) == 7 else "0"


def check_field(part: str, field: Field) -> None:
    for entry in part.split(","):
        if not entry:
            raise ValueError(f"{field.label} field {part!r} has an empty list entry")
        if special_entry(entry, field):
            continue
        stepped = STEP.match(entry)
        base = entry
        if stepped:
            base, step = stepped.group(1), int(stepped.group(2))
            if step < 1:
                raise ValueError(f"{field.label} step in {entry!r} must be at least 1")
        if base in ("*", "?"):
            continue
        if "-" in base:
            first, last = base.split("-", maxsplit=1)
            if field.value(first) > field.value(last):
                raise ValueError(f"{field.label} range {base!r} runs backwards")
        else:
            field.value(base)


def special_entry(entry: str, field: Field) -> bool:
    """`?`, `L`, `nW`, `LW` (day of month) and `nL`, `n#k` (day of week): cronexpr's extensions."""
    upper = entry.upper()
    if field is DAY_OF_MONTH:
        if upper in ("?", "L", "LW"):
            return True
        if upper.endswith("W") and upper[:-1].isdigit():
            field.value(upper[:-1])
            return True
    if field is DAY_OF_WEEK:
        if upper in ("?", "L"):
            return True
        if upper.endswith("L") and len(upper) > 1:
            field.value(entry[:-1])
            return True
        if "#" in upper:
            day, nth = entry.split("#", maxsplit=1)
            field.value(day)
            if not (nth.isdigit() and 1 <= int(nth) <= 5):
                raise ValueError(f"day of week {entry!r}: the number after # must be 1-5")
            return True
    return False
