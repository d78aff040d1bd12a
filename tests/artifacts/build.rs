//! Builds every example (`examples/*`) and test guest (`tests/guests/*`) for `wasm32-wasip2` in
//! release, with one nested cargo run, and writes their paths to `$OUT_DIR/guests.rs` (the
//! constants of this crate) and `$OUT_DIR/guests.txt` (read by `cargo xtask build-plugins`).
//!
//! The nested cargo uses its own target directory (`target/guests`): the outer cargo holds the
//! lock of the directory it builds in, and the guests must not depend on which outer profile
//! (test or bench) asked for them.

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Variables the outer cargo or the user's shell sets for host builds that must not reach the
/// guest build: host rustflags and compiler wrappers (clippy-driver under `cargo clippy`,
/// coverage or caching wrappers). Otherwise the guests would be built differently, or rebuilt,
/// depending on the command that asked for them.
const STRIPPED_ENV: &[&str] = &[
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
];

fn main() -> Result<(), Box<dyn Error>> {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR unset")?);
    let root = manifest_dir.parent().and_then(Path::parent).ok_or("tests/artifacts lives two levels down")?;
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR unset")?);

    // The guests' sources and everything else that goes into them. Directories are scanned
    // recursively by cargo; the nested cargo then rebuilds only the guests that changed.
    for path in [
        "examples",
        "tests/guests",
        "guest-sdk/src",
        "guest-sdk/Cargo.toml",
        "guest-sdk/macros",
        "wit",
        "Cargo.toml",
        "Cargo.lock",
        "rust-toolchain.toml",
    ] {
        println!("cargo::rerun-if-changed={}", root.join(path).display());
    }
    println!("cargo::rerun-if-env-changed=CARGO_TARGET_DIR");

    let examples = crates(&root.join("examples"))?;
    let test_guests = crates(&root.join("tests/guests"))?;
    let target_dir = guest_target_dir(root);

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"])
        .arg(&target_dir)
        // The nested cargo's output is for people; stdout is where cargo reads directives.
        .stdout(Stdio::from(std::io::stderr()));
    for name in examples.iter().chain(&test_guests) {
        cmd.args(["-p", name]);
    }
    for var in STRIPPED_ENV {
        cmd.env_remove(var);
    }
    eprintln!("running: {cmd:?}");
    let status = cmd.status()?;
    if !status.success() {
        return Err(format!(
            "building the guests failed ({status}); the errors are above. Is the wasm32-wasip2 target \
             installed (`rustup target add wasm32-wasip2`)?"
        )
        .into());
    }

    let built = target_dir.join("wasm32-wasip2/release");
    let wasm = |name: &str| built.join(format!("{}.wasm", name.replace('-', "_")));
    let mut code = String::new();
    let mut list = String::new();
    for (kind, names) in [("EXAMPLES", &examples), ("TEST_GUESTS", &test_guests)] {
        let mut entries = String::new();
        for name in names {
            let path = wasm(name);
            let path = path.to_str().ok_or("guest paths must be UTF-8")?;
            let constant = name.to_uppercase().replace('-', "_");
            writeln!(code, "/// `{name}.wasm`.\npub const {constant}: &str = {path:?};")?;
            write!(entries, "({name:?}, {constant}), ")?;
            writeln!(list, "{}\t{name}\t{path}", if kind == "EXAMPLES" { "example" } else { "test" })?;
        }
        writeln!(code, "/// `(package name, path)`.\npub const {kind}: &[(&str, &str)] = &[{entries}];")?;
    }
    std::fs::write(out_dir.join("guests.rs"), code)?;
    std::fs::write(out_dir.join("guests.txt"), list)?;
    Ok(())
}

/// `$CARGO_TARGET_DIR/guests` (relative to the repository root when relative), else
/// `target/guests`.
fn guest_target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir).join("guests"),
        _ => root.join("target/guests"),
    }
}

/// The package names of the crates directly under `dir`, sorted.
fn crates(dir: &Path) -> Result<Vec<String>, Box<dyn Error>> {
    let mut names = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(names);
    };
    for entry in entries {
        let manifest = entry?.path().join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&manifest)?;
        let name = text
            .lines()
            .find_map(|line| line.strip_prefix("name = ").map(|v| v.trim().trim_matches('"').to_owned()))
            .ok_or_else(|| format!("no package name in {}", manifest.display()))?;
        names.push(name);
    }
    names.sort();
    Ok(names)
}
