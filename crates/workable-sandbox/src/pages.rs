//! A small HTML view for people: accounts, jobs and each job's candidates (stage, files,
//! comments, disqualified), with controls to move or disqualify a candidate — which fire the
//! webhooks, so reverse sync can be shown by hand.

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::{Sandbox, render};

pub use sandbox_support::escape;

pub fn routes(sandbox: Sandbox) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/ui/{sub}/jobs/{shortcode}", get(job_page))
        // A candidate's `profile_url` (Workable's backend link) opens their job's page here.
        .route("/{sub}/backend/jobs/{job}/candidates/{id}", get(profile_link))
        .route("/ui/{sub}/candidates/{id}/move", post(move_candidate))
        .route("/ui/{sub}/candidates/{id}/disqualify", post(disqualify_candidate))
        .route("/ui/{sub}/candidates/{id}/revert", post(revert_candidate))
        .route("/ui/{sub}/candidates/{id}/delete", post(delete_candidate))
        .route_layer(axum::middleware::from_fn(sandbox_support::loopback_only))
        .with_state(sandbox)
}

/// A page of the people's view; `base` is the sandbox root the header links to.
fn page(base: &str, title: &str, body: String) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} · Workable sandbox</title>\
         <style>body{{font-family:system-ui;margin:2rem;color:#1d2330}}table{{border-collapse:collapse;width:100%}}\
         td,th{{border-bottom:1px solid #dde2e8;padding:.4rem .6rem;text-align:left;vertical-align:top}}\
         .dq{{color:#b3261e;font-weight:600}} form{{display:inline}} code{{background:#f1f3f6;padding:0 .25rem}}</style></head>\
         <body><p><a href=\"{home}\">Workable sandbox</a></p><h1>{t}</h1>{body}</body></html>",
        t = escape(title),
        home = escape(base),
    ))
}

async fn index(State(sandbox): State<Sandbox>) -> Html<String> {
    let base = sandbox.base_url();
    let body = sandbox.read(|w| {
        let mut html = format!("<p>SPI v3 base for an account: <code>{}/{{subdomain}}/spi/v3</code>; OAuth: <code>{}/oauth/authorize</code>.</p>", escape(&base), escape(&base));
        for account in &w.accounts {
            html.push_str(&format!("<h2>{} <small><code>{}</code></small></h2><ul>", escape(&account.name), escape(&account.subdomain)));
            for job in &account.jobs {
                let count = account.candidates.iter().filter(|c| !c.deleted && c.job_shortcode == job.shortcode).count();
                html.push_str(&format!(
                    "<li><a href=\"{base}/ui/{sub}/jobs/{code}\">{title}</a> <code>{code}</code> — {state}, {count} candidates</li>",
                    base = escape(&base),
                    sub = escape(&account.subdomain),
                    code = escape(&job.shortcode),
                    title = escape(&job.title),
                    state = escape(&job.state),
                ));
            }
            html.push_str("</ul>");
        }
        html
    });
    page(&base, "Accounts", body)
}

/// `profile_url` carries the job's and candidate's ids as decimal numbers, as Workable's does.
async fn profile_link(State(sandbox): State<Sandbox>, Path((sub, job, id)): Path<(String, u64, u64)>) -> Response {
    let target = sandbox.read(|w| {
        let account = w.account(&sub)?;
        let job = account.jobs.iter().find(|j| u64::from_str_radix(&j.id, 16).ok() == Some(job))?;
        let candidate = account.candidates.iter().find(|c| u64::from_str_radix(&c.id, 16).ok() == Some(id))?;
        Some(format!("/ui/{sub}/jobs/{}#candidate-{}", job.shortcode, candidate.id))
    });
    match target {
        Some(path) => Redirect::to(&format!("{}{path}", sandbox.base_url())).into_response(),
        None => (axum::http::StatusCode::NOT_FOUND, "No such candidate").into_response(),
    }
}

async fn job_page(State(sandbox): State<Sandbox>, Path((sub, shortcode)): Path<(String, String)>) -> Response {
    let base = sandbox.base_url();
    let found = sandbox.read(|w| {
        let account = w.account(&sub)?;
        let job = account.job(&shortcode)?;
        let stage_options = |current: &str| -> String {
            job.stages
                .iter()
                .map(|s| format!("<option value=\"{}\"{}>{}</option>", escape(&s.slug), if s.slug == current { " selected" } else { "" }, escape(&s.name)))
                .collect()
        };
        let mut rows = String::new();
        for c in account.candidates.iter().filter(|c| !c.deleted && c.job_shortcode == shortcode) {
            let stage = job.stage(&c.stage_slug).map_or(c.stage_slug.clone(), |s| s.name.clone());
            let files: String = c
                .resume
                .iter()
                .chain(c.files.iter())
                .map(|f| format!("<a href=\"{}\">{}</a><br>", escape(&render::file_url(&base, c, f)), escape(&f.name)))
                .collect();
            let comments: String = c.comments.iter().map(|m| format!("<p>{}</p>", escape(&m.body))).collect();
            let status = if c.disqualified {
                format!("<span class=\"dq\">Disqualified{}</span>", if c.withdrew { " (withdrew)" } else { "" })
            } else {
                String::new()
            };
            let action = |what: &str| format!("{}/ui/{}/candidates/{}/{what}", escape(&base), escape(&sub), escape(&c.id));
            let controls = if c.disqualified {
                format!("<form method=\"post\" action=\"{}\"><button>Revert disqualification</button></form>", action("revert"))
            } else {
                format!(
                    "<form method=\"post\" action=\"{}\"><select name=\"stage\" aria-label=\"Stage for {name}\">{}</select> <button>Move</button></form> \
                     <form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"withdrew\" value=\"false\"><button>Disqualify</button></form> \
                     <form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"withdrew\" value=\"true\"><button>Withdrew</button></form>",
                    action("move"),
                    stage_options(&c.stage_slug),
                    action("disqualify"),
                    action("disqualify"),
                    name = escape(&c.name()),
                )
            };
            let controls = format!("{controls} <form method=\"post\" action=\"{}\"><button>Delete</button></form>", action("delete"));
            rows.push_str(&format!(
                "<tr id=\"candidate-{id}\" data-candidate=\"{name}\"><td><strong>{name}</strong><br><code>{id}</code> {email}</td><td class=\"stage\">{stage} {status}</td><td>{files}</td><td>{comments}</td><td>{controls}</td></tr>",
                name = escape(&c.name()),
                id = escape(&c.id),
                email = escape(&c.email),
                stage = escape(&stage),
            ));
        }
        let body = format!(
            "<p>{} · <code>{}</code> · {}</p><table><thead><tr><th>Candidate</th><th>Stage</th><th>Files</th><th>Comments</th><th></th></tr></thead><tbody>{rows}</tbody></table>",
            escape(&account.name),
            escape(&job.shortcode),
            escape(&job.state)
        );
        Some((job.title.clone(), body))
    });
    match found {
        Some((title, body)) => page(&base, &title, body).into_response(),
        None => (axum::http::StatusCode::NOT_FOUND, "No such job").into_response(),
    }
}

fn back_to_job(sandbox: &Sandbox, sub: &str, id: &str) -> Response {
    let shortcode = sandbox.read(|w| {
        w.account(sub).and_then(|a| a.candidates.iter().find(|c| c.id == id)).map(|c| c.job_shortcode.clone())
    });
    match shortcode {
        Some(code) => Redirect::to(&format!("{}/ui/{sub}/jobs/{code}", sandbox.base_url())).into_response(),
        None => (axum::http::StatusCode::NOT_FOUND, "No such candidate").into_response(),
    }
}

#[derive(Deserialize)]
struct MoveForm {
    stage: String,
}

async fn move_candidate(
    State(sandbox): State<Sandbox>,
    Path((sub, id)): Path<(String, String)>,
    Form(form): Form<MoveForm>,
) -> Response {
    match sandbox.move_to_stage(&sub, &id, &form.stage, None) {
        Ok(()) => back_to_job(&sandbox, &sub, &id),
        Err(err) => err.into_response(),
    }
}

#[derive(Deserialize)]
struct DisqualifyForm {
    withdrew: bool,
}

async fn disqualify_candidate(
    State(sandbox): State<Sandbox>,
    Path((sub, id)): Path<(String, String)>,
    Form(form): Form<DisqualifyForm>,
) -> Response {
    let reason = sandbox.read(|w| {
        w.account(&sub)
            .and_then(|a| a.disqualification_reasons.iter().find(|r| r.candidate_withdrew == form.withdrew))
            .map(|r| r.description.clone())
    });
    match sandbox.disqualify(&sub, &id, reason, None, form.withdrew, None) {
        Ok(()) => back_to_job(&sandbox, &sub, &id),
        Err(err) => err.into_response(),
    }
}

async fn revert_candidate(State(sandbox): State<Sandbox>, Path((sub, id)): Path<(String, String)>) -> Response {
    match sandbox.revert(&sub, &id, None) {
        Ok(()) => back_to_job(&sandbox, &sub, &id),
        Err(err) => err.into_response(),
    }
}

async fn delete_candidate(State(sandbox): State<Sandbox>, Path((sub, id)): Path<(String, String)>) -> Response {
    let back = back_to_job(&sandbox, &sub, &id);
    if sandbox.delete_candidate(&sub, &id) {
        back
    } else {
        (axum::http::StatusCode::NOT_FOUND, "No such candidate").into_response()
    }
}
