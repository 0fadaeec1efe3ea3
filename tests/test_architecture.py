"""The shape of the product's imports: no cycle between files, no hidden imports.

A cycle between two files is a design fault even when an import inside a function keeps
Python from tripping on it: the two files can no longer be read, tested or replaced one
without the other. So every import counts here, wherever it stands in the file, except
those under ``if TYPE_CHECKING:`` (annotations only, never executed).

An import inside a function is allowed only to defer a heavy library on purpose, and then
a comment on that line or the line above says so (the word "defer" or "heavy" or "lazy",
or "first use"), so a reader knows it is not hiding a cycle.

Run ``python -m tests.test_architecture [DIR…]`` for a report of one area.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("kiosk", "devices", "screens", "remote_video", "fleet", "pdfdoc")
# Words that say an import inside a function is deferred on purpose.
_DEFER_WORDS = ("defer", "heavy", "lazy", "lazily", "first use", "only when", "not paid")


@dataclass(frozen=True)
class Import:
    """One import statement of a product file, resolved to product modules."""

    source: str  # the importing module
    targets: tuple[str, ...]  # product modules it names
    line: int
    nested: bool  # inside a function (or a class body's method)
    explained: bool  # a comment on its line or the line above says why it is deferred


def module_name(path: Path) -> str:
    """``kiosk/legal_aid/flow.py`` → ``kiosk.legal_aid.flow`` (a package is its ``__init__``)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_files(roots: tuple[str, ...] = PRODUCT) -> list[Path]:
    """Every Python file of the product."""
    return sorted(p for r in roots for p in (ROOT / r).rglob("*.py"))


def _known_modules() -> set[str]:
    return {module_name(p) for p in product_files()}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(node: ast.Import | ast.ImportFrom, source: str, is_package: bool, known: set[str]) -> tuple[str, ...]:
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            pkg = source.split(".") if is_package else source.split(".")[:-1]
            pkg = pkg[: len(pkg) - (node.level - 1)]
            base = ".".join([*pkg, base] if base else pkg)
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            names.append(sub if sub in known else base)
    out = []
    for name in names:
        # ``import a.b.c`` of a module that is not a file: the nearest file above it.
        while name and name not in known and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in known and name.split(".")[0] in PRODUCT and name != source:
            out.append(name)
    return tuple(dict.fromkeys(out))


def imports_of(path: Path, known: set[str] | None = None) -> list[Import]:
    """The product imports of one file (TYPE_CHECKING blocks left out)."""
    known = known if known is not None else _known_modules()
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text, str(path))
    source = module_name(path)
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def explained(lineno: int) -> bool:
        # The comment on the import's line, or above it: a block of deferred imports may
        # share one comment above its first line.
        here = lines[lineno - 1]
        note = here.split("#", 1)[1] if "#" in here else ""
        up = lineno - 2
        while up >= 0 and lines[up].strip().startswith(("from ", "import ")):
            up -= 1
        while up >= 0 and lines[up].strip().startswith("#"):
            note += " " + lines[up]
            up -= 1
        return any(w in note.lower() for w in _DEFER_WORDS)

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for orelse in child.orelse:
                    visit(orelse, nested)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                targets = _resolve(child, source, is_package, known)
                found.append(Import(source, targets, child.lineno, nested, explained(child.lineno)))
                continue
            inner = nested or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, inner)

    visit(tree, False)
    return found


def import_graph(files: list[Path] | None = None) -> dict[str, set[str]]:
    """Module → the product modules it imports (anywhere in the file)."""
    known = _known_modules()
    graph: dict[str, set[str]] = {}
    for path in files if files is not None else product_files():
        edges = graph.setdefault(module_name(path), set())
        for imp in imports_of(path, known):
            edges.update(imp.targets)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def strong(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return sorted(out)


def unexplained_nested(files: list[Path] | None = None) -> list[str]:
    """Imports inside functions with no comment saying they are deferred on purpose."""
    known = _known_modules()
    out = []
    for path in files if files is not None else product_files():
        for imp in imports_of(path, known):
            if imp.nested and not imp.explained:
                out.append(f"{path.relative_to(ROOT)}:{imp.line}")
    return out


def test_no_import_cycle_between_files() -> None:
    """Any two product files that import each other (directly or round a loop) fail."""
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" ⇄ ".join(c) for c in found)


def test_imports_inside_functions_say_why() -> None:
    """An import inside a function defers a heavy library on purpose, and says so."""
    found = unexplained_nested()
    assert not found, "imports inside functions without a reason:\n" + "\n".join(found)


def test_checker_sees_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    """The checker itself: a cycle through an import inside a function is found, and a
    TYPE_CHECKING import is not an edge."""
    graph = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert cycles(graph) == [["a", "b"]]
    src = ROOT / "kiosk" / "visit.py"
    tree_imports = imports_of(src)
    assert all(not i.targets or i.source == "kiosk.visit" for i in tree_imports)


if __name__ == "__main__":
    dirs = tuple(sys.argv[1:]) or PRODUCT
    chosen = [p for p in product_files() if any(str(p.relative_to(ROOT)).startswith(d.rstrip("/")) for d in dirs)]
    all_cycles = cycles(import_graph())
    mine = {module_name(p) for p in chosen}
    print("cycles touching these files:")
    for group in all_cycles:
        if mine & set(group):
            print("  " + " ⇄ ".join(group))
    print("imports inside functions without a reason:")
    for where in unexplained_nested(chosen):
        print("  " + where)
