//! The browser side: the pages are rendered on the server; this hydrates their islands (the one
//! `Enhance` island of every page, `app::components::Enhance`).

// Linked for its islands: each is a `#[wasm_bindgen]` export of `app` the page's script calls.
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
