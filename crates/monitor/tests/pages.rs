// SPDX-License-Identifier: Apache-2.0
//! The monitor's pages as a reader sees them: rendered in headless Chromium
//! (Debian's `chromium`, driven over WebDriver by `chromedriver`), after
//! signed uploads. Asserts on the visible text of the overview, detail and
//! report pages, that every link on them answers, that the badge is an
//! image with the verdict's colour, and that the public report is redacted.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`.ci/run` installs
//! them); without them the test fails unless `SCS_SKIP_BROWSER=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use fantoccini::{Client, Locator};
use scs_testkit::browser;
use serde_json::Value;

async fn texts(c: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in c.find_all(Locator::Css(css)).await.unwrap() {
        out.push(e.text().await.unwrap());
    }
    out
}

/// Every same-origin link on the current page answers 200.
async fn links_answer(c: &Client, m: &Monitor) -> usize {
    let hrefs: Value = c
        .execute("return Array.from(document.querySelectorAll('a[href], img[src]')).map(e => e.href || e.src)", vec![])
        .await
        .unwrap();
    let mut n = 0;
    for href in hrefs.as_array().unwrap().iter().filter_map(Value::as_str) {
        if !href.starts_with(&m.url) {
            continue;
        }
        let r = m.http.get(href).send().await.unwrap();
        assert_eq!(r.status(), 200, "link {href} on {}", c.current_url().await.unwrap());
        n += 1;
    }
    n
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_in_chromium() {
    let Some(driver) = browser().await else { return };
    let c = &driver.client;
    let dir = tempfile::tempdir().unwrap();
    let m = start(&format!("sqlite://{}", dir.path().join("pages.db").display()), Some("2026-11-27 12:00:00")).await;
    let main = v51_main();
    let pass: Vec<(&str, i32)> = main.iter().map(|t| (t.as_str(), 1)).collect();
    // beta: everything passes (uploaded by its delegate alpha), with output to redact
    let text = report("beta", "u-beta", "2026-11-26 10:00:00", &pass)
        .replace("stdout: []", "stdout: ['scs-0100-syntax-check: PASS', 'token=hunter2 for project secret']");
    assert_eq!(m.upload("alpha", "alpha", &text).await.0, 200);
    // group g: alpha passes, gamma fails one testcase and lacks another: gamma represents g
    assert_eq!(m.upload("alpha", "alpha", &report("alpha", "u-alpha", "2026-11-26 10:00:00", &pass)).await.0, 200);
    let mut bad = pass.clone();
    bad[0].1 = -1;
    let lacking = bad.pop().unwrap().0;
    let gamma = report("gamma", "u-gamma", "2026-11-26 10:00:00", &bad);
    assert_eq!(m.upload_as("gamma", "gamma-secret", "gamma", &gamma).await.0, 200);

    // the overview, reached through `/`
    c.goto(&format!("{}/", m.url)).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/page/table");
    assert_eq!(texts(c, "h1").await, ["SCS compliance"]);
    let headers = texts(c, "thead th").await;
    assert_eq!(headers[0], "Subject");
    assert!(headers.contains(&"SCS-compatible IaaS".to_owned()), "{headers:?}");
    let rows = texts(c, "tbody tr").await;
    assert_eq!(rows.len(), 2, "group g and beta: {rows:?}");
    assert!(rows[0].starts_with("group-g (alpha, gamma)") && rows[0].contains("🛑"), "{rows:?}");
    assert!(rows[1].starts_with("beta") && rows[1].contains("✅ v5.1"), "{rows:?}");
    assert!(links_answer(c, &m).await >= 6);

    // beta's detail page, by clicking its IaaS verdict
    c.find(Locator::XPath("//tr[td[1][starts-with(., 'beta')]]//a[contains(., 'v5.1')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let url = c.current_url().await.unwrap();
    assert!(url.path().starts_with("/page/detail/beta/"), "{url}");
    assert_eq!(texts(c, "h1").await, ["beta: SCS-compatible IaaS"]);
    let body = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(body.contains("✅ v5.1"), "{body}");
    assert!(!body.contains("Missing testcases"), "{body}");
    let rows = texts(c, "tbody tr").await;
    for tc in &main {
        assert!(rows.iter().any(|r| r.starts_with(tc.as_str()) && r.contains("✅ PASS")), "{tc}: {rows:?}");
    }
    // the badge is an image the browser decoded, green where the verdict is
    let green: Value = c
        .execute(
            "const img = document.querySelector('img'); \
             if (!img.complete || img.naturalWidth === 0) return -1; \
             const cv = document.createElement('canvas'); cv.width = img.naturalWidth; cv.height = img.naturalHeight; \
             const ctx = cv.getContext('2d'); ctx.drawImage(img, 0, 0); \
             const d = ctx.getImageData(0, 0, cv.width, cv.height).data; let n = 0; \
             for (let i = 0; i < d.length; i += 4) if (d[i+1] > 120 && d[i] < 100 && d[i+2] < 100) n++; \
             return n;",
            vec![],
        )
        .await
        .unwrap();
    assert!(green.as_i64().unwrap() > 100, "green pixels in the badge: {green}");
    assert!(links_answer(c, &m).await >= main.len());

    // the report behind a result, redacted for the public
    c.find(Locator::XPath("//tbody/tr[1]/td[3]/a")).await.unwrap().click().await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/page/report/u-beta");
    assert_eq!(texts(c, "h1").await, ["Report u-beta"]);
    let body = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(body.contains("scs-0100-syntax-check: PASS"), "{body}");
    assert!(!body.contains("hunter2"), "the public report shows a redacted line: {body}");
    assert!(body.contains("redacted"), "{body}");
    let full = m.http.get(format!("{}/page/report_full/u-beta", m.url)).send().await.unwrap();
    assert_eq!(full.status(), 401, "the full report needs credentials");
    let full = m
        .http
        .get(format!("{}/page/report_full/u-beta", m.url))
        .basic_auth("alpha", Some("secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(full.status(), 404, "alpha has no read_any and is not beta");

    // the group: its worst member represents it; as upstream, every member's table follows,
    // reached from a jump list; gamma's missing testcase is named
    c.goto(&format!("{}/page/detail/group-g/scs-compatible-iaas", m.url)).await.unwrap();
    let body = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(body.contains("represented by its member gamma"), "{body}");
    let sections = texts(c, "main h2").await;
    assert_eq!(sections, ["Members", "alpha: ✅ v5.1", "gamma: 🛑 –"], "{body}");
    let missing = texts(c, "h3 + p + ul li").await;
    assert_eq!(missing.len(), 1, "{body}");
    assert!(missing[0].starts_with(&format!("{lacking}: no result")), "{missing:?}");
    let tables = c.find_all(Locator::Css("main table")).await.unwrap();
    assert_eq!(tables.len(), 2, "{body}");
    let rows = texts(c, "tbody tr").await;
    assert!(rows.iter().any(|r| r.starts_with(main[0].as_str()) && r.contains("🛑 FAIL")), "{rows:?}");
    assert!(rows.iter().any(|r| r.starts_with(main[0].as_str()) && r.contains("✅ PASS")), "{rows:?}");
    // the jump list leads to gamma's section
    c.find(Locator::LinkText("gamma")).await.unwrap().click().await.unwrap();
    assert_eq!(c.current_url().await.unwrap().fragment(), Some("member-gamma"));
    let target: Value = c.execute("return document.getElementById('member-gamma').textContent", vec![]).await.unwrap();
    assert_eq!(target, "gamma: 🛑 –");

    // the scope page: versions and the module matrix
    c.goto(&format!("{}/page/scope/scs-compatible-iaas", m.url)).await.unwrap();
    let body = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(body.contains("v5.1") && body.contains("scs-0100"), "{body}");
    assert!(links_answer(c, &m).await >= 1);

    // the same pages as Markdown and as a fragment
    let md = m.http.get(format!("{}/markdown/table", m.url)).send().await.unwrap();
    assert_eq!(md.headers()["content-type"], "text/markdown; charset=utf-8");
    assert!(md.text().await.unwrap().contains("| beta |"));
    let fragment = m.http.get(format!("{}/fragment/table", m.url)).send().await.unwrap().text().await.unwrap();
    assert!(fragment.starts_with("<h1>") && !fragment.contains("<html"), "{fragment}");
    assert_eq!(m.http.get(format!("{}/nope/table", m.url)).send().await.unwrap().status(), 404);

    driver.client.clone().close().await.unwrap();
}
