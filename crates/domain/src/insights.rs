//! Insights: what the marketplace brought an employer — its own funnel, and its hires beside the
//! employer's other sources in Workable. The filter as the page's form and links say it, and the
//! view the page, its charts and its CSV downloads render.

use serde::{Deserialize, Serialize};

use crate::{FieldError, RoleId};

const DAY_MS: i64 = 86_400_000;

/// How many steps the funnel has: what [`Insights::funnel`]'s counts are, as
/// [`funnel_steps`] names them.
pub const FUNNEL_LEN: usize = 8;

/// The funnel's steps, in order, the third named after the connected ATS ("In Lever").
pub fn funnel_steps(ats: crate::AtsKind) -> [String; FUNNEL_LEN] {
    [
        "Requests sent".to_owned(),
        "Accepted".to_owned(),
        format!("In {}", ats.name()),
        "Screening".to_owned(),
        "Technical interview".to_owned(),
        "Final interview".to_owned(),
        "Offer".to_owned(),
        "Hired".to_owned(),
    ]
}

/// Which days Insights counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InsightsRange {
    /// The last so many days, up to now (30, 90 or 365).
    Last(u16),
    /// From one day to another, both included (UTC days since 1970-01-01).
    Custom { from: i64, to: i64 },
}

/// The page's filter: a range, and one role (the funnel) or one mapped ATS job (sources).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightsFilter {
    pub range: InsightsRange,
    pub role: Option<RoleId>,
    pub job: Option<String>,
}

impl Default for InsightsFilter {
    fn default() -> Self {
        InsightsFilter { range: InsightsRange::Last(90), role: None, job: None }
    }
}

impl InsightsFilter {
    /// The longest custom range: five years.
    pub const MAX_DAYS: i64 = 5 * 366;

    /// From the form's fields (a link's query): `range` is `30`, `90`, `365` or `custom` (then
    /// `from` and `to` are `YYYY-MM-DD`); blank role and job mean all.
    pub fn parse(range: &str, from: &str, to: &str, role: &str, job: &str) -> Result<InsightsFilter, FieldError> {
        let range = match range.trim() {
            "" | "90" => InsightsRange::Last(90),
            "30" => InsightsRange::Last(30),
            "365" => InsightsRange::Last(365),
            "custom" => {
                let day = |field: &str, text: &str| {
                    parse_day(text.trim())
                        .ok_or_else(|| FieldError::new(field, "Give the date as YYYY-MM-DD (for example 2026-01-31)."))
                };
                let (from, to) = (day("from", from)?, day("to", to)?);
                if from > to {
                    return Err(FieldError::new("to", "The end date must not be before the start date."));
                }
                if to - from >= Self::MAX_DAYS {
                    return Err(FieldError::new("from", "Choose a range of at most five years."));
                }
                InsightsRange::Custom { from, to }
            }
            _ => return Err(FieldError::new("range", "Choose a range from the list.")),
        };
        let role = match role.trim() {
            "" | "all" => None,
            text => Some(RoleId(
                text.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| FieldError::new("role", "Choose a role from the list."))?,
            )),
        };
        let job = match job.trim() {
            "" | "all" => None,
            // Workable's shortcodes are short and alphanumeric, Lever's posting ids UUIDs;
            // anything else names no job.
            text if text.len() <= 64 && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
                Some(text.to_owned())
            }
            _ => return Err(FieldError::new("job", "Choose a job from the list.")),
        };
        Ok(InsightsFilter { range, role, job })
    }

    /// The filter's query (`?range=…&from=…&to=…&role=…&job=…`, defaults left out).
    pub fn query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        match self.range {
            InsightsRange::Last(90) => {}
            InsightsRange::Last(days) => {
                query.append_pair("range", &days.to_string());
            }
            InsightsRange::Custom { from, to } => {
                query.append_pair("range", "custom");
                query.append_pair("from", &format_day(from));
                query.append_pair("to", &format_day(to));
            }
        }
        if let Some(role) = self.role {
            query.append_pair("role", &role.0.to_string());
        }
        if let Some(job) = &self.job {
            query.append_pair("job", job);
        }
        let query = query.finish();
        if query.is_empty() { query } else { format!("?{query}") }
    }

    /// The range as whole UTC days `[from, to)` (days since 1970-01-01) at `now_ms`: the last
    /// 30 days are today and the 29 before it.
    pub fn days(&self, now_ms: i64) -> (i64, i64) {
        match self.range {
            InsightsRange::Last(days) => {
                let today = now_ms.div_euclid(DAY_MS);
                (today + 1 - i64::from(days), today + 1)
            }
            InsightsRange::Custom { from, to } => (from, to + 1),
        }
    }

    /// [`InsightsFilter::days`] as `[from, to)` in Unix milliseconds.
    pub fn window(&self, now_ms: i64) -> (i64, i64) {
        let (from, to) = self.days(now_ms);
        (from * DAY_MS, to * DAY_MS)
    }
}

const DAY: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// `YYYY-MM-DD` as days since 1970-01-01, if it is a real date from 1970 on.
pub fn parse_day(text: &str) -> Option<i64> {
    let date = time::Date::parse(text, DAY).ok()?;
    let days = i64::from(date.to_julian_day() - time::Date::from_julian_day(2_440_588).ok()?.to_julian_day());
    (days >= 0 && date.year() <= 9999).then_some(days)
}

/// Days since 1970-01-01 as `YYYY-MM-DD`.
pub fn format_day(days: i64) -> String {
    i32::try_from(days + 2_440_588)
        .ok()
        .and_then(|julian| time::Date::from_julian_day(julian).ok())
        .and_then(|date| date.format(DAY).ok())
        .unwrap_or_default()
}

/// One role's funnel: its requests sent in the range, then how many reached each step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleFunnel {
    pub role_id: RoleId,
    pub title: String,
    /// As [`funnel_steps`] names them.
    pub steps: Vec<i64>,
}

/// One source's candidates in the mapped ATS jobs, created in the range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceRow {
    pub source: String,
    pub applicants: i64,
    pub interviewed: i64,
    pub offered: i64,
    pub hired: i64,
    pub median_days_to_hire: Option<f64>,
    /// This source is the marketplace.
    pub marketplace: bool,
}

/// A mapped ATS job, to filter sources by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobChoice {
    pub shortcode: String,
    pub title: String,
}

/// The Insights page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Insights {
    pub filter: InsightsFilter,
    /// The range as `[from, to)`, Unix ms.
    pub from_ms: i64,
    pub to_ms: i64,
    /// The funnel of the role chosen, or of every role: as [`funnel_steps`] names them.
    pub funnel: Vec<i64>,
    /// Every role with requests sent in the range, busiest first.
    pub roles: Vec<RoleFunnel>,
    /// Hires by source (of the job chosen, or of every mapped job), largest first.
    pub sources: Vec<SourceRow>,
    pub jobs: Vec<JobChoice>,
    /// The connected ATS (Workable when none is), which the page's words name.
    pub ats: crate::AtsKind,
    /// An ATS account is connected.
    pub connected: bool,
    /// When the ATS's candidates were last read (the reconciliation's last round).
    pub as_of_ms: Option<i64>,
    /// The source name the ATS gives the marketplace's candidates.
    pub marketplace_source: Option<String>,
}

/// The step each funnel step's conversion is counted from: the one before, except that the
/// marketplace stages count from *Accepted* — a role not mapped to Workable still moves its
/// candidates, so *In Workable* is a share of the accepted, not a step they all pass.
pub fn funnel_base(step: usize) -> Option<usize> {
    match step {
        0 => None,
        3 => Some(1),
        n => Some(n - 1),
    }
}

impl Insights {
    /// The range's first and last day, `YYYY-MM-DD` (UTC), as the page and the CSV's name say it.
    pub fn first_and_last_day(&self) -> (String, String) {
        (format_day(self.from_ms.div_euclid(DAY_MS)), format_day((self.to_ms - 1).div_euclid(DAY_MS)))
    }

    /// The share of `part` in `whole`, as a whole percentage ("—" when there is no whole).
    pub fn percent(part: i64, whole: i64) -> String {
        if whole <= 0 { "—".to_owned() } else { format!("{}%", (part * 100 + whole / 2) / whole) }
    }

    /// The funnel as CSV records: a header, then each step with its count and its conversion
    /// from the step [`funnel_base`] names.
    pub fn funnel_records(&self) -> Vec<Vec<String>> {
        let mut records = vec![["Step", "Count", "Conversion", "Of step"].map(str::to_owned).to_vec()];
        let steps = funnel_steps(self.ats);
        for (i, (step, count)) in steps.iter().zip(&self.funnel).enumerate() {
            let (share, of) = match funnel_base(i) {
                Some(base) => (Insights::percent(*count, self.funnel[base]), steps[base].clone()),
                None => (String::new(), String::new()),
            };
            records.push(vec![step.clone(), count.to_string(), share, of]);
        }
        records
    }

    /// Hires by source as CSV records.
    pub fn source_records(&self) -> Vec<Vec<String>> {
        let mut records = vec![
            ["Source", "Candidates", "Reached interview", "Reached offer", "Hired", "Median days to hire"]
                .map(str::to_owned)
                .to_vec(),
        ];
        for row in &self.sources {
            records.push(vec![
                row.source.clone(),
                row.applicants.to_string(),
                row.interviewed.to_string(),
                row.offered.to_string(),
                row.hired.to_string(),
                row.median_days_to_hire.map(|d| format!("{d:.1}")).unwrap_or_default(),
            ]);
        }
        records
    }
}

/// The median of ascending values.
pub fn median(sorted: &[f64]) -> Option<f64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_convert_both_ways_and_only_real_dates_parse() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2026-12-03"), Some(20_790));
        assert_eq!(format_day(20_790), "2026-12-03");
        for day in [0, 59, 60, 11_016, 20_790, 30_000] {
            assert_eq!(parse_day(&format_day(day)), Some(day));
        }
        assert_eq!(parse_day("2024-02-29"), Some(19_782));
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "tomorrow", "2026-01-00", ""] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_filter_reads_its_form_and_writes_its_query() {
        let filter = InsightsFilter::parse("custom", "2026-01-01", "2026-03-31", "7", "NOR01RUST01").unwrap();
        assert_eq!(filter.query(), "?range=custom&from=2026-01-01&to=2026-03-31&role=7&job=NOR01RUST01");
        let again = InsightsFilter::parse("custom", "2026-01-01", "2026-03-31", "7", "NOR01RUST01").unwrap();
        assert_eq!(filter, again);
        assert_eq!(filter.window(0), (20_454 * DAY_MS, 20_544 * DAY_MS));
        assert_eq!(InsightsFilter::parse("", "", "", "", "").unwrap(), InsightsFilter::default());
        assert_eq!(InsightsFilter::default().query(), "");
        let thirty = InsightsFilter::parse("30", "", "", "all", "all").unwrap();
        assert_eq!(thirty.window(DAY_MS * 100 + 5), (DAY_MS * 71, DAY_MS * 101));
        assert_eq!(thirty.days(DAY_MS * 100 + 5), (71, 101));
        // A Lever posting's id is a UUID.
        let posting = "00000000-0000-4000-8000-000000010301";
        assert_eq!(InsightsFilter::parse("30", "", "", "", posting).unwrap().job.as_deref(), Some(posting));
        for (range, from, to, role, job, field) in [
            ("7", "", "", "", "", "range"),
            ("custom", "2026-04-01", "2026-03-01", "", "", "to"),
            ("custom", "2020-01-01", "2026-03-01", "", "", "from"),
            ("custom", "yesterday", "2026-03-01", "", "", "from"),
            ("30", "", "", "-1", "", "role"),
            ("30", "", "", "x", "", "role"),
            ("30", "", "", "", "../jobs", "job"),
        ] {
            assert_eq!(InsightsFilter::parse(range, from, to, role, job).unwrap_err().field, field);
        }
    }

    #[test]
    fn medians_and_percentages() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[1.0, 2.0, 10.0, 11.0]), Some(6.0));
        assert_eq!(Insights::percent(1, 3), "33%");
        assert_eq!(Insights::percent(2, 3), "67%");
        assert_eq!(Insights::percent(0, 0), "—");
    }
}
