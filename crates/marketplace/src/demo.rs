//! Demo data for the embedded default: two companies (the second proves isolation), five roles,
//! twenty candidates with generated PDF CVs, and requests in every state. Seeded only into an
//! empty database; the credentials below are shown on the sign-in page in demo mode.

use documents::{CvContent, render_cv};
use domain::views::{CandidateProfile, Education, Experience, ProfileLink};
use domain::{
    CandidateId, CompanyId, Email, Location, MarketplaceStage, RoleId, RoleStatus, RoleTitle, UserId, UserRole,
};
use storage::{CvFile, Db, NewCandidate, NewUser};

use crate::Result;
use crate::auth::hash_password;

/// A demo sign-in, as the README and the sign-in page show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoLogin {
    pub company: &'static str,
    pub who: &'static str,
    pub email: &'static str,
    pub password: &'static str,
}

pub const DEMO_LOGINS: [DemoLogin; 3] = [
    DemoLogin {
        company: "Northwind Labs",
        who: "Master account",
        email: "maria@northwind.test",
        password: "northwind-master",
    },
    DemoLogin { company: "Northwind Labs", who: "Member", email: "tom@northwind.test", password: "northwind-member" },
    DemoLogin { company: "Globex", who: "Master account", email: "hank@globex.test", password: "globex-master" },
];

const FIRST: [&str; 20] = [
    "Ada",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Guido",
    "Radia",
    "Bjarne",
    "Hedy",
    "Anders",
    "Sophie",
    "Yukihiro",
    "Katherine",
    "Rasmus",
    "Shafi",
    "Niklaus",
    "Karen",
];
const LAST: [&str; 20] = [
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "van Rossum",
    "Perlman",
    "Stroustrup",
    "Lamarr",
    "Hejlsberg",
    "Wilson",
    "Matsumoto",
    "Johnson",
    "Lerdorf",
    "Goldwasser",
    "Wirth",
    "Spärck Jones",
];
const HEADLINES: [&str; 5] = [
    "Backend engineer (Rust, PostgreSQL)",
    "Frontend engineer (TypeScript, WebAssembly)",
    "Data engineer (Python, Spark)",
    "Engineering lead, distributed systems",
    "Site reliability engineer (Kubernetes)",
];
const SKILLS: [&[&str]; 5] = [
    &["Rust", "Tokio", "PostgreSQL", "gRPC"],
    &["TypeScript", "Leptos", "CSS", "Accessibility"],
    &["Python", "Spark", "Airflow", "SQL"],
    &["Hiring", "Architecture", "Rust", "Go"],
    &["Kubernetes", "Terraform", "Prometheus", "Linux"],
];
const EMPLOYERS: [&str; 6] =
    ["Initech", "Hooli", "Umbrella Analytics", "Stark Industries", "Wayne Enterprises", "Acme Corp"];
const SCHOOLS: [&str; 4] = ["TU Berlin", "University of Edinburgh", "ETH Zurich", "Delft University of Technology"];

/// Seeds the demo when the database has no company yet. Returns whether it seeded.
pub async fn seed_if_empty(db: &Db) -> Result<bool> {
    if db.has_companies().await? {
        return Ok(false);
    }
    seed(db).await?;
    tracing::info!("demo data seeded");
    Ok(true)
}

async fn user(db: &Db, company: CompanyId, login: &DemoLogin, name: &str, role: UserRole) -> Result<UserId> {
    let email = Email::parse(login.email).expect("demo emails are valid");
    let hash = hash_password(login.password);
    Ok(db.insert_user(NewUser { company_id: company, email: &email, name, role, password_hash: &hash }).await?)
}

async fn role(db: &Db, company: CompanyId, title: &str, location: &str, status: RoleStatus) -> Result<RoleId> {
    let title = RoleTitle::parse(title).expect("demo titles are valid");
    let location = Location::parse(location).expect("demo locations are valid");
    Ok(db.insert_role(company, &title, &location, status).await?)
}

fn candidate_profile(i: usize) -> (String, String, String, CandidateProfile) {
    let name = format!("{} {}", FIRST[i], LAST[i]);
    let kind = i % HEADLINES.len();
    let handle = format!("{}{}", FIRST[i], LAST[i]).to_lowercase().replace([' ', 'ä'], "");
    let email = format!("{handle}@candidates.example");
    let years = 3 + (i % 9);
    let summary = format!(
        "{name} has {years} years of experience as a {}. Enjoys turning vague requirements into reliable software, \
         mentoring colleagues and writing things down.",
        HEADLINES[kind].split(" (").next().unwrap_or(HEADLINES[kind]).to_lowercase()
    );
    let profile = CandidateProfile {
        skills: SKILLS[kind].iter().map(|s| (*s).to_owned()).collect(),
        experience: vec![
            Experience {
                title: HEADLINES[kind].split(" (").next().unwrap_or(HEADLINES[kind]).to_owned(),
                company: EMPLOYERS[i % EMPLOYERS.len()].to_owned(),
                start: format!("{}-03", 2026 - years / 2),
                end: None,
                summary: "Owns a service used by every team; cut its p99 latency in half and its on-call pages by two thirds.".to_owned(),
            },
            Experience {
                title: "Software engineer".to_owned(),
                company: EMPLOYERS[(i + 3) % EMPLOYERS.len()].to_owned(),
                start: format!("{}-09", 2026 - years),
                end: Some(format!("{}-02", 2026 - years / 2)),
                summary: "Built internal tools and the first version of the public API.".to_owned(),
            },
        ],
        education: vec![Education {
            school: SCHOOLS[i % SCHOOLS.len()].to_owned(),
            degree: if i.is_multiple_of(3) { "MSc" } else { "BSc" }.to_owned(),
            field: "Computer Science".to_owned(),
            start: format!("{}", 2026 - years - 5),
            end: format!("{}", 2026 - years - 1),
        }],
        links: vec![
            ProfileLink { kind: "GitHub".to_owned(), url: format!("https://github.com/{handle}") },
            ProfileLink { kind: "LinkedIn".to_owned(), url: format!("https://www.linkedin.com/in/{handle}") },
        ],
    };
    (name, email, summary, profile)
}

async fn candidates(db: &Db) -> Result<Vec<CandidateId>> {
    let mut ids = Vec::with_capacity(FIRST.len());
    for i in 0..FIRST.len() {
        let (name, email, summary, profile) = candidate_profile(i);
        let headline = HEADLINES[i % HEADLINES.len()];
        let phone = format!("+49 30 5555 {:04}", 1000 + i * 37);
        let pdf = render_cv(&CvContent {
            name: &name,
            email: &email,
            phone: Some(&phone),
            headline,
            summary: &summary,
            profile: &profile,
        });
        let email = Email::parse(&email).expect("demo emails are valid");
        let filename = format!("CV - {name}.pdf");
        let id = db
            .insert_candidate(NewCandidate {
                name: &name,
                email: &email,
                phone: Some(&phone),
                headline,
                summary: &summary,
                profile: &profile,
                cv: Some(CvFile { filename, pdf }),
            })
            .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Where a seeded request ends up.
enum Answer {
    Pending,
    Declined,
    At(MarketplaceStage),
}

async fn request(
    db: &Db,
    company: CompanyId,
    role: RoleId,
    candidate: CandidateId,
    by: UserId,
    answer: Answer,
) -> Result<()> {
    request_sent(db, company, (role, candidate), by, answer, 0).await
}

/// A request sent `days_ago`: answered two days later, each move a week after the one before
/// (never later than now), so Insights has a history to show.
async fn request_sent(
    db: &Db,
    company: CompanyId,
    (role, candidate): (RoleId, CandidateId),
    by: UserId,
    answer: Answer,
    days_ago: i64,
) -> Result<()> {
    const DAY: i64 = 86_400_000;
    let now = storage::now_ms();
    let sent = now - days_ago * DAY;
    let mut at = sent;
    let mut later = |days: i64| {
        at = (at + days * DAY).min(now);
        at
    };
    let request = db.insert_request_sent_at(company, role, candidate, Some(by), sent).await?;
    match answer {
        Answer::Pending => {}
        Answer::Declined => db.decline_request(company, request).await?,
        Answer::At(stage) => {
            crate::pipeline::accept(db, company, request, later(2)).await?;
            let path = [
                MarketplaceStage::Screening,
                MarketplaceStage::TechnicalInterview,
                MarketplaceStage::FinalInterview,
                MarketplaceStage::Offer,
                MarketplaceStage::Hired,
            ];
            for next in path.into_iter().filter(|s| *s <= stage && !stage.is_outcome()) {
                crate::pipeline::move_to(db, company, request, next, by, later(7)).await?;
            }
            if stage.is_outcome() {
                crate::pipeline::move_to(db, company, request, stage, by, later(7)).await?;
            }
        }
    }
    Ok(())
}

async fn seed(db: &Db) -> Result<()> {
    let northwind = db.insert_company("Northwind Labs").await?;
    let maria = user(db, northwind, &DEMO_LOGINS[0], "Maria Keller", UserRole::Master).await?;
    let tom = user(db, northwind, &DEMO_LOGINS[1], "Tom Becker", UserRole::Member).await?;
    let globex = db.insert_company("Globex").await?;
    let hank = user(db, globex, &DEMO_LOGINS[2], "Hank Scorpio", UserRole::Master).await?;

    let rust = role(db, northwind, "Senior Rust Engineer", "Berlin, Germany", RoleStatus::Live).await?;
    let frontend = role(db, northwind, "Frontend Engineer (Leptos)", "Remote (EU)", RoleStatus::Live).await?;
    let data = role(db, northwind, "Data Engineer", "Amsterdam, Netherlands", RoleStatus::Live).await?;
    role(db, northwind, "Engineering Manager", "London, United Kingdom", RoleStatus::Live).await?;
    role(db, northwind, "DevOps Engineer", "Berlin, Germany", RoleStatus::Draft).await?;
    let platform = role(db, globex, "Platform Engineer", "Springfield, USA", RoleStatus::Live).await?;

    let c = candidates(db).await?;
    use Answer::{At, Declined, Pending};
    use MarketplaceStage as S;
    for (candidate, by, answer) in [
        (c[0], maria, At(S::TechnicalInterview)),
        (c[5], maria, At(S::Screening)),
        (c[10], tom, At(S::Accepted)),
        (c[15], maria, At(S::Rejected)),
        (c[3], maria, Pending),
        (c[8], tom, Pending),
        (c[13], maria, Declined),
    ] {
        request(db, northwind, rust, candidate, by, answer).await?;
    }
    for (candidate, by, answer) in
        [(c[1], tom, At(S::Accepted)), (c[6], maria, Pending), (c[11], tom, Pending), (c[16], maria, Declined)]
    {
        request(db, northwind, frontend, candidate, by, answer).await?;
    }
    for (candidate, by, answer) in [(c[2], maria, At(S::Offer)), (c[7], maria, Pending)] {
        request(db, northwind, data, candidate, by, answer).await?;
    }
    // Earlier months: requests that ran their course (hired, turned down, withdrawn, declined)
    // and a few still under way, for Insights. None of the people Globex reached (those stay a
    // test of isolation), and no one accepted for the Data Engineer (the tests' role to map).
    for (role, candidate, by, answer, days_ago) in [
        (rust, c[2], maria, At(S::Hired), 200),
        (rust, c[7], tom, At(S::Rejected), 120),
        (rust, c[12], maria, Declined, 60),
        (rust, c[17], maria, At(S::Withdrawn), 40),
        (frontend, c[3], tom, At(S::Hired), 300),
        (frontend, c[8], tom, At(S::Offer), 80),
        (frontend, c[12], maria, At(S::Rejected), 150),
        (frontend, c[18], tom, At(S::FinalInterview), 50),
        (frontend, c[19], maria, Declined, 100),
        (data, c[19], tom, Declined, 200),
    ] {
        request_sent(db, northwind, (role, candidate), by, answer, days_ago).await?;
    }
    // Globex reaches some of the same people: Northwind must never see these requests.
    for (candidate, answer) in [(c[0], At(S::Screening)), (c[4], At(S::Accepted)), (c[9], Pending)] {
        request(db, globex, platform, candidate, hank, answer).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_candidate_has_a_valid_unique_email() {
        let emails: std::collections::HashSet<String> = (0..FIRST.len()).map(|i| candidate_profile(i).1).collect();
        assert_eq!(emails.len(), 20);
        for email in emails {
            Email::parse(&email).unwrap();
        }
    }
}
