//! Real headless Chromium with the unmodified client against the running server.

use std::process::Command;

use crate::support::{repo_root, server};

fn run_browser_test(script: &str) {
    let addr = server();
    let output = Command::new("node")
        .current_dir(repo_root())
        .arg(format!("tests/js/{script}"))
        .arg(format!("http://{addr}"))
        .output()
        .expect("node runs (install Node.js)");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{script} failed:\n{report}");
}

#[test]
fn counter_in_chromium() {
    run_browser_test("e2e_counter.mjs");
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
