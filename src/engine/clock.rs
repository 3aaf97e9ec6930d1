//! Simulated time. The engine never reads a real clock: every "now" is a value that
//! only moves when the engine says so (a build step's simulated duration, a command),
//! so the same commands always give the same timestamps, digests and output.

/// 2026-01-01T00:00:00Z: where every fresh simulated world starts.
pub const EPOCH_START: i64 = 1_767_225_600;

/// A simulated clock in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    now_ms: i64,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::starting_at(EPOCH_START)
    }
}

impl Clock {
    pub fn starting_at(seconds: i64) -> Clock {
        Clock {
            now_ms: seconds.saturating_mul(1000),
        }
    }

    /// Seconds since the epoch.
    pub fn now(&self) -> i64 {
        self.now_ms.div_euclid(1000)
    }

    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    pub fn advance_ms(&mut self, ms: u64) {
        self.now_ms = self.now_ms.saturating_add(ms.min(i64::MAX as u64) as i64);
    }
}

/// Days since 1970-01-01 → (year, month 1-12, day), proleptic Gregorian (Howard
/// Hinnant's `civil_from_days`). The one copy for the crate (`date`, apk versions).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month 1-12, day) → days since 1970-01-01 (Howard Hinnant's
/// `days_from_civil`), the inverse of [`civil_from_days`].
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2026-01-01T00:00:00Z`, the form image configs and `docker inspect` use.
pub fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Docker's `units.HumanDuration` as used for "CREATED 2 minutes ago".
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    if s < 1 {
        return "Less than a second".to_string();
    }
    if s == 1 {
        return "1 second".to_string();
    }
    if s < 60 {
        return format!("{s} seconds");
    }
    let minutes = s / 60;
    if minutes == 1 {
        return "About a minute".to_string();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    let hours = (s as f64 / 3600.0).round() as i64;
    if hours == 1 {
        return "About an hour".to_string();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    let days = s / 86_400;
    if days < 7 * 2 {
        return format!("{days} days");
    }
    if days < 30 * 2 {
        return format!("{} weeks", days / 7);
    }
    if days < 365 * 2 {
        return format!("{} months", days / 30);
    }
    format!("{} years", days / 365)
}

#[cfg(test)]
mod tests {

    #[test]
    fn civil_dates_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=12).contains(&m) && (1..=31).contains(&d));
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
    use super::*;

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(EPOCH_START), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_704_067_199), "2023-12-31T23:59:59Z");
    }

    #[test]
    fn human_durations() {
        assert_eq!(human_duration(0), "Less than a second");
        assert_eq!(human_duration(42), "42 seconds");
        assert_eq!(human_duration(90), "About a minute");
        assert_eq!(human_duration(600), "10 minutes");
        assert_eq!(human_duration(3 * 3600), "3 hours");
        assert_eq!(human_duration(3 * 86_400), "3 days");
    }

    #[test]
    fn clock_only_moves_when_told() {
        let mut c = Clock::default();
        assert_eq!(c.now(), EPOCH_START);
        c.advance_ms(1500);
        assert_eq!(c.now(), EPOCH_START + 1);
        assert_eq!(c.now_ms() % 1000, 500);
    }
}
