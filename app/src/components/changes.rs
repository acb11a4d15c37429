//! Pages told of changes by the server (server-sent events) instead of asking on a timer.

use leptos::prelude::*;

/// Marks the page as following `events` (`/events/roles/{id}`, `/events/source`) from `since`
/// (the version it was rendered from): the page's island keeps one connection to it and reads the
/// page again each time the server says it is out of date — nothing while idle.
#[component]
pub fn Follow(events: String, since: String) -> impl IntoView {
    view! { <div hidden data-follow=events data-since=since></div> }
}
