//! Malformed templates and exports are compile errors that point at the problem.

#[test]
fn malformed_templates_and_exports_fail_with_clear_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
