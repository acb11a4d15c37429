//! The documented seed: the same accounts, people, jobs, candidates, tokens and OAuth client on
//! every fresh start, so a person (or the README) can name them.
//!
//! | account | subdomain | members | jobs |
//! |---|---|---|---|
//! | Northwind Labs | `northwind` | Maria Keller (admin), Tom Becker (simple), Riley Recruiter (admin) | 5 published, 1 draft, 1 closed, 1 archived |
//! | Globex | `globex` | Hank Scorpio (admin) | 2 published |
//!
//! Tokens (all scopes unless said): `northwind-account-token` (account token),
//! `northwind-readonly-token` (account token, `r_jobs` only), `globex-account-token`.
//! OAuth client: `ats-bridge-local` / `sandbox-client-secret`.
//!
//! A sandbox started fresh from [`crate::Sandbox::open`] also holds a year of Northwind's earlier
//! candidates ([`history`]), so Insights has something to compare the marketplace with.

use crate::model::*;

pub const NORTHWIND_TOKEN: &str = "northwind-account-token";
pub const NORTHWIND_READONLY_TOKEN: &str = "northwind-readonly-token";
pub const GLOBEX_TOKEN: &str = "globex-account-token";
pub const CLIENT_ID: &str = "ats-bridge-local";
pub const CLIENT_SECRET: &str = "sandbox-client-secret";
pub const ALL_SCOPES: [&str; 4] = ["r_jobs", "r_candidates", "w_candidates", "w_comments"];

/// Where the seed starts its clock: 2026-07-01T09:00:00Z.
const SEED_TIME: Millis = 1_782_896_400_000;

/// The default pipeline, as Workable creates it for a new job.
const PIPELINE: [(&str, &str, &str); 7] = [
    ("sourced", "Sourced", "sourced"),
    ("applied", "Applied", "applied"),
    ("phone-screen", "Phone Screen", "phone-screen"),
    ("assessment", "Assessment", "assessment"),
    ("interview", "Interview", "interview"),
    ("offer", "Offer", "offer"),
    ("hired", "Hired", "hired"),
];

const REASONS: [(&str, bool); 7] = [
    ("Doesn't have required qualifications", false),
    ("Doesn't have required experience", false),
    ("Area of speciality doesn't match job", false),
    ("Doesn't match job location", false),
    ("Job no longer receiving applications", false),
    ("Candidate accepted another offer", true),
    ("Candidate is no longer interested", true),
];

/// Builds the seeded world. `redirect_uris` are the OAuth client's registered callbacks.
pub fn seed(redirect_uris: Vec<String>) -> World {
    let mut world = World { next_id: 0x2727_0000, next_int_id: 5_272_000, ..World::default() };
    let northwind = account(
        &mut world,
        "Northwind Labs",
        "northwind",
        &[
            ("Maria Keller", "maria@northwind.test", "admin"),
            ("Tom Becker", "tom@northwind.test", "simple"),
            ("Riley Recruiter", "riley@northwind.test", "admin"),
        ],
        &[
            ("Senior Rust Engineer", "RUST-01", "published", "Engineering", "Berlin", "Germany", "DE", "hybrid"),
            ("Frontend Engineer", "FE-02", "published", "Engineering", "Amsterdam", "Netherlands", "NL", "remote"),
            ("Data Engineer", "DATA-03", "published", "Data", "Amsterdam", "Netherlands", "NL", "on_site"),
            ("Engineering Manager", "EM-04", "published", "Engineering", "London", "United Kingdom", "GB", "on_site"),
            ("Backend Engineer (Go)", "GO-05", "published", "Engineering", "Berlin", "Germany", "DE", "remote"),
            ("DevOps Engineer", "OPS-06", "draft", "Engineering", "Berlin", "Germany", "DE", "hybrid"),
            ("PHP Developer", "PHP-07", "closed", "Engineering", "Hamburg", "Germany", "DE", "on_site"),
            ("Office Manager", "OFF-08", "archived", "Operations", "Berlin", "Germany", "DE", "on_site"),
        ],
    );
    let globex = account(
        &mut world,
        "Globex",
        "globex",
        &[("Hank Scorpio", "hank@globex.test", "admin")],
        &[
            (
                "Platform Engineer",
                "PLAT-01",
                "published",
                "Engineering",
                "Springfield",
                "United States",
                "US",
                "on_site",
            ),
            ("Security Engineer", "SEC-02", "published", "Security", "Springfield", "United States", "US", "remote"),
        ],
    );
    world.accounts.push(northwind);
    world.accounts.push(globex);

    // Candidates already in Workable (applied through the careers page, in several stages).
    let people = [
        ("Elvie", "Schmidt", "interview"),
        ("Noah", "Fischer", "applied"),
        ("Mia", "Wagner", "phone-screen"),
        ("Liam", "Becker", "assessment"),
        ("Emma", "Hoffmann", "sourced"),
        ("Ben", "Schulz", "offer"),
    ];
    for (i, (first, last, stage)) in people.iter().enumerate() {
        let shortcode = world.accounts[0].jobs[i % 2].shortcode.clone();
        let email = format!("{}.{}@applicants.example", first.to_lowercase(), last.to_lowercase());
        let mut candidate =
            new_candidate(&mut world, &shortcode, first, last, &email, stage, false, SEED_TIME + i as i64 * 60_000);
        candidate.headline = Some("Software engineer".to_owned());
        candidate.domain = Some("linkedin.com".to_owned());
        world.accounts[0].candidates.push(candidate);
    }

    world.tokens = vec![
        account_token(NORTHWIND_TOKEN, "northwind", &ALL_SCOPES, "northwind account token"),
        account_token(NORTHWIND_READONLY_TOKEN, "northwind", &["r_jobs"], "northwind read-only token"),
        account_token(GLOBEX_TOKEN, "globex", &ALL_SCOPES, "globex account token"),
    ];
    world.clients = vec![OAuthClient {
        client_id: CLIENT_ID.to_owned(),
        client_secret: CLIENT_SECRET.to_owned(),
        name: "ats-bridge (local)".to_owned(),
        redirect_uris,
    }];
    world
}

/// Where Northwind's earlier candidates came from (Workable's `domain`; none is "Unknown"), and
/// how many of every 20 came from each.
const HISTORY_SOURCES: [(Option<&str>, u64); 6] = [
    (Some("linkedin.com"), 6),
    (Some("workable.com"), 4),
    (Some("indeed.com"), 4),
    (None, 3),
    (Some("stackoverflow.com"), 2),
    (Some("glassdoor.com"), 1),
];

const HISTORY_NAMES: [&str; 12] =
    ["Alex", "Sam", "Jordan", "Taylor", "Robin", "Kim", "Chris", "Jamie", "Lee", "Morgan", "Noa", "Sasha"];
const HISTORY_SURNAMES: [&str; 10] =
    ["Novak", "Berg", "Costa", "Dubois", "Eriksen", "Fontaine", "Greco", "Horvat", "Ivanova", "Jansen"];

/// A year of Northwind's hiring before `now`, for Insights to show on first start: 240
/// candidates of the five published jobs from several sources, spread over the 365 days, each
/// as far as a fixed sequence takes them (most stop early, some are disqualified, 1 in 12 is
/// hired 15 to 70 days after applying). The same on every start at the same `now`.
pub fn history(world: &mut World, now: Millis) {
    history_of(world, 240, now);
}

/// [`history`] with `count` candidates, spread over every published job of Northwind's (the
/// benchmarks add jobs first).
pub fn history_of(world: &mut World, count: usize, now: Millis) {
    const DAY: Millis = 86_400_000;
    // A fixed linear congruential sequence: the seed must be the same on every start.
    let mut state: u64 = 0x5eed_1234;
    let mut next = move |n: u64| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let jobs: Vec<String> =
        world.accounts[0].jobs.iter().filter(|j| j.state == "published").map(|j| j.shortcode.clone()).collect();
    for i in 0..count {
        let shortcode = jobs[i % jobs.len()].clone();
        let mut pick = next(20);
        let domain = HISTORY_SOURCES
            .iter()
            .find(|(_, share)| {
                let here = pick < *share;
                pick = pick.saturating_sub(*share);
                here
            })
            .and_then(|(domain, _)| *domain);
        let (first, last) = (HISTORY_NAMES[i % 12], HISTORY_SURNAMES[(i / 12) % 10]);
        let email = format!("{}.{}.{i}@earlier.example", first.to_lowercase(), last.to_lowercase());
        let created = now - 365 * DAY + (i as i64 * 364 * DAY) / count as i64 + next(DAY as u64) as Millis;
        let fate = next(24);
        let stage = match fate {
            0 | 1 => "hired",
            2 | 3 => "offer",
            4..=7 => "interview",
            8..=11 => "assessment",
            12..=15 => "phone-screen",
            _ => "applied",
        };
        let mut candidate = new_candidate(world, &shortcode, first, last, &email, stage, false, created);
        candidate.domain = domain.map(str::to_owned);
        candidate.headline = Some("Software engineer".to_owned());
        let took = (15 + next(56) as Millis) * DAY;
        if matches!(stage, "offer" | "hired") {
            candidate.moved_to_offer_at = Some((created + took - 5 * DAY).min(now - DAY));
        }
        if stage == "hired" {
            candidate.hired_at = Some((created + took).min(now - DAY));
        }
        // Half of those who stopped before an offer, and were not just in, were turned down.
        if !matches!(stage, "offer" | "hired") && created < now - 30 * DAY && next(2) == 0 {
            candidate.disqualified = true;
            candidate.disqualified_at = Some(created + 10 * DAY);
            candidate.disqualification_reason = Some(REASONS[i % 4].0.to_owned());
        }
        candidate.updated_at = [candidate.hired_at, candidate.moved_to_offer_at, candidate.disqualified_at]
            .into_iter()
            .flatten()
            .fold(created, Millis::max);
        world.accounts[0].candidates.push(candidate);
    }
}

/// An account token (as a person creates one in Workable's settings).
pub fn account_token(secret: &str, subdomain: &str, scopes: &[&str], label: &str) -> Token {
    Token {
        secret: secret.to_owned(),
        kind: TokenKind::Account,
        accounts: vec![subdomain.to_owned()],
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        expires_at: None,
        revoked: false,
        grant_id: None,
        label: label.to_owned(),
    }
}

type JobSeed<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str);

fn account(
    world: &mut World,
    name: &str,
    subdomain: &str,
    members: &[(&str, &str, &str)],
    jobs: &[JobSeed<'_>],
) -> Account {
    let id = world.hex_id();
    let members = members
        .iter()
        .map(|(name, email, role)| Member {
            id: world.hex_id(),
            name: (*name).to_owned(),
            email: (*email).to_owned(),
            role: (*role).to_owned(),
            active: true,
        })
        .collect();
    let jobs = jobs
        .iter()
        .enumerate()
        .map(|(i, (title, code, state, department, city, country, country_code, workplace))| {
            let stages = PIPELINE
                .iter()
                .enumerate()
                .map(|(p, (slug, name, kind))| {
                    let id = world.int_id();
                    Stage {
                        id,
                        identifier: format!("{:x}", 0x0050_779f + id),
                        slug: (*slug).to_owned(),
                        name: (*name).to_owned(),
                        kind: (*kind).to_owned(),
                        position: p as i64 + 1,
                    }
                })
                .collect();
            Job {
                id: world.hex_id(),
                title: (*title).to_owned(),
                shortcode: format!("{}{:02}{}", subdomain[..3].to_uppercase(), i + 1, code.replace('-', "")),
                code: Some((*code).to_owned()),
                state: (*state).to_owned(),
                department: Some((*department).to_owned()),
                city: (*city).to_owned(),
                country: (*country).to_owned(),
                country_code: (*country_code).to_owned(),
                workplace_type: (*workplace).to_owned(),
                description: format!("<p>{title} at {name}.</p>"),
                created_at: SEED_TIME - 30 * 86_400_000 + i as i64 * 86_400_000,
                updated_at: SEED_TIME,
                stages,
            }
        })
        .collect();
    let disqualification_reasons = REASONS
        .iter()
        .enumerate()
        .map(|(i, (description, withdrew))| DisqualificationReason {
            id: world.hex_id(),
            description: (*description).to_owned(),
            candidate_withdrew: *withdrew,
            position: i as i64 + 1,
        })
        .collect();
    Account {
        id,
        name: name.to_owned(),
        subdomain: subdomain.to_owned(),
        website_url: Some(format!("https://{subdomain}.example")),
        members,
        jobs,
        disqualification_reasons,
        candidates: Vec::new(),
        subscriptions: Vec::new(),
    }
}

/// A candidate as Workable stores one, with the activity its arrival leaves.
#[allow(clippy::too_many_arguments)]
pub fn new_candidate(
    world: &mut World,
    shortcode: &str,
    first: &str,
    last: &str,
    email: &str,
    stage: &str,
    sourced: bool,
    at: Millis,
) -> Candidate {
    let id = world.hex_id();
    let activity = Activity {
        id: world.hex_id(),
        action: if sourced { "uploaded" } else { "applied" }.to_owned(),
        stage_slug: stage.to_owned(),
        target_stage_slug: None,
        member_id: None,
        body: None,
        created_at: at,
    };
    Candidate {
        id,
        job_shortcode: shortcode.to_owned(),
        firstname: first.to_owned(),
        lastname: last.to_owned(),
        email: email.to_owned(),
        headline: None,
        summary: None,
        cover_letter: None,
        phone: None,
        address: None,
        domain: None,
        stage_slug: stage.to_owned(),
        sourced,
        disqualified: false,
        disqualified_at: None,
        withdrew: false,
        disqualification_reason: None,
        hired_at: None,
        moved_to_offer_at: None,
        created_at: at,
        updated_at: at,
        education_entries: Vec::new(),
        experience_entries: Vec::new(),
        skills: Vec::new(),
        tags: Vec::new(),
        social_profiles: Vec::new(),
        resume: None,
        files: Vec::new(),
        comments: Vec::new(),
        activities: vec![activity],
        deleted: false,
    }
}

/// Adds an account shaped like Northwind (same members and jobs) with its own account token,
/// for load tests and benchmarks that need many connections. Returns its job shortcodes.
pub fn add_account(world: &mut World, name: &str, subdomain: &str, token: &str) -> Vec<String> {
    let created = account(
        world,
        name,
        subdomain,
        &[("Maria Keller", "maria@northwind.test", "admin")],
        &[
            ("Senior Rust Engineer", "RUST-01", "published", "Engineering", "Berlin", "Germany", "DE", "hybrid"),
            ("Frontend Engineer", "FE-02", "published", "Engineering", "Amsterdam", "Netherlands", "NL", "remote"),
        ],
    );
    let shortcodes = created.jobs.iter().map(|j| j.shortcode.clone()).collect();
    world.accounts.push(created);
    world.tokens.push(account_token(token, subdomain, &ALL_SCOPES, &format!("{subdomain} account token")));
    shortcodes
}
