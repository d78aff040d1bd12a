//! The commands people run: `cargo xtask serve`, `cargo xtask test`, and their parts.
//!
//! Everything a fresh machine needs is installed from here: the `wasm32-wasip2` target, the
//! pinned npm packages (from the lockfile, integrity-checked by `npm ci`), and Chromium for
//! the browser tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "Liveplug project commands")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build every example and test guest into a WebAssembly component.
    BuildPlugins,
    /// Install the browser client and toolchain pieces, build the examples and serve them on
    /// http://127.0.0.1:4000.
    Serve {
        /// Extra arguments for the `liveplug` binary.
        #[arg(trailing_var_arg = true)]
        args: Vec<String>,
    },
    /// Install what the tests need, build the guests, and run the whole test suite.
    Test,
    /// Run the benchmarks.
    Bench,
}

fn main() -> Result<()> {
    let root = repo_root()?;
    match Cli::parse().command {
        Cmd::BuildPlugins => build_plugins(&root),
        Cmd::Serve { args } => {
            setup(&root)?;
            build_plugins(&root)?;
            let mut cmd = cargo(&root);
            cmd.args(["run", "-p", "liveplug-host", "--bin", "liveplug", "--"]).args(args);
            run(&mut cmd)
        }
        Cmd::Test => {
            setup(&root)?;
            ensure_chromium()?;
            build_plugins(&root)?;
            run(cargo(&root).args(["fmt", "--all", "--check"]))?;
            run(Command::new("node").current_dir(&root).arg("tests/js/selftest.mjs"))?;
            run(cargo(&root).args([
                "test",
                "-p",
                "liveplug-host",
                "-p",
                "liveplug-guest",
                "-p",
                "liveplug-guest-macros",
                "-p",
                "xtask",
            ]))
        }
        Cmd::Bench => {
            setup(&root)?;
            build_plugins(&root)?;
            run(cargo(&root).args(["bench", "-p", "liveplug-host"]))
        }
    }
}

fn repo_root() -> Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).context("xtask lives inside the repository")
}

fn cargo(root: &Path) -> Command {
    // The rustup proxy, so that rust-toolchain.toml picks the toolchain.
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root);
    cmd
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {cmd:?}");
    let status = cmd.status().with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(())
}

/// The toolchain target and the npm packages.
fn setup(root: &Path) -> Result<()> {
    if has_command("rustup") {
        run(Command::new("rustup").current_dir(root).args(["target", "add", "wasm32-wasip2"]))?;
    }
    let installed = root.join("node_modules/.package-lock.json");
    let lock = root.join("package-lock.json");
    let fresh = match (installed.metadata().and_then(|m| m.modified()), lock.metadata().and_then(|m| m.modified())) {
        (Ok(installed), Ok(lock)) => installed >= lock,
        _ => false,
    };
    if !fresh {
        run(Command::new("npm").current_dir(root).args(["ci", "--no-audit", "--no-fund"]))?;
    }
    Ok(())
}

/// Debian's Chromium for the browser tests, installed when missing.
fn ensure_chromium() -> Result<()> {
    let path = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if Path::new(&path).exists() {
        return Ok(());
    }
    if !has_command("apt-get") {
        bail!("Chromium is missing at {path}; install it or set CHROMIUM_PATH");
    }
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let apt = |args: &[&str]| {
        let mut cmd = Command::new(sudo.first().copied().unwrap_or("apt-get"));
        if !sudo.is_empty() {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut cmd)
    };
    apt(&["update", "-qq"])?;
    apt(&["install", "-y", "-qq", "chromium"])
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn has_command(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok()
}

/// Builds `examples/*` into `plugins/<name>.wasm` and `tests/guests/*` into
/// `target/test-guests/<name>.wasm`, in one cargo invocation.
fn build_plugins(root: &Path) -> Result<()> {
    let examples = crate_dirs(&root.join("examples"))?;
    let guests = crate_dirs(&root.join("tests/guests"))?;
    let mut cmd = cargo(root);
    cmd.args(["build", "--release", "--target", "wasm32-wasip2"]);
    for (name, _) in examples.iter().chain(&guests) {
        cmd.args(["-p", name]);
    }
    run(&mut cmd)?;
    let built = root.join("target/wasm32-wasip2/release");
    let copy = |name: &str, to: &Path| -> Result<()> {
        std::fs::create_dir_all(to)?;
        let file = format!("{}.wasm", name.replace('-', "_"));
        let dest = to.join(format!("{name}.wasm"));
        std::fs::copy(built.join(&file), &dest).with_context(|| format!("copy {file} to {}", dest.display()))?;
        Ok(())
    };
    for (name, _) in &examples {
        copy(name, &root.join("plugins"))?;
    }
    for (name, _) in &guests {
        copy(name, &root.join("target/test-guests"))?;
    }
    Ok(())
}

/// `(package name, dir)` of every crate directly under `dir`.
fn crate_dirs(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut crates = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(crates);
    };
    for entry in entries {
        let path = entry?.path();
        let manifest = path.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&manifest)?;
        let name = text
            .lines()
            .find_map(|line| line.strip_prefix("name = ").map(|v| v.trim().trim_matches('"').to_owned()))
            .with_context(|| format!("no package name in {}", manifest.display()))?;
        crates.push((name, path));
    }
    crates.sort();
    Ok(crates)
}
