//! *Connect* under Lever: what will happen and what Lever is asked for, the two ways in (Lever's
//! authorisation page when this instance has a Lever OAuth application, and an API key), then the
//! choice of the Lever user every write is performed as (preselected: the master account's own
//! Lever user, else a super admin).

use domain::UserRole;
use domain::views::{ActingUser, SessionUser};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::lever::{BeginLeverKey, FinishLever, LeverStep, lever_connect_step};
use crate::components::{ErrorList, FormError, SignedIn};
use crate::error::AppError;

#[component]
pub fn ConnectLeverPage() -> impl IntoView {
    let query = use_query_map();
    let pending = move || query.read().get("pending").filter(|p| !p.is_empty());
    let step = Resource::new(pending, lever_connect_step);
    view! {
        <Title text="Connect Lever · ats-bridge"/>
        <SignedIn>
            <ConnectLever step/>
        </SignedIn>
    }
}

#[component]
fn ConnectLever(step: Resource<Result<LeverStep, AppError>>) -> impl IntoView {
    let user = expect_context::<SessionUser>();
    if user.role != UserRole::Master {
        return view! {
            <h1>"Connect Lever"</h1>
            <p class="notice">"Only your company's master account can connect an ATS. To connect one, contact your Customer Success Manager."</p>
            <p><A href="/account-settings">"← Account settings"</A></p>
        }
        .into_any();
    }
    view! {
        <p><A href="/account-settings">"← Account settings"</A></p>
        <h1>"Connect Lever"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <ErrorList errors/>
                <p><A href="/integrations/lever/connect">"Start again"</A></p>
            }>
                {move || Suspend::new(async move {
                    step.await.map(|step| match step {
                        LeverStep::Start { oauth } => view! { <StartStep oauth/> }.into_any(),
                        LeverStep::ActAs { pending, users, authorised } => {
                            view! { <UserStep pending users authorised/> }.into_any()
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

/// What connecting Lever does and asks for; Lever's authorisation page (when offered) and the
/// API-key form.
#[component]
fn StartStep(oauth: bool) -> impl IntoView {
    let begin = ServerAction::<BeginLeverKey>::new();
    view! {
        <section class="card guide" id="guide">
            <h2>"What happens next"</h2>
            <ol>
                {oauth.then(|| view! {
                    <li>"A Lever super admin approves ats-bridge on Lever's page, for the whole Lever account. Lever lists what it may do: read postings, stages, archive reasons and users; add and move candidates (opportunities), with their resume, files and notes; manage its webhooks; and stay connected while nobody is signed in."</li>
                })}
                <li>"Or, without that page: a Lever super admin creates an API key under Settings → Integrations and API → API credentials, with these endpoints allowed: users, postings, stages, archive reasons and webhooks (read), and opportunities, notes, files and resumes (read and write); you paste it below."</li>
                <li>"We try each read once before anything is saved, and keep the access encrypted on our server: it is never shown again."</li>
                <li>"You choose the Lever user candidates are added and moved as (Lever records every change as someone's): the one with your e-mail address is preselected."</li>
                <li>"Candidates we add appear in Lever as sourced by the marketplace, tagged with its name, with their CV as the resume and their profile as a file."</li>
            </ol>
        </section>
        {oauth.then(|| view! {
            <section class="card">
                <h2>"Lever's authorisation page"</h2>
                <p><a class="button primary" href="/integrations/lever/authorize" rel="external">"Continue to Lever"</a></p>
            </section>
        })}
        <section class="card">
            <h2>"API key"</h2>
            <ActionForm action=begin attr:class="row">
                <label>"API key" <input type="password" name="key" autocomplete="off" required/></label>
                <button type="submit" class=if oauth { "" } else { "primary" } disabled=move || begin.pending().get()>"Continue"</button>
            </ActionForm>
            <FormError result=begin.value()/>
        </section>
    }
}

/// The key or grant passed its checks: whom writes are performed as.
#[component]
fn UserStep(pending: String, users: Vec<ActingUser>, authorised: bool) -> impl IntoView {
    let finish = ServerAction::<FinishLever>::new();
    let lead = if authorised {
        "Lever authorised ats-bridge. Which Lever user are candidates added and moved as?"
    } else {
        "The key works. Which Lever user are candidates added and moved as?"
    };
    view! {
        <section class="card">
            <h2>"Act as"</h2>
            <p>{lead}</p>
            <ActionForm action=finish attr:class="row">
                <input type="hidden" name="pending" value=pending/>
                <label>"Lever user"
                    <select name="perform_as">
                        {users.into_iter().map(|u| {
                            let label = format!("{} <{}> — {}", u.name, u.email, u.access);
                            view! { <option value=u.id>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="primary" disabled=move || finish.pending().get()>"Connect"</button>
            </ActionForm>
            <FormError result=finish.value()/>
        </section>
    }
}
