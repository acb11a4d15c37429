//! The one island of every page. The pages are rendered on the server and work without it (links,
//! GET filters, forms posted to the server functions, which answer with a redirect); once the
//! browser has run it:
//!
//! - a form posted to a server function is sent with `fetch`: on success the page's `<main>` is
//!   replaced by the one the server answers with (or the browser goes where the server sent it), on
//!   failure only the errors are shown (`FormError`'s places) and **nothing typed is lost**;
//! - a page that follows changes (`[data-follow]`: `/events/source`, `/events/roles/{id}`) keeps
//!   one server-sent-events connection and reads its `<main>` again when told, carrying over what
//!   the person was doing (focus, typed values, an open menu) and waiting while a dialog is open;
//! - a list with a filter box (`input[data-filter]`) is filtered as one types;
//! - Escape closes a dialog (`[role=dialog][data-close]`);
//! - a field to fill with the browser's time zone (`input[data-fill=time-zone]`) is filled;
//! - `<body data-hydrated>` says all this is in place (the browser suite waits for it).
//!
//! Hand-written rather than Leptos's islands router: that one diffs whole documents by a tree walk
//! and keeps no typed values; this one replaces `<main>` and keeps them.

use leptos::prelude::*;

#[island]
pub fn Enhance() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::start();
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;

    use leptos::prelude::{document, window};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::prelude::JsValue;
    use wasm_bindgen_futures::{JsFuture, spawn_local};
    use web_sys::{
        Document, Element, Event, HtmlElement, HtmlFormElement, HtmlInputElement, HtmlSelectElement,
        HtmlTextAreaElement, KeyboardEvent,
    };

    thread_local! {
        /// Reads of the page started, and the newest one shown: an older answer never replaces a newer.
        static STARTED: Cell<u64> = const { Cell::new(0) };
        static SHOWN: Cell<u64> = const { Cell::new(0) };
        /// A change was announced while the page could not be read again (or was being read).
        static PENDING: Cell<bool> = const { Cell::new(false) };
        static READING: Cell<bool> = const { Cell::new(false) };
        /// Forms on their way: the page is not read again meanwhile (their answer is newer, and
        /// may be another address).
        static SENDING: Cell<u32> = const { Cell::new(0) };
        /// The address (path and query) of the page shown.
        static SHOWING: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        /// The connection of the page shown (a page shown in place closes its predecessor's).
        static FOLLOWING: std::cell::RefCell<Option<gloo_net::eventsource::futures::EventSource>> =
            const { std::cell::RefCell::new(None) };
    }

    pub fn start() {
        let doc = document();
        listen(&doc, "submit", on_submit);
        listen(&doc, "input", on_filter);
        listen(&doc, "keydown", on_escape);
        // A field left: a change announced meanwhile is shown now.
        listen(&doc, "focusout", |_| {
            if PENDING.get() {
                spawn_local(refresh());
            }
        });
        // A page shown in place is left by the history's back button: the browser shows the page
        // of the address it went back to anew (a change of the fragment alone is no new page).
        SHOWING.with_borrow_mut(|at| *at = here());
        let back = Closure::<dyn FnMut(Event)>::new(|_| {
            if SHOWING.with_borrow(|at| *at != here()) {
                let _ = window().location().reload();
            }
        });
        let _ = window().add_event_listener_with_callback("popstate", back.as_ref().unchecked_ref());
        back.forget();
        set_up(&doc);
        if let Some(body) = doc.body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    }

    fn here() -> String {
        let location = window().location();
        location.pathname().unwrap_or_default() + &location.search().unwrap_or_default()
    }

    /// Puts `shown` (a path and query) in the address bar: as a new history entry, or in place of
    /// the current one.
    fn show_address(shown: &str, new_entry: bool) {
        if let Ok(history) = window().history() {
            let _ = if new_entry {
                history.push_state_with_url(&JsValue::NULL, "", Some(shown))
            } else {
                history.replace_state_with_url(&JsValue::NULL, "", Some(shown))
            };
        }
        SHOWING.with_borrow_mut(|at| *at = here());
    }

    /// What the page shown needs: its time-zone fields filled, its filters applied (a value the
    /// browser kept), the changes it follows.
    fn set_up(doc: &Document) {
        fill_time_zones(doc);
        for input in all(doc, "input[data-filter]") {
            if let Ok(input) = input.dyn_into::<HtmlInputElement>() {
                filter(doc, &input);
            }
        }
        follow(doc);
    }

    fn listen(doc: &Document, event: &str, handler: fn(Event)) {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        let _ = doc.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        // The page's listeners live as long as the page.
        closure.forget();
    }

    fn all(root: &impl AsRef<web_sys::Node>, selector: &str) -> Vec<Element> {
        let node: &web_sys::Node = root.as_ref();
        let list = if let Some(doc) = node.dyn_ref::<Document>() {
            doc.query_selector_all(selector)
        } else if let Some(el) = node.dyn_ref::<Element>() {
            el.query_selector_all(selector)
        } else {
            return Vec::new();
        };
        let Ok(list) = list else { return Vec::new() };
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
    }

    // ---- Forms ---------------------------------------------------------------------------------

    fn on_submit(event: Event) {
        let Some(form) = event.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else { return };
        if event.default_prevented() || !form.method().eq_ignore_ascii_case("post") {
            return;
        }
        let action = form.action();
        let Ok(url) = web_sys::Url::new(&action) else { return };
        if url.origin() != window().location().origin().unwrap_or_default() || !url.pathname().starts_with("/api/") {
            return;
        }
        event.prevent_default();
        // One submission at a time per form (a second press while it is on its way does nothing).
        if form.has_attribute("aria-busy") {
            return;
        }
        let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
        let Ok(body) = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data) else { return };
        let _ = form.set_attribute("aria-busy", "true");
        spawn_local(async move {
            let seq = STARTED.get() + 1;
            STARTED.set(seq);
            SENDING.set(SENDING.get() + 1);
            let answer = fetch_page(&action, Some(&body)).await;
            let _ = form.remove_attribute("aria-busy");
            match answer {
                Ok(answer) => after_submit(&form, answer, seq),
                Err(said) => show_errors_of(&form, None, Some(&said)),
            }
            SENDING.set(SENDING.get() - 1);
            // A change announced while the form was on its way is read now.
            if PENDING.get() {
                refresh().await;
            }
        });
    }

    /// What the server answered a page request with: where it ended (after redirects), its
    /// status and its HTML.
    struct Answer {
        url: String,
        ok: bool,
        html: String,
    }

    async fn fetch_page(url: &str, body: Option<&web_sys::UrlSearchParams>) -> Result<Answer, String> {
        const UNREACHABLE: &str = "The server could not be reached. Nothing was lost: try again.";
        let init = web_sys::RequestInit::new();
        let headers = web_sys::Headers::new().map_err(|_| UNREACHABLE.to_owned())?;
        let _ = headers.set("Accept", "text/html");
        init.set_headers(&headers);
        if let Some(body) = body {
            init.set_method("POST");
            init.set_body(body);
        }
        let response = JsFuture::from(window().fetch_with_str_and_init(url, &init))
            .await
            .ok()
            .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
            .ok_or_else(|| UNREACHABLE.to_owned())?;
        let text = match response.text() {
            Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
            Err(_) => String::new(),
        };
        Ok(Answer { url: response.url(), ok: response.ok(), html: text })
    }

    fn after_submit(form: &HtmlFormElement, answer: Answer, seq: u64) {
        let location = window().location();
        let Ok(landed) = web_sys::Url::new(&answer.url) else { return };
        if !answer.ok || landed.pathname().starts_with("/api/") {
            // Not a page: the server refused the request itself (throttled, from elsewhere…).
            let said = answer.html.trim();
            let said = if !said.is_empty() && said.len() < 300 && !said.starts_with('<') {
                said.to_owned()
            } else {
                "The server could not take this request. Nothing was lost: try again.".to_owned()
            };
            show_errors_of(form, None, Some(&said));
            return;
        }
        let Some(page) = parse(&answer.html) else { return };
        if landed.search_params().has("__err") {
            show_errors_of(form, Some(&page), None);
        } else if landed.pathname() == location.pathname().unwrap_or_default() {
            // Done, and the page is the same: its new state in place, the address it has now. The
            // form sent starts afresh (a new role's fields empty); any other keeps what was typed.
            if show(&page, seq, Some(form)) {
                show_address(&(landed.pathname() + &landed.search()), false);
            }
        } else if !arrive(&page, &answer.url, seq) {
            let _ = location.assign(&answer.url);
        }
    }

    /// The page the server sent the browser to after a form (`page`, read from `url`), shown in
    /// place of this one as a navigation: a new entry in the history, its content and title, the
    /// top of the page, its own setup (what it follows, its filters). Reading it a second time
    /// would lose what the server said once (a notice kept in the session until shown).
    fn arrive(page: &Document, url: &str, seq: u64) -> bool {
        let doc = document();
        let (Some(body), Some(new_body)) = (doc.body(), page.body()) else { return false };
        if seq <= SHOWN.get() {
            return true;
        }
        SHOWN.set(seq);
        let Ok(landed) = web_sys::Url::new(url) else { return false };
        show_address(&(landed.pathname() + &landed.search()), true);
        // Everything but the island (this code) is the new page's.
        let island = all(&body, ":scope > leptos-island");
        for child in all(&body, ":scope > *") {
            if !island.contains(&child) {
                child.remove();
            }
        }
        for child in all(&new_body, ":scope > *") {
            if child.tag_name().eq_ignore_ascii_case("leptos-island") {
                continue;
            }
            let _ = match island.first() {
                Some(island) => body.insert_before(&child, Some(island)).map(|_| ()),
                None => body.append_child(&child).map(|_| ()),
            };
        }
        let title = page.title();
        if !title.is_empty() {
            doc.set_title(&title);
        }
        window().scroll_to_with_x_and_y(0.0, 0.0);
        set_up(&doc);
        // As a page load would: the field marked `autofocus`, or else the page's heading, has
        // the keyboard (and a screen reader starts there).
        if let Some(main) = doc.query_selector("main").ok().flatten() {
            let _ = focus_first(&main, "[autofocus]") || focus_first(&main, "h1");
        }
        true
    }

    /// Gives the keyboard to the first element of `root` matching `selector` (reachable by
    /// script only, if it is not a control); false when there is none.
    fn focus_first(root: &Element, selector: &str) -> bool {
        let Ok(Some(el)) = root.query_selector(selector) else { return false };
        let Ok(el) = el.dyn_into::<HtmlElement>() else { return false };
        let control =
            is_field(&el) || el.tag_name().eq_ignore_ascii_case("button") || el.tag_name().eq_ignore_ascii_case("a");
        if !control && !el.has_attribute("tabindex") {
            let _ = el.set_attribute("tabindex", "-1");
        }
        let _ = el.focus();
        true
    }

    /// The errors the server put in the page it answered with (`page`), or `said`, shown where
    /// the page shows errors; the fields they name are marked invalid in `form`. The form keeps
    /// every value typed.
    fn show_errors_of(form: &HtmlFormElement, page: Option<&Document>, said: Option<&str>) {
        let doc = document();
        let answered = page.map(|page| all(page, ".form-error")).unwrap_or_default();
        let answered_html: Vec<String> = answered.iter().map(Element::inner_html).collect();
        if page.is_none() || !put_errors(&doc, &answered_html, false) {
            // No page to take the errors from: the message right after the form.
            let message = said.map(str::to_owned).or_else(|| {
                answered.iter().map(|e| e.text_content().unwrap_or_default()).find(|t| !t.trim().is_empty())
            });
            let place = match form.next_element_sibling().filter(|e| e.class_list().contains("form-error")) {
                Some(place) => place,
                None => {
                    let Ok(place) = doc.create_element("div") else { return };
                    place.set_class_name("form-error");
                    let _ = form.after_with_node_1(&place);
                    place
                }
            };
            place.set_inner_html("");
            if let (Some(message), Ok(p)) = (message, doc.create_element("p")) {
                p.set_class_name("error");
                let _ = p.set_attribute("role", "alert");
                p.set_text_content(Some(&message));
                let _ = place.append_child(&p);
            }
        }
        mark_invalid(form);
    }

    /// Puts `said` (each error place's content, in the page's order) in `root`'s error places —
    /// only into empty places when `only_empty`. False when the places do not match in number.
    fn put_errors(root: &impl AsRef<web_sys::Node>, said: &[String], only_empty: bool) -> bool {
        let places = all(root, ".form-error");
        if places.len() != said.len() {
            return false;
        }
        for (place, said) in places.iter().zip(said) {
            if !only_empty || (place.inner_html().trim().is_empty() && !said.trim().is_empty()) {
                place.set_inner_html(said);
            }
        }
        true
    }

    /// Marks `aria-invalid` the fields in `scope` that the errors shown name (`data-field`), and
    /// no other.
    fn mark_invalid(scope: &Element) {
        let named: Vec<String> =
            all(&document(), ".form-error [data-field]").iter().filter_map(|e| e.get_attribute("data-field")).collect();
        for field in all(scope, "[name]") {
            if named.iter().any(|name| field.get_attribute("name").as_deref() == Some(name)) {
                let _ = field.set_attribute("aria-invalid", "true");
            } else {
                let _ = field.remove_attribute("aria-invalid");
            }
        }
    }

    fn parse(html: &str) -> Option<Document> {
        web_sys::DomParser::new().ok()?.parse_from_string(html, web_sys::SupportedType::TextHtml).ok()
    }

    // ---- Reading the page again ------------------------------------------------------------------

    /// Follows the page's changes: one server-sent-events connection, as long as the page is open
    /// (the browser reconnects by itself after a network failure).
    fn follow(doc: &Document) {
        use futures::StreamExt;
        use gloo_net::eventsource::futures::EventSource;

        // Dropped, the previous page's connection closes.
        FOLLOWING.with_borrow_mut(|source| source.take());
        PENDING.set(false);
        let Ok(Some(marker)) = doc.query_selector("[data-follow]") else { return };
        let Some(mut url) = marker.get_attribute("data-follow") else { return };
        if let Some(since) = marker.get_attribute("data-since") {
            url.push_str("?since=");
            url.push_str(&js_sys::encode_uri_component(&since).as_string().unwrap_or_default());
        }
        let Ok(mut source) = EventSource::new(&url) else { return };
        let Ok(mut changes) = source.subscribe("changed") else { return };
        FOLLOWING.with_borrow_mut(|kept| *kept = Some(source));
        spawn_local(async move {
            while let Some(change) = changes.next().await {
                // An error is a lost connection, which the browser opens again by itself.
                if change.is_ok() {
                    PENDING.set(true);
                    refresh().await;
                }
            }
        });
    }

    /// Reads the page again and shows it, unless the person is in the middle of something: a
    /// dialog open (closing it reads the page anyway) or a field with the focus (shown once they
    /// leave it).
    async fn refresh() {
        if READING.get() || SENDING.get() > 0 || busy() {
            return;
        }
        READING.set(true);
        while PENDING.replace(false) {
            let seq = STARTED.get() + 1;
            STARTED.set(seq);
            let asked = here();
            let answer = fetch_page(&window().location().href().unwrap_or_default(), None).await;
            if here() != asked {
                // Another page is shown meanwhile: it follows its own changes.
                continue;
            }
            if SENDING.get() > 0 {
                // A form went meanwhile: read once it is answered.
                PENDING.set(true);
                break;
            }
            if let Ok(answer) = answer
                && answer.ok
            {
                let landed = web_sys::Url::new(&answer.url).ok().map(|u| u.pathname() + &u.search());
                match parse(&answer.html) {
                    Some(page) if landed.as_deref() == Some(asked.as_str()) => {
                        if busy() {
                            PENDING.set(true);
                        } else {
                            show(&page, seq, None);
                        }
                    }
                    // Sent elsewhere (signed out meanwhile, the page gone): go where the server says.
                    _ => {
                        let _ = window().location().assign(&answer.url);
                    }
                }
            }
            if busy() {
                break;
            }
        }
        READING.set(false);
    }

    /// The person is in the middle of something: the candidate dialog is open (a dialog one
    /// leaves by an address, `data-close`; a prompt such as *… is live* is no such dialog) or a
    /// field has the focus.
    fn busy() -> bool {
        let doc = document();
        if doc.query_selector("main [role=dialog][data-close]").ok().flatten().is_some() {
            return true;
        }
        doc.active_element().is_some_and(|el| is_field(&el))
    }

    fn is_field(el: &Element) -> bool {
        match el.dyn_ref::<HtmlInputElement>() {
            Some(input) => {
                !matches!(input.type_().as_str(), "hidden" | "submit" | "button" | "reset" | "checkbox" | "radio")
            }
            None => el.is_instance_of::<HtmlSelectElement>() || el.is_instance_of::<HtmlTextAreaElement>(),
        }
    }

    /// Replaces the page's `<main>` with `page`'s, keeping the focus, the menus open and the
    /// values typed in forms (but `sent`'s, which the server has taken). False when a newer
    /// reading is shown already.
    fn show(page: &Document, seq: u64, sent: Option<&HtmlFormElement>) -> bool {
        if seq <= SHOWN.get() {
            return false;
        }
        let doc = document();
        let (Ok(Some(old)), Ok(Some(new))) = (doc.query_selector("main"), page.query_selector("main")) else {
            return false;
        };
        SHOWN.set(seq);
        let focused = doc.active_element().filter(|el| old.contains(Some(el))).map(|el| fingerprint(&el));
        let open: Vec<String> = all(&old, "details[open]").iter().map(fingerprint).collect();
        let sent = sent.and_then(|form| {
            let form: &Element = form.as_ref();
            form_keys(&old).into_iter().find(|(f, _)| f == form).map(|(_, key)| key)
        });
        let mut typed = typed_values(&old);
        typed.retain(|(form, ..)| Some(form) != sent.as_ref());
        // A reading of the page (no form sent) keeps the errors shown: they stand until the form
        // is sent again.
        let said: Vec<String> = match sent {
            None => all(&old, ".form-error").iter().map(Element::inner_html).collect(),
            Some(_) => Vec::new(),
        };
        let _ = old.replace_with_with_node_1(&new);
        let Ok(Some(main)) = doc.query_selector("main") else { return true };
        for details in all(&main, "details") {
            if open.contains(&fingerprint(&details)) {
                let _ = details.set_attribute("open", "");
            }
        }
        restore_values(&main, typed);
        if sent.is_none() && put_errors(&main, &said, true) {
            mark_invalid(&main);
        }
        if let Some(focused) = focused {
            let again = all(&main, "a, button, input, select, textarea, summary")
                .into_iter()
                .find(|el| fingerprint(el) == focused);
            match again.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
                Some(el) => {
                    let _ = el.focus();
                }
                // What had the keyboard is gone (a *Publish* button, once published): a prompt the
                // page now shows takes it, so the keyboard is not sent back to the page's top.
                None => {
                    focus_first(&main, "[role=dialog]");
                }
            }
        }
        let title = page.title();
        if !title.is_empty() {
            doc.set_title(&title);
        }
        true
    }

    /// What identifies an element from one reading of a page to the next.
    fn fingerprint(el: &Element) -> String {
        let el = if el.tag_name().eq_ignore_ascii_case("details") {
            el.query_selector("summary").ok().flatten().unwrap_or_else(|| el.clone())
        } else {
            el.clone()
        };
        let attr = |name: &str| el.get_attribute(name).unwrap_or_default();
        let form = el.closest("form").ok().flatten().map(|f| f.get_attribute("action").unwrap_or_default());
        format!(
            "{}|{}|{}|{}|{}|{}|{}",
            el.tag_name(),
            attr("id"),
            attr("aria-label"),
            attr("name"),
            attr("href"),
            form.unwrap_or_default(),
            if attr("aria-label").is_empty() { el.text_content().unwrap_or_default() } else { String::new() }
        )
    }

    /// The values changed by the person in the forms of `root`: (the form, the field, the value).
    fn typed_values(root: &Element) -> Vec<(String, String, String)> {
        let mut typed = Vec::new();
        for (form, key) in form_keys(root) {
            for field in all(&form, "input[name], select[name], textarea[name]") {
                let name = field.get_attribute("name").unwrap_or_default();
                if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
                    match input.type_().as_str() {
                        "hidden" | "submit" | "button" | "reset" | "file" => {}
                        "checkbox" | "radio" if input.checked() != input.default_checked() => {
                            typed.push((key.clone(), format!("{name}={}", input.value()), input.checked().to_string()));
                        }
                        "checkbox" | "radio" => {}
                        _ if input.value() != input.default_value() => typed.push((key.clone(), name, input.value())),
                        _ => {}
                    }
                } else if let Some(select) = field.dyn_ref::<HtmlSelectElement>() {
                    let options = select.options();
                    let changed = (0..options.length()).any(|i| {
                        options
                            .item(i)
                            .and_then(|o| o.dyn_into::<web_sys::HtmlOptionElement>().ok())
                            .is_some_and(|o| o.selected() != o.default_selected())
                    });
                    if changed {
                        typed.push((key.clone(), name, select.value()));
                    }
                } else if let Some(area) = field.dyn_ref::<HtmlTextAreaElement>()
                    && Ok(area.value()) != area.default_value()
                {
                    typed.push((key.clone(), name, area.value()));
                }
            }
        }
        typed
    }

    fn restore_values(root: &Element, typed: Vec<(String, String, String)>) {
        if typed.is_empty() {
            return;
        }
        for (form, key) in form_keys(root) {
            for (_, name, value) in typed.iter().filter(|(k, ..)| *k == key) {
                for field in all(&form, "input[name], select[name], textarea[name]") {
                    let field_name = field.get_attribute("name").unwrap_or_default();
                    if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
                        if matches!(input.type_().as_str(), "checkbox" | "radio") {
                            if format!("{field_name}={}", input.value()) == *name {
                                input.set_checked(value == "true");
                            }
                        } else if field_name == *name {
                            input.set_value(value);
                        }
                    } else if field_name == *name {
                        if let Some(select) = field.dyn_ref::<HtmlSelectElement>() {
                            // Only a choice the new page still offers (a candidate sent a request
                            // meanwhile is no longer in the list).
                            let options = select.options();
                            let offered = (0..options.length()).any(|i| {
                                options
                                    .item(i)
                                    .and_then(|o| o.dyn_into::<web_sys::HtmlOptionElement>().ok())
                                    .is_some_and(|o| o.value() == *value)
                            });
                            if offered {
                                select.set_value(value);
                            }
                        } else if let Some(area) = field.dyn_ref::<HtmlTextAreaElement>() {
                            area.set_value(value);
                        }
                    }
                }
            }
        }
    }

    /// The forms of `root`, each with what identifies it from one reading of the page to the
    /// next: its action, what it is about (its hidden fields), and which of the forms alike it is
    /// (rows added above it do not change it).
    fn form_keys(root: &Element) -> Vec<(Element, String)> {
        let mut seen: Vec<String> = Vec::new();
        all(root, "form")
            .into_iter()
            .map(|form| {
                let hidden: Vec<String> = all(&form, "input[type=hidden]")
                    .iter()
                    .map(|h| {
                        format!(
                            "{}={}",
                            h.get_attribute("name").unwrap_or_default(),
                            h.get_attribute("value").unwrap_or_default()
                        )
                    })
                    .collect();
                let alike = format!("{}?{}", form.get_attribute("action").unwrap_or_default(), hidden.join("&"));
                let n = seen.iter().filter(|s| **s == alike).count();
                seen.push(alike.clone());
                (form, format!("{alike}#{n}"))
            })
            .collect()
    }

    // ---- Filters, dialogs, time zones -------------------------------------------------------------

    fn on_filter(event: Event) {
        if let Some(input) = event.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            && input.has_attribute("data-filter")
        {
            filter(&document(), &input);
        }
    }

    /// Shows the elements of the input's list (`data-filter`: a selector) whose `data-search` has
    /// every word typed, and the list's "no match" line (`[data-filter-empty]`) when none has.
    fn filter(doc: &Document, input: &HtmlInputElement) {
        let Some(selector) = input.get_attribute("data-filter") else { return };
        let typed = input.value();
        let mut any = false;
        for item in all(doc, &selector) {
            let shown = domain::mapping::words_in(&item.get_attribute("data-search").unwrap_or_default(), &typed);
            any |= shown;
            if let Some(item) = item.dyn_ref::<HtmlElement>() {
                item.set_hidden(!shown);
            }
        }
        for empty in all(doc, "[data-filter-empty]") {
            if let Some(empty) = empty.dyn_ref::<HtmlElement>() {
                empty.set_hidden(any);
            }
            for said in all(&empty, "[data-filter-query]") {
                said.set_text_content(Some(&typed));
            }
        }
    }

    fn on_escape(event: Event) {
        let Some(key) = event.dyn_ref::<KeyboardEvent>() else { return };
        if key.key() != "Escape" {
            return;
        }
        let dialog = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.closest("[role=dialog][data-close]").ok().flatten());
        if let Some(close) = dialog.and_then(|d| d.get_attribute("data-close")) {
            let _ = window().location().assign(&close);
        }
    }

    fn fill_time_zones(doc: &Document) {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
        let zone =
            js_sys::Reflect::get(&options, &"timeZone".into()).ok().and_then(|z| z.as_string()).unwrap_or_default();
        for field in all(doc, "input[data-fill=time-zone]") {
            if let Some(field) = field.dyn_ref::<HtmlInputElement>() {
                field.set_value(&zone);
            }
        }
    }
}
