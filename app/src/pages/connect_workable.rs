//! The connection flow's first page: what will happen, which Workable permissions are needed,
//! how the marketplace appears as the source; then *Continue to Workable* (OAuth) or the
//! API-token form. After several accounts, the choice page.

use domain::UserRole;
use domain::views::{AccountChoice, SessionUser};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::workable::{
    ChooseWorkableAccount, ConnectWorkableToken, WorkableCardView, check_candidate_source, get_workable_card,
    workable_account_choices,
};
use crate::components::{ErrorList, FormError, SignedIn};
use crate::error::AppError;
use crate::format::timestamp;

#[component]
pub fn ConnectWorkablePage() -> impl IntoView {
    let card = Resource::new(|| (), |_| get_workable_card());
    view! {
        <Title text="Connect Workable · ats-bridge"/>
        <SignedIn>
            <ConnectWorkable card/>
        </SignedIn>
    }
}

#[component]
fn ConnectWorkable(card: Resource<Result<WorkableCardView, AppError>>) -> impl IntoView {
    let user = expect_context::<SessionUser>();
    if user.role != UserRole::Master {
        return view! {
            <h1>"Connect Workable"</h1>
            <p class="notice">"Only your company's master account can connect an ATS. To connect one, contact your Customer Success Manager."</p>
            <p><A href="/account-settings">"← Account settings"</A></p>
        }
        .into_any();
    }
    let with_token = ServerAction::<ConnectWorkableToken>::new();
    view! {
        <p><A href="/account-settings">"← Account settings"</A></p>
        <h1>"Connect Workable"</h1>
        <ConnectionGuide heading="What happens next">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let oauth = card.await.map(|c| c.card.oauth_available).unwrap_or(false);
                    oauth.then(|| view! {
                        <p><a class="button primary" href="/integrations/workable/authorize" rel="external">"Continue to Workable"</a></p>
                    })
                })}
            </Transition>
        </ConnectionGuide>
        <section class="card">
            <h2>"Or use an API access token"</h2>
            <p>"For Workable accounts without OAuth: an admin creates a token under Settings → Integrations → Apps → API access tokens, with the r_jobs, r_candidates and w_candidates scopes."</p>
            <ActionForm action=with_token attr:class="row">
                <label>"Subdomain" <input type="text" name="subdomain" placeholder="acme (from acme.workable.com)" required/></label>
                <label>"Access token" <input type="password" name="token" autocomplete="off" required/></label>
                <label>"Expires on (as chosen in Workable)" <input type="date" name="expires_on"/></label>
                <button type="submit" class="primary" disabled=move || with_token.pending().get()>"Connect with token"</button>
            </ActionForm>
            <FormError result=with_token.value()/>
        </section>
    }
    .into_any()
}

/// What connecting Workable does and asks for: before connecting, and from the card at any time.
#[component]
fn ConnectionGuide(heading: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="card guide" id="guide">
            <h2>{heading}</h2>
            <ol>
                <li>"You sign in to Workable (any user of your company's Workable account will do) and approve access for the marketplace."</li>
                <li>
                    "Workable asks you to allow these permissions:"
                    <ul>
                        <li><strong>"Jobs"</strong>" (r_jobs): see your jobs, their pipeline stages and your team, to map roles and stages."</li>
                        <li><strong>"Candidates, read"</strong>" (r_candidates): see candidates and receive Workable's webhooks, to keep stages in sync."</li>
                        <li><strong>"Candidates, write"</strong>" (w_candidates): add candidates with their CV and profile, and move them."</li>
                    </ul>
                </li>
                <li>"Back here, we try each permission once before saving, and pick the Workable member we act as: the one with your email address."</li>
                <li>"Candidates we add appear in Workable as sourced by the marketplace, tagged with its name, with their CV and profile attached. Workable does not email them."</li>
            </ol>
            {children()}
        </section>
    }
}

/// The connection guide on its own, for everyone in the company, connected or not.
#[component]
pub fn WorkableGuidePage() -> impl IntoView {
    view! {
        <Title text="Connecting Workable · ats-bridge"/>
        <SignedIn>
            <p><A href="/account-settings">"← Account settings"</A></p>
            <h1>"Connecting Workable"</h1>
            <ConnectionGuide heading="What happens when your company connects">
                <p>"An admin can also connect with an API access token (Settings → Integrations → Apps → API access tokens in Workable) with the r_jobs, r_candidates and w_candidates scopes."</p>
                <p>"Disconnecting keeps every role mapping; reconnecting brings them back, and nothing waiting to go to Workable is lost."</p>
            </ConnectionGuide>
            <p><A href="/integrations/workable/source-guide">"Candidate Source setup guide"</A>
                " — how Workable shows where these candidates came from."</p>
        </SignedIn>
    }
}

#[component]
pub fn ChooseWorkableAccountPage() -> impl IntoView {
    let query = use_query_map();
    let pending = move || query.read().get("pending").unwrap_or_default();
    let choices = Resource::new(pending, workable_account_choices);
    view! {
        <Title text="Choose a Workable account · ats-bridge"/>
        <SignedIn>
            <ChooseAccount choices pending=Signal::derive(pending)/>
        </SignedIn>
    }
}

#[component]
fn ChooseAccount(choices: Resource<Result<Vec<AccountChoice>, AppError>>, pending: Signal<String>) -> impl IntoView {
    let choose = ServerAction::<ChooseWorkableAccount>::new();
    view! {
        <h1>"Choose a Workable account"</h1>
        <p>"The Workable user who approved can reach several accounts. Which one is your company's?"</p>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    choices.await.map(|choices| view! {
                        <ActionForm action=choose attr:class="row">
                            <input type="hidden" name="pending" value=pending.get()/>
                            <label>"Workable account"
                                <select name="subdomain">
                                    {choices.into_iter().map(|c| view! { <option value=c.subdomain.clone()>{format!("{} ({})", c.name, c.subdomain)}</option> }).collect_view()}
                                </select>
                            </label>
                            <button type="submit" class="primary">"Save"</button>
                        </ActionForm>
                    })
                })}
            </ErrorBoundary>
        </Transition>
        <FormError result=choose.value()/>
    }
}

/// *Candidate Source setup guide*: what the employer sees of the marketplace as a source in
/// Workable, what to set up there (nothing), and a live check of the last exported candidate.
#[component]
pub fn CandidateSourceGuidePage() -> impl IntoView {
    let check = Resource::new(|| (), |_| check_candidate_source());
    view! {
        <Title text="Candidate Source setup guide · ats-bridge"/>
        <SignedIn>
            <p><A href="/account-settings">"← Account settings"</A></p>
            <h1>"Candidate Source setup guide"</h1>
            <Transition fallback=|| view! { <p>"Asking Workable…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                    {move || Suspend::new(async move { check.await.map(|check| view! { <SourceGuide check/> }) })}
                </ErrorBoundary>
            </Transition>
        </SignedIn>
    }
}

#[component]
fn SourceGuide(check: domain::views::SourceCheck) -> impl IntoView {
    let expected = check.expected.clone().unwrap_or_else(|| "the marketplace's address".to_owned());
    let verdict = match (&check.last, &check.unavailable) {
        (None, _) => view! {
            <p class="muted">"No candidate has gone to Workable yet: the check runs once the first one has."</p>
        }
        .into_any(),
        (Some(seen), Some(why)) => view! {
            <p class="notice" role="status" data-check="source">{format!("{} ({}) is in Workable, but {why}", seen.candidate, seen.role)}</p>
        }
        .into_any(),
        (Some(seen), None) => {
            let source = seen.common_source.clone().or(seen.domain.clone()).unwrap_or_else(|| "Unknown".to_owned());
            let when = timestamp(seen.exported_at_ms);
            let (class, text) = if seen.attributed(check.expected.as_deref()) {
                ("notice ok", format!("✓ {} ({}), exported {when}: Workable reports their source as {source}.", seen.candidate, seen.role))
            } else if seen.linked {
                ("notice", format!(
                    "{} ({}) was already in the Workable job when exported {when}: they keep the source Workable had for them ({source}). Candidates the marketplace adds get {expected}.",
                    seen.candidate, seen.role
                ))
            } else {
                ("notice", format!(
                    "Workable reports the source of {} ({}), exported {when}, as {source}, not {expected}. Candidates exported before attribution existed have no source; if new exports show this too, the instance's marketplace domain (--marketplace-domain) is not what Workable received.",
                    seen.candidate, seen.role
                ))
            };
            view! { <p class=class role="status" data-check="source">{text}</p> }.into_any()
        }
    };
    view! {
        <section>
            <h2>"What you see in Workable"</h2>
            <p>{format!("Every candidate the marketplace sends to Workable carries it as their source: their profile names {expected}, and Workable's reports on candidate sources count them under it — next to job boards, your careers page and referrals — instead of \u{201c}Unknown\u{201d}.")}</p>
            <p>"They are also tagged “ats-bridge marketplace”, and added as sourced (uploaded), so Workable sends them no application e-mail."</p>
        </section>
        <section>
            <h2>"What to set up in Workable"</h2>
            <p>"Nothing. Workable takes the source from what each export sends. A candidate who was already in the Workable job keeps the source Workable had for them; the marketplace does not write over it, and the candidate's ledger says so."</p>
        </section>
        <section>
            <h2>"Live check"</h2>
            <p>"The last candidate sent to Workable, as Workable reports their source now:"</p>
            {verdict}
        </section>
    }
}
