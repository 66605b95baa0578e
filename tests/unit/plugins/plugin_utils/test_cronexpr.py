# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cron_problem: a docker-machine `Periods` line is refused exactly when github.com/gorhill/cronexpr (the parser
GitLab Runner compiles it with at load) would refuse it, with a reason naming the field."""

from __future__ import annotations

import pytest
from ansible_collections.runnerfleet.gitlab_aws.plugins.plugin_utils._cronexpr import cron_problem

# ------------------------------------------------------------------------------------------------- accepted lines


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("* * * * *", id="five-wildcards"),
        pytest.param("*/15 9-17 * * mon-fri", id="five-fields-office-hours"),
        pytest.param("0 0 1 1 * 2030", id="six-fields-with-year"),
        pytest.param("* * 9-17 * * mon-fri *", id="seven-fields-runner-docs-example"),
        pytest.param("0 30 8 * * * 1970-2099", id="seven-fields-year-range"),
        pytest.param("59 59 23 31 12 7 2099", id="every-field-at-its-maximum"),
        pytest.param("0 0 0 1 1 0 1970", id="every-field-at-its-minimum"),
        pytest.param("  0 9 * * 1  ", id="surrounding-blanks"),
        pytest.param("0\t9 *  * 1", id="tabs-and-double-spaces"),
        pytest.param("0,15,30,45 * * * *", id="list"),
        pytest.param("0-30/10 * * * *", id="range-with-step"),
        pytest.param("5/10 * * * *", id="value-with-step"),
        pytest.param("*/1 * * * *", id="step-of-one"),
        pytest.param("05 09 * * *", id="leading-zero"),
        pytest.param("* * * jan *", id="month-short-name"),
        pytest.param("* * * January *", id="month-full-name-capitalised"),
        pytest.param("* * * JAN-dec *", id="month-name-range-mixed-case"),
        pytest.param("* * * may *", id="may-short-is-full"),
        pytest.param("* * * * mon", id="weekday-short-name"),
        pytest.param("* * * * Monday", id="weekday-full-name"),
        pytest.param("* * * * sat,sun", id="weekday-name-list"),
        pytest.param("* * * * 7", id="seven-is-sunday"),
        pytest.param("* * ? * mon", id="question-mark-day-of-month"),
        pytest.param("* * * * ?", id="question-mark-day-of-week"),
        pytest.param("0 0 L * *", id="last-day-of-month"),
        pytest.param("0 0 l * *", id="last-day-of-month-lower-case"),
        pytest.param("0 0 LW * *", id="last-workday-of-month"),
        pytest.param("0 0 15W * *", id="nearest-workday"),
        pytest.param("0 0 * * 5L", id="last-friday"),
        pytest.param("0 0 * * friL", id="last-friday-by-name"),
        pytest.param("0 0 * * 5#3", id="third-friday"),
        pytest.param("0 0 * * 5#5", id="fifth-friday"),
        pytest.param("@daily", id="at-daily"),
        pytest.param("@hourly", id="at-hourly"),
        pytest.param("@weekly", id="at-weekly"),
        pytest.param("@monthly", id="at-monthly"),
        pytest.param("@yearly", id="at-yearly"),
        pytest.param("@annually", id="at-annually"),
    ],
)
def test_lines_cronexpr_compiles_are_accepted(line):
    assert cron_problem(line) is None


# ------------------------------------------------------------------------------------------------- refused lines


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        pytest.param("", "has 0 fields", id="empty"),
        pytest.param("   ", "has 0 fields", id="blank"),
        pytest.param("* * * *", "has 4 fields", id="four-fields"),
        pytest.param("* * * * * * * *", "has 8 fields", id="eight-fields"),
        pytest.param("60 * * * *", "minute 60 is outside 0-59", id="minute-60"),
        pytest.param("* 24 * * *", "hour 24 is outside 0-23", id="hour-24"),
        pytest.param("* * 0 * *", "day of month 0 is outside 1-31", id="day-of-month-0"),
        pytest.param("* * 32 * *", "day of month 32 is outside 1-31", id="day-of-month-32"),
        pytest.param("* * * 0 *", "month 0 is outside 1-12", id="month-0"),
        pytest.param("* * * 13 *", "month 13 is outside 1-12", id="month-13"),
        pytest.param("* * * * 8", "day of week 8 is outside 0-7", id="day-of-week-8"),
        pytest.param("* * * * * 1969", "year 1969 is outside 1970-2099", id="year-1969"),
        pytest.param("* * * * * 2100", "year 2100 is outside 1970-2099", id="year-2100"),
        pytest.param("60 * * * * * *", "second 60 is outside 0-59", id="second-60"),
        pytest.param("* * * * jan", "day of week 'jan' is not a number or a name (", id="month-name-as-weekday"),
        pytest.param("* * * mon *", "month 'mon' is not a number or a name (apr, aug", id="weekday-name-as-month"),
        pytest.param("* * * janu *", "month 'janu' is not a number", id="truncated-month-name"),
        pytest.param("x * * * *", "minute 'x' is not a number", id="letter-minute"),
        pytest.param("-5 * * * *", "minute '' is not a number", id="negative-minute"),
        pytest.param("*/0 * * * *", "minute step in '*/0' must be 1-59", id="step-zero"),
        pytest.param("0-30/0 * * * *", "minute step in '0-30/0' must be 1-59", id="range-step-zero"),
        pytest.param("17-9 * * * *", "minute range '17-9' runs backwards", id="backwards-range"),
        pytest.param("* * * * fri-mon", "day of week range 'fri-mon' runs backwards", id="backwards-weekdays"),
        pytest.param("1,,2 * * * *", "minute field '1,,2' has an empty list entry", id="empty-list-entry"),
        pytest.param("L * * * *", "minute 'L' is not a number", id="L-in-minute"),
        pytest.param("0 0 * * 5#6", "the number after # must be 1-5", id="sixth-friday"),
        pytest.param("0 0 * * 5#0", "the number after # must be 1-5", id="zeroth-friday"),
        pytest.param("0 0 * * 9L", "day of week 9 is outside 0-7", id="last-weekday-9"),
        pytest.param("0 0 32W * *", "day of month 32 is outside 1-31", id="workday-32"),
        pytest.param("0 0 * * 5W", "day of week '5W' is not a number", id="W-in-day-of-week"),
        pytest.param("@reboot", "'@reboot' is not one of @annually, @daily, @hourly", id="at-reboot"),
        pytest.param("@every 5m", "is not one of", id="at-every"),
        # Where gorhill/cronexpr (cronexpr_parse.go) is stricter than a plain range check: steps beyond the field's
        # maximum, a bare L as the day of week, upper-case shortcuts, and numbers it cannot read.
        pytest.param("*/60 * * * *", "minute step in '*/60' must be 1-59", id="minute-step-60"),
        pytest.param("0 */24 * * *", "hour step in '*/24' must be 1-23", id="hour-step-24"),
        pytest.param("0 0 */32 * *", "day of month step in '*/32' must be 1-31", id="day-of-month-step-32"),
        pytest.param("0 0 1-10/40 * *", "day of month step in '1-10/40' must be 1-31", id="range-step-40"),
        pytest.param("0 0 * * L", "day of week 'L' is not a number or a name", id="bare-L-in-day-of-week"),
        pytest.param("@DAILY", "'@DAILY' is not one of", id="upper-case-shortcut"),
        pytest.param("007 * * * *", "minute '007' is not a number", id="two-leading-zeros"),
        pytest.param("\u0663 * * * *", "minute '\u0663' is not a number", id="arabic-indic-digit"),
        pytest.param("0 0 * * 5#03", "the number after # must be 1-5", id="nth-with-leading-zero"),
    ],
)
def test_lines_cronexpr_refuses_are_refused_with_the_reason(line, reason):
    problem = cron_problem(line)
    assert problem is not None
    assert reason in problem
