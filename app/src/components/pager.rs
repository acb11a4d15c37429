//! *Previous* / *Next* for a list shown a page at a time, as plain links (they work without
//! the page's script and can be shared).

use leptos::prelude::*;
use leptos_router::components::A;

/// Nothing when `count` rows fit on one page; else where this page is and links to its
/// neighbours (`href(page)` makes each link).
#[component]
pub fn Pager(
    label: &'static str,
    count: usize,
    per_page: usize,
    current: usize,
    href: impl Fn(usize) -> String + 'static,
) -> impl IntoView {
    let total = domain::views::pages(count, per_page);
    (total > 1).then(|| {
        let first = (current - 1) * per_page + 1;
        let last = (current * per_page).min(count);
        view! {
            <nav class="pager" aria-label=label>
                <span class="muted">{format!("{first}–{last} of {count} · page {current} of {total}")}</span>
                {(current > 1).then(|| view! { <A href=href(current - 1)>"← Previous"</A> })}
                {(current < total).then(|| view! { <A href=href(current + 1)>"Next →"</A> })}
            </nav>
        }
    })
}
