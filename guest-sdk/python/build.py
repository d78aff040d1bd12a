"""Builds a Python view into a Liveplug component.

    target/venv/bin/python guest-sdk/python/build.py <example-dir> <out.wasm> [--module app] [--stub-wasi]

``<example-dir>`` holds the view's module (``app.py`` unless ``--module`` names another), which
calls ``liveplug.export(TheView)``. The build runs componentize-py against the repository's
``wit/`` (world ``live-view``) with the SDK and the example on the Python path, then makes the
component import nothing the host does not grant:

- By default it keeps WASI and stubs only what the host refuses: componentize-py's CPython
  (wasi-libc) imports ``wasi:sockets/*``, so the build generates a component that exports
  those interfaces with trapping functions (``wasm-tools component embed --dummy`` over the
  component's own WIT) and plugs it in with ``wasm-tools compose``. Clocks, random (seeded per
  instance) and stdio work; 17 core instances plus the 2 adapters wasmtime generates for the
  calls between the two components.
- ``--stub-wasi``: componentize-py's own option, every WASI import replaced by a trapping
  stub, so the component imports only ``liveplug:view/*``. ``time.time()``, ``os.urandom`` and
  file access trap, and the random seed is fixed at build time (the same sequence in every
  instance). 38 core instances.

Finally the imports are checked against the list the host grants (``wit/liveplug.wit``) and
the result validated. Needs the tools of guest-sdk/python/requirements.txt in the venv that
runs this script (``componentize-py``, ``wasm-tools``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WIT = os.path.join(REPO, "wit")
WORLD = "live-view"

# The WASI interfaces the host links (the doc comment at the top of wit/liveplug.wit).
GRANTED_WASI = {
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
}

ENTRY = "liveplug_entry"


def tool(name: str) -> str:
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(beside):
        return beside
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: pip install -r guest-sdk/python/requirements.txt in the venv running build.py")
    return found


def run(args: list[str], what: str) -> str:
    env = dict(os.environ)
    # componentize-py adds $VIRTUAL_ENV's site-packages to the app's path: keep the build's
    # own tools out of the component.
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{what} failed (exit {done.returncode}): {' '.join(args)}")
    return done.stdout


def imports_of(wasm: str) -> tuple[list[str], str]:
    """The component's imports (unversioned interface names with version) and its WIT text."""
    wit = run([tool("wasm-tools"), "component", "wit", wasm], "wasm-tools component wit")
    world = wit.split("\nworld ", 1)[1].split("\n}\n", 1)[0]
    return re.findall(r"^  import ([^;]+);", world, re.M), wit


def unversioned(name: str) -> str:
    return name.split("@", 1)[0]


def stub_sockets(component: str, out: str, work: str) -> list[str]:
    """Plugs trapping ``wasi:sockets/*`` exports into ``component``; returns what it stubbed."""
    imports, wit = imports_of(component)
    sockets = [name for name in imports if unversioned(name).startswith("wasi:sockets/")]
    if not sockets:
        shutil.copyfile(component, out)
        return []
    # The component's WIT holds every package it uses (wasi:sockets and its dependencies): keep
    # them, replace the root package and world by a world that exports the socket interfaces.
    packages = wit.split("\npackage ", 1)[1]
    world = "package liveplug:sockets-stub;\n\nworld sockets-stub {\n"
    world += "".join(f"  export {name};\n" for name in sockets)
    world += "}\n\npackage " + packages
    wit_path = os.path.join(work, "sockets-stub.wit")
    with open(wit_path, "w") as f:
        f.write(world)
    core = os.path.join(work, "sockets-stub-core.wasm")
    stub = os.path.join(work, "sockets-stub.wasm")
    wt = tool("wasm-tools")
    run([wt, "component", "embed", "--dummy", wit_path, "-w", "sockets-stub", "-o", core], "wasm-tools component embed --dummy")
    run([wt, "component", "new", core, "-o", stub], "wasm-tools component new")
    run([wt, "compose", component, "-d", stub, "-o", out], "wasm-tools compose")
    return sockets


def build(example: str, out: str, module: str = "app", stub_wasi: bool = False) -> dict:
    example = os.path.abspath(example)
    out = os.path.abspath(out)
    if not os.path.exists(os.path.join(example, module + ".py")) and not os.path.isdir(os.path.join(example, module)):
        raise SystemExit(f"{example} has no {module}.py (the view's module; --module names another)")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="liveplug-py-") as work:
        entry_dir = os.path.join(work, "entry")
        os.makedirs(entry_dir)
        with open(os.path.join(entry_dir, ENTRY + ".py"), "w") as f:
            f.write(
                "# Generated by guest-sdk/python/build.py: the view's module, then the export classes.\n"
                f"import {module}  # noqa: F401  (calls liveplug.export)\n"
                "from liveplug._component import View, Describe, Params, Info, Components, Snapshot  # noqa: F401\n"
            )
        built = os.path.join(work, "componentized.wasm")
        args = [tool("componentize-py"), "-d", WIT, "-w", WORLD, "componentize"]
        if stub_wasi:
            args.append("--stub-wasi")
        args += ["-p", entry_dir, "-p", example, "-p", HERE, ENTRY, "-o", built]
        run(args, "componentize-py")
        componentized = time.monotonic()
        stubbed: list[str] = []
        if stub_wasi:
            shutil.copyfile(built, out)
        else:
            stubbed = stub_sockets(built, out, work)
    imports, _ = imports_of(out)
    refused = [name for name in imports if name.startswith("wasi:") and unversioned(name) not in GRANTED_WASI]
    refused += [name for name in imports if not name.startswith(("wasi:", "liveplug:view/"))]
    if refused:
        os.remove(out)
        raise SystemExit(f"{out}: imports the host does not grant: {', '.join(refused)}")
    run([tool("wasm-tools"), "validate", out], "wasm-tools validate")
    finished = time.monotonic()
    return {
        "out": out,
        "bytes": os.path.getsize(out),
        "seconds": round(finished - started, 1),
        "componentize_seconds": round(componentized - started, 1),
        "stubbed": stubbed,
        "imports": imports,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("example", help="the directory holding the view's module")
    parser.add_argument("out", help="the component to write (.wasm)")
    parser.add_argument("--module", default="app", help="the view's module in the example dir (default: app)")
    parser.add_argument(
        "--stub-wasi",
        action="store_true",
        help="stub every WASI import (componentize-py's --stub-wasi) instead of only wasi:sockets: "
        "clocks and os.urandom then trap and random is seeded at build time",
    )
    args = parser.parse_args()
    result = build(args.example, args.out, args.module, stub_wasi=args.stub_wasi)
    stubbed = f"; trapping stubs for {', '.join(unversioned(s) for s in result['stubbed'])}" if result["stubbed"] else ""
    print(
        f"built {os.path.relpath(result['out'])}: {result['bytes'] / 1e6:.1f} MB in {result['seconds']} s "
        f"(componentize-py {result['componentize_seconds']} s){stubbed}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
