//! Workable's JSON shapes, key for key as the recordings in `shared/workable-recordings/` show
//! them (the conformance test checks every one).

use serde_json::{Value, json};

use crate::model::*;

/// `2026-07-23T18:58:15Z`
pub fn seconds(ms: Millis) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `2026-07-23T19:21:46.175Z` (activities, subscriptions and a few others carry milliseconds).
pub fn millis(ms: Millis) -> String {
    let s = seconds(ms);
    format!("{}.{:03}Z", &s[..s.len() - 1], ms.rem_euclid(1000))
}

fn opt_seconds(ms: Option<Millis>) -> Value {
    ms.map_or(Value::Null, |ms| Value::String(seconds(ms)))
}

pub fn account(a: &Account) -> Value {
    json!({ "id": a.id, "name": a.name, "subdomain": a.subdomain, "description": null, "summary": null, "website_url": a.website_url })
}

fn job_urls(host: &str, j: &Job) -> (String, String, String) {
    let number = u64::from_str_radix(&j.id, 16).unwrap_or(0);
    (
        format!("{host}/jobs/{number}"),
        format!("{host}/jobs/{number}/candidates/new"),
        format!("{host}/j/{}", j.shortcode),
    )
}

fn locations(j: &Job) -> Value {
    json!([{ "shortcode": format!("L{}", j.shortcode), "country_code": j.country_code, "country_name": j.country, "state_code": null,
             "subregion": null, "zip_code": null, "city": j.city, "coords": null, "hidden": false }])
}

fn full_title(j: &Job) -> String {
    match &j.code {
        Some(code) => format!("{} - {code}", j.title),
        None => j.title.clone(),
    }
}

/// A job as `GET /jobs` lists it. `host` is the account's base (`https://acme.workable.com`).
pub fn job_summary(host: &str, j: &Job) -> Value {
    let (url, application_url, shortlink) = job_urls(host, j);
    json!({
        "id": j.id, "title": j.title, "full_title": full_title(j), "shortcode": j.shortcode, "code": j.code,
        "state": j.state, "sample": false, "confidential": false, "department": j.department,
        "department_hierarchy": j.department.as_ref().map_or(json!([]), |d| json!([{ "id": 792_289_334, "name": d }])),
        "url": url, "application_url": application_url, "shortlink": shortlink, "workplace_type": j.workplace_type,
        "location": { "location_str": format!("{}, {}", j.city, j.country), "country": j.country, "country_code": j.country_code,
                      "region": null, "region_code": null, "city": j.city, "zip_code": null,
                      "telecommuting": j.workplace_type == "remote", "workplace_type": j.workplace_type },
        "locations": locations(j),
        "salary": { "salary_from": null, "salary_to": null, "salary_currency": null },
        "created_at": seconds(j.created_at), "updated_at": seconds(j.updated_at), "keywords": null,
    })
}

/// A job as `GET /jobs/:shortcode` returns it (unwrapped, with descriptions).
pub fn job_detail(host: &str, j: &Job) -> Value {
    let (url, application_url, shortlink) = job_urls(host, j);
    json!({
        "id": j.id, "title": j.title, "full_title": full_title(j), "shortcode": j.shortcode, "code": j.code,
        "state": j.state, "confidential": false, "department": j.department,
        "department_hierarchy": j.department.as_ref().map_or(json!([]), |d| json!([{ "id": 792_289_334, "name": d }])),
        "url": url, "application_url": application_url, "shortlink": shortlink, "workplace_type": j.workplace_type,
        "location": { "country": j.country, "country_code": j.country_code, "region": null, "region_code": null,
                      "city": j.city, "zip_code": null, "telecommuting": j.workplace_type == "remote", "workplace_type": j.workplace_type },
        "locations": locations(j),
        "created_at": seconds(j.created_at), "updated_at": seconds(j.updated_at),
        "full_description": j.description, "description": j.description, "requirements": null, "benefits": null,
        "employment_type": "Full-time", "industry": null, "function": null, "experience": null, "education": null,
        "keywords": null, "salary": { "salary_from": null, "salary_to": null, "salary_currency": null },
    })
}

pub fn stage(s: &Stage) -> Value {
    json!({ "id": s.id, "identifier": s.identifier, "slug": s.slug, "name": s.name, "kind": s.kind, "position": s.position })
}

fn stage_ref(s: &Stage) -> Value {
    json!({ "id": s.id, "identifier": s.identifier, "name": s.name, "slug": s.slug })
}

pub fn member(m: &Member) -> Value {
    let roles = match m.role.as_str() {
        "admin" => json!(["ats.admin"]),
        "reviewer" => json!(["ats.reviewer"]),
        _ => json!(["ats.simple"]),
    };
    json!({ "id": m.id, "name": m.name, "headline": null, "email": m.email, "role": m.role, "type": "Member",
            "hris_role": null, "roles": roles, "active": m.active, "collaboration_rules": [], "hris_member_scope": null })
}

pub fn job_member(m: &Member) -> Value {
    json!({ "id": m.id, "name": m.name, "headline": null, "email": m.email, "role": m.role, "type": "Member", "collaboration_role": m.role })
}

pub fn reason(r: &DisqualificationReason) -> Value {
    json!({ "id": r.id, "description": r.description, "candidate_withdrew": r.candidate_withdrew, "position": r.position })
}

fn stage_of<'a>(a: &'a Account, c: &Candidate) -> Option<&'a Stage> {
    a.job(&c.job_shortcode).and_then(|j| j.stage(&c.stage_slug))
}

fn profile_url(host: &str, a: &Account, c: &Candidate) -> String {
    let job = a.job(&c.job_shortcode).map_or(0, |j| u64::from_str_radix(&j.id, 16).unwrap_or(0));
    format!("{host}/backend/jobs/{job}/candidates/{}", u64::from_str_radix(&c.id, 16).unwrap_or(0))
}

/// A candidate as `GET /candidates` lists it.
pub fn candidate_summary(host: &str, a: &Account, c: &Candidate) -> Value {
    let stage = stage_of(a, c);
    let job_title = a.job(&c.job_shortcode).map(|j| j.title.clone());
    json!({
        "id": c.id, "name": c.name(), "firstname": c.firstname, "lastname": c.lastname, "headline": c.headline,
        "account": { "subdomain": a.subdomain, "name": a.name },
        "job": { "shortcode": c.job_shortcode, "title": job_title },
        "stage": stage.map(|s| s.name.clone()), "stage_kind": stage.map(|s| s.kind.clone()),
        "disqualified": c.disqualified, "anonymized": false, "disqualification_reason": c.disqualification_reason,
        "hired_at": opt_seconds(c.hired_at), "moved_to_offer_at": opt_seconds(c.moved_to_offer_at),
        "sourced": c.sourced, "profile_url": profile_url(host, a, c),
        "address": c.address, "phone": c.phone, "email": c.email, "domain": c.domain,
        "outlet": if c.sourced { Value::String("SPI".into()) } else { Value::Null },
        "common_source": common_source(c).0, "common_source_category": common_source(c).1,
        "created_at": seconds(c.created_at), "updated_at": seconds(c.updated_at),
        "resume_metadata": c.resume.as_ref().map_or(Value::Null, |r| json!({
            "filename": r.name, "filetype": r.name.rsplit('.').next().unwrap_or("pdf"),
            "created_at": seconds(c.created_at), "updated_at": seconds(c.updated_at) })),
    })
}

/// The source Workable's reports show for a candidate, and its category, derived from `domain` as
/// the recordings show Workable doing it: none is "Unknown" (Other); Workable's own job page is
/// "Careers page" (Company marketing); the job boards keep their domain (Job boards); any other
/// domain — social sites, the marketplace — is itself (Other).
pub fn common_source(c: &Candidate) -> (String, &'static str) {
    const JOB_BOARDS: [&str; 8] = [
        "indeed.com",
        "linkedin.com",
        "glassdoor.com",
        "monster.com",
        "ziprecruiter.com",
        "stackoverflow.com",
        "angel.co",
        "wellfound.com",
    ];
    match c.domain.as_deref() {
        None => ("Unknown".into(), "Other"),
        Some("workable.com") => ("Careers page".into(), "Company marketing"),
        Some(board) if JOB_BOARDS.contains(&board) => (board.to_owned(), "Job boards"),
        Some(other) => (other.to_owned(), "Other"),
    }
}

/// A candidate as `GET /candidates/:id` returns it (the caller wraps it in `candidate`).
/// `files_base` is where the sandbox serves stored files.
pub fn candidate_detail(host: &str, files_base: &str, a: &Account, c: &Candidate) -> Value {
    let stage = stage_of(a, c);
    let job_title = a.job(&c.job_shortcode).map(|j| j.title.clone());
    let mut value = json!({
        "id": c.id, "name": c.name(), "firstname": c.firstname, "lastname": c.lastname, "headline": c.headline, "image_url": null,
        "account": { "subdomain": a.subdomain, "name": a.name },
        "job": { "shortcode": c.job_shortcode, "title": job_title },
        "stage": stage.map(|s| s.name.clone()), "stage_kind": stage.map(|s| s.kind.clone()),
        "disqualified": c.disqualified, "disqualified_at": c.disqualified_at.map(millis), "withdrew": c.withdrew,
        "anonymized": false, "disqualification_reason": c.disqualification_reason,
        "hired_at": opt_seconds(c.hired_at), "moved_to_offer_at": opt_seconds(c.moved_to_offer_at),
        "sourced": c.sourced, "profile_url": profile_url(host, a, c),
        "address": c.address, "phone": c.phone, "email": c.email,
        "outbound_mailbox": format!("{}@outbound.sandbox.workablemail.example", c.id),
        "domain": c.domain, "outlet": if c.sourced { Value::String("SPI".into()) } else { Value::Null },
        "common_source": common_source(c).0, "common_source_category": common_source(c).1,
        "uploader_id": null, "created_at": seconds(c.created_at), "updated_at": seconds(c.updated_at),
        "cover_letter": c.cover_letter, "summary": c.summary,
        "education_entries": c.education_entries, "experience_entries": c.experience_entries,
        "skills": c.skills.iter().map(|s| json!({ "name": s })).collect::<Vec<_>>(),
        "answers": [],
        "resume_url": c.resume.as_ref().map(|r| file_url(files_base, c, r)),
        "tags": c.tags,
        "location": { "location_str": null, "country": null, "country_code": null, "region": null, "region_code": null, "city": null, "zip_code": null },
        "originating_candidate_id": null,
    });
    // Workable includes social profiles only when the candidate has some.
    if !c.social_profiles.is_empty() {
        value["social_profiles"] = Value::Array(c.social_profiles.clone());
    }
    value
}

/// A presigned-looking URL, like Workable's S3 links.
pub fn file_url(files_base: &str, c: &Candidate, f: &StoredFile) -> String {
    format!("{files_base}/files/{}/{}?X-Amz-Expires=60000", c.id, f.id)
}

pub fn file(files_base: &str, c: &Candidate, f: &StoredFile) -> Value {
    json!({ "name": f.name, "preview_url": file_url(files_base, c, f), "source": f.source })
}

pub fn activity(a: &Account, c: &Candidate, act: &Activity) -> Value {
    let job = a.job(&c.job_shortcode);
    let from = job.and_then(|j| j.stage(&act.stage_slug));
    let to = act.target_stage_slug.as_deref().and_then(|slug| job.and_then(|j| j.stage(slug)));
    let mut value = json!({
        "id": act.id, "action": act.action, "stage_name": from.map(|s| s.name.clone()),
        "action_stage": from.map_or(Value::Null, stage_ref), "target_stage": to.map_or(Value::Null, stage_ref),
        "created_at": millis(act.created_at), "updated_at": millis(act.created_at),
    });
    if let Some(member) = act.member_id.as_deref().and_then(|id| a.members.iter().find(|m| m.id == id)) {
        value["member"] = json!({ "id": member.id, "name": member.name, "type": "Member" });
    }
    value["body"] = act.body.clone().map_or(Value::Null, Value::String);
    value
}

pub fn subscription(s: &Subscription) -> Value {
    json!({ "id": s.id, "event": s.event, "target": s.target, "valid_until": null, "created_at": millis(s.created_at),
            "stage_slug": s.stage_slug, "job_shortcode": s.job_shortcode })
}

/// The job's application form (static: the sandbox does not model custom questions).
pub fn application_form() -> Value {
    let text = |key: &str, label: &str| json!({ "key": key, "label": label, "type": "string", "required": false, "max_length": 255 });
    json!({
        "form_fields": [
            text("headline", "Headline"),
            text("phone", "Phone"),
            { "key": "address", "label": "Address", "type": "string", "required": false },
            { "key": "avatar", "label": "Photo", "type": "file", "supported_file_types": ["jpg", "jpeg", "gif", "png"], "max_file_size": 5_242_880, "required": false },
            { "key": "summary", "label": "Summary", "type": "free_text", "required": false },
            { "key": "resume", "label": "Resume", "type": "file", "supported_file_types": ["pdf", "doc", "docx", "odt", "rtf"], "max_file_size": 5_242_880, "required": false },
            { "key": "cover_letter", "label": "Cover letter", "type": "free_text", "required": false },
        ],
        "questions": [],
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_written_as_workable_writes_them() {
        assert_eq!(super::seconds(1_784_839_296_000), "2026-07-23T20:41:36Z");
        assert_eq!(super::millis(1_784_839_296_175), "2026-07-23T20:41:36.175Z");
    }

    /// As `list-candidates.json` and `create-candidate.json` (recorded July 2026) show them.
    #[test]
    fn the_source_is_derived_from_the_domain_as_workable_derives_it() {
        let mut world = crate::model::World::default();
        let mut c =
            crate::seed::new_candidate(&mut world, "JOB", "Ada", "Lovelace", "ada@example.com", "sourced", true, 0);
        let mut source = |domain: Option<&str>| {
            c.domain = domain.map(str::to_owned);
            let (name, category) = super::common_source(&c);
            (name, category.to_owned())
        };
        assert_eq!(source(None), ("Unknown".into(), "Other".into()));
        assert_eq!(source(Some("workable.com")), ("Careers page".into(), "Company marketing".into()));
        assert_eq!(source(Some("indeed.com")), ("indeed.com".into(), "Job boards".into()));
        assert_eq!(source(Some("linkedin.com")), ("linkedin.com".into(), "Job boards".into()));
        assert_eq!(source(Some("twitter.com")), ("twitter.com".into(), "Other".into()));
        assert_eq!(source(Some("marketplace.example")), ("marketplace.example".into(), "Other".into()));
    }
}
