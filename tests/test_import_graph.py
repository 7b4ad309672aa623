"""The import graph tells the truth (docs/architecture.md): the layers are import-linter
contracts (pyproject.toml, run by `make test` before the suite); these tests hold the rest.

- No module reaches for another package's private names (a leading underscore): what is
  shared is named as shared, in the module whose rule it is.
- Imports stand at the top of their module, where a reader looks for what the module depends
  on. One inside a function says why, in a comment on the line or just above it (a cycle
  broken, an import kept off a hot start, an app built late).
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("webapp", "tenants", "worker")


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, path.read_text(encoding="utf-8")


def _package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "webapp" and len(parts) > 1 else parts[0]


def _own_package(path: Path) -> str:
    return _package_of(".".join(path.relative_to(ROOT).with_suffix("").parts))


def test_no_module_imports_another_packages_private_names():
    found = []
    for path, source in _modules():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                    and node.module.split(".")[0] in PACKAGES and _package_of(node.module) != _own_package(path):
                found += [f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{a.name}"
                          for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    assert found == []


def _unexplained_imports(source: str) -> list[int]:
    """Lines of the imports inside functions that no comment explains: a comment on the
    import's line, or above the run of imports it stands in."""
    lines = source.splitlines()
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for block in ast.walk(function):
            body = getattr(block, "body", None)
            if not isinstance(body, list):
                continue
            first = None  # the first import of the current run of imports
            for statement in body:
                if not isinstance(statement, (ast.Import, ast.ImportFrom)):
                    first = None
                    continue
                first = first or statement
                above = lines[first.lineno - 2].strip() if first.lineno > 1 else ""
                said = above.startswith("#") or any(
                    "#" in lines[n - 1] for n in range(first.lineno, statement.end_lineno + 1))
                if not said:
                    found.append(statement.lineno)
    return found


def test_imports_inside_functions_say_why():
    found = []
    for path, source in _modules():
        lines = source.splitlines()
        found += [f"{path.relative_to(ROOT)}:{n} {lines[n - 1].strip()}" for n in _unexplained_imports(source)]
    assert sorted(set(found)) == []
