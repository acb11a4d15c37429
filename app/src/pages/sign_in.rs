use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{SignIn, demo_logins};
use crate::components::FormError;

#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let demo = Resource::new(|| (), |_| demo_logins());
    view! {
        <Title text="Sign in · ats-bridge"/>
        <main class="page narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=sign_in>
                <label>"Email" <input type="email" name="email" autocomplete="username" required/></label>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" required/></label>
                // Filled by the page's island with the browser's time zone: the zone times are shown
                // in until the person chooses another in Account settings (kept only at their
                // first sign-in).
                <input type="hidden" name="time_zone" value="" data-fill="time-zone"/>
                <button type="submit" class="primary">"Sign in"</button>
            </ActionForm>
            <FormError result=sign_in.value()/>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let logins = demo.await.unwrap_or_default();
                    (!logins.is_empty()).then(|| view! {
                        <section class="demo">
                            <h2>"Demo mode"</h2>
                            <p>"This instance runs on demo data. Sign in as:"</p>
                            <table class="stack">
                                <thead><tr><th>"Company"</th><th>"Who"</th><th>"Email"</th><th>"Password"</th></tr></thead>
                                <tbody>
                                    {logins.into_iter().map(|l| view! {
                                        <tr>
                                            <td>{l.company}</td>
                                            <td data-label="Who">{l.who}</td>
                                            <td data-label="Email"><code>{l.email}</code></td>
                                            <td data-label="Password"><code>{l.password}</code></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    })
                })}
            </Transition>
        </main>
    }
}
