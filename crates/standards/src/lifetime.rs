// SPDX-License-Identifier: Apache-2.0
//! How long a testcase result stays valid (scs-0003-v1, as the compliance
//! monitor computes it).
//!
//! A result is valid until the end of the *next* period, so a weekly test run
//! on any day of a week stays valid through the following week; `year` runs
//! until the end of the following month plus one year. Expiry instants are
//! exclusive: at the instant itself the result is expired.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The lifetime of a testcase's results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifetime {
    /// Valid until the end of the next day.
    Day,
    /// Valid until the end of the next ISO week (the default).
    #[default]
    Week,
    /// Valid until the end of the next month.
    Month,
    /// Valid until the end of the next quarter.
    Quarter,
    /// Valid until the end of the next month, one year later.
    Year,
}

impl Lifetime {
    /// All lifetimes, shortest first.
    pub const ALL: [Self; 5] = [Self::Day, Self::Week, Self::Month, Self::Quarter, Self::Year];

    /// The name used in scope files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    /// First instant at which a result checked at `checked_at` is expired.
    pub fn expires_at(self, checked_at: NaiveDateTime) -> NaiveDateTime {
        let date = checked_at.date();
        let expiry = match self {
            Self::Day => date.checked_add_days(Days::new(2)),
            Self::Week => date.checked_add_days(Days::new(14 - u64::from(date.weekday().num_days_from_monday()))),
            Self::Month => first_of_month(date.year(), date.month0() + 2),
            Self::Quarter => first_of_month(date.year(), (date.month0() / 3 + 2) * 3),
            Self::Year => first_of_month(date.year() + 1, date.month0() + 2),
        };
        // Only dates at the very end of chrono's range overflow; they never expire.
        expiry.map_or(NaiveDateTime::MAX, |d| d.and_time(chrono::NaiveTime::MIN))
    }

    /// Whether a result checked at `checked_at` is still valid at `now`.
    pub fn is_valid(self, checked_at: NaiveDateTime, now: NaiveDateTime) -> bool {
        now < self.expires_at(checked_at)
    }
}

/// The first day of month `month0` (0-based, may exceed 11) counted from January of `year`.
fn first_of_month(year: i32, month0: u32) -> Option<NaiveDate> {
    let year = year.checked_add(i32::try_from(month0 / 12).ok()?)?;
    NaiveDate::from_ymd_opt(year, month0 % 12 + 1, 1)
}

impl fmt::Display for Lifetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of `day`, `week`, `month`, `quarter`, `year`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown lifetime '{0}'")]
pub struct UnknownLifetime(pub String);

impl FromStr for Lifetime {
    type Err = UnknownLifetime;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|l| l.as_str() == s).ok_or_else(|| UnknownLifetime(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// (lifetime, checked at, first expired instant)
    const TABLE: &[(Lifetime, &str, &str)] = &[
        // day: end of the next day
        (Lifetime::Day, "2025-03-10 00:00:00", "2025-03-12 00:00:00"),
        (Lifetime::Day, "2025-03-10 23:59:59", "2025-03-12 00:00:00"),
        (Lifetime::Day, "2024-02-28 12:00:00", "2024-03-01 00:00:00"),
        (Lifetime::Day, "2025-02-28 12:00:00", "2025-03-02 00:00:00"),
        (Lifetime::Day, "2025-12-31 08:00:00", "2026-01-02 00:00:00"),
        // week: Monday after next (weekday math, Mon=0)
        (Lifetime::Week, "2025-03-10 09:00:00", "2025-03-24 00:00:00"), // Monday
        (Lifetime::Week, "2025-03-16 23:00:00", "2025-03-24 00:00:00"), // Sunday
        (Lifetime::Week, "2025-03-17 00:00:00", "2025-03-31 00:00:00"), // next Monday
        (Lifetime::Week, "2025-12-25 10:00:00", "2026-01-05 00:00:00"), // Thursday, year rollover
        (Lifetime::Week, "2024-02-29 10:00:00", "2024-03-11 00:00:00"), // leap day, Thursday
        // month: first of the month after next
        (Lifetime::Month, "2025-01-31 10:00:00", "2025-03-01 00:00:00"),
        (Lifetime::Month, "2025-10-01 00:00:00", "2025-12-01 00:00:00"),
        (Lifetime::Month, "2025-11-15 00:00:00", "2026-01-01 00:00:00"),
        (Lifetime::Month, "2025-12-01 00:00:00", "2026-02-01 00:00:00"), // Dec -> Feb
        (Lifetime::Month, "2025-12-31 23:59:59", "2026-02-01 00:00:00"),
        // quarter: first day of the quarter after next
        (Lifetime::Quarter, "2025-01-01 00:00:00", "2025-07-01 00:00:00"),
        (Lifetime::Quarter, "2025-03-31 23:59:59", "2025-07-01 00:00:00"),
        (Lifetime::Quarter, "2025-04-01 00:00:00", "2025-10-01 00:00:00"),
        (Lifetime::Quarter, "2025-07-15 00:00:00", "2026-01-01 00:00:00"),
        (Lifetime::Quarter, "2025-09-30 00:00:00", "2026-01-01 00:00:00"),
        (Lifetime::Quarter, "2025-10-01 00:00:00", "2026-04-01 00:00:00"),
        (Lifetime::Quarter, "2025-12-31 00:00:00", "2026-04-01 00:00:00"),
        // year: first of (month + 2) in the next year
        (Lifetime::Year, "2025-01-15 00:00:00", "2026-03-01 00:00:00"),
        (Lifetime::Year, "2025-10-31 00:00:00", "2026-12-01 00:00:00"),
        (Lifetime::Year, "2025-11-01 00:00:00", "2027-01-01 00:00:00"), // Nov -> Jan, +2 years
        (Lifetime::Year, "2025-12-31 00:00:00", "2027-02-01 00:00:00"), // Dec -> Feb, +2 years
        (Lifetime::Year, "2024-02-29 00:00:00", "2025-04-01 00:00:00"), // leap day
    ];

    #[test]
    fn expiry_table() {
        for (lifetime, checked, expires) in TABLE {
            assert_eq!(lifetime.expires_at(at(checked)), at(expires), "{lifetime} checked at {checked}");
        }
    }

    #[test]
    fn expiry_is_exclusive() {
        let checked = at("2025-03-10 09:00:00");
        assert!(Lifetime::Day.is_valid(checked, at("2025-03-11 23:59:59")));
        assert!(!Lifetime::Day.is_valid(checked, at("2025-03-12 00:00:00")));
    }

    #[test]
    fn the_end_of_time_does_not_panic() {
        for lifetime in Lifetime::ALL {
            let _ = lifetime.expires_at(NaiveDateTime::MAX);
        }
    }

    #[test]
    fn parses_names() {
        assert_eq!("quarter".parse::<Lifetime>(), Ok(Lifetime::Quarter));
        assert!("fortnight".parse::<Lifetime>().is_err());
    }
}
