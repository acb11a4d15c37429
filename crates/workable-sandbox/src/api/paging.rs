//! Workable's paging (`limit`, `since_id`, `max_id`, `paging.next`) and its time filters.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::*;

#[derive(Default)]
pub(super) struct Page {
    limit: usize,
    since_id: Option<u64>,
    max_id: Option<u64>,
}

pub(super) fn hex(id: &str) -> u64 {
    u64::from_str_radix(id, 16).unwrap_or(0)
}

impl Page {
    pub(super) fn parse(query: &HashMap<String, String>) -> Result<Page, ApiError> {
        let limit = match query.get("limit") {
            Some(raw) => {
                raw.parse::<usize>().map_err(|_| ApiError::bad_request("limit must be a number"))?.clamp(1, 100)
            }
            None => 50,
        };
        let id = |key: &str| -> Result<Option<u64>, ApiError> {
            query
                .get(key)
                .map(|raw| {
                    u64::from_str_radix(raw, 16).map_err(|_| ApiError::bad_request(&format!("{key} is not an id")))
                })
                .transpose()
        };
        Ok(Page { limit, since_id: id("since_id")?, max_id: id("max_id")? })
    }

    /// One page of `items` (ordered by id), and the absolute `next` URL built from `next_base`
    /// plus every original filter, `limit` and `since_id` = the first id of the next page.
    pub(super) fn apply(
        &self,
        items: Vec<(String, Value)>,
        next_base: &str,
        filters: &HashMap<String, String>,
    ) -> (Vec<Value>, Option<String>) {
        let mut items: Vec<(String, Value)> = items
            .into_iter()
            .filter(|(id, _)| {
                self.since_id.is_none_or(|since| hex(id) >= since) && self.max_id.is_none_or(|max| hex(id) <= max)
            })
            .collect();
        items.sort_by_key(|(id, _)| hex(id));
        let next = items.get(self.limit).map(|(id, _)| {
            let mut params: Vec<(String, String)> = filters
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "limit" | "since_id"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            params.sort();
            params.insert(0, ("since_id".into(), id.clone()));
            params.insert(0, ("limit".into(), self.limit.to_string()));
            let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
            format!("{next_base}?{}", query.join("&"))
        });
        items.truncate(self.limit);
        (items.into_iter().map(|(_, v)| v).collect(), next)
    }
}

/// Percent-encodes a query value (hand-written: one small function instead of a dependency).
pub(crate) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(super) fn envelope(key: &str, items: Vec<Value>, next: Option<String>) -> Value {
    let mut body = json!({ key: items });
    if let Some(next) = next {
        body["paging"] = json!({ "next": next });
    }
    body
}

/// `20150708T115616Z`, Unix seconds, or `2015-07-08T11:56:16Z` → ms.
pub(super) fn parse_time(raw: &str) -> Result<i64, ApiError> {
    if let Ok(seconds) = raw.parse::<i64>() {
        return Ok(seconds * 1000);
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 14 {
        let n = |r: std::ops::Range<usize>| digits[r].parse::<i32>().unwrap_or(0);
        let month = time::Month::try_from(n(4..6) as u8).map_err(|_| ApiError::bad_request("invalid timestamp"))?;
        let date = time::Date::from_calendar_date(n(0..4), month, n(6..8) as u8)
            .map_err(|_| ApiError::bad_request("invalid timestamp"))?;
        let clock = time::Time::from_hms(n(8..10) as u8, n(10..12) as u8, n(12..14) as u8)
            .map_err(|_| ApiError::bad_request("invalid timestamp"))?;
        return Ok(date.with_time(clock).assume_utc().unix_timestamp() * 1000);
    }
    Err(ApiError::bad_request("invalid timestamp"))
}

pub(super) fn time_filter(query: &HashMap<String, String>, key: &str) -> Result<Option<i64>, ApiError> {
    query.get(key).map(|raw| parse_time(raw)).transpose()
}

// ---------------------------------------------------------------------------------------------
// Accounts, jobs, stages, members

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_read_in_every_documented_form() {
        let expected = 1_436_356_576_000;
        assert_eq!(parse_time("20150708T115616Z").unwrap(), expected);
        assert_eq!(parse_time("2015-07-08T11:56:16Z").unwrap(), expected);
        assert_eq!(parse_time("1436356576").unwrap(), expected);
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn a_page_stops_at_its_limit_and_points_at_the_next_first_id() {
        let items: Vec<(String, Value)> = (1..=5).map(|i| (format!("{i:x}"), json!(i))).collect();
        let page = Page { limit: 2, since_id: Some(2), max_id: None };
        let mut filters = HashMap::new();
        filters.insert("stage".to_owned(), "applied".to_owned());
        let (values, next) = page.apply(items, "http://x/acme/spi/v3/candidates", &filters);
        assert_eq!(values, vec![json!(2), json!(3)]);
        assert_eq!(next.as_deref(), Some("http://x/acme/spi/v3/candidates?limit=2&since_id=4&stage=applied"));
    }
}
