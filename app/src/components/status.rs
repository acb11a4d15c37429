use leptos::prelude::*;

/// A small coloured label: `kind` picks the colour (`live`, `draft`, `closed`, a stage…).
#[component]
pub fn StatusBadge(#[prop(into)] kind: String, #[prop(into)] label: String) -> impl IntoView {
    view! { <span class=format!("badge badge-{kind}")>{label}</span> }
}
