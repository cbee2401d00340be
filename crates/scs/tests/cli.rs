// SPDX-License-Identifier: Apache-2.0
//! The `scs` binary as users run it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn scs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scs")).args(args).output().expect("run scs")
}

fn scs_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn scs");
    child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn assert_no_panic(o: &Output) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "panic: {err}");
    assert_ne!(o.status.code(), Some(101), "panic exit: {err}");
}

#[test]
fn flavor_check_exit_codes_and_positions() {
    let ok = scs(&["flavor", "check", "SCS-2V-4-20s", "SCS-2C:4:10n"]);
    assert!(ok.status.success());
    assert_eq!(
        stdout(&ok),
        "SCS-2V-4-20s: valid (v3)\nSCS-2C:4:10n: tolerated (deprecated v1 syntax; v3 name: SCS-2C-4-10n)\n"
    );
    let bad = scs(&["flavor", "check", "SCS-2V-4-20s", "SCS-2X-4"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&bad).contains("SCS-2X-4: invalid: unknown CPU type 'X' at 5"));
}

/// Issue 18, point 14: white space around a name gets the same answer as
/// an argument and on standard input: checked without it, with a note.
#[test]
fn flavor_names_with_white_space_around_are_trimmed_alike() {
    let arg = scs(&["flavor", "check", " SCS-2V-4 "]);
    let line = scs_stdin(&["flavor", "check"], b" SCS-2V-4 \r\n");
    for o in [&arg, &line] {
        assert!(o.status.success(), "{o:?}");
        assert_eq!(stdout(o), "SCS-2V-4: valid (v3)\n");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("\" SCS-2V-4 \" has white space around it; checked as \"SCS-2V-4\""), "{err}");
    }
    // a line ending alone is no white space around the name
    let plain = scs_stdin(&["flavor", "check"], b"SCS-2V-4\r\n");
    assert!(plain.stderr.is_empty(), "{plain:?}");
}

#[test]
fn flavor_check_reads_stdin_and_survives_garbage() {
    let o = scs_stdin(&["flavor", "check", "--format", "json"], b"SCS-1L-1\n\nSCS-4V-16-100s\n");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(2));
    let garbage: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
    let o = scs_stdin(&["flavor", "check"], &garbage);
    assert_no_panic(&o);
    let o = scs_stdin(&["flavor", "check"], b"");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn flavor_describe_extra_specs_convert_shorten() {
    assert_eq!(
        stdout(&scs(&["flavor", "describe", "SCS-2V-4-20s"])),
        "2 shared vCPUs, 4 GiB RAM, 20 GB local SSD root disk\n"
    );
    assert_eq!(
        stdout(&scs(&["flavor", "extra-specs", "SCS-2V-4-20s"])),
        "scs:cpu-type=shared-core\nscs:disk0-type=ssd\nscs:name-v1=SCS-2V:4:20s\nscs:name-v2=SCS-2V-4-20s\n"
    );
    assert_eq!(stdout(&scs(&["flavor", "convert", "--to", "v1", "SCS-2C-4-10n_bms_z3"])), "SCS-2C:4:10n-bms-z3\n");
    assert_eq!(stdout(&scs(&["flavor", "convert", "--to", "v2", "SCS-2C:4:10n-bms-z3"])), "SCS-2C-4-10n_bms_z3\n");
    assert_eq!(stdout(&scs(&["flavor", "shorten", "SCS-2C-4-10n_bms_z3h"])), "SCS-2C-4-10n\n");
    let yaml = stdout(&scs(&["flavor", "describe", "--format", "yaml", "SCS-1V-0.5"]));
    assert!(yaml.contains("description: 1 shared vCPU, 0.5 GiB RAM, no root disk (boot from volume)"), "{yaml}");
    let bad = scs(&["flavor", "describe", "SCS-2X-4"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown CPU type 'X' at 5"));
}

#[test]
fn scope_show_on_a_date() {
    let o = scs(&["scope", "show", "scs-compatible-iaas", "--date", "2025-03-01"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("  v5.1   effective, stabilized 2024-12-19\n"), "{text}");
    assert!(text.contains("  v4     warn, stabilized 2024-02-28\n"), "{text}");
    let json = scs(&["scope", "show", "scs-compatible-iaas", "--date", "2025-03-01", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let versions = v["versions"].as_array().expect("versions");
    let v51 = versions.iter().find(|x| x["version"] == "v5.1").expect("v5.1");
    assert_eq!(v51["validity"], "effective");
    assert_eq!(v51["targets"]["main"].as_array().map(Vec::len), Some(54));
}

#[test]
fn scope_validate_reports_file_line_and_path() {
    let dir = std::env::temp_dir().join(format!("scs-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "name: x\nversions:\n  - version: v1\n    include: [nope]\n").expect("write");
    let o = scs(&["scope", "validate", bad.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.yaml:4:15: versions[0].include[0]: module 'nope' is not defined"), "{err}");
    let binary = dir.join("binary.yaml");
    std::fs::write(&binary, [0u8, 159, 146, 150, 255, 0, 1]).expect("write");
    let empty = dir.join("empty.yaml");
    std::fs::write(&empty, "").expect("write");
    for f in [&binary, &empty] {
        let o = scs(&["scope", "validate", f.to_str().expect("utf8")]);
        assert_eq!(o.status.code(), Some(1));
        assert_no_panic(&o);
    }
    let o = scs(&["scope", "show", "/nonexistent/scope.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_no_panic(&o);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn help_on_every_command_and_completions() {
    for args in [
        &["--help"][..],
        &["flavor", "--help"],
        &["flavor", "check", "--help"],
        &["flavor", "describe", "--help"],
        &["flavor", "extra-specs", "--help"],
        &["flavor", "convert", "--help"],
        &["flavor", "shorten", "--help"],
        &["scope", "--help"],
        &["scope", "list", "--help"],
        &["scope", "show", "--help"],
        &["scope", "validate", "--help"],
        &["completions", "--help"],
    ] {
        let o = scs(args);
        assert!(o.status.success(), "{args:?}");
        assert!(stdout(&o).contains("Usage:"), "{args:?}");
    }
    for shell in ["bash", "zsh", "fish"] {
        let o = scs(&["completions", shell]);
        assert!(o.status.success());
        assert!(stdout(&o).contains("scope"), "{shell}");
    }
}

/// `scs serve` without arguments runs the monitor on SQLite under the data
/// directory: it answers `/healthz`, redirects `/` to the table as upstream,
/// and stops cleanly on SIGTERM.
#[test]
fn serve_runs_on_embedded_sqlite_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let accounts = dir.path().join("bootstrap.yaml");
    std::fs::write(&accounts, "accounts:\n- {subject: first}\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scs"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--accounts")
        .arg(&accounts)
        .env("SCS_DATA_DIR", dir.path())
        .env_remove("SCS_DATABASE_URL")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let health = loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            write!(s, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
            let mut answer = String::new();
            s.read_to_string(&mut answer).unwrap();
            break answer;
        }
        assert!(started.elapsed().as_secs() < 30, "scs serve did not listen");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(health.starts_with("HTTP/1.1 200") && health.contains("\"database\":\"sqlite\""), "{health}");
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    use std::io::{Read, Write};
    write!(s, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    // both services run by default: `/` is the status page, the monitor's overview is at /page/table
    assert!(answer.starts_with("HTTP/1.1 200") && answer.contains("All systems operational"), "{answer}");
    assert!(dir.path().join("scs.db").exists());
    // SIGHUP reloads the accounts: `first` goes, `second` comes (the metrics have a gauge per
    // account; /status lists only subjects with results, as upstream)
    let subjects = || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
    };
    assert!(subjects().contains("subject=\"first\""));
    std::fs::write(&accounts, "accounts:\n- {subject: second}\n").unwrap();
    assert!(Command::new("kill").args(["-HUP", &child.id().to_string()]).status().unwrap().success());
    let started = std::time::Instant::now();
    while !subjects().contains("subject=\"second\"") {
        assert!(started.elapsed().as_secs() < 10, "SIGHUP did not reload the accounts");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(!subjects().contains("subject=\"first\""));
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    assert!(child.wait().unwrap().success());
}

/// Runs git in `dir` as Alice, without the machine's git configuration.
fn git_as_alice(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Alice")
        .env("GIT_AUTHOR_EMAIL", "alice@example.org")
        .env("GIT_COMMITTER_NAME", "Alice")
        .env("GIT_COMMITTER_EMAIL", "alice@example.org")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
}

/// `scs dco check` exits 1 and lists the commit without a sign-off, 0 on a
/// range without it, and 2 with the path on what is not a repository.
#[test]
fn dco_check_lists_unsigned_commits_and_refuses_non_repositories() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| git_as_alice(dir.path(), args);
    git(&["init", "-q", "-b", "main"]);
    git(&["commit", "-q", "--allow-empty", "-m", "forgot to sign"]);
    git(&["tag", "base"]);
    git(&["commit", "-q", "--allow-empty", "-m", "signed\n\nSigned-off-by: Alice <alice@example.org>"]);
    let repo = dir.path().to_str().unwrap();

    let out = scs(&["dco", "check", "--repo", repo]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("Alice <alice@example.org>: The sign-off is missing.  (forgot to sign)"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains(": 2 commit(s) of HEAD, 1 without a valid sign-off"), "{}", stdout(&out));

    let out = scs(&["dco", "check", "base..HEAD", "--repo", repo, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["commits"], 1);
    assert_eq!(verdict["failures"].as_array().unwrap().len(), 0);

    let plain = tempfile::tempdir().unwrap();
    let out = scs(&["dco", "check", "--repo", plain.path().to_str().unwrap()]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}: not a git repository", plain.path().display())), "{err}");
}

/// `scs sbom` writes CycloneDX (default) and SPDX documents of a lock file,
/// and names the file and line of one that does not parse.
#[test]
fn sbom_writes_both_formats_and_names_bad_lock_files() {
    let dir = tempfile::tempdir().unwrap();
    let go_sum = dir.path().join("go.sum");
    std::fs::write(
        &go_sum,
        "github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\ngithub.com/google/uuid v1.6.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=\n",
    )
    .unwrap();
    let out = scs(&["sbom", dir.path().to_str().unwrap()]);
    assert_no_panic(&out);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bom: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((bom["bomFormat"].as_str(), bom["specVersion"].as_str()), (Some("CycloneDX"), Some("1.6")));
    assert_eq!(bom["components"][0]["purl"], "pkg:golang/github.com/google/uuid@v1.6.0");

    let out = scs(&["sbom", go_sum.to_str().unwrap(), "--format", "spdx", "--name", "demo"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((doc["spdxVersion"].as_str(), doc["name"].as_str()), (Some("SPDX-2.3"), Some("demo")));
    assert_eq!(doc["packages"].as_array().unwrap().len(), 2, "the subject and uuid");

    std::fs::write(&go_sum, "github.com/google/uuid v1.6.0 h1:x=\nbroken\n").unwrap();
    let out = scs(&["sbom", dir.path().to_str().unwrap()]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:2: expected `MODULE VERSION h1:HASH`", go_sum.display())), "{err}");
}

/// A repository without commits has no HEAD to check: an error, not a panic.
#[test]
fn dco_check_of_a_repository_without_commits_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("git").args(["init", "-q"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success());
    let out = scs(&["dco", "check", "--repo", dir.path().to_str().unwrap()]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}: revision range \"HEAD\"", dir.path().display())), "{err}");
}

/// `scs oss-health` on two repositories at once: JSON per repository,
/// `--min-score` as a gate, and a clear error for a path that is no repository.
#[test]
fn oss_health_scores_several_repositories_and_gates() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| git_as_alice(&repo, args);
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("LICENSE"), "MIT License\n").unwrap();
    std::fs::write(repo.join("main.py"), "# SPDX-License-Identifier: MIT\nprint(1)\n").unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "start\n\nSigned-off-by: Alice <alice@example.org>"]);
    let path = repo.to_str().unwrap();

    let out = scs(&["oss-health", path, path, "--format", "json"]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports.as_array().unwrap().len(), 2);
    let score = reports[0]["score"].as_f64().unwrap();
    assert!(score > 0.0 && score < 10.0, "{score}");
    assert_eq!(reports[0]["checks"].as_array().unwrap().len(), 20);

    let gate = format!("{}", score + 0.1);
    let out = scs(&["oss-health", path, "--min-score", &gate]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).starts_with(&format!("{path}: {score:.1}/10")), "{}", stdout(&out));
    let out = scs(&["oss-health", path, "--min-score", "0.5", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("| licence-file | FourOpens | 10 |"), "{}", stdout(&out));

    // HTML escapes what the evidence quotes: a file named with markup
    std::fs::write(repo.join("<b>bold.py"), "print(2)\n").unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "more\n\nSigned-off-by: Alice <alice@example.org>"]);
    let out = scs(&["oss-health", path, "--format", "html"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<td>licence-file</td>"), "{page}");
    assert!(page.contains("without copyright: &lt;b&gt;bold.py") && !page.contains("<b>bold"), "{page}");

    let plain = dir.path().join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    let out = scs(&["oss-health", path, plain.to_str().unwrap()]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{}: not a git repository", plain.display())));
}

/// `scs reuse lint`: exit 1 with the lists for a tree that is not compliant,
/// 0 once it is, 2 naming file and line for a `REUSE.toml` that cannot be read.
#[test]
fn reuse_lint_verdicts_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let git = |args: &[&str]| git_as_alice(repo, args);
    let commit = || {
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "change\n\nSigned-off-by: Alice <alice@example.org>"]);
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("main.py"), "# SPDX-License-Identifier: MIT\nprint(1)\n").unwrap();
    commit();
    let path = repo.to_str().unwrap();

    let out = scs(&["reuse", "lint", "--repo", path, "--format", "json"]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["missing_copyright_info"], serde_json::json!(["main.py"]));
    assert_eq!(report["missing_licenses"], serde_json::json!(["MIT"]));

    std::fs::create_dir_all(repo.join("LICENSES")).unwrap();
    std::fs::write(repo.join("LICENSES/MIT.txt"), "MIT License\n").unwrap();
    std::fs::write(
        repo.join("REUSE.toml"),
        "version = 1\n[[annotations]]\npath = \"**\"\nSPDX-FileCopyrightText = \"Alice\"\n",
    )
    .unwrap();
    commit();
    let out = scs(&["reuse", "lint", "--repo", path]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("REUSE compliant (REUSE 3.3)\n"), "{}", stdout(&out));

    std::fs::write(repo.join("REUSE.toml"), "version = 1\n[[annotations]]\npath = \"**\"\nprecedence = \"nearest\"\n")
        .unwrap();
    commit();
    let out = scs(&["reuse", "lint", "--repo", path]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("REUSE.toml:4: 'precedence' must be one of closest, aggregate, override"), "{err}");
}
