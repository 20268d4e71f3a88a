"""Working days follow the Chinese public-holiday calendar, with its adjusted workdays."""

from __future__ import annotations

from datetime import date

import pytest

from services.supervision.workdays import (
    CalendarNotCoveredError,
    add_working_days,
    is_workday,
    working_days_between,
)


@pytest.mark.parametrize("holiday", [date(2023, 5, 1), date(2023, 5, 3), date(2023, 10, 2),
                                     date(2023, 10, 6), date(2024, 10, 1), date(2025, 5, 5)])
def test_national_holidays_are_not_working_days(holiday: date) -> None:
    assert holiday.weekday() < 5  # a weekday: only the holiday calendar makes it free
    assert not is_workday(holiday)


@pytest.mark.parametrize("adjusted", [date(2023, 4, 23), date(2023, 5, 6), date(2023, 10, 7),
                                      date(2023, 10, 8)])
def test_weekend_days_made_working_days_count(adjusted: date) -> None:
    assert adjusted.weekday() >= 5
    assert is_workday(adjusted)


def test_labour_day_2023_leaves_one_working_day_between_friday_and_thursday() -> None:
    # 4-29 … 5-3 are the holiday; 5-4 (Thursday) is the first working day after 4-28.
    assert working_days_between(date(2023, 4, 28), date(2023, 5, 4)) == 1
    assert add_working_days(date(2023, 4, 28), 1) == date(2023, 5, 4)


def test_national_day_2023_counts_the_adjusted_weekend() -> None:
    # 9-29 … 10-6 off; Saturday 10-7 and Sunday 10-8 are working days.
    assert working_days_between(date(2023, 9, 28), date(2023, 10, 9)) == 3
    assert add_working_days(date(2023, 9, 28), 2) == date(2023, 10, 8)


def test_a_count_backwards_is_negative_and_the_due_day_itself_is_zero() -> None:
    assert working_days_between(date(2023, 3, 6), date(2023, 3, 6)) == 0
    assert working_days_between(date(2023, 3, 7), date(2023, 3, 6)) == -1
    assert working_days_between(date(2023, 3, 13), date(2023, 3, 10)) == -1  # over a weekend


def test_a_year_the_calendar_does_not_know_is_an_error_not_a_guess() -> None:
    with pytest.raises(CalendarNotCoveredError) as refused:
        is_workday(date(2099, 5, 1))
    assert "2099" in refused.value.zh
    assert "2099" in refused.value.en
