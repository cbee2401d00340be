// SPDX-License-Identifier: Apache-2.0
//! Upstream's page templates render (issue 18, point 5): a templates
//! directory with upstream's file names (`overview.md.j2`, …) is rendered
//! with upstream's context, functions, filters and Python methods.
//!
//! `templates_in_upstreams_conventions` writes templates of our own that call
//! everything upstream's templates call, the way they call it, and checks the
//! answers. `upstreams_own_templates` renders upstream's files themselves
//! from `SCS_UPSTREAM_TEMPLATES` (a directory holding
//! `compliance-monitor/templates/*.j2` of the standards repository); it is
//! `#[ignore]`d because those files are not in this repository.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use std::path::Path;

const OVERVIEW: &str = r#"{% set iaas = 'scs-compatible-iaas' -%}
| subject | IaaS |
|---|---|
| alpha | [{{ results | pick(iaas, 'alpha') | summary }}]({{ detail_url('alpha', iaas) }}) |
| group g | [{{ results | pick(iaas, 'group-g') | summary }}]({{ detail_url('group-g', iaas) }}) |
| nobody | {{ results | pick(iaas, 'nobody') | summary }} |
| both | {{ results | pick(iaas, 'alpha', 'gamma') | summary }} |
"#;

const DETAILS: &str = r#"{% if results | length > 1 %}{% set _sr = results.values() | first %}{% set scopeuuid = _sr.keys() | first -%}
{% for subject in results | sort %}- jump {{ subject }} {{ results[subject][scopeuuid] | summary }}
{% endfor %}{% endif -%}
{% for subject, subject_result in results.items() %}{% for scopeuuid, scope_result in subject_result.items() -%}
## {{ subject }}: {{ scope_result.name }} [spec]({{ scope_url(scopeuuid) }})
{% for version in scope_result.relevant %}version {{ version }}{{ scope_result.versions[version].validity | validity_symbol }}
{% endfor -%}
{% for cat, val in (('FAIL', -1), ('MISSING', None), ('DNF', 0), ('pass', 1)) -%}
{% for testcase_id in scope_result.buckets[val] -%}
{% set testcase = scope_result.testcases[testcase_id] -%}
{% set res = scope_result.results[testcase_id] if testcase_id in scope_result.results else dict(result=0) -%}
- {{ cat }} {{ testcase_id }} attn={{ testcase.attn }}{% if res.report %} at {{ res.checked_at | short_isodate }} {{ report_url(res.report, 'v5.1', testcase_id) }}{% endif %} {{ testcase.description | trim }}
{% endfor %}{% endfor %}{% endfor %}{% endfor %}"#;

const REPORT: &str = r#"- uuid: [{{ report.run.uuid }}]({{ report_url(report.run.uuid, download=True) }})
- scope: [{{ report.spec.name }}]({{ scope_url(report.spec.uuid) }})
- assignment: {% set comma = joiner(", ") %}{% for key, value in report.run.assignment.items() -%}{{comma()}}{{ key }}={{ value }}{% endfor %}
{% for invid, invdata in report.run.invocations.items() -%}
{% for resultid, result in invdata.results.items() %}- {{ resultid }}: {{ result | verdict_check }}
{% endfor -%}
stdout: {{ ' / '.join(invdata.stdout) }}
{% for line in invdata.stderr %}stderr {{ line.split(':', 1)[0].lower() }}
{% endfor -%}
{% if invdata.redacted %}[unredacted]({{ report_url(report.run.uuid, full=True) }}#{{ invid }}){% endif %}
{% endfor %}"#;

const SCOPE: &str = r#"{% for name in relevant %}{{ name }}: {{ spec.versions[name].validity | capitalize }} since {{ spec.versions[name].stabilized_at }}
{% endfor -%}
{% for row in rows %}{% if row.module.id.startswith('scs-') %}{{ row.module.id }}{% endif %}:{% for name in relevant %}{% set column = row.columns[name] %}{% if column %} X{% if column.parameters %}({% for key, value in column.parameters.items() %}{% if value.startswith("https://") %}[{{key}}]({{value}}){% else %}{{key}}={{value}}{% endif %}{% endfor %}){% endif %}{% endif %}{% endfor %}
{% endfor %}"#;

const PAGE: &str = "<!DOCTYPE html>\n<html><head><title>{{ title or 'SCS compliance overview' }}</title></head>\
                    <body>{% if title %}<h1>{{title}}</h1>{% endif %}{{fragment}}</body></html>\n";

fn write_templates(dir: &Path) {
    for (name, text) in [
        ("overview.md.j2", OVERVIEW),
        ("details.md.j2", DETAILS),
        ("report.md.j2", REPORT),
        ("scope.md.j2", SCOPE),
        ("overview.html.j2", PAGE),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// A monitor with reports: alpha passes v5.1, gamma (group g with alpha)
/// fails one testcase and lacks another; templates from `templates`.
async fn monitor_with(templates: &Path) -> (Monitor, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (m, app) = start_sqlite(dir.path()).await;
    let main = v51_main();
    let pass = all_pass(&main);
    let text = report("alpha", "u-alpha", "2026-11-26 10:00:00", &pass)
        .replace("stdout: []", "stdout: ['scs-0100-syntax-check: PASS', 'token=hunter2']")
        .replace("stderr: []", "stderr: ['WARNING: slow', 'INFO: noise']");
    assert_eq!(m.upload("alpha", "alpha", &text).await.0, 200);
    let mut bad = pass.clone();
    bad[0].1 = -1;
    bad.pop();
    let gamma = report("gamma", "u-gamma", "2026-11-26 10:00:00", &bad);
    assert_eq!(m.upload_as("gamma", "gamma-secret", "gamma", &gamma).await.0, 200);
    let mut with_templates = app.clone();
    with_templates.templates_dir = Some(templates.to_owned());
    with_templates.reload_templates().unwrap();
    (m, dir)
}

async fn get(m: &Monitor, path: &str) -> String {
    let r = m.http.get(format!("{}{path}", m.url)).send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, 200, "{path}: {text}");
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn templates_in_upstreams_conventions() {
    let templates = tempfile::tempdir().unwrap();
    write_templates(templates.path());
    let (m, _db) = monitor_with(templates.path()).await;
    let main = v51_main();

    // the overview: pick by subject, by group (the worst member), several subjects, nobody
    let overview = get(&m, "/markdown/table").await;
    assert!(overview.contains("| alpha | [✅ v5.1](/page/detail/alpha/scs-compatible-iaas) |"), "{overview}");
    assert!(overview.contains("| group g | [🛑 –](/page/detail/group-g/scs-compatible-iaas) |"), "{overview}");
    assert!(overview.contains("| nobody | 🛑 – |") && overview.contains("| both | 🛑 – |"), "{overview}");
    let full = get(&m, "/markdown/table_full").await;
    assert!(full.contains("(/page/detail_full/alpha/scs-compatible-iaas)"), "{full}");

    // the details of a group: both members, jump list, buckets by number, attn, report links
    let details = get(&m, &format!("/markdown/detail/group-g/{IAAS}")).await;
    assert!(details.contains("- jump alpha ✅ v5.1\n- jump gamma 🛑 –\n"), "{details}");
    assert!(details.contains(&format!("## alpha: SCS-compatible IaaS [spec](/page/scope/{IAAS})")), "{details}");
    assert!(details.contains("version v5.1\n"), "{details}");
    let failed = format!("- FAIL {} attn=", main[0]);
    assert!(details.contains(&failed), "{details}");
    let missing = format!("- MISSING {} attn=", main.last().unwrap());
    assert!(details.contains(&missing), "{details}");
    assert!(details.contains(&format!("at 2026-11-26 /page/report/u-gamma#{}", main[0])), "{details}");
    assert!(!details.contains("- DNF"), "{details}");

    // the report, redacted for the public: verdicts, joiner, split/lower, unredacted link
    let report = get(&m, "/markdown/report/u-alpha").await;
    assert!(report.contains("- uuid: [u-alpha](/reports/u-alpha)"), "{report}");
    assert!(report.contains("- assignment: os_cloud=alpha"), "{report}");
    assert!(report.contains(&format!("- {}: ✔", main[0])), "{report}");
    assert!(report.contains("stdout: (the following has been redacted) / scs-0100-syntax-check: PASS"), "{report}");
    assert!(!report.contains("hunter2") && !report.contains("stderr info"), "{report}");
    assert!(report.contains("stderr warning"), "{report}");
    assert!(report.contains("[unredacted](/page/report_full/u-alpha#i-u-alpha)"), "{report}");

    // the scope: versions by validity, modules with parameters
    let scope = get(&m, "/markdown/scope/scs-compatible-iaas").await;
    assert!(scope.contains("v5.1: Effective since"), "{scope}");
    assert!(scope.contains("\nscs-0100-v3.1: X X\n"), "{scope}");
    assert!(scope.contains("[image_spec](https://"), "{scope}");

    // a page: upstream's wrapper with the fragment and the title
    let page = get(&m, "/page/detail/alpha/scs-compatible-iaas").await;
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<h1>Details for subject alpha</h1>"), "{page}");
    assert!(page.contains("<h2>alpha: SCS-compatible IaaS"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incomplete_set_of_upstream_templates_is_refused_by_name() {
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(templates.path().join("overview.md.j2"), OVERVIEW).unwrap();
    let err = scs_monitor::pages::Pages::new(Some(templates.path())).err().unwrap().to_string();
    assert!(err.contains("details.md.j2") && err.contains("overview.html.j2"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs upstream's templates: SCS_UPSTREAM_TEMPLATES=dir with compliance-monitor/templates/*.j2"]
async fn upstreams_own_templates() {
    let dir = std::env::var("SCS_UPSTREAM_TEMPLATES").expect("SCS_UPSTREAM_TEMPLATES");
    let (m, _db) = monitor_with(Path::new(&dir)).await;
    for path in [
        "/markdown/table".to_owned(),
        "/page/table".to_owned(),
        "/page/table_full".to_owned(),
        format!("/markdown/detail/group-g/{IAAS}"),
        "/page/detail/alpha/scs-compatible-iaas".to_owned(),
        "/markdown/report/u-alpha".to_owned(),
        "/page/report/u-gamma".to_owned(),
        "/markdown/scope/scs-compatible-iaas".to_owned(),
        "/page/scope/scs-compatible-kaas".to_owned(),
    ] {
        let text = get(&m, &path).await;
        println!("==== {path}\n{}", text.chars().take(1500).collect::<String>());
    }
}
