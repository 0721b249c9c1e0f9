"""The house keeps its limits (docs/ARCHITECTURE.md "Adding a feature"): no module in
wishboard/ over 600 lines, no model file over 4 tables."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "wishboard"


def _tables_in(source: str) -> int:
    """Classes of the module that name a ``__tablename__``."""
    return sum(1 for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ClassDef)
               and any(isinstance(item, ast.Assign) and any(
                   getattr(target, "id", None) == "__tablename__" for target in item.targets)
                   for item in node.body))


def test_no_module_is_over_600_lines():
    long = {str(path.relative_to(PACKAGE)): n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def test_no_file_holds_more_than_4_tables():
    crowded = {str(path.relative_to(PACKAGE)): n for path in PACKAGE.rglob("*.py")
               if (n := _tables_in(path.read_text(encoding="utf-8"))) > 4}
    assert crowded == {}


def test_the_count_sees_the_tables_it_counts():
    """The table count reads the real files: the wishes' model file holds four."""
    assert _tables_in((PACKAGE / "wishes" / "models.py").read_text(encoding="utf-8")) == 4
