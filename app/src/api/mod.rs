//! Server functions: public HTTP endpoints. Each one checks the session itself, then calls a
//! marketplace use case, which checks that every id belongs to the caller's company.

use domain::views::{Pipeline, RoleSummary, RolesPage, SessionUser, StageMove};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod exports;
pub mod insights;
pub mod lever;
pub mod mapping;
pub mod workable;
#[cfg(feature = "ssr")]
use crate::error::ssr::respond;
#[cfg(feature = "ssr")]
use crate::session::{SIGNED_IN_AT_KEY, USER_ID_KEY, current_user, marketplace, session, signed_in, signed_in_user};

/// Where a form posted as a page (without JavaScript, or by the page's island) goes when it
/// succeeded: the page it was posted from (its path and query only), with `change` made to its
/// query — a dialog closed, the role just published named. A caller reading JSON is not sent
/// anywhere (`leptos_axum::redirect` only names the place).
#[cfg(feature = "ssr")]
fn back_changed(change: impl FnOnce(&mut Vec<(String, String)>)) {
    let Some(parts) = use_context::<http::request::Parts>() else { return };
    let Some(referer) = parts.headers.get(http::header::REFERER).and_then(|v| v.to_str().ok()) else { return };
    let Ok(uri) = referer.parse::<http::Uri>() else { return };
    // A path only: `//elsewhere` would leave the site.
    let path = match uri.path() {
        path if path.starts_with('/') && !path.starts_with("//") => path,
        _ => "/",
    };
    let mut query: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .filter(|(key, _)| key != "__err" && key != "__path")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    change(&mut query);
    let mut to = path.to_owned();
    if !query.is_empty() {
        to.push('?');
        to.push_str(&form_urlencoded::Serializer::new(String::new()).extend_pairs(&query).finish());
    }
    leptos_axum::redirect(&to);
}

/// `back_changed` naming the role that just went live (`live=<id>`), which the page offers to map.
#[cfg(feature = "ssr")]
fn back_with_live(role_id: i64) {
    back_changed(|query| {
        query.retain(|(key, _)| key != "live" && key != "mapped");
        query.push(("live".to_owned(), role_id.to_string()));
    });
}

/// `back_changed` with the candidate dialog closed (`?move=`, `?schedule=`).
#[cfg(feature = "ssr")]
fn back_closing_dialog() {
    back_changed(|query| query.retain(|(key, _)| key != "move" && key != "schedule"));
}

/// A demo sign-in shown on the sign-in page (demo mode only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoLoginView {
    pub company: String,
    pub who: String,
    pub email: String,
    pub password: String,
}

/// The signed-in user, or `None`.
#[server]
pub async fn whoami() -> Result<Option<SessionUser>, AppError> {
    Ok(current_user().await?.map(|(_, user)| SessionUser {
        name: user.name,
        email: user.email.to_string(),
        role: user.role,
        company_name: user.company_name,
    }))
}

/// The demo credentials, in demo mode; empty otherwise.
#[server]
pub async fn demo_logins() -> Result<Vec<DemoLoginView>, AppError> {
    let market = marketplace()?;
    if !market.demo() {
        return Ok(Vec::new());
    }
    Ok(marketplace::demo::DEMO_LOGINS
        .iter()
        .map(|l| DemoLoginView {
            company: l.company.into(),
            who: l.who.into(),
            email: l.email.into(),
            password: l.password.into(),
        })
        .collect())
}

/// `time_zone`: the browser's own (an IANA name), kept when the person has none yet.
#[server]
pub async fn sign_in(
    email: String,
    password: String,
    #[server(default)] time_zone: Option<String>,
) -> Result<(), AppError> {
    let market = marketplace()?;
    let user = respond(market.sign_in(&email, &password).await)?;
    if let Some(zone) = time_zone.as_deref().filter(|zone| !zone.is_empty())
        && let Err(err) = market.adopt_browser_zone(user.id, zone).await
    {
        // The sign-in goes on: times show in UTC until the zone is chosen in Account settings.
        tracing::warn!(error = %err, "time zone not stored");
    }
    let session = session().await?;
    // A new id on sign-in: a session id planted before sign-in is worth nothing after it.
    let stored = async {
        session.cycle_id().await?;
        session.insert(USER_ID_KEY, user.id.0).await?;
        session.insert(SIGNED_IN_AT_KEY, market.sign_in_time()).await
    };
    if let Err(err) = stored.await {
        tracing::error!(error = %err, "session store failure");
        return Err(AppError::Internal.respond());
    }
    tracing::info!(user.id = %user.id, "signed in");
    leptos_axum::redirect("/source");
    Ok(())
}

/// The zone the signed-in person reads times in, and the zones they can choose from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeZoneView {
    /// `None` until their browser reported one or they chose one (times show in UTC meanwhile).
    pub current: Option<String>,
    pub choices: Vec<String>,
}

#[server]
pub async fn get_time_zone() -> Result<TimeZoneView, AppError> {
    let (_, user) = signed_in_user().await?;
    let current = user.time_zone.is_some().then(|| user.zone().name().to_owned());
    Ok(TimeZoneView { current, choices: marketplace::time_zones::choices() })
}

/// Chooses the zone times are shown and entered in; answers its name.
#[server]
pub async fn set_time_zone(time_zone: String) -> Result<String, AppError> {
    let (market, actor) = signed_in().await?;
    respond(market.set_time_zone(&actor, &time_zone).await).map(|zone| zone.name().to_owned())
}

#[server]
pub async fn sign_out() -> Result<(), AppError> {
    let session = session().await?;
    if let Err(err) = session.flush().await {
        tracing::error!(error = %err, "session store failure");
        return Err(AppError::Internal.respond());
    }
    leptos_axum::redirect("/sign-in");
    Ok(())
}

#[server]
pub async fn list_roles() -> Result<Vec<RoleSummary>, AppError> {
    let (market, actor) = signed_in().await?;
    respond(market.list_roles(&actor).await)
}

/// One page of *Source* (the fields of its filter form; blank = all), and the `focus` role (just
/// published or mapped) wherever it is listed.
#[server]
pub async fn get_roles_page(
    #[server(default)] search: String,
    #[server(default)] status: String,
    #[server(default)] ats: String,
    #[server(default)] page: String,
    #[server(default)] focus: Option<i64>,
) -> Result<RolesPage, AppError> {
    let (market, actor) = signed_in().await?;
    let filter = domain::views::RoleFilter::parse(&search, &status, &ats, &page)
        .map_err(|invalid| AppError::Invalid(invalid).respond())?;
    respond(market.roles_page(&actor, filter, focus.map(domain::RoleId)).await)
}

/// Creates a role; `publish` (a checkbox) makes it live at once.
#[server]
pub async fn create_role(
    title: String,
    location: String,
    #[server(default)] publish: Option<String>,
) -> Result<i64, AppError> {
    let (market, actor) = signed_in().await?;
    let id = respond(market.create_role(&actor, &title, &location, publish.is_some()).await)?;
    if publish.is_some() {
        back_with_live(id.0);
    }
    Ok(id.0)
}

#[server]
/// Makes a draft live; answers the role's id (the page then offers its ATS configuration).
pub async fn publish_role(role_id: i64) -> Result<i64, AppError> {
    let (market, actor) = signed_in().await?;
    respond(market.publish_role(&actor, domain::RoleId(role_id)).await)?;
    back_with_live(role_id);
    Ok(role_id)
}

/// A page of the role's pipeline (`stage`, `page`, `rpage` as in its links; blank = all, first);
/// `find` narrows the candidates *Send request* offers (name or headline).
#[server]
pub async fn get_pipeline(
    role_id: i64,
    #[server(default)] find: Option<String>,
    #[server(default)] stage: String,
    #[server(default)] page: String,
    #[server(default)] rpage: String,
) -> Result<Pipeline, AppError> {
    let (market, actor) = signed_in().await?;
    let filter = domain::views::PipelineFilter::parse(&stage, &page, &rpage)
        .map_err(|invalid| AppError::Invalid(invalid).respond())?;
    let find = find.as_deref().unwrap_or_default();
    respond(market.pipeline_finding(&actor, domain::RoleId(role_id), find, filter).await)
}

#[server]
pub async fn send_request(role_id: i64, candidate_id: i64) -> Result<(), AppError> {
    let (market, actor) = signed_in().await?;
    respond(market.send_request(&actor, domain::RoleId(role_id), domain::CandidateId(candidate_id)).await).map(|_| ())
}

/// Demo mode: the candidate's answer, given on their behalf.
#[server]
pub async fn answer_request(request_id: i64, accept: bool) -> Result<(), AppError> {
    let (market, actor) = signed_in().await?;
    let request = domain::RequestId(request_id);
    if accept {
        respond(market.accept_on_behalf(&actor, request).await).map(|_| ())
    } else {
        respond(market.decline_on_behalf(&actor, request).await)
    }
}

#[server]
pub async fn move_candidate(request_id: i64, stage: String) -> Result<bool, AppError> {
    let (market, actor) = signed_in().await?;
    let moved = respond(market.move_candidate(&actor, domain::RequestId(request_id), &stage).await)?;
    back_closing_dialog();
    Ok(moved)
}

#[server]
pub async fn stage_history(request_id: i64) -> Result<Vec<StageMove>, AppError> {
    let (market, actor) = signed_in().await?;
    respond(market.stage_history(&actor, domain::RequestId(request_id)).await)
}

/// Parses a form's minutes field.
#[cfg(feature = "ssr")]
fn minutes(text: &str) -> Result<i64, AppError> {
    text.trim().parse::<i64>().map_err(|_| {
        AppError::Invalid(domain::FieldError::new("duration_minutes", "Give the length in minutes.")).respond()
    })
}

/// Schedules an interview for a candidate in the pipeline (`starts_at`: `YYYY-MM-DDTHH:MM`, UTC).
#[server]
pub async fn schedule_interview(
    request_id: i64,
    kind: String,
    starts_at: String,
    duration_minutes: String,
    interviewer: String,
) -> Result<domain::InterviewId, AppError> {
    let (market, actor) = signed_in().await?;
    let duration = minutes(&duration_minutes)?;
    let id = respond(
        market
            .schedule_interview(&actor, domain::RequestId(request_id), &kind, &starts_at, duration, &interviewer)
            .await,
    )?;
    back_closing_dialog();
    Ok(id)
}

/// Moves (or changes) a scheduled interview.
#[server]
pub async fn reschedule_interview(
    interview_id: domain::InterviewId,
    kind: String,
    starts_at: String,
    duration_minutes: String,
    interviewer: String,
) -> Result<(), AppError> {
    let (market, actor) = signed_in().await?;
    let duration = minutes(&duration_minutes)?;
    respond(market.reschedule_interview(&actor, interview_id, &kind, &starts_at, duration, &interviewer).await)
}

/// Cancels a scheduled interview.
#[server]
pub async fn cancel_interview(interview_id: domain::InterviewId) -> Result<(), AppError> {
    let (market, actor) = signed_in().await?;
    respond(market.cancel_interview(&actor, interview_id).await)
}
