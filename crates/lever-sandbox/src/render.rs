//! Lever's JSON shapes, as the recordings show them: every key Lever sends, `""` for empty
//! text, `null` for absent objects, times in milliseconds.

use serde_json::{Value, json};

use crate::model::*;

/// An opportunity with its person's details. `opportunityLocation` is on reads only: Lever's
/// write answers leave it out.
pub fn opportunity(account: &Account, o: &Opportunity, read: bool) -> Value {
    let contact = account.contact(&o.contact);
    let text = |f: fn(&Contact) -> &String| contact.map(f).cloned().unwrap_or_default();
    let mut value = json!({
        "id": o.id,
        "name": text(|c| &c.name),
        "contact": o.contact,
        "headline": text(|c| &c.headline),
        "stage": o.stage,
        "confidentiality": "non-confidential",
        "location": text(|c| &c.location),
        "phones": contact.map(|c| c.phones.iter().map(phone).collect::<Vec<_>>()).unwrap_or_default(),
        "emails": contact.map(|c| c.emails.clone()).unwrap_or_default(),
        "links": contact.map(|c| c.links.clone()).unwrap_or_default(),
        "archived": o.archived.as_ref().map(archived),
        "tags": o.tags,
        "sources": o.sources,
        "stageChanges": o.stage_changes.iter().map(|c| json!({
            "toStageId": c.to_stage_id, "toStageIndex": c.to_stage_index, "updatedAt": c.updated_at, "userId": c.user_id,
        })).collect::<Vec<_>>(),
        "origin": o.origin,
        "sourcedBy": o.sourced_by,
        "owner": o.owner,
        "followers": o.followers,
        "applications": o.applications,
        "createdAt": o.created_at,
        "updatedAt": o.updated_at,
        "lastInteractionAt": o.last_interaction_at,
        "lastAdvancedAt": o.last_advanced_at,
        "snoozedUntil": null,
        "urls": { "list": "https://hire.lever.co/candidates", "show": format!("https://hire.lever.co/candidates/{}", o.id) },
        "isAnonymized": false,
        "dataProtection": null,
    });
    if read {
        let location = o
            .applications
            .first()
            .and_then(|a| account.applications.iter().find(|x| &x.id == a))
            .and_then(|a| a.posting.as_ref())
            .and_then(|p| account.postings.iter().find(|x| &x.id == p))
            .map(|p| p.location.clone())
            .unwrap_or_default();
        value["opportunityLocation"] = json!(location);
    }
    value
}

pub fn phone(p: &Phone) -> Value {
    json!({ "type": p.kind.clone().unwrap_or_else(|| "other".into()), "value": p.value })
}

pub fn archived(a: &Archived) -> Value {
    json!({ "reason": a.reason, "archivedAt": a.archived_at })
}

pub fn posting(account: &Account, p: &Posting) -> Value {
    let listed = matches!(p.state.as_str(), "published" | "internal");
    let site = format!("https://jobs.lever.co/{}", account.site);
    json!({
        "id": p.id,
        "text": p.text,
        "state": p.state,
        "distributionChannels": if p.state == "published" { json!(["public", "internal"]) } else { Value::Null },
        "user": p.owner,
        "owner": p.owner,
        "hiringManager": null,
        "categories": {
            "commitment": p.commitment, "department": p.department, "level": null, "location": p.location,
            "team": p.team, "allLocations": [p.location],
        },
        "tags": [],
        "content": {
            "description": p.description,
            "descriptionHtml": format!("<div>{}</div>", p.description.trim()),
            "lists": [], "closing": "", "closingHtml": "",
        },
        "country": p.country,
        "followers": [p.owner],
        "reqCode": null,
        "requisitionCodes": [],
        "urls": if listed { json!({
            "list": site, "show": format!("{site}/{}", p.id), "apply": format!("{site}/{}/apply", p.id),
        }) } else { Value::Null },
        "confidentiality": if p.confidential { "confidential" } else { "non-confidential" },
        "createdAt": p.created_at,
        "updatedAt": p.updated_at,
        "workplaceType": p.workplace_type,
        "transcribeInterviews": false,
        "screening": { "enabled": false },
    })
}

pub fn user(u: &User) -> Value {
    json!({
        "id": u.id, "name": u.name, "username": u.username, "email": u.email, "accessRole": u.access_role,
        "photo": null, "createdAt": u.created_at, "deactivatedAt": u.deactivated_at, "externalDirectoryId": null,
        "linkedContactIds": null, "jobTitle": null, "managerId": null,
    })
}

pub fn stage(s: &Stage) -> Value {
    json!({ "id": s.id, "text": s.text })
}

pub fn archive_reason(r: &ArchiveReason) -> Value {
    json!({
        "id": r.id, "text": r.text, "status": if r.active { "active" } else { "inactive" },
        "type": if r.hired { "hired" } else { "non-hired" },
    })
}

pub fn contact(c: &Contact, with_anonymized: bool) -> Value {
    let mut value = json!({
        "id": c.id, "name": c.name, "headline": c.headline, "location": { "name": c.location },
        "emails": c.emails, "phones": c.phones.iter().map(phone).collect::<Vec<_>>(),
    });
    if with_anonymized {
        value["isAnonymized"] = json!(false);
        value["dataProtection"] = json!({ "interviewIntelligence": { "allowed": true, "expiresAt": null } });
    }
    value
}

pub fn application(a: &Application) -> Value {
    json!({
        "id": a.id, "type": a.kind, "candidateId": a.opportunity, "opportunityId": a.opportunity, "posting": a.posting,
        "postingHiringManager": null, "postingOwner": a.posting_owner, "name": null, "company": null, "phone": null,
        "email": null, "links": [], "comments": null, "user": a.user, "customQuestions": [], "createdAt": a.created_at,
        "archived": a.archived.as_ref().map(archived), "requisitionForHire": null, "ipAddress": null, "referer": null,
        "userAgent": null, "acceptLanguage": null, "timezone": null,
    })
}

/// A note; the create answer adds `noteId` (the same id).
pub fn note(n: &Note, created: bool) -> Value {
    let mut value = json!({
        "id": n.id,
        "text": "Note",
        "fields": [{
            "type": "note", "text": "Comment", "value": n.value, "user": n.user, "stage": n.stage,
            "score": n.score, "createdAt": n.created_at,
        }],
        "user": n.user,
        "secret": n.secret,
        "completedAt": n.created_at,
        "createdAt": n.created_at,
        "deletedAt": n.deleted_at,
    });
    if created {
        value["noteId"] = json!(n.id);
    }
    value
}

/// A file's description; its download address is on the API, behind the same credentials.
pub fn file(base: &str, f: &StoredFile, kind: &str) -> Value {
    json!({
        "id": f.id, "downloadUrl": format!("{base}/v1/opportunities/{}/{kind}/{}/download", f.opportunity, f.id),
        "ext": f.ext(), "name": f.name, "uploadedAt": f.uploaded_at, "status": "processed", "size": f.bytes.len(),
    })
}

pub fn resume(base: &str, f: &StoredFile) -> Value {
    let mut described = file(base, f, "resumes");
    let id = described["id"].take();
    json!({ "id": id, "createdAt": f.uploaded_at, "file": described, "parsedData": { "positions": [], "schools": [] } })
}

fn interviewer(account: &Account, id: &str, with_response: bool) -> Value {
    let u = account.user(id);
    let mut value = json!({
        "id": id, "email": u.map(|u| u.email.clone()), "name": u.map(|u| u.name.clone()), "feedbackTemplate": "no-feedback",
    });
    if with_response {
        value["responseStatus"] = json!("needsAction");
    }
    value
}

pub fn panel(account: &Account, p: &Panel) -> Value {
    let start = p.interviews.iter().map(|i| i.date).min();
    let end = p.interviews.iter().map(|i| i.date + i.duration * 60_000).max();
    json!({
        "id": p.id, "applications": p.applications, "canceledAt": null, "createdAt": p.created_at, "end": end,
        "externallyManaged": true, "externalUrl": null, "feedbackReminder": "daily",
        "interviews": p.interviews.iter().map(|i| json!({
            "id": i.id, "date": i.date, "duration": i.duration, "feedbackReminder": "daily", "feedbackTemplate": "no-feedback",
            "interviewers": i.interviewers.iter().map(|u| interviewer(account, u, true)).collect::<Vec<_>>(),
            "location": i.location, "note": i.note, "subject": i.subject,
        })).collect::<Vec<_>>(),
        "note": p.note, "stage": p.stage, "start": start, "timezone": p.timezone, "user": p.user,
    })
}

pub fn interview(account: &Account, p: &Panel, i: &Interview) -> Value {
    let postings: Vec<&String> = p
        .applications
        .iter()
        .filter_map(|a| account.applications.iter().find(|x| &x.id == a))
        .filter_map(|a| a.posting.as_ref())
        .collect();
    json!({
        "id": i.id, "panel": p.id, "subject": i.subject, "note": i.note,
        "interviewers": i.interviewers.iter().map(|u| interviewer(account, u, false)).collect::<Vec<_>>(),
        "timezone": p.timezone, "createdAt": i.created_at, "date": i.date, "duration": i.duration, "location": i.location,
        "feedbackTemplate": null, "feedbackForms": [], "feedbackReminder": "daily", "user": i.user, "stage": p.stage,
        "canceledAt": null, "postings": postings, "gcalEventUrl": null, "opportunityId": p.opportunity,
    })
}

/// A webhook; the signature token only in the create answer.
pub fn webhook(w: &Webhook, with_token: bool) -> Value {
    let mut configuration = json!({ "conditions": { "origins": w.origins } });
    if with_token {
        configuration["signatureToken"] = json!(w.signature_token);
    }
    json!({ "id": w.id, "event": w.event, "url": w.url, "configuration": configuration, "createdAt": w.created_at, "updatedAt": w.updated_at })
}

pub fn requisition(r: &Requisition) -> Value {
    json!({
        "id": r.id, "createdAt": r.created_at, "confidentiality": "non-confidential", "status": "open", "name": r.name,
        "requisitionCode": r.code, "headcountTotal": r.headcount_total, "headcountHired": 0, "headcountInfinite": false,
        "backfill": false, "creator": r.owner, "owner": r.owner, "hiringManager": null, "internalNotes": "",
        "compensationBand": null, "approval": { "steps": [] }, "employmentStatus": null, "location": null, "team": null,
        "department": null, "postings": [], "offerIds": [], "timeToFillStartAt": null, "timeToFillEndAt": null,
        "updatedAt": r.created_at, "customFields": {}, "closedAt": null,
    })
}

fn question(text: &str, name: &str, kind: &str, required: bool) -> Value {
    json!({ "text": text, "name": name, "type": kind, "required": required, "value": null })
}

fn eeo(text: &str, options: &[&str], described: bool) -> Value {
    json!({
        "description": null, "required": false, "text": text, "type": "dropdown",
        "options": options.iter().map(|o| if described {
            json!({ "text": o, "optionId": o.to_lowercase().replace(' ', "-"), "description": "" })
        } else {
            json!({ "text": o, "optionId": o.to_lowercase().replace(' ', "-") })
        }).collect::<Vec<_>>(),
        "prompt": "Select …", "value": null,
    })
}

/// A posting's application form (`/postings/:id/apply`): Lever's standard fields, and the
/// voluntary EEO survey for postings in the United States only (as the recordings show it: some
/// postings' forms have `eeoQuestions`, others have no such key).
pub fn apply_form(p: &Posting) -> Value {
    let mut form = json!({
        "id": p.id,
        "text": p.text,
        "customQuestions": [],
        "eeoQuestions": {
            "gender": eeo("Gender", &["Female", "Male", "Decline to self-identify"], false),
            "race": eeo("Race", &["Asian", "White", "Decline to self-identify"], true),
            "veteran": eeo("Veteran status", &["I am a veteran", "I am not a veteran"], false),
        },
        "personalInformation": [
            question("Full name", "fullName", "text", true),
            question("Email", "email", "text", true),
            question("Current company", "currentCompany", "text", false),
            question("Current location", "currentLocation", "text", false),
            question("Phone", "phone", "text", false),
            question("Resume/CV", "resume", "file-upload", false),
            question("Additional information", "additionalInformation", "textarea", false),
        ],
        "urls": [question("LinkedIn", "LinkedIn", "text", false), question("Other website", "Other", "text", false)],
        "consentDisclosures": null,
    });
    if p.country != "US" {
        form.as_object_mut().expect("an object").remove("eeoQuestions");
    }
    form
}
