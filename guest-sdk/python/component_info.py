"""What a component needs from the host: its imports, and the core instances, memories and
tables it instantiates (what the host's pooling allocator must have room for).

    target/venv/bin/python guest-sdk/python/component_info.py plugins/counter-py.wasm [--json]

Reads ``wasm-tools component wit`` and ``wasm-tools print --skeleton``; needs the
``wasm-tools`` of guest-sdk/python/requirements.txt (next to this Python, or on PATH).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from typing import Any


def wasm_tools() -> str:
    beside = os.path.join(os.path.dirname(sys.executable), "wasm-tools")
    if os.path.exists(beside):
        return beside
    found = shutil.which("wasm-tools")
    if not found:
        raise SystemExit("wasm-tools not found: install guest-sdk/python/requirements.txt into the venv")
    return found


def world(path: str) -> tuple[list[str], list[str]]:
    """The component's imports and exports (interface names, as the WIT prints them)."""
    text = subprocess.run([wasm_tools(), "component", "wit", path], check=True, capture_output=True, text=True).stdout
    imports: list[str] = []
    exports: list[str] = []
    in_world = False
    for line in text.splitlines():
        if line.startswith("world "):
            in_world = True
            continue
        if in_world and line == "}":
            break
        m = re.match(r"^  (import|export) ([^;:]+(?::[^;]+)?)(;| ?:)", line)
        if in_world and m:
            name = m.group(2).strip()
            (imports if m.group(1) == "import" else exports).append(name)
    return imports, exports


_COMPONENT = re.compile(r"^(\s*)\(component\b")
_MODULE = re.compile(r"^(\s*)\(core module (\$\S+ )?\(;(\d+);\)")
_INSTANTIATE = re.compile(r"^(\s*)\(core instance .*?\(instantiate (\$[^\s()]+|\d+)")
_MEMORY = re.compile(r"^(\s*)\(memory (?:\$\S+ )?\(;\d+;\) (\d+)(?: (\d+))?")
_TABLE = re.compile(r"^(\s*)\(table (?:\$\S+ )?\(;\d+;\) (\d+)(?: (\d+))? \w+")


def layout(path: str) -> dict[str, Any]:
    """Core module instantiations and the memories and tables they define."""
    text = subprocess.run([wasm_tools(), "print", "--skeleton", path], check=True, capture_output=True, text=True).stdout
    scopes: list[tuple[int, int]] = []  # (indent, scope id) of enclosing components
    next_scope = 0
    modules: dict[tuple[int, str], dict[str, Any]] = {}  # (scope, $name or index) -> module
    module: dict[str, Any] | None = None
    module_indent = -1
    module_counts: dict[int, int] = {}
    instantiated: list[dict[str, Any]] = []
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        if module is not None and indent <= module_indent and line.strip() and not line.strip().startswith(")"):
            module = None
        m = _COMPONENT.match(line)
        if m and module is None:
            while scopes and scopes[-1][0] >= len(m.group(1)):
                scopes.pop()
            scopes.append((len(m.group(1)), next_scope))
            next_scope += 1
            continue
        m = _MODULE.match(line)
        if m:
            while scopes and scopes[-1][0] >= len(m.group(1)):
                scopes.pop()
            scope = scopes[-1][1]
            index = module_counts.get(scope, 0)
            module_counts[scope] = index + 1
            module = {"name": (m.group(2) or f"module{index}").strip(), "memories": [], "tables": []}
            module_indent = len(m.group(1))
            modules[(scope, str(index))] = module
            if m.group(2):
                modules[(scope, m.group(2).strip())] = module
            continue
        if module is not None and indent == module_indent + 2:
            m = _MEMORY.match(line)
            if m:
                module["memories"].append({"min_pages": int(m.group(2)), "max_pages": int(m.group(3)) if m.group(3) else None})
                continue
            m = _TABLE.match(line)
            if m:
                module["tables"].append({"min": int(m.group(2)), "max": int(m.group(3)) if m.group(3) else None})
                continue
        m = _INSTANTIATE.match(line)
        if m and module is None:
            while scopes and scopes[-1][0] >= len(m.group(1)):
                scopes.pop()
            target = modules.get((scopes[-1][1], m.group(2)))
            if target is None:
                raise SystemExit(f"cannot resolve module {m.group(2)} in: {line.strip()}")
            instantiated.append(target)
    memories = [dict(mem, module=mod["name"]) for mod in instantiated for mem in mod["memories"]]
    tables = [dict(tab, module=mod["name"]) for mod in instantiated for tab in mod["tables"]]
    return {
        "core_instances": len(instantiated),
        "modules_instantiated": [mod["name"] for mod in instantiated],
        "memories": memories,
        "tables": tables,
    }


def info(path: str) -> dict[str, Any]:
    imports, exports = world(path)
    out = {"file": path, "bytes": os.path.getsize(path), "imports": imports, "exports": exports}
    out.update(layout(path))
    return out


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    result = info(args[0])
    if "--json" in argv:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['file']}: {result['bytes']} bytes")
    print("imports:\n  " + "\n  ".join(result["imports"]))
    print("exports:\n  " + "\n  ".join(result["exports"]))
    print(f"core instances: {result['core_instances']} ({', '.join(result['modules_instantiated'])})")
    for mem in result["memories"]:
        print(f"memory: {mem['min_pages']} pages min ({mem['min_pages'] * 64} KiB), max {mem['max_pages']}, in {mem['module']}")
    for tab in result["tables"]:
        print(f"table: {tab['min']} elements min, max {tab['max']}, in {tab['module']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
