//! The frame around signed-in pages, and how errors are shown.

use domain::UserRole;
use domain::views::SessionUser;
use leptos::prelude::*;
use leptos_router::components::{A, Redirect};

use crate::api::{SignOut, whoami};
use crate::error::AppError;

/// Renders `children` for a signed-in user inside the navigation frame; sends anyone else to
/// the sign-in page. The user is provided as context to the page.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let user = Resource::new(|| (), |_| whoami());
    let sign_out = ServerAction::<SignOut>::new();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    user.await.map(|user| match user {
                        Some(user) => {
                            provide_context(user.clone());
                            view! {
                                <Nav user sign_out/>
                                <main class="page">{children.read_value()()}</main>
                            }
                            .into_any()
                        }
                        None => view! { <Redirect path="/sign-in"/> }.into_any(),
                    })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

#[component]
fn Nav(user: SessionUser, sign_out: ServerAction<SignOut>) -> impl IntoView {
    let role = match user.role {
        UserRole::Master => "Master account",
        UserRole::Member => "Member",
    };
    view! {
        <header class="nav">
            <span class="brand">"ats-bridge"</span>
            <nav>
                <A href="/source">"Source"</A>
                <A href="/insights">"Insights"</A>
                <A href="/account-settings">"Account settings"</A>
            </nav>
            <span class="who">
                <span class="company">{user.company_name}</span>
                " · "
                <span>{user.name}</span>
                " ("{role}")"
            </span>
            <ActionForm action=sign_out attr:class="inline">
                <button type="submit" class="link">"Sign out"</button>
            </ActionForm>
        </header>
    }
}

/// The errors caught by an `ErrorBoundary`, in plain words.
#[component]
pub fn ErrorList(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="error" role="alert">
            <ul>
                {move || errors.get().into_iter().map(|(_, e)| view! { <li>{e.to_string()}</li> }).collect_view()}
            </ul>
        </div>
    }
}

/// The error of the last submission of a form, if it failed: rendered by the server from the
/// address it sent the browser back to (`__err`), or put in place by the page's island from the
/// page the server answered with (the places are matched in order, so one is always rendered).
/// Field errors name their field in the message ("Title is required") and in `data-field`.
#[component]
pub fn FormError<T, R>(result: R) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    R: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    let error = match result.get() {
        Some(Err(err)) => Some(
            view! { <p class="error" role="alert" data-field=err.field().map(str::to_owned)>{err.to_string()}</p> },
        ),
        _ => None,
    };
    view! { <div class="form-error">{error}</div> }
}
