//! Connecting Lever, with an API key or through Lever's OAuth page: the key or access token tried
//! for real against every read the product will make before anything is saved (the same
//! all-or-nothing pre-check and token custody as Workable's paths), and the Lever user every
//! write is performed as (`perform_as`) chosen by the master account — preselected by their
//! e-mail.

use domain::views::ActingUser;
use domain::{AtsKind, FieldError};
use lever::{Credential, LeverError, PostingState, User};
use secrecy::ExposeSecret;
use storage::{AuthKind, ConnectionStatus, NewConnection, PendingConnection, now_ms};
use workable::Secret;

use crate::ats::AtsFailure;
use crate::{Actor, CallError, ConnectError, Integrations, LeverCalls};

/// The name the card shows for a Lever account whose postings name no job site (Lever's API names
/// no account: its published postings' job site does, `jobs.lever.co/<site>`).
const ACCOUNT_NAME: &str = "Lever";

/// What a pre-check found: the account's name as the card shows it, and the users to act as (the
/// one to preselect first). Kept with the pending connection until the choice.
#[derive(serde::Serialize, serde::Deserialize)]
struct Checked {
    account: String,
    users: Vec<ActingUser>,
}

impl Integrations {
    /// Step one of *Connect* under Lever with an API key: the key tried on every read the product
    /// will make, then kept sealed as a pending connection while the master account chooses whom
    /// writes are performed as. Nothing is connected yet. Returns the pending connection's id.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn begin_lever_key(&self, actor: &Actor, key: &str) -> Result<String, ConnectError> {
        Self::require_master(actor)?;
        let credential = self.lever_key(actor, key).await?;
        let checked = self.lever_precheck(actor, credential).await?;
        let grant = Secret::new(key.trim());
        self.keep_lever_pending(actor, AuthKind::ApiToken, &grant, None, None, "", &checked).await
    }

    /// Step one of *Connect* under Lever with OAuth: where to send the browser (Lever's
    /// authorisation page, asking a super admin for the whole account). The caller keeps `state`
    /// in the server-side session.
    pub async fn begin_lever_oauth(&self, actor: &Actor) -> Result<lever::oauth::Authorization, ConnectError> {
        Self::require_master(actor)?;
        self.refuse_other_ats(actor, AtsKind::Lever).await?;
        let (client, app) = self.lever_oauth_client()?;
        client.authorization_url(app).map_err(|err| ConnectError::from_ats(AtsKind::Lever, AtsFailure::from(&err)))
    }

    /// Lever's callback: the code exchanged, the scopes and the refresh token checked, the access
    /// token tried on every read the product will make (as a key is), and the grant kept sealed as
    /// a pending connection until the master account chooses whom writes are performed as.
    /// Returns the pending connection's id; nothing is connected yet.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn complete_lever_oauth(&self, actor: &Actor, code: &str) -> Result<String, ConnectError> {
        Self::require_master(actor)?;
        self.refuse_other_ats(actor, AtsKind::Lever).await?;
        let (client, app) = self.lever_oauth_client()?;
        let tokens = client.exchange_code(app, code).await.map_err(|err| match err {
            LeverError::Unauthorized => ConnectError::CodeRejected(AtsKind::Lever.name()),
            other => ConnectError::from_ats(AtsKind::Lever, AtsFailure::from(&other)),
        })?;
        // Lever lists the scopes granted; a grant without one the product needs is refused now,
        // not at the first export. No revoke endpoint exists: the grant is simply not kept.
        let mut missing: Vec<&'static str> = lever::REQUIRED_SCOPES
            .iter()
            .filter(|s| !tokens.scopes.is_empty() && !tokens.scopes.iter().any(|t| t == *s))
            .map(|s| lever_scope_words(s))
            .collect();
        if tokens.refresh_token.is_none() && !missing.contains(&lever_scope_words("offline_access")) {
            missing.push(lever_scope_words("offline_access"));
        }
        if !missing.is_empty() {
            return Err(ConnectError::MissingAtsPermissions { ats: AtsKind::Lever.name(), missing });
        }
        let access = Secret::new(tokens.access_token.expose_secret());
        let checked = self.lever_precheck(actor, Credential::access_token(access.expose())).await?;
        let refresh = tokens.refresh_token.as_ref().map(|t| Secret::new(t.expose_secret()));
        let expires_at = tokens.expires_in_seconds.map(|s| now_ms() + s as i64 * 1000);
        let scopes = tokens.scopes.join(" ");
        self.keep_lever_pending(actor, AuthKind::OAuth, &access, refresh.as_ref(), expires_at, &scopes, &checked).await
    }

    /// Every read the product will make, tried with `credential` (users, published postings,
    /// stages, archive reasons, webhooks; a 403 on any names it): the account's name and the users
    /// to act as.
    async fn lever_precheck(&self, actor: &Actor, credential: Credential) -> Result<Checked, ConnectError> {
        // A refused key is a wrong key; a refused fresh token, a grant gone already.
        let authorised = matches!(credential, Credential::AccessToken(_));
        let mut calls = LeverCalls::new(self, actor.company_id, credential, None, None, false);
        let users = calls
            .read(|api| async move { api.users().await })
            .await
            .map_err(|err| lever_refusal(err, "list users", authorised))?;
        let mut missing = Vec::new();
        let open = [PostingState::Published];
        let postings = calls.read(|api| async move { api.postings(&open).await }).await;
        let account = postings
            .as_ref()
            .ok()
            .and_then(|all| all.iter().find_map(|p| p.urls.as_ref().map(|u| job_site(&u.list))))
            .unwrap_or_else(|| ACCOUNT_NAME.to_owned());
        let checks: [(&'static str, Result<(), CallError>); 4] = [
            ("list postings", postings.map(drop)),
            ("read the stages", calls.read(|api| async move { api.stages().await }).await.map(drop)),
            ("read the archive reasons", calls.read(|api| async move { api.archive_reasons().await }).await.map(drop)),
            ("manage webhooks", calls.read(|api| async move { api.webhooks().await }).await.map(drop)),
        ];
        for (what, result) in checks {
            match result {
                Ok(()) => {}
                Err(CallError::Ats { failure: AtsFailure::Forbidden, .. }) => missing.push(what),
                Err(err) => return Err(lever_refusal(err, what, authorised)),
            }
        }
        if !missing.is_empty() {
            return Err(ConnectError::MissingAtsPermissions { ats: AtsKind::Lever.name(), missing });
        }
        let users = acting_users(actor, users);
        if users.is_empty() {
            return Err(ConnectError::MissingAtsPermissions {
                ats: AtsKind::Lever.name(),
                missing: vec!["act as a user of the account (it has no active users)"],
            });
        }
        Ok(Checked { account, users })
    }

    /// A pre-checked credential, sealed, waiting (fifteen minutes at most) for the choice of user.
    #[allow(clippy::too_many_arguments)]
    async fn keep_lever_pending(
        &self,
        actor: &Actor,
        kind: AuthKind,
        access: &Secret,
        refresh: Option<&Secret>,
        token_expires_at: Option<i64>,
        scopes: &str,
        checked: &Checked,
    ) -> Result<String, ConnectError> {
        let pending_id = crate::connect::random_id();
        self.db()
            .insert_pending_connection(&PendingConnection {
                id: pending_id.clone(),
                company_id: actor.company_id,
                user_id: actor.user_id,
                auth_kind: kind,
                access_token_enc: self.cipher().seal(actor.company_id, "pending-access", access),
                refresh_token_enc: refresh.map(|t| self.cipher().seal(actor.company_id, "pending-refresh", t)),
                token_expires_at,
                scopes: scopes.to_owned(),
                accounts_json: serde_json::to_string(checked).unwrap_or_default(),
                expires_at: now_ms() + crate::PENDING_MS,
            })
            .await?;
        Ok(pending_id)
    }

    /// The Lever users to choose from for a pending key or grant, the one to preselect first.
    pub async fn lever_pending_users(&self, actor: &Actor, pending_id: &str) -> Result<Vec<ActingUser>, ConnectError> {
        Ok(self.lever_pending_step(actor, pending_id).await?.1)
    }

    /// A pending Lever connection as *Act as* shows it: how it was authorised (an API key, or
    /// Lever's OAuth page) and the users to choose from, the one to preselect first.
    pub async fn lever_pending_step(
        &self,
        actor: &Actor,
        pending_id: &str,
    ) -> Result<(AuthKind, Vec<ActingUser>), ConnectError> {
        let (pending, checked): (_, Checked) = self.pending(actor, pending_id).await?;
        Ok((pending.auth_kind, checked.users))
    }

    /// Step two (either path): the chosen user checked to be one of those listed, the key or
    /// grant sealed and the connection saved; work paused by an earlier broken connection goes on.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn finish_lever(&self, actor: &Actor, pending_id: &str, perform_as: &str) -> Result<(), ConnectError> {
        let (pending, checked): (_, Checked) = self.pending(actor, pending_id).await?;
        self.refuse_other_ats(actor, AtsKind::Lever).await?;
        let chosen = checked.users.into_iter().find(|u| u.id == perform_as.trim()).ok_or_else(|| {
            ConnectError::InvalidInput(FieldError::new("perform_as", "Choose one of the listed Lever users."))
        })?;
        let opened = |purpose, sealed: &[u8]| {
            self.cipher().open(actor.company_id, purpose, sealed).map_err(|_| ConnectError::PendingExpired)
        };
        let access =
            self.cipher().seal(actor.company_id, "access", &opened("pending-access", &pending.access_token_enc)?);
        let refresh = match pending.refresh_token_enc.as_deref() {
            Some(sealed) => Some(self.cipher().seal(actor.company_id, "refresh", &opened("pending-refresh", sealed)?)),
            None => None,
        };
        self.db()
            .save_connection(NewConnection {
                company_id: actor.company_id,
                ats: AtsKind::Lever,
                auth_kind: pending.auth_kind,
                subdomain: "",
                account_name: &checked.account,
                member_id: &chosen.id,
                member_name: &chosen.name,
                connected_by: actor.user_id,
                access_token_enc: &access,
                refresh_token_enc: refresh.as_deref(),
                token_expires_at: pending.token_expires_at,
                scopes: &pending.scopes,
            })
            .await?;
        self.db().delete_pending_connection(pending_id).await?;
        self.db().record_workable_success(actor.company_id, None).await?;
        self.lever_lists().invalidate(&actor.company_id).await;
        // Work paused while the connection was broken goes on, into the same mappings.
        let resumed = self.db().resume_company_work(actor.company_id).await?;
        // A reconnect of a company with mapped roles registers Lever's webhooks, if it has none.
        if !self.db().list_configurations(actor.company_id).await?.is_empty() {
            let _ = self.ensure_webhooks(actor.company_id).await;
        }
        tracing::info!(company.id = %actor.company_id, perform_as = %chosen.id, auth = pending.auth_kind.as_str(), resumed, "Lever connected");
        Ok(())
    }

    /// The key as typed, checked for form, for a company that has no other ATS connected.
    async fn lever_key(&self, actor: &Actor, key: &str) -> Result<Credential, ConnectError> {
        if self.lever_client().is_none() {
            return Err(ConnectError::InvalidInput(FieldError::new("key", "Lever is not offered on this instance.")));
        }
        self.refuse_other_ats(actor, AtsKind::Lever).await?;
        let key = key.trim();
        if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConnectError::InvalidInput(FieldError::new(
                "key",
                "Paste the API key exactly as Lever showed it (Settings → Integrations and API → API credentials).",
            )));
        }
        Ok(Credential::api_key(key))
    }
}

impl Integrations {
    /// A company connects one ATS: connecting `ats` while another is connected (or waits for a
    /// reconnect) is refused, and says how to switch.
    pub(crate) async fn refuse_other_ats(&self, actor: &Actor, ats: AtsKind) -> Result<(), ConnectError> {
        match self.db().connection(actor.company_id).await? {
            Some(connection) if connection.status != ConnectionStatus::Disconnected && connection.ats != ats => {
                Err(ConnectError::OtherAtsConnected(connection.ats.name()))
            }
            _ => Ok(()),
        }
    }
}

/// A refused pre-check read in the connect page's words (`authorised`: through Lever's OAuth
/// page, not with a key).
fn lever_refusal(err: CallError, what: &'static str, authorised: bool) -> ConnectError {
    match err {
        CallError::Ats { failure: AtsFailure::Unauthorized, .. } if authorised => {
            ConnectError::CodeRejected(AtsKind::Lever.name())
        }
        CallError::Ats { failure: AtsFailure::Unauthorized, .. } => ConnectError::LeverKeyRejected,
        CallError::Ats { failure: AtsFailure::Forbidden, .. } => {
            ConnectError::MissingAtsPermissions { ats: AtsKind::Lever.name(), missing: vec![what] }
        }
        CallError::Ats { failure: AtsFailure::RateLimited | AtsFailure::Transient(_), .. }
        | CallError::Deferred { .. } => ConnectError::Unavailable(AtsKind::Lever.name()),
        other => other.into(),
    }
}

/// A posting list's address as the account's name: `https://jobs.lever.co/globex` →
/// `jobs.lever.co/globex`.
fn job_site(list_url: &str) -> String {
    let site = list_url.trim().trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
    if site.is_empty() { ACCOUNT_NAME.to_owned() } else { site.chars().take(120).collect() }
}

/// A Lever scope in the words of the permission it gives.
fn lever_scope_words(scope: &str) -> &'static str {
    match scope {
        "offline_access" => "stay connected while nobody is signed in (offline_access)",
        "postings:read:admin" => "list postings (postings:read:admin)",
        "stages:read:admin" => "read the stages (stages:read:admin)",
        "archive_reasons:read:admin" => "read the archive reasons (archive_reasons:read:admin)",
        "users:read:admin" => "list users (users:read:admin)",
        "opportunities:write:admin" => "add and move candidates (opportunities:write:admin)",
        "contact:read:admin" => "look candidates up by e-mail (contact:read:admin)",
        "notes:write:admin" => "add notes (notes:write:admin)",
        "files:write:admin" => "upload files (files:write:admin)",
        "resumes:read:admin" => "read resumes (resumes:read:admin)",
        "webhooks:write:admin" => "manage webhooks (webhooks:write:admin)",
        _ => "a permission ats-bridge needs",
    }
}

/// The active users, the master account's own first (by e-mail), then super admins, then by name.
fn acting_users(actor: &Actor, users: Vec<User>) -> Vec<ActingUser> {
    let mut active: Vec<User> = users.into_iter().filter(|u| u.deactivated_at.is_none()).collect();
    active.sort_by_key(|u| {
        (!u.email.eq_ignore_ascii_case(actor.email.as_str()), u.access_role != "super admin", u.name.to_lowercase())
    });
    active
        .into_iter()
        .map(|u| ActingUser { id: u.id.as_str().to_owned(), name: u.name, email: u.email, access: u.access_role })
        .collect()
}
