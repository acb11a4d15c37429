//! Pages told of changes by the server (server-sent events) instead of asking on a timer.

use leptos::prelude::*;

/// While the page is open, keeps one connection to `events` (`/events/roles/{id}`,
/// `/events/source`) and bumps `tick` each time the server says the page (rendered from `since`)
/// is out of date. In the browser only; the browser reconnects by itself after a network failure,
/// and the connection closes with the page.
pub fn follow_changes(events: String, since: Option<String>, tick: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    {
        use futures::StreamExt;
        use gloo_net::eventsource::futures::EventSource;

        let mut url = events;
        if let Some(since) = since {
            url.push_str("?since=");
            url.push_str(&js_sys::encode_uri_component(&since).as_string().unwrap_or_default());
        }
        let Ok(mut source) = EventSource::new(&url) else { return };
        let Ok(changes) = source.subscribe("changed") else { return };
        let (close, closed) = futures::channel::oneshot::channel::<()>();
        leptos::task::spawn_local(async move {
            // The source lives as long as this loop: the page's end closes it.
            let _source = source;
            let mut changes = changes.take_until(closed);
            while let Some(change) = changes.next().await {
                // An error is a lost connection, which the browser opens again by itself.
                if change.is_ok() {
                    tick.update(|t| *t = t.wrapping_add(1));
                }
            }
        });
        on_cleanup(move || {
            let _ = close.send(());
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (events, since, tick);
}
