//! A small HTML view for people (on this machine only): each account's postings and, per
//! posting, its opportunities — stage, archive reason, resume, files, notes — with controls to
//! move, archive or unarchive, and delete one, as a person in Lever would: they fire the webhooks,
//! so the sync from Lever can be shown by hand.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, http::StatusCode};
use sandbox_support::escape;
use serde::Deserialize;

use crate::LeverSandbox;
use crate::model::{Account, Happened, Refusal};

pub fn routes(sandbox: LeverSandbox) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/ui/{site}/postings/{id}", get(posting_page))
        .route("/ui/{site}/opportunities/{id}/stage", post(move_stage))
        .route("/ui/{site}/opportunities/{id}/archived", post(archive))
        .route("/ui/{site}/opportunities/{id}/delete", post(delete))
        .route_layer(axum::middleware::from_fn(sandbox_support::loopback_only))
        .with_state(sandbox)
}

fn page(base: &str, title: &str, body: String) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} · Lever sandbox</title>\
         <style>body{{font-family:system-ui;margin:2rem;color:#1d2330}}table{{border-collapse:collapse;width:100%}}\
         td,th{{border-bottom:1px solid #dde2e8;padding:.4rem .6rem;text-align:left;vertical-align:top}}\
         .archived{{color:#b3261e;font-weight:600}} form{{display:inline}} code{{background:#f1f3f6;padding:0 .25rem}}</style></head>\
         <body><p><a href=\"{home}/\">Lever sandbox</a></p><h1>{t}</h1>{body}</body></html>",
        t = escape(title),
        home = escape(base),
    ))
}

async fn index(State(sandbox): State<LeverSandbox>) -> Html<String> {
    let base = sandbox.base_url();
    let body = sandbox.read(|w| {
        let mut html = format!(
            "<p>Data API: <code>{b}/v1</code>; OAuth: <code>{b}/authorize</code>, <code>{b}/oauth/token</code> (audience <code>{b}/v1/</code>).</p>",
            b = escape(&base)
        );
        for account in &w.accounts {
            html.push_str(&format!("<h2>{} <small><code>jobs.lever.co/{}</code></small></h2><ul>", escape(&account.name), escape(&account.site)));
            for posting in &account.postings {
                let count = account.applications.iter().filter(|a| a.posting.as_deref() == Some(posting.id.as_str())).count();
                html.push_str(&format!(
                    "<li><a href=\"{b}/ui/{site}/postings/{id}\">{title}</a> — {state}, {count} opportunities</li>",
                    b = escape(&base),
                    site = escape(&account.site),
                    id = escape(&posting.id),
                    title = escape(&posting.text),
                    state = escape(&posting.state),
                ));
            }
            html.push_str(&format!("</ul><p>{} webhooks registered.</p>", account.webhooks.len()));
        }
        html
    });
    page(&base, "Accounts and postings", body)
}

async fn posting_page(State(sandbox): State<LeverSandbox>, Path((site, id)): Path<(String, String)>) -> Response {
    let base = sandbox.base_url();
    let found = sandbox.read(|w| {
        let account = w.accounts.iter().find(|a| a.site == site)?;
        let posting = account.postings.iter().find(|p| p.id == id)?;
        let mut rows = String::new();
        for application in account.applications.iter().filter(|a| a.posting.as_deref() == Some(id.as_str())) {
            let Some(o) = account.opportunity(&application.opportunity) else { continue };
            let contact = account.contact(&o.contact);
            let stage_options: String = account
                .stages
                .iter()
                .map(|s| format!("<option value=\"{}\"{}>{}</option>", escape(&s.id), if s.id == o.stage { " selected" } else { "" }, escape(&s.text)))
                .collect();
            let reason_options: String = account
                .archive_reasons
                .iter()
                .filter(|r| r.active)
                .map(|r| format!("<option value=\"{}\">{}{}</option>", escape(&r.id), escape(&r.text), if r.hired { " (hired)" } else { "" }))
                .collect();
            let archived = o.archived.as_ref().map(|a| {
                let reason = account.archive_reasons.iter().find(|r| r.id == a.reason).map_or(a.reason.as_str(), |r| r.text.as_str());
                format!("<span class=\"archived\">Archived: {}</span>", escape(reason))
            });
            let stage = account.stages.iter().find(|s| s.id == o.stage).map_or(o.stage.as_str(), |s| s.text.as_str());
            let (resumes, files, notes) = (
                account.resumes.iter().filter(|f| f.opportunity == o.id).map(|f| escape(&f.name)).collect::<Vec<_>>().join(", "),
                account.files.iter().filter(|f| f.opportunity == o.id).map(|f| escape(&f.name)).collect::<Vec<_>>().join(", "),
                account.notes.iter().filter(|n| n.opportunity == o.id && n.deleted_at.is_none()).count(),
            );
            let action = |what: &str| format!("{}/ui/{}/opportunities/{}/{what}", escape(&base), escape(&site), escape(&o.id));
            rows.push_str(&format!(
                "<tr><td>{name}<br><small>{email}</small><br><small>{sources}</small></td><td>{stage} {archived}</td>\
                 <td>Resume: {resumes}<br>Files: {files}<br>Notes: {notes}</td><td>\
                 <form method=\"post\" action=\"{to_stage}\"><label>Stage <select name=\"stage\">{stage_options}</select></label> <button>Move</button></form><br>\
                 <form method=\"post\" action=\"{to_archive}\"><label>Archive as <select name=\"reason\">{reason_options}</select></label> <button>Archive</button></form>\
                 {unarchive}<br><form method=\"post\" action=\"{to_delete}\"><button>Delete</button></form></td></tr>",
                name = escape(contact.map_or("", |c| c.name.as_str())),
                email = escape(&contact.map(|c| c.emails.join(", ")).unwrap_or_default()),
                sources = escape(&format!("{} · {}", o.origin, o.sources.join(", "))),
                archived = archived.clone().unwrap_or_default(),
                resumes = if resumes.is_empty() { "—".into() } else { resumes },
                files = if files.is_empty() { "—".into() } else { files },
                to_stage = action("stage"),
                to_archive = action("archived"),
                to_delete = action("delete"),
                unarchive = if archived.is_some() {
                    format!(" <form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"reason\" value=\"\"><button>Unarchive</button></form>", action("archived"))
                } else {
                    String::new()
                },
            ));
        }
        let table = if rows.is_empty() {
            "<p>No opportunities on this posting.</p>".to_owned()
        } else {
            format!("<table><thead><tr><th>Person</th><th>Stage</th><th>Documents</th><th>As a person in Lever</th></tr></thead><tbody>{rows}</tbody></table>")
        };
        Some((format!("{} ({})", posting.text, account.name), table))
    });
    match found {
        Some((title, body)) => page(&base, &title, body).into_response(),
        None => (StatusCode::NOT_FOUND, page(&base, "Not found", "<p>No such account or posting.</p>".into()))
            .into_response(),
    }
}

/// Does what a person does in Lever to an opportunity, fires the webhooks, and goes back to its
/// posting's page.
fn as_a_person(
    sandbox: &LeverSandbox,
    site: &str,
    id: &str,
    f: impl FnOnce(&mut Account, i64) -> Result<Happened, Refusal>,
) -> Response {
    let now = sandbox.now_ms();
    let back = sandbox.read(|w| {
        let account = w.accounts.iter().find(|a| a.site == site)?;
        let posting = account.applications.iter().find(|a| a.opportunity == id)?.posting.clone()?;
        Some((account.id.clone(), format!("{}/ui/{site}/postings/{posting}", sandbox.base_url())))
    });
    let Some((account, back)) = back else { return (StatusCode::NOT_FOUND, "No such opportunity").into_response() };
    match sandbox.write(|w| f(w.account_mut(&account).expect("found above"), now)) {
        Ok(happened) => {
            sandbox.fire(&account, happened);
            Redirect::to(&back).into_response()
        }
        Err(Refusal::BadRequest(m) | Refusal::NotFound(m)) => (StatusCode::BAD_REQUEST, m).into_response(),
    }
}

#[derive(Deserialize)]
struct StageForm {
    stage: String,
}

async fn move_stage(
    State(s): State<LeverSandbox>,
    Path((site, id)): Path<(String, String)>,
    Form(f): Form<StageForm>,
) -> Response {
    as_a_person(&s, &site, &id, |a, now| {
        let user = a.users.first().map(|u| u.id.clone());
        a.move_stage(&id, &f.stage, user, now)
    })
}

#[derive(Deserialize)]
struct ArchiveForm {
    /// Empty: unarchive.
    reason: String,
}

async fn archive(
    State(s): State<LeverSandbox>,
    Path((site, id)): Path<(String, String)>,
    Form(f): Form<ArchiveForm>,
) -> Response {
    let reason = Some(f.reason).filter(|r| !r.is_empty());
    as_a_person(&s, &site, &id, |a, now| a.set_archived(&id, reason.as_deref(), now))
}

async fn delete(State(s): State<LeverSandbox>, Path((site, id)): Path<(String, String)>) -> Response {
    // The page to go back to is read before the opportunity (and its application) goes.
    as_a_person(&s, &site, &id, |a, now| a.delete_opportunity(&id, now))
}
