//! Connecting Workable: the OAuth path (begin, complete, choose among several accounts) and the
//! API-token path, both through the same permission pre-check and token custody; and
//! disconnecting.

use domain::views::AccountChoice;
use domain::{CompanyId, FieldError};
use storage::{AuthKind, NewConnection, PendingConnection, now_ms};
use workable::oauth::{Authorization, Tokens};
use workable::{Member, REQUIRED_SCOPES, RateLimit, Secret, Subdomain, WorkableError};

use crate::*;

impl Integrations {
    /// Step one of *Connect*: where to send the browser. The caller keeps `state` and the PKCE
    /// verifier in the server-side session.
    pub fn begin_oauth(&self, actor: &Actor) -> Result<Authorization, ConnectError> {
        Self::require_master(actor)?;
        Ok(self.client.authorization_url(self.oauth_app()?)?)
    }

    /// The callback: exchange the code, check scopes and accounts, and connect (or ask which
    /// account when there are several). Nothing is saved unless every check passed.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn complete_oauth(
        &self,
        actor: &Actor,
        code: &str,
        pkce_verifier: &Secret,
    ) -> Result<Completion, ConnectError> {
        Self::require_master(actor)?;
        let app = self.oauth_app()?;
        let tokens = self.client.exchange_code(app, code, pkce_verifier).await.map_err(|err| match err {
            WorkableError::Unauthorized => ConnectError::CodeRejected(domain::AtsKind::Workable.name()),
            other => other.into(),
        })?;
        let missing: Vec<&'static str> = if tokens.scopes.is_empty() {
            Vec::new()
        } else {
            REQUIRED_SCOPES.iter().filter(|s| !tokens.scopes.iter().any(|t| t == *s)).map(|s| scope_words(s)).collect()
        };
        if !missing.is_empty() {
            self.revoke_quietly(&tokens).await;
            return Err(ConnectError::MissingPermissions(missing));
        }
        let accounts = self.accounts_patiently(&tokens.access_token).await?;
        match accounts.len() {
            0 => {
                self.revoke_quietly(&tokens).await;
                Err(ConnectError::NoAccount)
            }
            1 => {
                let account = &accounts[0];
                let subdomain = Subdomain::parse(&account.subdomain).map_err(|_| ConnectError::UnexpectedAccount)?;
                self.finish(actor, AuthKind::OAuth, &subdomain, &account.name, &tokens).await?;
                Ok(Completion::Connected)
            }
            _ => {
                let pending_id = random_id();
                let choices: Vec<AccountChoice> = accounts
                    .iter()
                    .map(|a| AccountChoice { subdomain: a.subdomain.clone(), name: a.name.clone() })
                    .collect();
                self.db
                    .insert_pending_connection(&PendingConnection {
                        id: pending_id.clone(),
                        company_id: actor.company_id,
                        user_id: actor.user_id,
                        auth_kind: AuthKind::OAuth,
                        access_token_enc: self.cipher.seal(actor.company_id, "pending-access", &tokens.access_token),
                        refresh_token_enc: tokens
                            .refresh_token
                            .as_ref()
                            .map(|t| self.cipher.seal(actor.company_id, "pending-refresh", t)),
                        token_expires_at: tokens.expires_in_seconds.map(|s| now_ms() + s as i64 * 1000),
                        scopes: tokens.scopes.join(" "),
                        accounts_json: serde_json::to_string(&choices).unwrap_or_default(),
                        expires_at: now_ms() + PENDING_MS,
                    })
                    .await?;
                Ok(Completion::ChooseAccount { pending_id })
            }
        }
    }

    /// The token's accounts, tried again after a transient failure as every read a person waits
    /// for is, and after a 429 once its window resets (a few times, as `call.rs` does); the lookup
    /// is not a connection's call, so it has its own loop.
    async fn accounts_patiently(&self, token: &Secret) -> Result<Vec<workable::Account>, ConnectError> {
        let (mut attempt, mut throttled) = (0, 0);
        loop {
            match self.client.accounts(token).await {
                Ok(reply) => return Ok(reply.value),
                Err(WorkableError::RateLimited { reset_at }) if throttled < 3 => {
                    throttled += 1;
                    let now = self.clock().now_ms();
                    let until = reset_at.map_or(now + 10_000, |s| s * 1000).clamp(now + 250, now + 10_000);
                    tracing::info!(
                        wait_ms = until - now,
                        "Workable's rate limit during the account lookup: waiting for its window"
                    );
                    self.clock().sleep_until(until).await;
                }
                Err(WorkableError::Transient(why)) if attempt + 1 < crate::call::READ_ATTEMPTS => {
                    tracing::info!(error = %why, attempt, "Workable account lookup failed transiently: trying again");
                    self.clock().sleep(crate::call::read_pause_ms(attempt)).await;
                    attempt += 1;
                }
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// The accounts waiting to be chosen from.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn pending_accounts(&self, actor: &Actor, pending_id: &str) -> Result<Vec<AccountChoice>, ConnectError> {
        Ok(self.pending(actor, pending_id).await?.1)
    }

    /// The actor's own pending connection and what it waits to be chosen from (Workable's
    /// accounts, Lever's users), for a master account only.
    pub(crate) async fn pending<T: serde::de::DeserializeOwned>(
        &self,
        actor: &Actor,
        pending_id: &str,
    ) -> Result<(PendingConnection, T), ConnectError> {
        Self::require_master(actor)?;
        let pending = self
            .db
            .pending_connection(pending_id, actor.company_id, actor.user_id)
            .await?
            .ok_or(ConnectError::PendingExpired)?;
        let choices = serde_json::from_str(&pending.accounts_json).map_err(|_| ConnectError::PendingExpired)?;
        Ok((pending, choices))
    }

    /// Connects the account the user chose among several.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn choose_account(&self, actor: &Actor, pending_id: &str, subdomain: &str) -> Result<(), ConnectError> {
        let (pending, choices): (_, Vec<AccountChoice>) = self.pending(actor, pending_id).await?;
        let choice = choices.iter().find(|c| c.subdomain == subdomain).ok_or_else(|| {
            ConnectError::InvalidInput(FieldError::new("account", "Choose one of the listed accounts."))
        })?;
        let access_token = self
            .cipher
            .open(actor.company_id, "pending-access", &pending.access_token_enc)
            .map_err(|_| ConnectError::PendingExpired)?;
        let refresh_token = pending
            .refresh_token_enc
            .as_deref()
            .map(|b| self.cipher.open(actor.company_id, "pending-refresh", b))
            .transpose()
            .map_err(|_| ConnectError::PendingExpired)?;
        let tokens = Tokens {
            access_token,
            refresh_token,
            expires_in_seconds: pending.token_expires_at.map(|at| ((at - now_ms()) / 1000).max(0) as u64),
            scopes: pending.scopes.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        };
        let subdomain = Subdomain::parse(&choice.subdomain).map_err(|_| ConnectError::UnexpectedAccount)?;
        self.finish(actor, AuthKind::OAuth, &subdomain, &choice.name, &tokens).await?;
        self.db.delete_pending_connection(pending_id).await?;
        Ok(())
    }

    /// The API-token path, for accounts without OAuth: validated by real calls before saving.
    /// `expires_on` (`YYYY-MM-DD`, optional) is the expiry chosen when the token was created in
    /// Workable, which its API does not report; the card warns a week ahead of it.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn connect_with_api_token(
        &self,
        actor: &Actor,
        subdomain: &str,
        token: &str,
        expires_on: Option<&str>,
    ) -> Result<(), ConnectError> {
        Self::require_master(actor)?;
        let subdomain = Subdomain::parse(subdomain)
            .map_err(|e| ConnectError::InvalidInput(FieldError::new("subdomain", e.to_string())))?;
        let token = token.trim();
        if token.is_empty() || token.len() > 512 || token.chars().any(char::is_whitespace) {
            return Err(ConnectError::InvalidInput(FieldError::new(
                "token",
                "Paste the access token exactly as Workable showed it.",
            )));
        }
        let expires_in_seconds =
            expires_on.map(str::trim).filter(|d| !d.is_empty()).map(seconds_until_end_of).transpose()?;
        let tokens =
            Tokens { access_token: Secret::new(token), refresh_token: None, expires_in_seconds, scopes: Vec::new() };
        // The account's display name; the pre-check in `finish` then validates subdomain and
        // token with the calls it makes anyway.
        let account = match self.client.accounts(&tokens.access_token).await {
            Err(WorkableError::Unauthorized) => return Err(ConnectError::TokenRejected),
            Ok(reply) => reply.value.into_iter().find(|a| a.subdomain == subdomain.as_str()),
            Err(_) => None,
        };
        let name = account.map_or_else(|| subdomain.to_string(), |a| a.name);
        self.finish(actor, AuthKind::ApiToken, &subdomain, &name, &tokens).await
    }

    /// Pre-check, pick the member to act as, seal the tokens and save — all or nothing.
    async fn finish(
        &self,
        actor: &Actor,
        kind: AuthKind,
        subdomain: &Subdomain,
        account_name: &str,
        tokens: &Tokens,
    ) -> Result<(), ConnectError> {
        if let Err(err) = self.refuse_other_ats(actor, domain::AtsKind::Workable).await {
            if kind == AuthKind::OAuth {
                self.revoke_quietly(tokens).await;
            }
            return Err(err);
        }
        let (members, rate_limit) = match self.precheck(actor.company_id, kind, subdomain, &tokens.access_token).await {
            Ok(found) => found,
            Err(err) => {
                if kind == AuthKind::OAuth {
                    self.revoke_quietly(tokens).await;
                }
                return Err(err);
            }
        };
        let member = members
            .iter()
            .find(|m| m.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(actor.email.as_str())))
            .or_else(|| members.iter().find(|m| m.role.as_deref() == Some("admin")))
            .or_else(|| members.first())
            .ok_or(ConnectError::MissingPermissions(vec![
                "act as a member of the account (it has no active members)",
            ]))?;
        // Subscriptions made under the connection being replaced: Workable signs their deliveries
        // with that connection's key (its token, or the OAuth client's secret).
        let previous_subscriptions =
            self.db.connection(actor.company_id).await?.map(|c| c.webhook_subscriptions).unwrap_or_default();
        let access = self.cipher.seal(actor.company_id, "access", &tokens.access_token);
        let refresh = tokens.refresh_token.as_ref().map(|t| self.cipher.seal(actor.company_id, "refresh", t));
        self.db
            .save_connection(NewConnection {
                company_id: actor.company_id,
                ats: domain::AtsKind::Workable,
                auth_kind: kind,
                subdomain: subdomain.as_str(),
                account_name,
                member_id: member.id.as_str(),
                member_name: &member.name,
                connected_by: actor.user_id,
                access_token_enc: &access,
                refresh_token_enc: refresh.as_deref(),
                token_expires_at: tokens.expires_in_seconds.map(|s| now_ms() + s as i64 * 1000),
                scopes: &tokens.scopes.join(" "),
            })
            .await?;
        self.db.record_workable_success(actor.company_id, rate_limit.map(rate_tuple)).await?;
        // Work paused while the connection was broken goes on, into the same mappings.
        let resumed = self.db.resume_company_work(actor.company_id).await?;
        // Whatever the new key is, the old subscriptions would keep signing with the old one and
        // every delivery would be refused as forged: they are replaced.
        if !previous_subscriptions.is_empty() {
            self.replace_webhooks(actor.company_id, &previous_subscriptions).await?;
        }
        // A reconnect of a company with mapped roles subscribes to Workable's moves again.
        if !self.db.list_configurations(actor.company_id).await?.is_empty() {
            let _ = self.ensure_webhooks(actor.company_id).await;
        }
        tracing::info!(company.id = %actor.company_id, workable.subdomain = %subdomain, auth = kind.as_str(), resumed, "Workable connected");
        Ok(())
    }

    /// Everything the product will need, tried for real: list jobs, read a job's stages, list
    /// members, create candidates, subscribe to webhooks. Returns the members and the last
    /// rate-limit state; names every missing permission in plain words.
    async fn precheck(
        &self,
        company: CompanyId,
        kind: AuthKind,
        subdomain: &Subdomain,
        token: &Secret,
    ) -> Result<(Vec<Member>, Option<RateLimit>), ConnectError> {
        // Each call waits its turn in the company's rate-limit window (workers may be busy too).
        let mut calls = self.unsaved_account_calls(company, subdomain, token);
        let mut missing: Vec<&'static str> = Vec::new();
        let jobs = match calls.read(|api| async move { api.jobs(None).await }).await {
            Ok(jobs) => jobs,
            Err(CallError::Workable(WorkableError::Forbidden)) => {
                missing.push("list jobs");
                Vec::new()
            }
            Err(CallError::Workable(err)) => {
                return Err(match err {
                    WorkableError::NotFound => ConnectError::UnknownSubdomain(subdomain.to_string()),
                    // Still failing after the retries: a typed subdomain may be wrong; one
                    // Workable listed (OAuth) is not, Workable is just down.
                    WorkableError::Transient(_) if kind == AuthKind::ApiToken => {
                        ConnectError::UnreachableSubdomain(subdomain.to_string())
                    }
                    WorkableError::Transient(_) => ConnectError::Unavailable(domain::AtsKind::Workable.name()),
                    WorkableError::WrongAccount => ConnectError::WrongAccount(subdomain.to_string()),
                    WorkableError::Unauthorized => ConnectError::TokenRejected,
                    other => other.into(),
                });
            }
            Err(err) => return Err(err.into()),
        };
        if let Some(job) = jobs.first() {
            match calls.read(|api| async move { api.job_stages(&job.shortcode).await }).await {
                Ok(_) => {}
                Err(CallError::Workable(WorkableError::Forbidden)) => missing.push("read a job's stages"),
                Err(err) => return Err(err.into()),
            }
        }
        let members = match calls.read(|api| async move { api.members().await }).await {
            Ok(members) => members.into_iter().filter(|m| m.active).collect(),
            Err(CallError::Workable(WorkableError::Forbidden)) => {
                missing.push("list members");
                Vec::new()
            }
            Err(err) => return Err(err.into()),
        };
        if !calls.read(|api| async move { api.can_write_candidates().await }).await? {
            missing.push("create candidates");
        }
        if !calls.read(|api| async move { api.can_read_subscriptions().await }).await? {
            missing.push("subscribe to webhooks");
        }
        if missing.is_empty() {
            Ok((members, calls.last_rate_limit()))
        } else {
            Err(ConnectError::MissingPermissions(missing))
        }
    }

    /// *Disconnect*: revoke at Workable (best effort), forget the tokens, keep the row.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn disconnect(&self, actor: &Actor) -> Result<(), ConnectError> {
        Self::require_master(actor)?;
        let connection = self.db.connection(actor.company_id).await?.ok_or(ConnectError::NotConnected)?;
        // Workable stops delivering before the tokens go.
        if let Err(err) = self.remove_webhooks(actor.company_id).await {
            tracing::warn!(error = %err, "could not remove the webhook subscriptions");
        }
        // Workable revokes a grant by API; Lever has no such endpoint (the customer revokes in
        // Lever's settings), so a Lever grant is only forgotten.
        if connection.ats == domain::AtsKind::Workable
            && connection.auth_kind == AuthKind::OAuth
            && let Some(app) = &self.oauth
            && let Some(access) = connection
                .access_token_enc
                .as_deref()
                .and_then(|b| self.cipher.open(actor.company_id, "access", b).ok())
        {
            let refresh = connection
                .refresh_token_enc
                .as_deref()
                .and_then(|b| self.cipher.open(actor.company_id, "refresh", b).ok());
            if let Err(err) = self.client.revoke(app, &access, refresh.as_ref()).await {
                tracing::warn!(error = %err, "could not revoke at Workable; forgetting the tokens anyway");
            }
        }
        self.db.disconnect(actor.company_id).await?;
        tracing::info!(company.id = %actor.company_id, ats = connection.ats.name(), "ATS disconnected");
        Ok(())
    }

    async fn revoke_quietly(&self, tokens: &Tokens) {
        if let Some(app) = &self.oauth {
            let _ = self.client.revoke(app, &tokens.access_token, tokens.refresh_token.as_ref()).await;
        }
    }
}

fn scope_words(scope: &str) -> &'static str {
    match scope {
        "r_jobs" => "list jobs and read their stages (r_jobs)",
        "r_candidates" => "read candidates and subscribe to webhooks (r_candidates)",
        _ => "create and move candidates (w_candidates)",
    }
}

/// Seconds from now to the end (UTC) of the day `date` (`YYYY-MM-DD`), which must be ahead.
fn seconds_until_end_of(date: &str) -> Result<u64, ConnectError> {
    let invalid = |message: &str| ConnectError::InvalidInput(FieldError::new("expires_on", message));
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date, &format).map_err(|_| invalid("Give the expiry date as YYYY-MM-DD."))?;
    let end = day.next_day().ok_or_else(|| invalid("That expiry date is too far ahead."))?.midnight().assume_utc();
    let seconds = (end.unix_timestamp() * 1000 - now_ms()) / 1000;
    u64::try_from(seconds)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| invalid("That expiry date has passed: create a new token in Workable."))
}

pub(crate) fn random_id() -> String {
    use rand::Rng;
    rand::thread_rng().sample_iter(&rand::distributions::Alphanumeric).take(32).map(char::from).collect()
}
