"""What ships in the package: the product only, no benchmark engine and no test fixture.

The benchmarks and their TEST workload live in `bench/` of the source checkout; `kepil bench`
is a thin entry that runs them from there. These tests read the modules the `kepil` package
holds (`importlib.resources`, so the files that are packaged, not a list kept by hand).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable

# The CLI's entry to the benchmarks may name them; it may not carry them.
THIN_ENTRY = "kepil.entrypoints.cli.bench_cmd"
THIN_ENTRY_MAY_IMPORT = {"kepil", "kepil.entrypoints.cli.errors"}


def _walk(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir() and entry.name != "__pycache__":
            yield from _walk(entry, f"{prefix}.{entry.name}")
        elif entry.name.endswith(".py"):
            stem = entry.name.removesuffix(".py")
            yield (prefix if stem == "__init__" else f"{prefix}.{stem}"), entry


def _modules() -> dict[str, ast.Module]:
    """Every module of the package, parsed."""
    return {name: ast.parse(source.read_text(encoding="utf-8")) for name, source in _walk(
        files("kepil"), "kepil"
    )}  # fmt: skip


def _kepil_imports(tree: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "kepil" or name.startswith("kepil.")}


def _keys_from_literal_seeds(tree: ast.Module) -> list[int]:
    """Lines where a signing key is derived from a seed written in the source."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = node.func
        name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
        if name != "key_from_seed":
            continue
        literals = [
            part
            for argument in node.args
            for part in ast.walk(argument)
            if isinstance(part, ast.Constant) and isinstance(part.value, bytes | str)
        ]
        if literals:
            lines.append(node.lineno)
    return lines


def test_the_walk_sees_the_whole_package() -> None:
    modules = _modules()

    assert {"kepil", "kepil.entrypoints.cli.main", "kepil.ledger.crypto"} <= set(modules)
    assert len(modules) > 100


def test_a_key_from_a_written_seed_is_told_from_a_key_from_a_file() -> None:
    fixture = ast.parse('k = key_from_seed(b"fixture key: " + name.encode())')
    loaded = ast.parse("k = crypto.key_from_seed(bytes.fromhex(path.read_text().strip()))")

    assert _keys_from_literal_seeds(fixture) == [1]
    assert _keys_from_literal_seeds(loaded) == []


def test_no_module_of_the_package_is_a_benchmark_engine_or_a_workload() -> None:
    engines = [
        name
        for name in _modules()
        if name != THIN_ENTRY
        and (name.rpartition(".")[2].startswith("bench") or "workload" in name)
    ]

    assert engines == [], "benchmark engines and workloads belong in bench/, not in the package"


def test_the_bench_command_is_a_thin_entry_that_carries_no_engine() -> None:
    imported = _kepil_imports(_modules()[THIN_ENTRY])

    assert imported <= THIN_ENTRY_MAY_IMPORT, imported - THIN_ENTRY_MAY_IMPORT


def test_no_module_derives_a_key_from_a_seed_written_in_its_source() -> None:
    found = {name: _keys_from_literal_seeds(tree) for name, tree in _modules().items()}
    fixture_keys = {name: lines for name, lines in found.items() if lines}

    assert fixture_keys == {}, "fixture keys belong in bench/ or tests/, not in the package"


def test_no_module_is_marked_as_a_fixture() -> None:
    # The repository marks fixtures TEST FIXTURE or BENCH FIXTURE (TEST PKI is the product's
    # own development CA, `kepil pki`, and may ship).
    texts = {
        name: source.read_text(encoding="utf-8") for name, source in _walk(files("kepil"), "kepil")
    }
    marked = [
        name for name, text in texts.items() if "TEST FIXTURE" in text or "BENCH FIXTURE" in text
    ]

    assert marked == []
