//! Lever's paging: `limit` 1–100, and `offset` an opaque token naming the first record of the
//! next page — percent-encoded JSON, `[stageRank, lastAdvancedAt, id]` for opportunities (ordered
//! by stage rank, then most recently advanced first) and `[createdAt, id]` for other lists. Only
//! tokens of the list's own kind are accepted; one that arrives encoded twice is read too.

use std::cmp::Ordering;

use serde_json::{Value, json};

/// Where a record sorts.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// Opportunities: rank ascending, then `lastAdvancedAt` descending, then id.
    Ranked { rank: f64, advanced_at: i64, id: String },
    /// Everything else: oldest first, then id.
    Created { at: i64, id: String },
}

impl Key {
    fn cmp(&self, other: &Key) -> Option<Ordering> {
        match (self, other) {
            (Key::Ranked { rank: r1, advanced_at: a1, id: i1 }, Key::Ranked { rank: r2, advanced_at: a2, id: i2 }) => {
                Some(r1.partial_cmp(r2)?.then(a2.cmp(a1)).then(i1.cmp(i2)))
            }
            (Key::Created { at: a1, id: i1 }, Key::Created { at: a2, id: i2 }) => Some(a1.cmp(a2).then(i1.cmp(i2))),
            _ => None,
        }
    }

    fn token(&self) -> String {
        let json = match self {
            // Whole ranks are written as integers, as Lever writes them (`3`, `230.5`).
            Key::Ranked { rank, advanced_at, id } if rank.fract() == 0.0 => json!([*rank as i64, advanced_at, id]),
            Key::Ranked { rank, advanced_at, id } => json!([rank, advanced_at, id]),
            Key::Created { at, id } => json!([at, id]),
        };
        form_urlencoded::byte_serialize(json.to_string().as_bytes()).collect::<String>().replace('+', "%20")
    }

    fn parse(token: &str, ranked: bool) -> Option<Key> {
        // Given as issued (percent-encoded JSON) or, from clients that pass it verbatim to a URL
        // builder, encoded once more: decode until it is JSON, at most twice.
        let mut text = token.to_owned();
        for _ in 0..2 {
            if text.starts_with('[') {
                break;
            }
            text = form_urlencoded::parse(format!("t={}", text.replace('+', "%2B")).as_bytes()).next()?.1.into_owned();
        }
        let value: Value = serde_json::from_str(&text).ok()?;
        match value.as_array()?.as_slice() {
            [rank, advanced_at, id] if ranked => Some(Key::Ranked {
                rank: rank.as_f64()?,
                advanced_at: advanced_at.as_i64()?,
                id: id.as_str()?.to_owned(),
            }),
            [at, id] if !ranked => Some(Key::Created { at: at.as_i64()?, id: id.as_str()?.to_owned() }),
            _ => None,
        }
    }
}

/// Why a page cannot be read: Lever's 400s.
#[derive(Debug, PartialEq)]
pub enum PagingError {
    Limit,
    Offset,
}

/// One page of `items` (each with its key): `{"data": […], "hasNext": …, "next"?: …}`.
pub fn page(
    mut items: Vec<(Key, Value)>,
    limit: Option<&str>,
    offset: Option<&str>,
    ranked: bool,
) -> Result<Value, PagingError> {
    let limit = match limit {
        None => 100,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return Err(PagingError::Limit),
        },
    };
    items.sort_by(|a, b| a.0.cmp(&b.0).unwrap_or(Ordering::Equal));
    let start = match offset {
        None => 0,
        Some(token) => {
            let from = Key::parse(token, ranked).ok_or(PagingError::Offset)?;
            items.iter().position(|(k, _)| k.cmp(&from).is_some_and(|o| o != Ordering::Less)).unwrap_or(items.len())
        }
    };
    let rest = items.len().saturating_sub(start);
    let shown: Vec<Value> = items.iter().skip(start).take(limit).map(|(_, v)| v.clone()).collect();
    let mut body = json!({ "data": shown, "hasNext": rest > limit });
    if rest > limit {
        body["next"] = json!(items[start + limit].0.token());
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(rank: f64, at: i64, id: &str) -> (Key, Value) {
        (Key::Ranked { rank, advanced_at: at, id: id.into() }, json!(id))
    }

    #[test]
    fn opportunities_page_by_rank_then_latest_advanced_and_the_token_names_the_next_first() {
        let items = vec![ranked(3.0, 10, "c"), ranked(1.0, 5, "b"), ranked(1.0, 9, "a"), ranked(230.5, 1, "d")];
        let first = page(items.clone(), Some("2"), None, true).unwrap();
        assert_eq!(first["data"], json!(["a", "b"]));
        assert_eq!(first["hasNext"], json!(true));
        let token = first["next"].as_str().unwrap();
        assert_eq!(token, "%5B3%2C10%2C%22c%22%5D");
        let second = page(items.clone(), Some("2"), Some(token), true).unwrap();
        assert_eq!(second["data"], json!(["c", "d"]));
        assert_eq!(second["hasNext"], json!(false));
        assert!(second.get("next").is_none());
        // Encoded once more on the wire, as clients that pass it verbatim do.
        let twice: String = form_urlencoded::byte_serialize(token.as_bytes()).collect();
        assert_eq!(page(items.clone(), Some("2"), Some(&twice), true).unwrap()["data"], json!(["c", "d"]));
        assert_eq!(page(items.clone(), Some("2"), Some("%5B1%2C%22x%22%5D"), true), Err(PagingError::Offset));
        assert_eq!(page(items.clone(), Some("2"), Some("garbage"), true), Err(PagingError::Offset));
        assert_eq!(page(items, Some("101"), None, true), Err(PagingError::Limit));
    }
}
