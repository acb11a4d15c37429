//! *Account settings*: for now the *ATS integrations* section, one card per ATS.

use domain::UserRole;
use domain::views::SessionUser;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::SignedIn;

#[component]
pub fn AccountSettingsPage() -> impl IntoView {
    view! {
        <Title text="Account settings · ats-bridge"/>
        <SignedIn>
            <AccountSettings/>
        </SignedIn>
    }
}

#[component]
fn AccountSettings() -> impl IntoView {
    let user = expect_context::<SessionUser>();
    let master = user.role == UserRole::Master;
    view! {
        <h1>"Account settings"</h1>
        <section>
            <h2>"ATS integrations"</h2>
            {(!master).then(|| view! {
                <p class="notice">
                    "Only your company's master account can connect an ATS. To connect one, contact your Customer Success Manager."
                </p>
            })}
            <div class="cards">
                <article class="card ats" data-ats="workable">
                    <h3>"Workable"</h3>
                    <p>"Every candidate who accepts a request for a mapped role lands in the right Workable job and stage, with CV and profile."</p>
                    <p class="state">"Not connected"</p>
                </article>
                <article class="card ats unavailable" data-ats="greenhouse">
                    <h3>"Greenhouse"</h3>
                    <p class="state">"Not yet available"</p>
                </article>
                <article class="card ats unavailable" data-ats="lever">
                    <h3>"Lever"</h3>
                    <p class="state">"Not yet available"</p>
                </article>
            </div>
        </section>
    }
}
