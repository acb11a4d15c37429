//! The ats-bridge web UI: pages, components and the server functions behind them. Compiled twice:
//! with `ssr` into the server, which renders every page, and with `hydrate` into the browser's WASM
//! bundle, which holds only the pages' one island (`components::Enhance`): Leptos islands.
// Deeply nested views (the wizard) have deep types.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod format;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod session;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::components::Enhance;

use crate::pages::{
    AccountSettingsPage, AtsJobPage, AtsMappingPage, AtsRemovePage, AtsStartPage, CandidateSourceGuidePage,
    ChooseWorkableAccountPage, ConnectLeverPage, ConnectWorkablePage, InsightsPage, PipelinePage, SignInPage,
    SourcePage, WorkableGuidePage,
};

/// What every answer may load and who may frame it. With the page's nonce (a fresh one per page,
/// which Leptos puts on the hydration script and its own inline data), only scripts carrying it —
/// and what they load (`'strict-dynamic'`: the WASM bundle's JavaScript) — run, and WASM may be
/// compiled; no other inline script, no plugin, no framing, no `<base>` elsewhere. Styles are not
/// restricted.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'"),
        None => "script-src 'none'".to_owned(),
    };
    format!("{scripts}; object-src 'none'; frame-ancestors 'none'; base-uri 'self'")
}

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's policy names its nonce; every other answer gets the policy without scripts.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        && let Ok(policy) = http::HeaderValue::from_str(&content_security_policy(Some(&nonce)))
    {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, policy);
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                <Enhance/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="ats-bridge"/>
        // Async rendering waits for the data before sending headers, so a page can still answer
        // with a redirect (signed out) or a 404 (another company's role).
        <Router>
            <Routes fallback=|| view! { <p class="page">"Page not found."</p> }>
                <Route path=path!("sign-in") view=SignInPage ssr=SsrMode::Async/>
                <Route path=path!("source") view=SourcePage ssr=SsrMode::Async/>
                <Route path=path!("insights") view=InsightsPage ssr=SsrMode::Async/>
                <Route path=path!("roles/:id") view=PipelinePage ssr=SsrMode::Async/>
                <Route path=path!("roles/:id/ats") view=AtsStartPage ssr=SsrMode::Async/>
                <Route path=path!("roles/:id/ats/job") view=AtsJobPage ssr=SsrMode::Async/>
                <Route path=path!("roles/:id/ats/mapping") view=AtsMappingPage ssr=SsrMode::Async/>
                <Route path=path!("roles/:id/ats/remove") view=AtsRemovePage ssr=SsrMode::Async/>
                <Route path=path!("account-settings") view=AccountSettingsPage ssr=SsrMode::Async/>
                <Route path=path!("account-settings/workable/choose") view=ChooseWorkableAccountPage ssr=SsrMode::Async/>
                <Route path=path!("integrations/workable/connect") view=ConnectWorkablePage ssr=SsrMode::Async/>
                <Route path=path!("integrations/lever/connect") view=ConnectLeverPage ssr=SsrMode::Async/>
                <Route path=path!("integrations/workable/guide") view=WorkableGuidePage ssr=SsrMode::Async/>
                <Route path=path!("integrations/workable/source-guide") view=CandidateSourceGuidePage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
