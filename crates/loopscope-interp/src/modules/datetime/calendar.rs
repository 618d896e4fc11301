//! The proleptic Gregorian calendar of the `datetime` module, as pure
//! functions: day ordinals counted from 0001-01-01 = 1 (CPython
//! Modules/_datetimemodule.c `ymd_to_ord`/`ord_to_ymd`), weekdays and the
//! ISO 8601 calendar.

/// `datetime.MINYEAR` and `datetime.MAXYEAR`.
pub const MIN_YEAR: i64 = 1;
pub const MAX_YEAR: i64 = 9999;
/// `date.max.toordinal()`.
pub const MAX_ORDINAL: i64 = 3_652_059;

const DAYS_IN_MONTH: [i64; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DAYS_BEFORE_MONTH: [i64; 13] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

pub const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in a month (1..=12) of a year.
pub fn days_in_month(year: i64, month: i64) -> i64 {
    if month == 2 && is_leap(year) {
        return 29;
    }
    DAYS_IN_MONTH
        .get(month.clamp(0, 12) as usize)
        .copied()
        .unwrap_or(31)
}

fn days_before_year(year: i64) -> i64 {
    let y = year - 1;
    y * 365 + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400)
}

fn days_before_month(year: i64, month: i64) -> i64 {
    let before = DAYS_BEFORE_MONTH
        .get(month.clamp(0, 12) as usize)
        .copied()
        .unwrap_or(0);
    before + i64::from(month > 2 && is_leap(year))
}

/// The ordinal of a date (0001-01-01 is 1).
pub fn ymd_to_ord(year: i64, month: i64, day: i64) -> i64 {
    days_before_year(year) + days_before_month(year, month) + day
}

/// The date of an ordinal (CPython `ord_to_ymd`).
pub fn ord_to_ymd(ordinal: i64) -> (i64, i64, i64) {
    const DI400Y: i64 = 146_097;
    const DI100Y: i64 = 36_524;
    const DI4Y: i64 = 1461;
    let n = ordinal - 1;
    let (n400, n) = (n.div_euclid(DI400Y), n.rem_euclid(DI400Y));
    let mut year = n400 * 400 + 1;
    let (n100, n) = (n / DI100Y, n % DI100Y);
    let (n4, n) = (n / DI4Y, n % DI4Y);
    let (n1, n) = (n / 365, n % 365);
    year += n100 * 100 + n4 * 4 + n1;
    if n1 == 4 || n100 == 4 {
        return (year - 1, 12, 31);
    }
    let leap = n1 == 3 && (n4 != 24 || n100 == 3);
    let mut month = (n + 50) >> 5;
    let mut preceding = DAYS_BEFORE_MONTH[month as usize] + i64::from(month > 2 && leap);
    if preceding > n {
        month -= 1;
        preceding -= DAYS_IN_MONTH[month as usize] + i64::from(month == 2 && leap);
    }
    (year, month, n - preceding + 1)
}

/// Monday = 0.
pub fn weekday(year: i64, month: i64, day: i64) -> i64 {
    (ymd_to_ord(year, month, day) + 6).rem_euclid(7)
}

/// Day of the year, 1-based.
pub fn day_of_year(year: i64, month: i64, day: i64) -> i64 {
    days_before_month(year, month) + day
}

/// The ordinal of the Monday of ISO week 1 of a year.
fn iso_week1_monday(year: i64) -> i64 {
    let first_day = ymd_to_ord(year, 1, 1);
    let first_weekday = (first_day + 6) % 7;
    let mut week1_monday = first_day - first_weekday;
    if first_weekday > 3 {
        week1_monday += 7;
    }
    week1_monday
}

/// ISO year, week and weekday (1..=7) of a date (CPython `date_isocalendar`).
pub fn iso_calendar(year: i64, month: i64, day: i64) -> (i64, i64, i64) {
    let mut year = year;
    let today = ymd_to_ord(year, month, day);
    let mut week1_monday = iso_week1_monday(year);
    let mut week = (today - week1_monday).div_euclid(7);
    let mut weekday = (today - week1_monday).rem_euclid(7);
    if week < 0 {
        year -= 1;
        week1_monday = iso_week1_monday(year);
        week = (today - week1_monday).div_euclid(7);
        weekday = (today - week1_monday).rem_euclid(7);
    } else if week >= 52 && today >= iso_week1_monday(year + 1) {
        year += 1;
        week = 0;
    }
    (year, week + 1, weekday + 1)
}

/// The date of an ISO year, week and weekday, or CPython's message
/// (`date.fromisocalendar`).
pub fn iso_to_ymd(year: i64, week: i64, day: i64) -> Result<(i64, i64, i64), String> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(format!("Year is out of range: {year}"));
    }
    iso_week_date(year, week, day)
}

/// CPython's `iso_to_ymd`: [`iso_to_ymd`] without the year check.
pub fn iso_week_date(year: i64, week: i64, day: i64) -> Result<(i64, i64, i64), String> {
    if !(1..=52).contains(&week) {
        let mut out_of_range = true;
        if week == 53 {
            // ISO years have 53 weeks when they start on a Thursday, or on
            // a Wednesday in leap years.
            let first_weekday = ymd_to_ord(year, 1, 1) % 7;
            if first_weekday == 4 || (first_weekday == 3 && is_leap(year)) {
                out_of_range = false;
            }
        }
        if out_of_range {
            return Err(format!("Invalid week: {week}"));
        }
    }
    if !(1..=7).contains(&day) {
        return Err(format!("Invalid day: {day} (range is [1, 7])"));
    }
    let ordinal = iso_week1_monday(year) + (week - 1) * 7 + (day - 1);
    Ok(ord_to_ymd(ordinal))
}

/// Checks a date's fields, with the messages of CPython's `check_date_args`.
pub fn check_date(year: i64, month: i64, day: i64) -> Result<(), String> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(format!("year {year} is out of range"));
    }
    if !(1..=12).contains(&month) {
        return Err("month must be in 1..12".to_string());
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err("day is out of range for month".to_string());
    }
    Ok(())
}

/// Checks a time's fields (CPython `check_time_args`).
pub fn check_time(
    hour: i64,
    minute: i64,
    second: i64,
    micro: i64,
    fold: i64,
) -> Result<(), String> {
    if !(0..=23).contains(&hour) {
        return Err("hour must be in 0..23".to_string());
    }
    if !(0..=59).contains(&minute) {
        return Err("minute must be in 0..59".to_string());
    }
    if !(0..=59).contains(&second) {
        return Err("second must be in 0..59".to_string());
    }
    if !(0..=999_999).contains(&micro) {
        return Err("microsecond must be in 0..999999".to_string());
    }
    if fold != 0 && fold != 1 {
        return Err("fold must be either 0 or 1".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_round_trip() {
        assert_eq!(ymd_to_ord(1, 1, 1), 1);
        assert_eq!(ymd_to_ord(9999, 12, 31), MAX_ORDINAL);
        assert_eq!(ymd_to_ord(2000, 1, 1), 730_120);
        for ordinal in [1, 59, 60, 365, 366, 730_120, 730_179, 730_180, MAX_ORDINAL] {
            let (y, m, d) = ord_to_ymd(ordinal);
            assert_eq!(ymd_to_ord(y, m, d), ordinal);
        }
        assert_eq!(ord_to_ymd(730_179), (2000, 2, 29));
    }

    #[test]
    fn weekdays_and_iso_weeks() {
        assert_eq!(weekday(2025, 9, 1), 0);
        assert_eq!(iso_calendar(2020, 1, 1), (2020, 1, 3));
        assert_eq!(iso_calendar(2021, 1, 1), (2020, 53, 5));
        assert_eq!(iso_calendar(2024, 12, 30), (2025, 1, 1));
        assert_eq!(iso_to_ymd(2020, 53, 5), Ok((2021, 1, 1)));
        assert!(iso_to_ymd(2021, 53, 1).is_err());
    }
}
