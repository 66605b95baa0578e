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
        digits = YEAR_DIGITS if self.label == "year" else DIGITS
        if not digits.match(text):
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
STEP = re.compile(r"^(.*)/([0-9]+)\Z")
DIGITS = re.compile(r"^[0-9]{1,2}\Z")  # cronexpr reads at most two ASCII digits (four for a year)
YEAR_DIGITS = re.compile(r"^[0-9]{4}\Z")


@functools.lru_cache(maxsize=1024)
def cron_problem(line: str) -> str | None:
    """Why cronexpr would refuse `line`, or None when it compiles."""
    text = line.strip()
    if text.startswith("@"):
        return None if text in PREDEFINED else f"{text!r} is not one of {', '.join(sorted(PREDEFINED))} (lowercase)"
    fields = text.split()
    if len(fields) not in LAYOUTS:
        return f"has {len(fields)} fields; cron lines here have 5, 6 (with year) or 7 (with second and year)"
    for part, field in zip(fields, LAYOUTS[len(fields)], strict=True):
        try:
            field_values(part, field)
        except ValueError as problem:
            return str(problem)
    return None


@functools.lru_cache(maxsize=1024)
def runs_every_second(line: str) -> bool:
    """Whether a line that compiles matches every second of the minutes it matches (5 and 6 fields, and the
    @ shortcuts, fix the second at 0)."""
    fields = line.split()
    return len(fields) == 7 and field_values(fields[0], SECOND) == set(range(60))


def field_values(part: str, field: Field) -> set[int]:
    """The values a field matches; ValueError saying why cronexpr would refuse it. Special day entries (L, W, #)
    are checked but add no values: only the seconds field's values are ever needed."""
    values: set[int] = set()
    for entry in part.split(","):
        if not entry:
            raise ValueError(f"{field.label} field {part!r} has an empty list entry")
        if special_entry(entry, field):
            continue
        values |= entry_values(entry, field)
    return values


def entry_values(entry: str, field: Field) -> set[int]:
    base, step = entry, 1
    stepped = STEP.match(entry)
    if stepped:
        base, step = stepped.group(1), int(stepped.group(2))
        if not 1 <= step <= field.high:
            raise ValueError(f"{field.label} step in {entry!r} must be 1-{field.high}")
    if base in ("*", "?"):
        return set(range(field.low, field.high + 1, step))
    if "-" in base:
        first_text, last_text = base.split("-", maxsplit=1)
        first, last = field.value(first_text), field.value(last_text)
        if first > last:
            raise ValueError(f"{field.label} range {base!r} runs backwards (it would match nothing)")
        return set(range(first, last + 1, step))
    first = field.value(base)
    return set(range(first, field.high + 1, step)) if stepped else {first}


def special_entry(entry: str, field: Field) -> bool:
    """`?`, `L`, `nW`, `LW` (day of month) and `nL`, `n#k` (day of week): cronexpr's extensions."""
    upper = entry.upper()
    if field is DAY_OF_MONTH:
        if upper in ("?", "L", "LW"):
            return True
        if upper.endswith("W") and DIGITS.match(upper[:-1]):
            field.value(upper[:-1])
            return True
    if field is DAY_OF_WEEK:
        if upper == "?":
            return True
        if upper.endswith("L") and len(upper) > 1:
            field.value(entry[:-1])
            return True
        if "#" in upper:
            day, nth = entry.split("#", maxsplit=1)
            field.value(day)
            if not re.match(r"^[1-5]\Z", nth):
                raise ValueError(f"day of week {entry!r}: the number after # must be 1-5")
            return True
    return False
