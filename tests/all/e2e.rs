//! Real headless Chromium with the unmodified client against the running server.

use std::process::Command;

use crate::support::{repo_root, server};

fn run_browser_test(script: &str) {
    run_browser_test_at(script, &[]);
}

fn run_browser_test_at(script: &str, args: &[&str]) {
    let addr = server();
    let output = Command::new("node")
        .current_dir(repo_root())
        .arg(format!("tests/js/{script}"))
        .arg(format!("http://{addr}"))
        .args(args)
        .output()
        .expect("node runs (install Node.js)");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{script} failed:\n{report}");
}

/// The counter and the todo list of one guest language (`languages::LANGUAGES`), and its
/// hostile-text view (`tests/guests/escape*`: text, attribute and raw paths), in the browser.
fn examples_in_chromium(suffix: &str) {
    // The components exist (a missing one fails here, saying how to build it).
    for name in ["counter", "todo", "escape"] {
        crate::languages::example_path(name, suffix);
    }
    run_browser_test_at("e2e_counter.mjs", &[&format!("/counter{suffix}")]);
    run_browser_test_at("e2e_todo.mjs", &[&format!("/todo{suffix}")]);
    run_browser_test_at("e2e_escape.mjs", &[&format!("/escape{suffix}")]);
}

#[test]
fn rust_examples_in_chromium() {
    examples_in_chromium("");
}

#[test]
fn javascript_examples_in_chromium() {
    examples_in_chromium("-js");
}

#[test]
fn python_examples_in_chromium() {
    examples_in_chromium("-py");
}

#[test]
fn c_examples_in_chromium() {
    examples_in_chromium("-c");
}

/// A timer pushing diffs by itself; pause and resume cancel and restart it.
#[test]
fn dashboard_in_chromium() {
    run_browser_test("e2e_dashboard.mjs");
}

#[test]
fn contacts_in_chromium() {
    run_browser_test("e2e_contacts.mjs");
}

#[test]
fn a_guest_fault_in_chromium_ends_only_that_session_and_the_client_rejoins() {
    run_browser_test("e2e_fault.mjs");
}

#[test]
fn tracker_in_chromium() {
    run_browser_test("e2e_tracker.mjs");
}
