//! How times are written on screen.

/// `1764191820000` → `2025-11-26 21:17 UTC`.
pub fn timestamp(ms: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn milliseconds_are_shown_to_the_minute_in_utc() {
        assert_eq!(super::timestamp(1_764_191_820_000), "2025-11-26 21:17 UTC");
    }
}
