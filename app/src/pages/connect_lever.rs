//! *Connect* under Lever: what will happen and what the API key needs, the key form, then the
//! choice of the Lever user every write is performed as (preselected: the master account's own
//! Lever user, else a super admin).

use domain::UserRole;
use domain::views::{ActingUser, SessionUser};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::lever::{BeginLeverKey, FinishLeverKey, lever_users};
use crate::components::{ErrorList, FormError, SignedIn};
use crate::error::AppError;

/// Which step the page is at: the key form, or (a key pre-checked) its pending id and the users.
type Step = Option<(String, Vec<ActingUser>)>;

#[component]
pub fn ConnectLeverPage() -> impl IntoView {
    let query = use_query_map();
    let pending = move || query.read().get("pending").filter(|p| !p.is_empty());
    let users = Resource::new(pending, |pending| async move {
        match pending {
            Some(pending) => lever_users(pending.clone()).await.map(|users| Some((pending, users))),
            None => Ok(None),
        }
    });
    view! {
        <Title text="Connect Lever · ats-bridge"/>
        <SignedIn>
            <ConnectLever users/>
        </SignedIn>
    }
}

#[component]
fn ConnectLever(users: Resource<Result<Step, AppError>>) -> impl IntoView {
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
                    users.await.map(|step| match step {
                        None => view! { <KeyStep/> }.into_any(),
                        Some((pending, users)) => view! { <UserStep pending users/> }.into_any(),
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

/// What connecting Lever does and asks for, and the key form.
#[component]
fn KeyStep() -> impl IntoView {
    let begin = ServerAction::<BeginLeverKey>::new();
    view! {
        <section class="card guide" id="guide">
            <h2>"What happens next"</h2>
            <ol>
                <li>"A Lever super admin creates an API key under Settings → Integrations and API → API credentials, with these endpoints allowed: users, postings, stages, archive reasons and webhooks (read), and opportunities, notes, files and resumes (read and write)."</li>
                <li>"You paste it below. We try each read once before anything is saved, and keep the key encrypted on our server: it is never shown again."</li>
                <li>"You choose the Lever user candidates are added and moved as (Lever records every change as someone's): the one with your e-mail address is preselected."</li>
                <li>"Candidates we add appear in Lever as sourced by the marketplace, tagged with its name, with their CV as the resume and their profile as a file."</li>
            </ol>
        </section>
        <section class="card">
            <h2>"API key"</h2>
            <ActionForm action=begin attr:class="row">
                <label>"API key" <input type="password" name="key" autocomplete="off" required/></label>
                <button type="submit" class="primary" disabled=move || begin.pending().get()>"Continue"</button>
            </ActionForm>
            <FormError result=begin.value()/>
        </section>
    }
}

/// The key passed its checks: whom writes are performed as.
#[component]
fn UserStep(pending: String, users: Vec<ActingUser>) -> impl IntoView {
    let finish = ServerAction::<FinishLeverKey>::new();
    view! {
        <section class="card">
            <h2>"Act as"</h2>
            <p>"The key works. Which Lever user are candidates added and moved as?"</p>
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
