"""Modules over 400 lines and functions over 50 lines, outside tests and migrations.

Run: .venv/bin/python scripts/sizes.py [--max-module 400] [--max-function 50]
Exits 1 when any is over, so it can gate a build once the house is in order.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

APPS = (
    "accounts",
    "common",
    "config",
    "notifications",
    "scheduling",
    "screening",
    "bench",
)


def python_files(root: Path) -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            files.append(path)
    return files


def long_functions(path: Path, limit: int) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                found.append((node.name, length))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-module", type=int, default=400)
    parser.add_argument("--max-function", type=int, default=50)
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    modules, functions = [], []
    for path in python_files(root):
        rel = path.relative_to(root)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > args.max_module:
            modules.append((str(rel), lines))
        for name, n in long_functions(path, args.max_function):
            functions.append((f"{rel}:{name}", n))
    for name, n in sorted(modules, key=lambda m: -m[1]):
        print(f"module   {n:5d}  {name}")
    for name, n in sorted(functions, key=lambda f: -f[1]):
        print(f"function {n:5d}  {name}")
    print(
        f"{len(modules)} modules over {args.max_module} lines, "
        f"{len(functions)} functions over {args.max_function} lines"
    )
    return 1 if modules or functions else 0


if __name__ == "__main__":
    sys.exit(main())
