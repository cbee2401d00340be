// SPDX-License-Identifier: Apache-2.0
//! One injectable clock for every service: what "now" is when a service
//! decides (a verdict's age, whether an incident is over, when a write
//! happened). Production uses the system clock; tests and `scs serve
//! --evaluate-at` fix it, so the same facts give the same answers. Leases
//! and retry waits always run on the system clock: they are about real time
//! passing, not about what is decided.

use chrono::{DateTime, NaiveDateTime, Utc};

/// The time services decide by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// Always this instant.
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// Now, in UTC.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Self::System => Utc::now(),
            Self::Fixed(t) => *t,
        }
    }

    /// Now, as the naive UTC time the monitor's tables store.
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// A clock fixed at `at` (naive UTC), or the system clock for `None`.
    pub fn fixed_at(at: Option<NaiveDateTime>) -> Self {
        at.map_or(Self::System, |t| Self::Fixed(t.and_utc()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stands_still() {
        let at = NaiveDateTime::parse_from_str("2026-11-27 12:00:00", "%Y-%m-%d %H:%M:%S").unwrap_or_default();
        let clock = Clock::fixed_at(Some(at));
        assert_eq!(clock.now_naive(), at);
        assert_eq!(clock.now(), clock.now());
        assert_eq!(Clock::fixed_at(None), Clock::System);
    }
}
