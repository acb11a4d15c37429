//! The confirmation for *Remove ATS configuration*.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::mapping::{RemoveAtsConfiguration, ats_wizard};
use crate::components::{ErrorList, FormError, SignedIn};
use crate::error::AppError;

use super::*;

#[component]
pub fn AtsRemovePage() -> impl IntoView {
    let role_id = role_param();
    let start = Resource::new(role_id, |id| async move {
        match id {
            Some(id) => ats_wizard(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let remove = ServerAction::<RemoveAtsConfiguration>::new();
    view! {
        <Title text="Remove ATS configuration · ats-bridge"/>
        <SignedIn>
            <p><A href="/source">"← Source"</A></p>
            <h1>"Remove ATS configuration"</h1>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                    {move || Suspend::new(async move {
                        start.await.map(|start| match start.current {
                            None => view! { <p>{start.role.title} " has no ATS configuration."</p> }.into_any(),
                            Some(config) => view! {
                                <p>
                                    <strong>{start.role.title.clone()}</strong> {format!(" will stop sending candidates to the {} job ", start.ats.name())}
                                    <strong>{config.job.title.clone()}</strong> {format!(". Candidates already in {} stay there, and their export history is kept.", start.ats.name())}
                                </p>
                                <ActionForm action=remove attr:class="row">
                                    <input type="hidden" name="role_id" value=start.role.id.0/>
                                    <button type="submit" class="danger">"Remove ATS configuration"</button>
                                    <A href="/source">"Cancel"</A>
                                </ActionForm>
                                <FormError result=remove.value()/>
                            }.into_any(),
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </SignedIn>
    }
}
