//! *Account settings*: the *ATS integrations* section, one card per ATS.

use domain::views::SessionUser;
use domain::{AtsKind, UserRole};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::workable::{DisconnectWorkable, WorkableCardView as CardData, get_workable_card};
use crate::api::{SetTimeZone, TimeZoneView, get_time_zone};
use crate::components::{AtsCardView, ErrorList, FormError, SignedIn};
use crate::error::AppError;

/// The page is read once per request (its card's one-shot notice is taken from the session
/// then); a form sent from it comes back with the page read again.
#[component]
pub fn AccountSettingsPage() -> impl IntoView {
    let disconnect = ServerAction::<DisconnectWorkable>::new();
    let card = Resource::new(|| (), |_| get_workable_card());
    let set_zone = ServerAction::<SetTimeZone>::new();
    let zone = Resource::new(|| (), |_| get_time_zone());
    view! {
        <Title text="Account settings · ats-bridge"/>
        <SignedIn>
            <AccountSettings card disconnect zone set_zone/>
        </SignedIn>
    }
}

#[component]
fn AccountSettings(
    card: Resource<Result<CardData, AppError>>,
    disconnect: ServerAction<DisconnectWorkable>,
    zone: Resource<Result<TimeZoneView, AppError>>,
    set_zone: ServerAction<SetTimeZone>,
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
                            card.await.map(|view| {
                                let lever = view.card.lever_available;
                                view! {
                                    <AtsCardView ats=AtsKind::Workable card=view.card.clone() notice=view.notice.clone() disconnect/>
                                    {if lever {
                                        view! { <AtsCardView ats=AtsKind::Lever card=view.card notice=view.notice disconnect/> }.into_any()
                                    } else {
                                        view! {
                                            <article class="card ats unavailable" data-ats="lever">
                                                <h3>"Lever"</h3>
                                                <p class="state">"Not yet available"</p>
                                            </article>
                                        }.into_any()
                                    }}
                                }
                            })
                        })}
                    </ErrorBoundary>
                </Transition>
                <article class="card ats unavailable" data-ats="greenhouse">
                    <h3>"Greenhouse"</h3>
                    <p class="state">"Not yet available"</p>
                </article>
            </div>
        </section>
        <section>
            <h2>"Time zone"</h2>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                    {move || Suspend::new(async move {
                        zone.await.map(|view| view! { <TimeZoneForm view set=set_zone/> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The zone interview times are shown and entered in: the browser's, until the person chooses.
#[component]
fn TimeZoneForm(view: TimeZoneView, set: ServerAction<SetTimeZone>) -> impl IntoView {
    let said = match &view.current {
        Some(zone) => format!("Interview times are shown and entered in {zone}."),
        None => {
            "Your browser has not told us your time zone yet: times are shown in UTC until you choose yours.".into()
        }
    };
    let current = view.current.unwrap_or_else(|| "UTC".into());
    view! {
        <p>{said}</p>
        <ActionForm action=set attr:class="inline">
            <label>"Time zone "
                <select name="time_zone">
                    {view.choices.into_iter().map(|zone| {
                        let selected = zone == current;
                        view! { <option selected=selected>{zone}</option> }
                    }).collect_view()}
                </select>
            </label>
            " "
            <button type="submit" class="primary" disabled=move || set.pending().get()>"Save"</button>
        </ActionForm>
        <FormError result=set.value()/>
        {move || matches!(set.value().get(), Some(Ok(_))).then(|| view! { <p class="notice" role="status">"Saved."</p> })}
    }
}
