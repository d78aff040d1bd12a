//! The WASI surface views get: the explicit list documented at the top of `wit/liveplug.wit`,
//! and nothing else. Language runtimes import these even when a view never uses them; none of
//! them reaches anything outside the instance (no preopened directory, no environment, no
//! arguments, stdio discarded). Sockets, HTTP and everything else are not linked at all, and a
//! component that imports them is refused at load by [`check_imports`], with the import named.

use wasmtime::component::{Component, HasData, Linker, ResourceTable};
use wasmtime_wasi::WasiView;
use wasmtime_wasi::cli::{WasiCli, WasiCliView as _};
use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView as _};
use wasmtime_wasi::filesystem::{WasiFilesystem, WasiFilesystemView as _};
use wasmtime_wasi::p2::bindings::{cli, clocks, filesystem, io, random};
use wasmtime_wasi::random::WasiRandom;

use super::bindings::{PACKAGE, VERSION};

/// Every WASI interface the host links, without its version (any WASI 0.2.x).
pub const GRANTED: &[&str] = &[
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
];

/// The interfaces of this package a view may import (the host implements each).
pub const HOST_INTERFACES: &[&str] =
    &["log", "page", "navigation", "flash", "keyvalue", "pubsub", "timers", "presence", "parts", "types"];

struct Io;

impl HasData for Io {
    type Data<'a> = &'a mut ResourceTable;
}

/// Links exactly [`GRANTED`].
pub fn add_to_linker<T: WasiView>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    let l = linker;
    io::error::add_to_linker::<T, Io>(l, |t| t.ctx().table)?;
    io::poll::add_to_linker::<T, Io>(l, |t| t.ctx().table)?;
    io::streams::add_to_linker::<T, Io>(l, |t| t.ctx().table)?;
    cli::environment::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::exit::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::stdin::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::stdout::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::stderr::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_input::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_output::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_stdin::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_stdout::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_stderr::add_to_linker::<T, WasiCli>(l, T::cli)?;
    clocks::monotonic_clock::add_to_linker::<T, WasiClocks>(l, T::clocks)?;
    clocks::wall_clock::add_to_linker::<T, WasiClocks>(l, T::clocks)?;
    random::random::add_to_linker::<T, WasiRandom>(l, |t| t.ctx().ctx.random())?;
    random::insecure::add_to_linker::<T, WasiRandom>(l, |t| t.ctx().ctx.random())?;
    random::insecure_seed::add_to_linker::<T, WasiRandom>(l, |t| t.ctx().ctx.random())?;
    filesystem::types::add_to_linker::<T, WasiFilesystem>(l, T::filesystem)?;
    filesystem::preopens::add_to_linker::<T, WasiFilesystem>(l, T::filesystem)?;
    Ok(())
}

/// Why an import is refused, if it is.
pub fn refusal(import: &str) -> Option<String> {
    let (interface, version) = import.split_once('@').unwrap_or((import, ""));
    if let Some(name) = interface.strip_prefix(PACKAGE).and_then(|rest| rest.strip_prefix('/')) {
        if !HOST_INTERFACES.contains(&name) {
            return Some(format!("it imports `{import}`, which this host does not provide"));
        }
        if version != VERSION {
            return Some(format!(
                "it imports `{import}`, built for another version of the contract; this host \
                 implements {PACKAGE}@{VERSION}: rebuild the view with a current SDK"
            ));
        }
        return None;
    }
    if interface.starts_with("wasi:") {
        let granted = GRANTED.contains(&interface) && version.starts_with("0.2.");
        return (!granted).then(|| {
            format!(
                "it imports `{import}`, which views are not granted (granted: the WASI 0.2 interfaces \
                 listed in wit/liveplug.wit; build the view without it, e.g. with the toolchain's \
                 option to stub WASI)"
            )
        });
    }
    Some(format!("it imports `{import}`, which this host does not provide"))
}

/// Refuses a component that imports anything outside the granted surface, naming the first
/// such import.
pub fn check_imports(component: &Component) -> Result<(), String> {
    let engine = component.engine();
    let refused = component.component_type().imports(engine).find_map(|(name, _)| refusal(name));
    refused.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_granted_wasi_interfaces_at_any_0_2_version_pass() {
        assert_eq!(refusal("wasi:io/streams@0.2.6"), None);
        assert_eq!(refusal("wasi:cli/terminal-stdout@0.2.0"), None);
        assert_eq!(refusal("wasi:random/insecure-seed@0.2.3"), None);
    }

    #[test]
    fn sockets_http_and_other_majors_are_refused_by_name() {
        for import in ["wasi:sockets/tcp@0.2.6", "wasi:http/outgoing-handler@0.2.6", "wasi:io/streams@0.3.0"] {
            let reason = refusal(import).unwrap_or_default();
            assert!(reason.contains(import), "{import}: {reason}");
        }
    }

    #[test]
    fn our_interfaces_must_be_this_version_and_exist() {
        assert_eq!(refusal("liveplug:view/log@0.4.0"), None);
        assert_eq!(refusal("liveplug:view/presence@0.4.0"), None);
        assert!(refusal("liveplug:view/log@0.3.0").unwrap_or_default().contains("another version"));
        assert!(refusal("liveplug:view/files@0.4.0").unwrap_or_default().contains("does not provide"));
        assert!(refusal("acme:thing/x").unwrap_or_default().contains("acme:thing/x"));
    }
}
