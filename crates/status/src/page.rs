// SPDX-License-Identifier: Apache-2.0
//! The public status page: server-rendered HTML and CSS, no script, so it
//! works in any browser, a text browser and a screen reader. It shows what
//! upstream's web front end shows: the state of every component now, active
//! incidents and maintenance, the last 90 days per component as a strip
//! coloured by the day's worst severity, and a page per incident with its
//! updates.

use crate::app::{ApiError, App};
use crate::model::{Component, Incident, Severity, severity_of};
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use scs_web::escape::markup;
use scs_web::snapshot::{Read, Rendered, SHORT};
use std::collections::HashMap;
use std::fmt::Write as _;

/// A time as people read it on the page (the API keeps RFC 3339).
fn when(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The colour class of a severity value: maintenance (0), then by the upper
/// bound of the severity holding it (the defaults' operational, limited,
/// broken), or unknown above the highest defined value.
pub fn level(severities: &[Severity], value: Option<i64>) -> &'static str {
    match value {
        None => "none",
        Some(0) => "maintenance",
        Some(v) => match severity_of(severities, v).map(|s| s.value) {
            Some(0..=33) => "operational",
            Some(34..=66) => "limited",
            Some(_) => "broken",
            None => "unknown",
        },
    }
}

fn severity_name(severities: &[Severity], value: i64) -> String {
    if value == 0 {
        return severities
            .iter()
            .find(|s| s.value == 0)
            .map_or_else(|| "maintenance".to_owned(), |s| s.display_name.clone());
    }
    severity_of(severities, value).map_or_else(|| "unknown".to_owned(), |s| s.display_name.clone())
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1d2433}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}\
.banner{padding:.8rem 1rem;border-radius:.4rem;color:#fff;font-weight:600}\
.component{margin:.6rem 0 1.2rem}.component .name{font-weight:600}.state{float:right}\
.strip{display:flex;gap:1px;margin-top:.3rem}.strip span{flex:1;height:2rem;border-radius:1px}\
.operational{background:#2e9d4f}.limited{background:#f0a020}.broken{background:#d63a3a}\
.maintenance{background:#4a7fe0}.unknown{background:lightsteelblue}.none{background:#2e9d4f}\
.incident{border-left:.3rem solid #d63a3a;padding:.2rem .8rem;margin:.8rem 0}\
.incident.maint{border-color:#4a7fe0}.muted{color:#5b6475;font-size:.9rem}\
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .2rem 0 .8rem;border-radius:2px}";

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"alternate\" type=\"application/atom+xml\" title=\"Incidents\" href=\"/incidents.atom\">\
         <style>{STYLE}</style></head><body>\n{body}\n</body></html>\n",
        markup(title)
    ))
}

/// One day of a component: the worst severity (none without incidents) and
/// the incidents that day.
type Day = (Option<i64>, Vec<String>);

/// The worst severity per component per day: `[component][day]`.
fn day_strips(
    components: &[Component],
    incidents: &[Incident],
    first_day: NaiveDate,
    days: i64,
    now: DateTime<Utc>,
) -> HashMap<String, Vec<Day>> {
    let mut strips: HashMap<String, Vec<Day>> =
        components.iter().map(|c| (c.id.clone(), vec![(None, Vec::new()); days as usize])).collect();
    for incident in incidents {
        let began = incident.began_at.unwrap_or(DateTime::<Utc>::MIN_UTC);
        let ended = incident.ended_at.unwrap_or(now).min(now);
        // the days from the one it began on to the one it ended on, within the strip
        let first = (began.date_naive() - first_day).num_days().max(0);
        let last = (ended.date_naive() - first_day).num_days().min(days - 1);
        for day in first..=last {
            for impact in &incident.affects {
                if let Some(cell) = strips.get_mut(&impact.reference).and_then(|s| s.get_mut(day as usize)) {
                    // maintenance (0) only colours a day that has nothing worse
                    cell.0 = Some(cell.0.map_or(impact.severity, |w| w.max(impact.severity)));
                    if !cell.1.contains(&incident.display_name) {
                        cell.1.push(incident.display_name.clone());
                    }
                }
            }
        }
    }
    strips
}

/// `GET /`: the public page.
pub async fn index(State(app): State<App>, read: Read) -> Response {
    let now = app.store.clock().now();
    let answer = read.answer(&app.snapshots, now, async {
        let Html(html) = render_index(&app, now).await?;
        // the page changes when an incident begins or ends, and with the day (its day columns)
        let midnight = (now.date_naive() + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let until = app.store.next_change_after(now).await?.map_or(midnight, |t| t.min(midnight));
        Ok::<_, ApiError>(kept_page(html, Some(until)))
    });
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

/// A page as a snapshot keeps it.
fn kept_page(html: String, valid_until: Option<DateTime<Utc>>) -> Rendered {
    Rendered { content_type: "text/html; charset=utf-8", body: html.into_bytes(), cache_control: SHORT, valid_until }
}

async fn render_index(app: &App, now: DateTime<Utc>) -> Result<Html<String>, ApiError> {
    let cfg = &app.page;
    let severities = app.store.severities().await?;
    let components = app.store.components(now).await?;
    let first_day = now.date_naive() - Duration::days(cfg.days - 1);
    let window_start = first_day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let incidents = app.store.incidents(window_start, now + Duration::days(cfg.maintenance_days)).await?;
    let names: HashMap<&str, &str> = components.iter().map(|c| (c.id.as_str(), c.display_name.as_str())).collect();
    let mut body = String::new();
    let _ = writeln!(body, "<h1>{}</h1>", markup(&cfg.title));

    let active: Vec<&Incident> = incidents
        .iter()
        .filter(|i| i.began_at.is_none_or(|b| b <= now) && i.ended_at.is_none_or(|e| e > now))
        .collect();
    let (maintenance_now, incidents_now): (Vec<&Incident>, Vec<&Incident>) =
        active.iter().partition(|i| !i.affects.is_empty() && i.affects.iter().all(|a| a.severity == 0));
    let affected = components.iter().filter(|c| c.actively_affected_by.iter().any(|a| a.severity > 0)).count();
    let worst = components.iter().flat_map(|c| &c.actively_affected_by).map(|a| a.severity).max();
    let (class, text) = match worst {
        Some(w) if w > 0 => {
            (level(&severities, Some(w)), format!("{affected} of {} components affected", components.len()))
        }
        Some(_) => ("maintenance", "Maintenance in progress".to_owned()),
        None => ("operational", "All systems operational".to_owned()),
    };
    let _ = writeln!(body, "<p class=\"banner {class}\" id=\"overall\">{}</p>", markup(&text));

    let incident_html = |i: &Incident, maint: bool| {
        let mut s = format!(
            "<div class=\"incident{}\"><a href=\"/incident/{}\"><strong>{}</strong></a>",
            if maint { " maint" } else { "" },
            markup(&i.id),
            markup(&i.display_name)
        );
        let comps: Vec<String> = i
            .affects
            .iter()
            .map(|a| {
                format!(
                    "{} ({})",
                    markup(names.get(a.reference.as_str()).copied().unwrap_or("?")),
                    markup(&severity_name(&severities, a.severity))
                )
            })
            .collect();
        let _ = write!(
            s,
            "<div class=\"muted\">{}{} · affects {}</div>",
            i.began_at.map_or_else(|| "began: unknown".to_owned(), |b| format!("since {}", when(&b))),
            i.ended_at.map_or_else(String::new, |e| format!(" until {}", when(&e))),
            if comps.is_empty() { "no component".to_owned() } else { comps.join(", ") }
        );
        if !i.description.is_empty() {
            let _ = write!(s, "<p>{}</p>", markup(&i.description));
        }
        s.push_str("</div>");
        s
    };
    if !incidents_now.is_empty() {
        let _ = writeln!(body, "<h2>Active incidents</h2>");
        for i in &incidents_now {
            body.push_str(&incident_html(i, false));
        }
    }
    let planned: Vec<&Incident> = incidents
        .iter()
        .filter(|i| {
            i.began_at.is_some_and(|b| b > now) && !i.affects.is_empty() && i.affects.iter().all(|a| a.severity == 0)
        })
        .collect();
    if !maintenance_now.is_empty() || !planned.is_empty() {
        let _ = writeln!(body, "<h2>Maintenance</h2>");
        for i in maintenance_now.iter().chain(planned.iter()) {
            body.push_str(&incident_html(i, true));
        }
    }

    let _ = writeln!(body, "<h2>Components</h2>");
    let _ = writeln!(
        body,
        "<p class=\"legend muted\">Last {} days:<span class=\"operational\"></span>operational\
         <span class=\"limited\"></span>limited<span class=\"broken\"></span>broken\
         <span class=\"maintenance\"></span>maintenance</p>",
        cfg.days
    );
    let strips = day_strips(&components, &incidents, first_day, cfg.days, now);
    for c in &components {
        let now_worst = c.actively_affected_by.iter().map(|a| a.severity).max();
        let state = match now_worst {
            None => "operational".to_owned(),
            Some(w) => severity_name(&severities, w),
        };
        let _ = write!(
            body,
            "<div class=\"component\" data-component=\"{}\"><span class=\"name\">{}</span>\
             <span class=\"state {}\" style=\"color:#fff;padding:0 .4rem;border-radius:.2rem\">{}</span><div class=\"strip\">",
            markup(&c.id),
            markup(&c.display_name),
            level(&severities, now_worst.or(Some(1))),
            markup(&state)
        );
        for (day, (worst, names)) in strips.get(&c.id).into_iter().flatten().enumerate() {
            let date = first_day + Duration::days(day as i64);
            let label = match worst {
                None => format!("{date}: no incident"),
                Some(w) => format!("{date}: {} ({})", severity_name(&severities, *w), names.join(", ")),
            };
            let _ = write!(
                body,
                "<span class=\"{}\" data-day=\"{date}\" title=\"{}\" aria-label=\"{}\"></span>",
                level(&severities, *worst),
                markup(&label),
                markup(&label)
            );
        }
        body.push_str("</div></div>\n");
    }
    let _ = writeln!(
        body,
        "<p class=\"muted\">Updated {} · <a href=\"/incidents.atom\">Atom feed</a> · <a href=\"/openapi.json\">API</a></p>",
        when(&now)
    );
    Ok(page(&cfg.title, &body))
}

/// `GET /incident/{id}`: one incident with its updates.
pub async fn incident_page(State(app): State<App>, read: Read, Path(id): Path<String>) -> Response {
    let now = app.store.clock().now();
    let answer = read.answer(&app.snapshots, now, async {
        let Html(html) = render_incident(&app, &id).await?;
        Ok::<_, ApiError>(kept_page(html, app.store.next_change_after(now).await?))
    });
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

async fn render_incident(app: &App, id: &str) -> Result<Html<String>, ApiError> {
    let incident = app.store.incident(id).await?;
    let updates = app.store.updates(id).await?;
    let severities = app.store.severities().await?;
    let components = app.store.components(app.store.clock().now()).await?;
    let types = app.store.impact_types().await?;
    let phase = match incident.phase {
        Some(p) => app
            .store
            .phases(Some(i64::from(p.generation)))
            .await
            .ok()
            .and_then(|l| l.phases.get(p.order as usize).cloned()),
        None => None,
    };
    let mut body =
        format!("<p><a href=\"/\">← {}</a></p><h1>{}</h1>", markup(&app.page.title), markup(&incident.display_name));
    let _ = write!(
        body,
        "<p class=\"muted\">Began {} · {} {}</p>",
        incident.began_at.map_or_else(|| "unknown".to_owned(), |b| when(&b)),
        incident.ended_at.map_or_else(|| "ongoing".to_owned(), |e| format!("ended {}", when(&e))),
        phase.map_or_else(String::new, |p| format!("· phase: {}", markup(&p)))
    );
    if !incident.description.is_empty() {
        let _ = write!(body, "<p>{}</p>", markup(&incident.description));
    }
    body.push_str("<h2>Affected components</h2><ul>");
    for a in &incident.affects {
        let name = components.iter().find(|c| c.id == a.reference).map_or("?", |c| c.display_name.as_str());
        let kind = types.iter().find(|t| t.id == a.kind).map_or("?", |t| t.display_name.as_str());
        let _ = write!(
            body,
            "<li><span class=\"{}\" style=\"display:inline-block;width:.8rem;height:.8rem\"></span> {}: {} ({})</li>",
            level(&severities, Some(a.severity)),
            markup(name),
            markup(kind),
            markup(&severity_name(&severities, a.severity))
        );
    }
    body.push_str("</ul><h2>Updates</h2>");
    if updates.is_empty() {
        body.push_str("<p class=\"muted\">No updates yet.</p>");
    }
    for u in &updates {
        let _ = write!(
            body,
            "<div class=\"incident maint\"><strong>{}</strong> <span class=\"muted\">{}</span><p>{}</p></div>",
            markup(&u.display_name),
            u.created_at.map_or_else(String::new, |t| when(&t)),
            markup(&u.description)
        );
    }
    Ok(page(&format!("{} – {}", incident.display_name, app.page.title), &body))
}
