//! Interviews scheduled on the marketplace: a time, a kind and who runs it. Each one, and each
//! change of its time, is posted to the candidate's Workable timeline as a comment.

use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterviewKind {
    PhoneScreen,
    Technical,
    Onsite,
    Final,
}
text_enum!(InterviewKind, "interview kind", {
    PhoneScreen => "phone_screen",
    Technical => "technical",
    Onsite => "onsite",
    Final => "final",
});

impl InterviewKind {
    pub fn label(self) -> &'static str {
        match self {
            InterviewKind::PhoneScreen => "Phone screen",
            InterviewKind::Technical => "Technical interview",
            InterviewKind::Onsite => "On-site interview",
            InterviewKind::Final => "Final interview",
        }
    }
}

/// How long an interview may last, in minutes.
pub const DURATIONS: std::ops::RangeInclusive<i64> = 15..=480;

/// An interview as the pipeline shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interview {
    pub id: crate::InterviewId,
    pub kind: InterviewKind,
    pub starts_at_ms: i64,
    /// When it starts, in the reader's time zone (`Thu 3 Dec 2026, 09:30 EST`).
    pub starts: String,
    /// The same as a `datetime-local` field's value in that zone (`2026-12-03T09:30`).
    pub starts_field: String,
    pub duration_minutes: i64,
    pub interviewer: String,
    /// Posted to the Workable timeline as it is now.
    pub in_workable: bool,
    pub cancelled: bool,
}

/// Which field of a schedule is wrong, and what to do about it.
fn wrong(field: &str, message: &str) -> FieldError {
    FieldError::new(field, message)
}

/// A schedule or reschedule, parsed at the boundary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterviewPlan {
    pub kind: InterviewKind,
    pub starts_at_ms: i64,
    /// The IANA time zone the time was given in.
    pub time_zone: String,
    pub duration_minutes: i64,
    pub interviewer: String,
}

impl InterviewPlan {
    /// `starts_at` is `YYYY-MM-DDTHH:MM`, a `datetime-local` field's wall-clock time in the time
    /// zone named `time_zone`; `in_zone` turns it (as [`parse_local_minute`] reads it) into the
    /// instant it names there.
    pub fn parse(
        kind: &str,
        starts_at: &str,
        duration_minutes: i64,
        interviewer: &str,
        time_zone: &str,
        in_zone: impl FnOnce(i64) -> Option<i64>,
    ) -> Result<Self, FieldError> {
        let kind = InterviewKind::parse(kind).map_err(|_| wrong("kind", "Choose the kind of interview."))?;
        let starts_at_ms = parse_local_minute(starts_at)
            .and_then(in_zone)
            .ok_or_else(|| wrong("starts_at", "Give the time as a date and a time (YYYY-MM-DD HH:MM)."))?;
        if !DURATIONS.contains(&duration_minutes) {
            return Err(wrong("duration_minutes", "An interview lasts between 15 minutes and 8 hours."));
        }
        let interviewer = interviewer.trim();
        if interviewer.is_empty() || interviewer.chars().count() > 120 {
            return Err(wrong("interviewer", "Say who runs the interview (up to 120 characters)."));
        }
        Ok(InterviewPlan {
            kind,
            starts_at_ms,
            time_zone: time_zone.to_owned(),
            duration_minutes,
            interviewer: interviewer.to_owned(),
        })
    }
}

/// `YYYY-MM-DDTHH:MM[:SS]` (or with a space) as milliseconds, read as if UTC (a zone then says
/// which instant it is). Hand-written: the domain crate
/// builds for the browser too and only needs this one civil-date conversion.
pub fn parse_local_minute(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once(['T', ' '])?;
    let mut d = date.split('-');
    let (y, m, day): (i64, i64, i64) = (d.next()?.parse().ok()?, d.next()?.parse().ok()?, d.next()?.parse().ok()?);
    if d.next().is_some() || !(2000..=2100).contains(&y) || !(1..=12).contains(&m) || day < 1 || day > days_in(y, m) {
        return None;
    }
    let mut t = time.split(':');
    let (h, min): (i64, i64) = (t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    let s: i64 = match t.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if t.next().is_some() || !(0..24).contains(&h) || !(0..60).contains(&min) || !(0..60).contains(&s) {
        return None;
    }
    Some(((days_from_civil(y, m, day) * 24 + h) * 60 + min) * 60_000 + s * 1000)
}

fn days_in(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_datetime_local_value_is_read_as_utc() {
        assert_eq!(parse_local_minute("1970-01-01T00:00"), None); // before 2000: refused
        assert_eq!(parse_local_minute("2026-12-03T14:30"), Some(1_796_308_200_000));
        assert_eq!(parse_local_minute("2024-02-29 09:05:07"), Some(1_709_197_507_000));
        assert_eq!(parse_local_minute("2025-02-29T09:00"), None);
        assert_eq!(parse_local_minute("2026-12-03T24:00"), None);
        assert_eq!(parse_local_minute("next tuesday"), None);
    }

    #[test]
    fn a_plan_names_the_field_that_is_wrong() {
        let utc = |kind, starts_at, minutes, who| InterviewPlan::parse(kind, starts_at, minutes, who, "UTC", Some);
        let plan = utc("technical", "2026-12-03T14:30", 60, "  Dana Kim ").unwrap();
        assert_eq!(plan.interviewer, "Dana Kim");
        assert_eq!(plan.kind, InterviewKind::Technical);
        assert_eq!(plan.starts_at_ms, 1_796_308_200_000);
        assert_eq!(utc("lunch", "2026-12-03T14:30", 60, "Dana").unwrap_err().field, "kind");
        assert_eq!(utc("final", "soon", 60, "Dana").unwrap_err().field, "starts_at");
        assert_eq!(utc("final", "2026-12-03T14:30", 5, "Dana").unwrap_err().field, "duration_minutes");
        assert_eq!(utc("final", "2026-12-03T14:30", 60, " ").unwrap_err().field, "interviewer");
        // A time its zone cannot place is the field's fault too.
        let nowhere = InterviewPlan::parse("final", "2026-12-03T14:30", 60, "Dana", "UTC", |_| None);
        assert_eq!(nowhere.unwrap_err().field, "starts_at");
        let eastern = InterviewPlan::parse("final", "2026-12-03T09:30", 60, "Dana", "America/New_York", |wall| {
            Some(wall + 5 * 3_600_000)
        });
        assert_eq!(eastern.unwrap().starts_at_ms, 1_796_308_200_000);
    }
}
