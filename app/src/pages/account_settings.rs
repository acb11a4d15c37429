//! *Account settings*: the *ATS integrations* section, one card per ATS.

use domain::UserRole;
use domain::views::SessionUser;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::workable::{DisconnectWorkable, WorkableCardView as CardData, get_workable_card};
use crate::components::{ErrorList, SignedIn, WorkableCardView};
use crate::error::AppError;

/// Resources are created here, outside the signed-in frame's `Suspense`, so the browser picks
/// up the server's data instead of fetching again (the card's one-shot message would differ).
#[component]
pub fn AccountSettingsPage() -> impl IntoView {
    let disconnect = ServerAction::<DisconnectWorkable>::new();
    let card = Resource::new(move || disconnect.version().get(), |_| get_workable_card());
    view! {
        <Title text="Account settings · ats-bridge"/>
        <SignedIn>
            <AccountSettings card disconnect/>
        </SignedIn>
    }
}

#[component]
fn AccountSettings(
    card: Resource<Result<CardData, AppError>>,
    disconnect: ServerAction<DisconnectWorkable>,
) -> impl IntoView {
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
                <Transition fallback=|| view! { <article class="card ats">"Loading…"</article> }>
                    <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                        {move || Suspend::new(async move {
                            card.await.map(|view| view! { <WorkableCardView card=view.card notice=view.notice disconnect/> })
                        })}
                    </ErrorBoundary>
                </Transition>
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
