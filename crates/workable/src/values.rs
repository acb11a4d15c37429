use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("a Workable subdomain is 1 to 63 letters, digits or hyphens (the part before .workable.com)")]
    Subdomain,
    #[error("a Workable candidate id is 1 to 64 letters or digits")]
    CandidateId,
    #[error("a Workable {what} is 1 to 64 letters, digits, hyphens or underscores")]
    Word { what: &'static str },
    #[error("a source domain is a host name such as marketplace.example (letters, digits, hyphens and dots)")]
    SourceDomain,
}

/// A Workable account's subdomain: `acme` in `https://acme.workable.com`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Subdomain(String);

impl Subdomain {
    /// Accepts `acme`, `Acme`, `acme.workable.com` or `https://acme.workable.com/`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let trimmed = raw.trim().trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
        let name = trimmed.strip_suffix(".workable.com").unwrap_or(trimmed).to_lowercase();
        let valid = !name.is_empty()
            && name.len() <= 63
            && !name.starts_with('-')
            && !name.ends_with('-')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if valid { Ok(Subdomain(name)) } else { Err(ParseError::Subdomain) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Subdomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a candidate came from, as Workable's `domain` field and its source reports have it:
/// a host name (`marketplace.example`), lower case, without scheme, port or path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceDomain(String);

impl SourceDomain {
    /// Accepts a host name, or an address whose host is taken (`https://Marketplace.example:8443/x`
    /// gives `marketplace.example`).
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let raw = raw.trim();
        let host = match url::Url::parse(raw) {
            Ok(url) if url.has_host() => url.host_str().unwrap_or_default().to_owned(),
            _ => raw.to_owned(),
        };
        let host = host.trim_end_matches('.').to_lowercase();
        let label = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        let valid = !host.is_empty() && host.len() <= 253 && host.split('.').all(label);
        if valid { Ok(SourceDomain(host)) } else { Err(ParseError::SourceDomain) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Workable candidate's id: letters and digits (Workable sends hex strings, sometimes numbers).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CandidateId(String);

impl CandidateId {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let valid = !raw.is_empty() && raw.len() <= 64 && raw.bytes().all(|b| b.is_ascii_alphanumeric());
        if valid { Ok(CandidateId(raw.to_owned())) } else { Err(ParseError::CandidateId) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CandidateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for CandidateId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(serde::de::Error::custom("the candidate id is not text or a number")),
        };
        CandidateId::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Workable's short names for things — a job's shortcode, a stage's slug, a member's id: letters,
/// digits, `-` and `_`, checked where they enter (Workable's answers, stored configurations), so
/// nothing else ever reaches a URL or a body in their place.
macro_rules! word {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                let valid = !raw.is_empty()
                    && raw.len() <= 64
                    && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if valid { Ok($name(raw.to_owned())) } else { Err(ParseError::Word { what: $what }) }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $name::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }
    };
}

word!(
    /// A job's shortcode (`9CD658E13E`), its key in Workable's URLs.
    Shortcode,
    "job shortcode"
);
word!(
    /// A stage of a job's pipeline, by slug (`phone-screen`).
    StageSlug,
    "stage slug"
);
word!(
    /// An account member's id, who moves and comments as themselves.
    MemberId,
    "member id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_are_read_from_what_people_paste() {
        for raw in ["acme", " Acme ", "acme.workable.com", "https://acme.workable.com/"] {
            assert_eq!(Subdomain::parse(raw).unwrap().as_str(), "acme");
        }
        for raw in ["", "a b", "-acme", "acme/../x", "ac!me"] {
            assert!(Subdomain::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn source_domains_are_host_names() {
        for (raw, host) in [
            ("marketplace.example", "marketplace.example"),
            (" Hire.Example.COM. ", "hire.example.com"),
            ("https://Marketplace.example:8443/jobs?x=1", "marketplace.example"),
            ("http://127.0.0.1:3000", "127.0.0.1"),
            ("localhost", "localhost"),
        ] {
            assert_eq!(SourceDomain::parse(raw).unwrap().as_str(), host, "{raw:?}");
        }
        for raw in [
            "",
            "https://",
            "a b.example",
            "-bad.example",
            "bad-.example",
            "x..example",
            "ex_ample.com",
            "\u{e9}t\u{e9}.fr",
        ] {
            assert!(SourceDomain::parse(raw).is_err(), "{raw:?}");
        }
    }
}
