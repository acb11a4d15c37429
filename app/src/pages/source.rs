//! *Source*: the company's roles, their status and their ATS state.

use domain::RoleStatus;
use domain::views::RoleSummary;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::{CreateRole, PublishRole, list_roles};
use crate::components::{ErrorList, FormError, SignedIn, StatusBadge};
use crate::error::AppError;

/// Resources live here, outside the signed-in frame's `Suspense`, so hydration reuses the
/// server's data.
#[component]
pub fn SourcePage() -> impl IntoView {
    let create = ServerAction::<CreateRole>::new();
    let publish = ServerAction::<PublishRole>::new();
    let roles = Resource::new(move || (create.version().get(), publish.version().get()), |_| list_roles());
    view! {
        <Title text="Source · ats-bridge"/>
        <SignedIn>
            <Source create publish roles/>
        </SignedIn>
    }
}

#[component]
fn Source(
    create: ServerAction<CreateRole>,
    publish: ServerAction<PublishRole>,
    roles: Resource<Result<Vec<RoleSummary>, AppError>>,
) -> impl IntoView {
    view! {
        <h1>"Source"</h1>
        <p class="lead">"Your roles on the marketplace, and where each one stands with your ATS."</p>
        <Transition fallback=|| view! { <p>"Loading roles…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    roles.await.map(|roles| view! { <RoleTable roles publish/> })
                })}
            </ErrorBoundary>
        </Transition>
        <FormError result=publish.value()/>
        <section class="card">
            <h2>"New role"</h2>
            <ActionForm action=create attr:class="row">
                <label>"Title" <input type="text" name="title" maxlength="120" required/></label>
                <label>"Location" <input type="text" name="location" maxlength="120" required/></label>
                <label class="check"><input type="checkbox" name="publish" value="on"/>" Publish now"</label>
                <button type="submit" class="primary">"Create role"</button>
            </ActionForm>
            <FormError result=create.value()/>
        </section>
    }
}

#[component]
fn RoleTable(roles: Vec<RoleSummary>, publish: ServerAction<PublishRole>) -> impl IntoView {
    if roles.is_empty() {
        return view! { <p>"No roles yet. Create one below."</p> }.into_any();
    }
    view! {
        <table class="roles">
            <thead>
                <tr><th>"Role"</th><th>"Location"</th><th>"Status"</th><th>"Requests sent"</th><th>"In pipeline"</th><th>"ATS"</th><th></th></tr>
            </thead>
            <tbody>
                {roles.into_iter().map(|role| {
                    let status = role.status;
                    let publish_label = format!("Publish {}", role.title);
                    let title = role.title.clone();
                    view! {
                        <tr data-role=role.title>
                            <td><A href=format!("/roles/{}", role.id)>{title}</A></td>
                            <td>{role.location}</td>
                            <td><StatusBadge kind=status.as_str() label=status.label()/></td>
                            <td>{role.pending_requests}</td>
                            <td>{role.in_pipeline}</td>
                            <td>{role.ats_state.label()}</td>
                            <td>
                                {(status == RoleStatus::Draft).then(|| view! {
                                    <ActionForm action=publish attr:class="inline">
                                        <input type="hidden" name="role_id" value=role.id.0/>
                                        <button type="submit" aria-label=publish_label>"Publish"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
