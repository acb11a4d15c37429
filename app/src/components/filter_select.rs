//! One labelled choice of a GET filter form (Source's status and ATS state, the pipeline's stage).

use leptos::prelude::*;

/// `<label>{label}<select name>`: `all` (a blank value: no filter) first, then each
/// `(value, text)` of `choices`, the `selected` one chosen.
#[component]
pub fn FilterSelect(
    label: &'static str,
    name: &'static str,
    all: &'static str,
    choices: Vec<(&'static str, &'static str)>,
    selected: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label>{label}
            <select name=name>
                <option value="" selected=selected.is_none()>{all}</option>
                {choices.into_iter().map(|(value, text)| view! {
                    <option value=value selected=selected == Some(value)>{text}</option>
                }).collect_view()}
            </select>
        </label>
    }
}
