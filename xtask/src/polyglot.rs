//! Views in other languages: the JavaScript, Python and C SDKs, their toolchains, their unit
//! tests, and the examples built with them (`examples/<name>-js`, `-py`, `-c`).
//!
//! Each toolchain installs from the project's own pinned sources (npm lockfile, pip
//! requirements with exact versions, Debian packages, `cargo install --locked`) into
//! `node_modules/` or `target/`, once. An example is rebuilt only when something that goes into
//! it changed (its sources, its SDK, the WIT, the toolchain pins): a stamp beside the output
//! holds a hash of those inputs.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{has_command, run, target_dir};

/// A guest language other than Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    JavaScript,
    Python,
    C,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::JavaScript, Language::Python, Language::C];

    /// The suffix of its examples' names (`counter-js`).
    pub fn suffix(self) -> &'static str {
        match self {
            Language::JavaScript => "js",
            Language::Python => "py",
            Language::C => "c",
        }
    }

    fn sdk(self) -> &'static str {
        match self {
            Language::JavaScript => "guest-sdk/js",
            Language::Python => "guest-sdk/python",
            Language::C => "guest-sdk/c",
        }
    }

    /// Files besides the SDK and the example whose change means a rebuild.
    fn pins(self) -> &'static [&'static str] {
        match self {
            Language::JavaScript => &["package-lock.json"],
            Language::Python => &["guest-sdk/python/requirements.txt"],
            Language::C => &["guest-sdk/python/requirements.txt"],
        }
    }

    /// Installs the toolchain when it is missing; fast when it is there.
    pub fn setup(self, root: &Path) -> Result<()> {
        match self {
            // `npm ci` from the lockfile (in the main setup) installed the componentizer.
            Language::JavaScript => Ok(()),
            Language::Python => python_venv(root),
            Language::C => {
                python_venv(root)?;
                run(Command::new("bash").current_dir(root).arg("guest-sdk/c/setup.sh"))
            }
        }
    }

    /// The command that builds the view in `example` into the component `out`.
    fn build(self, root: &Path, example: &Path, out: &Path) -> Command {
        let mut cmd = match self {
            Language::JavaScript => {
                let mut cmd = Command::new("node");
                cmd.arg("guest-sdk/js/build.mjs");
                cmd
            }
            Language::Python => {
                let mut cmd = Command::new(venv_python(root));
                cmd.arg("guest-sdk/python/build.py");
                cmd
            }
            Language::C => {
                let mut cmd = Command::new("make");
                cmd.current_dir(root)
                    .args(["-C", "guest-sdk/c", "--no-print-directory"])
                    .arg(format!("EXAMPLE={}", example.display()))
                    .arg(format!("OUT={}", out.display()));
                return cmd;
            }
        };
        cmd.current_dir(root).arg(example).arg(out);
        cmd
    }

    /// The SDK's own unit tests, in its language's runner.
    pub fn unit_tests(self, root: &Path) -> Command {
        let mut cmd = match self {
            Language::JavaScript => {
                let mut cmd = Command::new("node");
                cmd.args(["--test", "guest-sdk/js/test/"]);
                cmd
            }
            Language::Python => {
                let mut cmd = Command::new(venv_python(root));
                cmd.args(["-m", "unittest", "discover", "-s", "guest-sdk/python/tests"]);
                cmd
            }
            Language::C => {
                let mut cmd = Command::new("make");
                cmd.args(["-C", "guest-sdk/c", "test"]);
                cmd
            }
        };
        cmd.current_dir(root);
        cmd
    }
}

/// The views written in `language` under `dir` (`examples`, `tests/guests`): the directories
/// named `*-<suffix>`, by name.
pub fn views(root: &Path, dir: &str, language: Language) -> Result<Vec<String>> {
    let suffix = format!("-{}", language.suffix());
    let mut names = Vec::new();
    for entry in std::fs::read_dir(root.join(dir)).with_context(|| format!("read {dir}/"))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && name.ends_with(&suffix) {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Where built polyglot examples go (the integration tests read them from here).
pub fn out_dir(root: &Path) -> PathBuf {
    target_dir(root).join("polyglot")
}

/// Sets up every language, builds every example and test guest that changed into
/// [`out_dir`], and copies the examples into `plugins/`.
pub fn build_all(root: &Path) -> Result<()> {
    let out = out_dir(root);
    std::fs::create_dir_all(&out)?;
    std::fs::create_dir_all(root.join("plugins"))?;
    for language in Language::ALL {
        let examples = views(root, "examples", language)?;
        let test_guests = views(root, "tests/guests", language)?;
        if examples.is_empty() && test_guests.is_empty() {
            continue;
        }
        language.setup(root)?;
        let all = examples.iter().map(|n| ("examples", n)).chain(test_guests.iter().map(|n| ("tests/guests", n)));
        for (dir, name) in all {
            let example = root.join(dir).join(name);
            let wasm = out.join(format!("{name}.wasm"));
            let stamp = out.join(format!("{name}.stamp"));
            let inputs = inputs_hash(root, language, &example)?;
            let fresh = wasm.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == inputs);
            if fresh {
                eprintln!("{name}: up to date");
            } else {
                let started = std::time::Instant::now();
                run(&mut language.build(root, &example, &wasm))?;
                if !wasm.is_file() {
                    bail!("building {name} produced no {}", wasm.display());
                }
                std::fs::write(&stamp, &inputs)?;
                eprintln!("{name}: built in {:.1} s", started.elapsed().as_secs_f64());
            }
            if dir == "examples" {
                let dest = root.join("plugins").join(format!("{name}.wasm"));
                std::fs::copy(&wasm, &dest)
                    .with_context(|| format!("copy {} to {}", wasm.display(), dest.display()))?;
            }
        }
    }
    Ok(())
}

/// Runs every SDK's unit tests.
pub fn unit_tests(root: &Path) -> Result<()> {
    for language in Language::ALL {
        language.setup(root)?;
        run(&mut language.unit_tests(root))?;
    }
    Ok(())
}

fn venv(root: &Path) -> PathBuf {
    target_dir(root).join("venv")
}

fn venv_python(root: &Path) -> PathBuf {
    venv(root).join("bin/python")
}

/// A virtual environment with `guest-sdk/python/requirements.txt` installed (componentize-py,
/// wasm-tools), reinstalled when the requirements change.
fn python_venv(root: &Path) -> Result<()> {
    let venv = venv(root);
    let requirements = root.join("guest-sdk/python/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).context("read guest-sdk/python/requirements.txt")?;
    let stamp = venv.join("requirements.installed");
    if venv_python(root).is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(());
    }
    let python = ["python3", "python"].into_iter().find(|p| has_command(p)).context("Python 3 is not installed")?;
    run(Command::new(python).args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv_python(root))
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements))?;
    std::fs::write(&stamp, wanted)?;
    Ok(())
}

/// A hash of every file that goes into an example: its own files, its SDK, the WIT and the
/// toolchain pins.
fn inputs_hash(root: &Path, language: Language, example: &Path) -> Result<String> {
    let mut files = Vec::new();
    collect(example, &mut files)?;
    collect(&root.join(language.sdk()), &mut files)?;
    collect(&root.join("wit"), &mut files)?;
    for pin in language.pins() {
        files.push(root.join(pin));
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.strip_prefix(root).unwrap_or(&file).hash(&mut hasher);
        std::fs::read(&file).with_context(|| format!("read {}", file.display()))?.hash(&mut hasher);
    }
    Ok(format!("{:016x}", hasher.finish()))
}

/// Every file under `dir`, skipping build output and installed packages.
fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if matches!(name.as_str(), "node_modules" | "build" | "__pycache__" | "target" | "dist")
            || name.starts_with('.')
        {
            continue;
        }
        if path.is_dir() {
            collect(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}
