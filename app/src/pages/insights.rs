//! *Insights*: the marketplace funnel (from the company's own requests) and hires by source (every
//! candidate of the mapped Workable jobs, by Workable's source), for a range of days, a role and a
//! job, each chart with its table and a CSV download. The charts are SVG drawn here, on the server:
//! a few bars need no chart library.

use domain::insights::{
    FUNNEL_LEN, Insights, InsightsFilter, InsightsRange, RoleFunnel, SourceRow, format_day, funnel_base,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};

use crate::api::insights::get_insights;
use crate::components::{ErrorList, SignedIn};
use crate::format::timestamp;

/// Roles the per-role table lists (the busiest); the role filter reaches every one.
const ROLES_LISTED: usize = 20;

#[component]
pub fn InsightsPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let field = move |name: &str| query.read().get(name).unwrap_or_default();
    let insights = Resource::new(
        move || (field("range"), field("from"), field("to"), field("role"), field("job")),
        |(range, from, to, role, job)| get_insights(range, from, to, role, job),
    );
    view! {
        <Title text="Insights · ats-bridge"/>
        <SignedIn>
            <h1>"Insights"</h1>
            <p class="lead">"What the marketplace brought you: its own funnel, and its hires beside your other sources in your ATS."</p>
            <Transition fallback=|| view! { <p>"Counting…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                    {move || Suspend::new(async move {
                        insights.await.map(|insights| view! { <InsightsView insights/> })
                    })}
                </ErrorBoundary>
            </Transition>
        </SignedIn>
    }
}

#[component]
fn InsightsView(insights: Insights) -> impl IntoView {
    let query = insights.filter.query();
    let (first, last) = insights.first_and_last_day();
    let range = format!("{first} to {last}");
    let role_title =
        insights.filter.role.and_then(|id| insights.roles.iter().find(|r| r.role_id == id)).map(|r| r.title.clone());
    let job_title = insights
        .filter
        .job
        .as_ref()
        .and_then(|code| insights.jobs.iter().find(|j| &j.shortcode == code))
        .map(|j| j.title.clone());
    let steps = domain::insights::funnel_steps(insights.ats);
    view! {
        <Filters insights=insights.clone()/>
        <p class="muted" role="status" data-range data-from=insights.from_ms data-to=insights.to_ms>{format!("Showing {range} (UTC).")}</p>
        <section class="card" aria-labelledby="funnel-title">
            <h2 id="funnel-title">"Marketplace funnel"</h2>
            <p class="muted">{format!(
                "Requests sent to candidates in the range for {}, and how many of them reached each step since.",
                role_title.as_deref().unwrap_or("all roles")
            )}</p>
            <div class="chart-pair">
                <FunnelChart funnel=insights.funnel.clone() steps=steps.clone()/>
                <FunnelTable funnel=insights.funnel.clone() steps=steps.clone()/>
            </div>
            <p><a href=format!("/insights/funnel.csv{query}") rel="external" download>"Download CSV"</a></p>
            <RoleTable roles=insights.roles.clone() filter=insights.filter.clone() steps/>
        </section>
        <section class="card" aria-labelledby="sources-title">
            <h2 id="sources-title">"Hires by source"</h2>
            <SourcesIntro insights=insights.clone() job_title/>
            {(!insights.sources.is_empty()).then(|| view! {
                <div class="chart-pair">
                    <SourcesChart sources=insights.sources.clone()/>
                    <SourcesTable sources=insights.sources.clone()/>
                </div>
                <p><a href=format!("/insights/sources.csv{query}") rel="external" download>"Download CSV"</a></p>
            })}
        </section>
    }
}

/// The range, role and job: a GET form, so every view has its own address.
#[component]
fn Filters(insights: Insights) -> impl IntoView {
    let filter = insights.filter.clone();
    let (range, from, to) = match filter.range {
        InsightsRange::Last(days) => (days.to_string(), String::new(), String::new()),
        InsightsRange::Custom { from, to } => ("custom".to_owned(), format_day(from), format_day(to)),
    };
    let ranges = [("30", "Last 30 days"), ("90", "Last 90 days"), ("365", "Last 365 days"), ("custom", "Custom dates")];
    let mut roles: Vec<RoleFunnel> = insights.roles.clone();
    roles.sort_by(|a, b| a.title.cmp(&b.title));
    view! {
        <Form method="GET" action="" attr:class="row filters" attr:role="search" noscroll=true>
            <label>"Range"
                <select name="range">
                    {ranges.into_iter().map(|(value, text)| view! {
                        <option value=value selected=range == value>{text}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"From" <input type="date" name="from" value=from/></label>
            <label>"To" <input type="date" name="to" value=to/></label>
            <label>"Role"
                <select name="role">
                    <option value="" selected=filter.role.is_none()>"All roles"</option>
                    {roles.into_iter().map(|r| {
                        let chosen = filter.role == Some(r.role_id);
                        view! { <option value=r.role_id.0.to_string() selected=chosen>{r.title}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{format!("{} job", insights.ats.name())}
                <select name="job">
                    <option value="" selected=filter.job.is_none()>"All mapped jobs"</option>
                    {insights.jobs.iter().map(|j| {
                        let chosen = filter.job.as_deref() == Some(j.shortcode.as_str());
                        view! { <option value=j.shortcode.clone() selected=chosen>{j.title.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit">"Show"</button>
        </Form>
    }
}

/// A bar: its label, its value, the part of it drawn darker (with what the part is), its class.
type Bar = (String, i64, Option<(i64, &'static str)>, &'static str);

/// One horizontal bar chart: a label, a bar as long as the value is of the largest, the value;
/// where a row has a part (the hires among the candidates), a darker bar inside it shows it.
/// Bars carry a class each (`bar`, `bar marketplace`…) that the stylesheet colours.
fn bars(title: String, description: String, rows: Vec<Bar>) -> impl IntoView {
    // Each row is its label, then its bar below it: the chart stays narrow, so its text keeps a
    // readable size from a phone (≈ 300 px) to the widest it is shown (24 rem).
    const WIDTH: f64 = 230.0;
    const ROW: f64 = 44.0;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let height = ROW * rows.len() as f64 + 4.0;
    view! {
        <svg class="chart" role="img" viewBox=format!("0 0 340 {height}") width="100%"
             preserveAspectRatio="xMinYMin meet">
            <title>{title}</title>
            <desc>{description}</desc>
            {rows.into_iter().enumerate().map(|(i, (label, value, part, class))| {
                let y = ROW * i as f64;
                let length = |n: i64| (n as f64 / max * WIDTH).max(if n > 0 { 2.0 } else { 0.0 });
                let width = length(value);
                let said = match part {
                    Some((n, what)) => format!("{value} · {n} {what}"),
                    None => value.to_string(),
                };
                view! {
                    <g>
                        <text x="0" y=y + 16.0 class="chart-label">{label}</text>
                        <rect x="0" y=y + 22.0 width=width height="16" rx="3" class=class/>
                        {part.map(|(n, _)| view! {
                            <rect x="0" y=y + 22.0 width=length(n) height="16" rx="3" class="bar part"/>
                        })}
                        <text x=width + 6.0 y=y + 35.0 class="chart-value">{said}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

#[component]
fn FunnelChart(funnel: Vec<i64>, steps: [String; FUNNEL_LEN]) -> impl IntoView {
    let description = steps.iter().zip(&funnel).map(|(step, n)| format!("{step}: {n}")).collect::<Vec<_>>().join("; ");
    let rows = steps.iter().zip(&funnel).map(|(step, n)| (step.clone(), *n, None, "bar")).collect();
    bars("Marketplace funnel".to_owned(), description, rows)
}

#[component]
fn FunnelTable(funnel: Vec<i64>, steps: [String; FUNNEL_LEN]) -> impl IntoView {
    view! {
        <table class="compact stack" data-chart="funnel">
            <caption class="visually-hidden">"Marketplace funnel"</caption>
            <thead><tr><th scope="col">"Step"</th><th scope="col">"Candidates"</th><th scope="col">"Conversion"</th></tr></thead>
            <tbody>
                {steps.iter().enumerate().map(|(i, step)| {
                    let share = funnel_base(i)
                        .map(|base| format!("{} of {}", Insights::percent(funnel[i], funnel[base]), steps[base].to_lowercase()))
                        .unwrap_or_default();
                    view! {
                        <tr><th scope="row">{step.clone()}</th><td data-label="Candidates">{funnel[i]}</td><td data-label="Conversion">{share}</td></tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The busiest roles' funnels side by side, each linking to its own view.
#[component]
fn RoleTable(roles: Vec<RoleFunnel>, filter: InsightsFilter, steps: [String; FUNNEL_LEN]) -> impl IntoView {
    if roles.is_empty() {
        return view! { <p class="muted">"No request was sent in this range."</p> }.into_any();
    }
    let more = roles.len().saturating_sub(ROLES_LISTED);
    let in_ats = steps[2].clone();
    view! {
        <h3>"By role"</h3>
        <table class="stack" data-chart="roles">
                <thead><tr>
                    <th scope="col">"Role"</th><th scope="col">"Sent"</th><th scope="col">"Accepted"</th>
                    <th scope="col">{steps[2].clone()}</th><th scope="col">"Offer"</th><th scope="col">"Hired"</th>
                    <th scope="col">"Sent → hired"</th>
                </tr></thead>
                <tbody>
                    {roles.into_iter().take(ROLES_LISTED).map(|role| {
                        let href = InsightsFilter { role: Some(role.role_id), ..filter.clone() }.query();
                        let s = role.steps.clone();
                        view! { <tr>
                            <th scope="row"><A href=format!("/insights{href}")>{role.title}</A></th>
                            <td data-label="Sent">{s[0]}</td><td data-label="Accepted">{s[1]}</td>
                            <td data-label=in_ats.clone()>{s[2]}</td><td data-label="Offer">{s[6]}</td>
                            <td data-label="Hired">{s[7]}</td>
                            <td data-label="Sent → hired">{Insights::percent(s[7], s[0])}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
        </table>
        {(more > 0).then(|| view! { <p class="muted">{format!("{more} more role{} had requests: choose one above.", if more == 1 { "" } else { "s" })}</p> })}
    }
    .into_any()
}

#[component]
fn SourcesIntro(insights: Insights, job_title: Option<String>) -> impl IntoView {
    let ats = insights.ats.name();
    let scope = job_title.map_or_else(|| format!("your mapped {ats} jobs"), |t| format!("the {ats} job {t}"));
    let as_of = insights.as_of_ms.map(timestamp);
    let text = match (insights.connected, insights.jobs.is_empty(), as_of) {
        (false, _, _) => "Connect your ATS in Account settings → ATS integrations to compare the marketplace with your other sources.".to_owned(),
        (true, true, _) => format!("Map a role to a {ats} job (Source → ⋮ → Add ATS configuration) to compare the marketplace with your other sources."),
        (true, false, None) => format!("Every candidate of {scope}, by the source {ats} gives them. {ats}'s candidates are being read for the first time: they appear here within minutes."),
        (true, false, Some(at)) => format!("Every candidate of {scope} who entered it in the range, by the source {ats} gives them. {ats}'s candidates as of {at}."),
    };
    let empty = insights.connected && !insights.jobs.is_empty() && insights.sources.is_empty();
    view! {
        <p class="muted" data-as-of>{text}</p>
        {empty.then(|| view! { <p class="muted">"No candidate entered these jobs in this range."</p> })}
        {insights.marketplace_source.map(|source| view! {
            <p class="muted">"The marketplace's candidates are listed as "<strong>{source}</strong>"."</p>
        })}
    }
}

#[component]
fn SourcesChart(sources: Vec<SourceRow>) -> impl IntoView {
    let description = sources
        .iter()
        .map(|s| format!("{}: {} candidates, {} hired", s.source, s.applicants, s.hired))
        .collect::<Vec<_>>()
        .join("; ");
    let rows = sources
        .iter()
        .take(12)
        .map(|s| {
            (
                s.source.clone(),
                s.applicants,
                Some((s.hired, "hired")),
                if s.marketplace { "bar marketplace" } else { "bar" },
            )
        })
        .collect();
    bars("Candidates and hires by source".to_owned(), description, rows)
}

#[component]
fn SourcesTable(sources: Vec<SourceRow>) -> impl IntoView {
    view! {
            <table class="stack" data-chart="sources">
                <caption class="visually-hidden">"Hires by source"</caption>
                <thead><tr>
                    <th scope="col">"Source"</th><th scope="col">"Candidates"</th><th scope="col">"Reached interview"</th>
                    <th scope="col">"Reached offer"</th><th scope="col">"Hired"</th><th scope="col">"Median days to hire"</th>
                </tr></thead>
                <tbody>
                    {sources.into_iter().map(|s| view! {
                        <tr class:marketplace=s.marketplace>
                            <th scope="row">{s.source}</th>
                            <td data-label="Candidates">{s.applicants}</td>
                            <td data-label="Reached interview">{format!("{} ({})", s.interviewed, Insights::percent(s.interviewed, s.applicants))}</td>
                            <td data-label="Reached offer">{format!("{} ({})", s.offered, Insights::percent(s.offered, s.applicants))}</td>
                            <td data-label="Hired">{format!("{} ({})", s.hired, Insights::percent(s.hired, s.applicants))}</td>
                            <td data-label="Median days to hire">{s.median_days_to_hire.map(|d| format!("{d:.0}")).unwrap_or_else(|| "—".to_owned())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
    }
}
