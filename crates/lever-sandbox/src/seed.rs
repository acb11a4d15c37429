//! The documented starting state: two Lever accounts (Northwind, Globex), each with its users,
//! Lever's default pipeline, archive reasons and postings in every state, a few people already
//! in the pipeline, API keys, and ats-bridge's registered OAuth client. Accounts, users, stages,
//! reasons and postings have fixed UUIDs, so a person can follow a walk-through and a test can
//! name them; people and their opportunities get fresh ones, as everything made later does.

use crate::model::*;

pub const NORTHWIND: &str = "00000000-0000-4000-8000-00000000a001";
pub const GLOBEX: &str = "00000000-0000-4000-8000-00000000a002";
/// Northwind's API key (all permissions).
pub const NORTHWIND_KEY: &str = "lvr_northwind_0f1e2d3c4b5a69788796a5b4c3d2e1f0";
/// Globex's API key.
pub const GLOBEX_KEY: &str = "lvr_globex_8a7b6c5d4e3f20110213243546576879";
pub const CLIENT_ID: &str = "ats-bridge-lever";
pub const CLIENT_SECRET: &str = "lever-sandbox-client-secret";

/// A fixed, UUID-shaped id: `00000000-0000-4000-8000-<n as 12 hex digits>`.
pub fn id(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// An account's users: the super admin writes are performed as, a team member, an interviewer
/// and a deactivated user.
fn users(base: u64, domain: &str, now: i64) -> Vec<User> {
    [
        ("Nora Quinn", "nora", "super admin", None),
        ("Sam Okafor", "sam", "team member", None),
        ("Ivy Chen", "ivy", "interviewer", None),
        ("Old Account", "old", "team member", Some(now - 86_400_000)),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (name, username, role, deactivated))| User {
        id: id(base + i as u64),
        name: name.into(),
        username: username.into(),
        email: format!("{username}@{domain}"),
        access_role: role.into(),
        created_at: now - 400 * 86_400_000,
        deactivated_at: deactivated,
    })
    .collect()
}

/// Lever's default pipeline as the recorded account had it (ids of the built-in stages are
/// readable, the account's own are UUIDs).
fn stages(base: u64) -> Vec<Stage> {
    let custom = |n: u64| id(base + n);
    [
        ("lead-new".to_owned(), "New lead", "lead", 1.0, false),
        ("lead-reached-out".to_owned(), "Reached out", "lead", 3.0, false),
        ("lead-responded".to_owned(), "Responded", "lead", 5.0, false),
        ("applicant-new".to_owned(), "New applicant", "applicant", 101.0, false),
        (custom(1), "HM Review", "applicant", 105.5, false),
        (custom(2), "Recruiter screen", "screen", 201.0, true),
        (custom(3), "HM Screen", "onsite", 230.5, true),
        (custom(4), "On-site interview", "onsite", 231.0, true),
        (custom(5), "Reference check", "onsite", 231.5, true),
        ("offer".to_owned(), "Offer", "offer", 261.0, false),
        (custom(6), "Background Check", "offer", 265.5, false),
    ]
    .into_iter()
    .map(|(id, text, pipeline, rank, has_interview)| Stage {
        id,
        text: text.into(),
        pipeline: pipeline.into(),
        rank,
        has_interview,
    })
    .collect()
}

fn archive_reasons(base: u64) -> Vec<ArchiveReason> {
    [
        ("Position filled", true, false),
        ("Comp", true, false),
        ("Better for another role", true, false),
        ("Future hire", true, false),
        ("Under- qualified", true, false),
        ("No Response - OLD", false, false),
        ("Timing", true, false),
        ("Withdrew", true, false),
        ("Offer declined", true, false),
        ("Position closed", true, false),
        ("Hired", true, true),
        ("No Response", true, false),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (text, active, hired))| ArchiveReason { id: id(base + i as u64), text: text.into(), active, hired })
    .collect()
}

#[allow(clippy::too_many_arguments)]
fn posting(n: u64, text: &str, state: &str, owner: &str, team: &str, location: &str, now: i64) -> Posting {
    Posting {
        id: id(n),
        text: text.into(),
        state: state.into(),
        owner: owner.into(),
        commitment: "Full-time".into(),
        department: "Engineering".into(),
        location: location.into(),
        team: team.into(),
        country: match location {
            "Remote" | "New York" => "US",
            "Berlin" => "DE",
            "Dublin" => "IE",
            _ => "GB",
        }
        .into(),
        description: format!("{text} at our company.\n"),
        workplace_type: if location == "Remote" { "remote".into() } else { "on-site".into() },
        confidential: false,
        created_at: now - 30 * 86_400_000,
        updated_at: now - 30 * 86_400_000,
    }
}

fn account(id_: &str, site: &str, name: &str, key: &str, base: u64, domain: &str, now: i64) -> Account {
    let users = users(base + 0x100, domain, now);
    let owner = users[0].id.clone();
    let postings = vec![
        posting(base + 0x301, "Senior Rust Engineer", "published", &owner, "Platform", "London", now),
        posting(base + 0x302, "Frontend Engineer", "published", &owner, "Web", "Remote", now),
        posting(base + 0x303, "Data Engineer", "internal", &owner, "Data", "Berlin", now),
        posting(base + 0x304, "Product Designer", "draft", &owner, "Design", "London", now),
        posting(base + 0x305, "Support Lead", "closed", &owner, "Support", "New York", now),
    ];
    let mut account = Account {
        id: id_.into(),
        site: site.into(),
        name: name.into(),
        api_keys: vec![key.into()],
        users,
        stages: stages(base + 0x200),
        archive_reasons: archive_reasons(base + 0x400),
        postings,
        contacts: Vec::new(),
        opportunities: Vec::new(),
        applications: Vec::new(),
        notes: Vec::new(),
        files: Vec::new(),
        resumes: Vec::new(),
        panels: Vec::new(),
        webhooks: Vec::new(),
        requisitions: vec![Requisition {
            id: id(base + 0x501),
            code: "REQ-1".into(),
            name: "Senior Rust Engineer".into(),
            owner: owner.clone(),
            headcount_total: 2,
            created_at: now - 40 * 86_400_000,
        }],
        deleted_opportunities: Vec::new(),
    };
    // People already in the pipeline, added by hand in Lever (not by ats-bridge).
    let posting = account.postings[0].id.clone();
    for (i, (name, email, stage)) in
        [("Grace Hopper", "grace@example.org", "applicant-new"), ("Alan Turing", "alan@example.org", "offer")]
            .into_iter()
            .enumerate()
    {
        let new = NewOpportunity {
            name: name.into(),
            emails: vec![email.into()],
            postings: vec![posting.clone()],
            stage: Some(stage.into()),
            origin: Some("applied".into()),
            sources: vec!["Job site".into()],
            ..NewOpportunity::default()
        };
        let _ = account.create_opportunity(&owner, new, now - (10 - i as i64) * 86_400_000);
    }
    account
}

/// The seed, with `redirect_uris` registered for ats-bridge's OAuth client.
pub fn seed(redirect_uris: Vec<String>) -> World {
    let now = 1_782_900_000_000; // 2026-07-01: seed times are fixed, so a saved seed compares alike.
    World {
        accounts: vec![
            account(NORTHWIND, "northwind", "Northwind", NORTHWIND_KEY, 0x10000, "northwind.example", now),
            account(GLOBEX, "globex", "Globex", GLOBEX_KEY, 0x20000, "globex.example", now),
        ],
        clients: vec![OAuthClient { client_id: CLIENT_ID.into(), client_secret: CLIENT_SECRET.into(), redirect_uris }],
        ..World::default()
    }
}
