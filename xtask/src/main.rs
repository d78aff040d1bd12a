//! The commands people run: `cargo xtask serve`, `cargo xtask test`, and their parts.
//!
//! Everything a fresh machine needs is installed from here: the `wasm32-wasip2` target, the
//! pinned npm packages (from the lockfile, integrity-checked by `npm ci`), and Chromium for
//! the browser tests.
//!
//! One build serves both `test` and `serve`: the debug server is the binary of the test build
//! itself (`cargo test --no-run`, the same units as a plain `cargo test`), so neither command
//! compiles wasmtime after the other. `test` checks that this still holds. The optimized
//! server (`serve --release`) and the benchmarks share one release build of wasmtime, which
//! `bench` checks.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

mod compare;
mod polyglot;

#[derive(Parser)]
#[command(name = "xtask", about = "Liveplug project commands")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build every example and test guest into a WebAssembly component: examples into
    /// `plugins/`, test guests into `target/test-guests/`. Examples in JavaScript, Python and
    /// C are built with their SDKs (toolchains installed on first use).
    BuildPlugins,
    /// Install the browser client and toolchain pieces, build the examples and serve them on
    /// http://127.0.0.1:4000.
    Serve {
        /// Build and run the optimized server (the build the benchmarks use).
        #[arg(long)]
        release: bool,
        /// Extra arguments for the `liveplug` binary (after `--`).
        #[arg(trailing_var_arg = true)]
        args: Vec<String>,
    },
    /// Install what the tests need, check formatting, lint (clippy, warnings denied) the
    /// default members and the guests, run the whole test suite (plain `cargo test`), then
    /// check that `serve` reuses its build.
    Test,
    /// Build the optimized server, then run the benchmarks on its build of wasmtime.
    Bench {
        /// Extra arguments for the benchmark binaries (after `--`), e.g. a criterion filter.
        #[arg(trailing_var_arg = true)]
        args: Vec<String>,
    },
    /// Liveplug and LiveViewJS 0.8.1 side by side under the same load; prints a Markdown table.
    Compare(compare::Args),
}

fn main() -> Result<()> {
    let root = repo_root()?;
    match Cli::parse().command {
        Cmd::BuildPlugins => {
            setup(&root)?;
            build_plugins(&root)?;
            polyglot::build_all(&root)
        }
        Cmd::Serve { release, args } => {
            setup(&root)?;
            let profile = if release { Profile::Release } else { Profile::Debug };
            let server = build_server(&root, profile)?.server()?;
            build_plugins(&root)?;
            polyglot::build_all(&root)?;
            run(Command::new(server).current_dir(&root).args(args))
        }
        Cmd::Test => {
            setup(&root)?;
            ensure_chromium()?;
            ensure_redis()?;
            run(cargo(&root).args(["fmt", "--all", "--check"]))?;
            clippy(&root)?;
            run(Command::new("node").current_dir(&root).arg("tests/js/selftest.mjs"))?;
            // The other languages' SDKs: their own unit tests, then their examples, which the
            // integration tests run beside the Rust ones.
            polyglot::unit_tests(&root)?;
            polyglot::build_all(&root)?;
            run(cargo(&root).args(TEST))?;
            // The load tool is not a default member: its HTTP client would change the features
            // the test and serve builds share. Its tests build on their own, without wasmtime.
            run(cargo(&root).args(["test", "-p", "liveplug-load"]))?;
            check_serve_reuses_test_build(&root)
        }
        Cmd::Bench { args } => {
            setup(&root)?;
            build_plugins(&root)?;
            polyglot::build_all(&root)?;
            build_server(&root, Profile::Release)?;
            check_bench_reuses_release_build(&root)?;
            run(cargo(&root).args(BENCH).arg("--").args(args))
        }
        Cmd::Compare(args) => {
            setup(&root)?;
            compare::run(&root, args)
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
    apt_install("chromium")
}

/// The multi-host tests start their own Redis server (on a free port) from this binary.
fn ensure_redis() -> Result<()> {
    let path = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    if has_command(&path) {
        return Ok(());
    }
    if !has_command("apt-get") {
        bail!("redis-server is missing; install it or set REDIS_SERVER");
    }
    apt_install("redis-server")
}

/// Installs a Debian package (with sudo when not root).
fn apt_install(package: &str) -> Result<()> {
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
    apt(&["install", "-y", "-qq", package])
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn has_command(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok()
}

/// The test command: plain `cargo test` from the repository root, i.e. the workspace's default
/// members (host, guest SDK, its macros, xtask) with their dev-dependencies.
const TEST: &[&str] = &["test"];

/// The lint command for the default members: every target (tests and benches too), so that
/// `[workspace.lints]` (`unwrap_used` denied outside tests, ...) holds everywhere. The same
/// package selection as [`TEST`], so it resolves the same features: the build scripts and
/// proc macros it compiles are those of the test build, and the dependencies are only checked
/// (metadata, no code), never compiled in another profile.
const CLIPPY: &[&str] = &["clippy", "--all-targets"];

/// The target the guests are built for (`tests/artifacts/build.rs`).
const GUEST_TARGET: &str = "wasm32-wasip2";

/// Lints with every warning an error, before the tests so that a lint fails in minutes rather
/// than after the whole suite: the default members, then the guests (examples and test
/// guests).
///
/// The guests are linted as `tests/artifacts/build.rs` builds them (which the first step has
/// just run): the same packages, target, profile and target directory, so that the proc
/// macros and build scripts they need (`wit-bindgen`, `serde_derive`, `syn`, ...) are that
/// build's, and only the guests and their few dependencies are checked. Their
/// `cfg(target_arch = "wasm32")` code is linted that way too.
fn clippy(root: &Path) -> Result<()> {
    run(cargo(root).args(CLIPPY).args(["--", "-D", "warnings"]))?;
    let guests = guest_packages(root)?;
    if guests.is_empty() {
        bail!("no guest crates found under examples/ and tests/guests/");
    }
    let mut cmd = cargo(root);
    cmd.args(CLIPPY).args(["--release", "--target", GUEST_TARGET, "--target-dir"]).arg(guest_target_dir(root));
    for name in &guests {
        cmd.args(["-p", name]);
    }
    run(cmd.args(["--", "-D", "warnings"]))
}

/// Where `tests/artifacts/build.rs` builds the guests: `$CARGO_TARGET_DIR/guests` (relative to
/// the repository root when relative), else `target/guests`.
fn guest_target_dir(root: &Path) -> PathBuf {
    target_dir(root).join("guests")
}

/// The target directory: `$CARGO_TARGET_DIR` (relative to the root) or `target/`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// The workspace packages under `examples/` and `tests/guests/`: the guests.
fn guest_packages(root: &Path) -> Result<Vec<String>> {
    let output = cargo(root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed: {}", output.status);
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).context("cargo metadata's JSON")?;
    // cargo's paths are canonical; `root` need not be.
    let workspace = Path::new(metadata["workspace_root"].as_str().context("cargo metadata has no workspace root")?);
    let dirs = [workspace.join("examples"), workspace.join("tests/guests")];
    let mut names: Vec<String> = metadata["packages"]
        .as_array()
        .context("cargo metadata lists no packages")?
        .iter()
        .filter(|package| {
            package["manifest_path"]
                .as_str()
                .is_some_and(|manifest| dirs.iter().any(|dir| Path::new(manifest).starts_with(dir)))
        })
        .filter_map(|package| package["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

/// The benchmark command (its arguments for the benchmark binaries go after `--`).
const BENCH: &[&str] = &["bench", "-p", "liveplug-host"];

#[derive(Clone, Copy)]
enum Profile {
    Debug,
    Release,
}

/// Builds the server and returns what cargo reported.
///
/// Debug: the test build itself (`cargo test --no-run`): exactly the units `cargo test` builds,
/// so after either command the other compiles nothing. A narrower build (`cargo run -p
/// liveplug-host`) would resolve the proc-macro side of the tree (`syn` without the guest
/// macros' features, `indexmap`, ...) and the dev-dependencies differently, and every crate
/// above them, wasmtime and Cranelift included, would be compiled a second time.
///
/// Release: the host's binary alone, what a deployment builds. `cargo bench` builds the same
/// wasmtime (the `bench` profile inherits `release`); `bench` checks it.
fn build_server(root: &Path, profile: Profile) -> Result<Build> {
    match profile {
        Profile::Debug => Build::run(root, &[TEST, &["--no-run"]].concat()),
        Profile::Release => Build::run(root, &["build", "--release", "-p", "liveplug-host", "--bin", "liveplug"]),
    }
}

/// After the tests: the serve build must find nothing to compile but our own crates.
fn check_serve_reuses_test_build(root: &Path) -> Result<()> {
    eprintln!("checking that `cargo xtask serve` reuses the test build");
    let rebuilt = build_server(root, Profile::Debug)?.compiled_dependencies();
    if !rebuilt.is_empty() {
        bail!(
            "`cargo xtask serve` compiles {} dependencies the tests had already built ({}): the serve \
             build no longer resolves the same packages and features as `cargo test`. Keep \
             `build_server` (xtask/src/main.rs) selecting exactly what `cargo test` builds.",
            rebuilt.len(),
            rebuilt.join(", ")
        );
    }
    eprintln!("ok: the serve build compiles no dependency again");
    Ok(())
}

/// After the optimized server: the benchmarks must not compile wasmtime or Cranelift again.
/// (Their dev-dependencies legitimately add features to a few small crates, such as `rand`,
/// which are then built for the benchmarks as well.)
fn check_bench_reuses_release_build(root: &Path) -> Result<()> {
    let bench = Build::run(root, &[BENCH, &["--no-run"]].concat())?;
    let rebuilt: Vec<_> = bench.compiled_dependencies().into_iter().filter(|p| is_wasmtime(p)).collect();
    if !rebuilt.is_empty() {
        bail!(
            "the benchmarks compiled wasmtime again instead of sharing the optimized server's build ({}): \
             `cargo bench` and `cargo xtask serve --release` no longer resolve wasmtime the same way",
            rebuilt.join(", ")
        );
    }
    Ok(())
}

/// `wasmtime`, Cranelift and the crates they are made of.
fn is_wasmtime(package: &str) -> bool {
    ["wasmtime", "cranelift", "pulley", "wiggle", "winch"].iter().any(|prefix| package.starts_with(prefix))
}

/// What one cargo build reported (`--message-format=json`).
struct Build {
    messages: Vec<serde_json::Value>,
}

impl Build {
    /// Runs `cargo <args>` with JSON messages on stdout; diagnostics and progress still go to
    /// the terminal.
    fn run(root: &Path, args: &[&str]) -> Result<Build> {
        let mut cmd = cargo(root);
        cmd.args(args).arg("--message-format=json-render-diagnostics").stdout(Stdio::piped());
        eprintln!("$ {cmd:?}");
        let output =
            cmd.spawn().and_then(|child| child.wait_with_output()).with_context(|| format!("cannot run {cmd:?}"))?;
        if !output.status.success() {
            bail!("{cmd:?} failed: {}", output.status);
        }
        let messages = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| line.starts_with('{'))
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .context("cargo's JSON messages")?;
        Ok(Build { messages })
    }

    fn with_reason<'a>(&'a self, reason: &'a str) -> impl Iterator<Item = &'a serde_json::Value> + 'a {
        self.messages.iter().filter(move |m| m["reason"] == reason)
    }

    /// The `liveplug` binary (not its unit-test harness).
    fn server(&self) -> Result<PathBuf> {
        self.with_reason("compiler-artifact")
            .find(|m| m["target"]["name"] == "liveplug" && m["profile"]["test"] == false && m["executable"].is_string())
            .and_then(|m| m["executable"].as_str())
            .map(PathBuf::from)
            .context("the build produced no liveplug binary")
    }

    /// `name@version` of every dependency (not a crate of this workspace) that was compiled
    /// rather than found fresh.
    fn compiled_dependencies(&self) -> Vec<String> {
        let mut packages: Vec<String> = self
            .with_reason("compiler-artifact")
            .filter(|m| m["fresh"] == false)
            .filter_map(|m| m["package_id"].as_str())
            .filter(|id| !id.starts_with("path+"))
            .map(|id| id.rsplit('#').next().unwrap_or(id).to_owned())
            .collect();
        packages.sort();
        packages.dedup();
        packages
    }

    /// The `OUT_DIR` of `package`'s build script.
    fn out_dir(&self, package: &str) -> Result<PathBuf> {
        self.with_reason("build-script-executed")
            .find(|m| m["package_id"].as_str().is_some_and(|id| id.contains(&format!("#{package}@"))))
            .and_then(|m| m["out_dir"].as_str())
            .map(PathBuf::from)
            .with_context(|| format!("no build script output for {package}"))
    }
}

/// Copies the guests into place: examples to `plugins/<name>.wasm`, test guests to
/// `target/test-guests/<name>.wasm` (where the benchmarks read them).
///
/// The guests are built by the build script of `tests/artifacts` (the crate through which
/// `cargo test` gets them) into `target/guests/`; building that crate here runs the very same
/// nested cargo, so a guest is never built twice and this step is a no-op after the tests.
fn build_plugins(root: &Path) -> Result<()> {
    let build = Build::run(root, &["build", "-p", "liveplug-guest-artifacts"])?;
    let list = build.out_dir("liveplug-guest-artifacts")?.join("guests.txt");
    let list = std::fs::read_to_string(&list).with_context(|| format!("read {}", list.display()))?;
    for line in list.lines() {
        let mut fields = line.split('\t');
        let (Some(kind), Some(name), Some(path)) = (fields.next(), fields.next(), fields.next()) else {
            bail!("malformed guest list line {line:?}");
        };
        let dir = match kind {
            "example" => root.join("plugins"),
            _ => root.join("target/test-guests"),
        };
        std::fs::create_dir_all(&dir)?;
        let dest = dir.join(format!("{name}.wasm"));
        std::fs::copy(path, &dest).with_context(|| format!("copy {path} to {}", dest.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_guests_are_the_examples_and_the_test_guests() {
        let root = super::repo_root().expect("repository root");
        let guests = super::guest_packages(&root).expect("cargo metadata");
        for name in ["counter", "contacts", "tracked", "hostile"] {
            assert!(guests.iter().any(|g| g == name), "{name} missing from {guests:?}");
        }
        assert!(!guests.iter().any(|g| g.starts_with("liveplug") || g == "xtask"), "{guests:?}");
    }
}
