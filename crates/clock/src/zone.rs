//! The time zones people read the clock in. Times are kept as UTC milliseconds everywhere; a zone
//! turns one into the wall-clock time a person types or reads, and back. The IANA database is
//! jiff's bundled copy, so the server answers alike on every machine, whatever its own files say.

use jiff::tz::TimeZone;
use jiff::{Timestamp, civil};

/// A time zone from the IANA database, by its name (`America/New_York`).
#[derive(Clone, Debug)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

/// A name that is not a time zone of the IANA database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownZone;

impl std::fmt::Display for UnknownZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a time zone of the IANA database (such as Europe/Berlin)")
    }
}

impl std::error::Error for UnknownZone {}

/// The regions people choose from (the database's other names are aliases and legacy forms,
/// which are still understood when a browser reports one).
const REGIONS: [&str; 10] = [
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
];

impl Zone {
    pub fn utc() -> Zone {
        Zone { name: "UTC".into(), tz: TimeZone::UTC }
    }

    /// The zone of this IANA name (`Europe/Berlin`, also as a browser reports it).
    pub fn named(name: &str) -> Result<Zone, UnknownZone> {
        let name = name.trim();
        // Names are short ASCII paths; anything else is not worth asking the database about.
        if name.is_empty()
            || name.len() > 64
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b))
        {
            return Err(UnknownZone);
        }
        let tz = TimeZone::get(name).map_err(|_| UnknownZone)?;
        let name = tz.iana_name().unwrap_or(name).to_owned();
        Ok(Zone { name, tz })
    }

    /// The zone of a stored name, UTC when there is none (or it is no longer in the database).
    pub fn stored(name: Option<&str>) -> Zone {
        name.and_then(|name| Zone::named(name).ok()).unwrap_or_else(Zone::utc)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_utc(&self) -> bool {
        matches!(self.name.as_str(), "UTC" | "Etc/UTC" | "Etc/UCT" | "Etc/Universal" | "Etc/Zulu")
    }

    /// The instant a wall-clock time names here, given as the milliseconds that time would be in
    /// UTC (how `domain::interview::parse_local_minute` reads a form's field). A time skipped by a
    /// clock change is read as the later one; a time that happens twice, as the first.
    pub fn instant_of_wall(&self, wall_ms: i64) -> Option<i64> {
        let wall = TimeZone::UTC.to_datetime(Timestamp::from_millisecond(wall_ms).ok()?);
        let zoned = self.tz.to_ambiguous_zoned(wall).compatible().ok()?;
        Some(zoned.timestamp().as_millisecond())
    }

    fn civil(&self, ms: i64) -> Option<(civil::DateTime, String)> {
        let zoned = Timestamp::from_millisecond(ms).ok()?.to_zoned(self.tz.clone());
        let abbreviation = zoned.time_zone().to_offset_info(zoned.timestamp()).abbreviation().to_owned();
        Some((zoned.datetime(), abbreviation))
    }

    /// `2026-12-03T09:30`: the value of a `datetime-local` field showing `ms` here.
    pub fn field_value(&self, ms: i64) -> String {
        self.civil(ms).map(|(dt, _)| dt.strftime("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default()
    }

    /// `Thu 3 Dec 2026, 09:30 EST`.
    pub fn describe(&self, ms: i64) -> String {
        match self.civil(ms) {
            Some((dt, abbreviation)) => format!("{} {abbreviation}", dt.strftime("%a %-d %b %Y, %H:%M")),
            None => String::new(),
        }
    }

    /// `Thu 3 Dec 2026, 09:30 EST (America/New_York) = 14:30 UTC`: for people who may read it in
    /// another zone. The UTC part carries its date when that differs. In UTC: just the time.
    pub fn describe_with_utc(&self, ms: i64) -> String {
        let here = self.describe(ms);
        if self.is_utc() {
            return here;
        }
        let utc = Zone::utc();
        let same_day = self.civil(ms).map(|(dt, _)| dt.date()) == utc.civil(ms).map(|(dt, _)| dt.date());
        let in_utc = match utc.civil(ms) {
            Some((dt, _)) if same_day => dt.strftime("%H:%M UTC").to_string(),
            Some((dt, _)) => dt.strftime("%a %-d %b %Y, %H:%M UTC").to_string(),
            None => String::new(),
        };
        format!("{here} ({}) = {in_utc}", self.name)
    }
}

/// The zones a person chooses from, sorted, with UTC first.
pub fn choices() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_owned())
        .filter(|name| REGIONS.iter().any(|region| name.starts_with(region)))
        .collect();
    names.sort();
    names.insert(0, "UTC".to_owned());
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEC_3_1430_UTC: i64 = 1_796_308_200_000;

    #[test]
    fn a_wall_clock_time_is_read_in_the_zone() {
        let new_york = Zone::named("America/New_York").unwrap();
        // 09:30 in New York in December is 14:30 UTC (EST, UTC−5).
        let wall = DEC_3_1430_UTC - 5 * 3_600_000;
        assert_eq!(new_york.instant_of_wall(wall), Some(DEC_3_1430_UTC));
        assert_eq!(new_york.field_value(DEC_3_1430_UTC), "2026-12-03T09:30");
        assert_eq!(new_york.describe(DEC_3_1430_UTC), "Thu 3 Dec 2026, 09:30 EST");
        assert_eq!(
            new_york.describe_with_utc(DEC_3_1430_UTC),
            "Thu 3 Dec 2026, 09:30 EST (America/New_York) = 14:30 UTC"
        );
        assert_eq!(Zone::utc().describe_with_utc(DEC_3_1430_UTC), "Thu 3 Dec 2026, 14:30 UTC");
        assert_eq!(Zone::utc().instant_of_wall(DEC_3_1430_UTC), Some(DEC_3_1430_UTC));
    }

    #[test]
    fn the_utc_date_is_given_when_it_differs() {
        let tokyo = Zone::named("Asia/Tokyo").unwrap();
        assert_eq!(tokyo.describe_with_utc(DEC_3_1430_UTC), "Thu 3 Dec 2026, 23:30 JST (Asia/Tokyo) = 14:30 UTC");
        let late = DEC_3_1430_UTC + 2 * 3_600_000; // 16:30 UTC on the 3rd, 01:30 on the 4th in Tokyo
        assert_eq!(tokyo.describe_with_utc(late), "Fri 4 Dec 2026, 01:30 JST (Asia/Tokyo) = Thu 3 Dec 2026, 16:30 UTC");
    }

    #[test]
    fn clock_changes_read_as_people_expect() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        // 2026-03-29 02:30 does not happen in Berlin (02:00 → 03:00): read as 03:30 CEST.
        let skipped = domain_free_wall(2026, 3, 29, 2, 30);
        let instant = berlin.instant_of_wall(skipped).unwrap();
        assert_eq!(berlin.field_value(instant), "2026-03-29T03:30");
        // 2026-10-25 02:30 happens twice: the first (CEST, UTC+2).
        let twice = domain_free_wall(2026, 10, 25, 2, 30);
        assert_eq!(berlin.instant_of_wall(twice), Some(twice - 2 * 3_600_000));
    }

    #[test]
    fn only_database_names_are_zones() {
        assert_eq!(Zone::named(" Europe/Berlin ").unwrap().name(), "Europe/Berlin");
        assert!(Zone::named("Etc/UTC").unwrap().is_utc());
        for bad in ["", "Mars/Olympus_Mons", "../../etc/passwd", "Europe/Ber lin", "Europe/Berlin\0", &"A/".repeat(40)]
        {
            assert_eq!(Zone::named(bad).unwrap_err(), UnknownZone, "{bad:?}");
        }
        assert_eq!(Zone::stored(Some("Mars/Base")).name(), "UTC");
        assert_eq!(Zone::stored(None).name(), "UTC");
        let choices = choices();
        assert_eq!(choices[0], "UTC");
        assert!(choices.iter().any(|c| c == "America/New_York"));
        assert!(choices.iter().all(|c| Zone::named(c).is_ok()));
        assert!(choices.len() > 300, "{}", choices.len());
    }

    fn domain_free_wall(y: i16, m: i8, d: i8, h: i8, min: i8) -> i64 {
        civil::date(y, m, d).at(h, min, 0, 0).to_zoned(TimeZone::UTC).unwrap().timestamp().as_millisecond()
    }
}
