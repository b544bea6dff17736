"""Dependencies point one way (DESIGN §3): dashboards → decisions → supervision → oversight.
The spine imports no app; supervision never imports decisions or dashboards; nothing imports
dashboards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDER = ["oversight", "supervision", "decisions", "dashboards"]


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    apps: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            apps.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            apps.update(alias.name.split(".")[0] for alias in node.names)
    return apps & set(ORDER)


@pytest.mark.parametrize("app", ORDER)
def test_an_app_imports_only_the_apps_below_it(app: str) -> None:
    allowed = set(ORDER[: ORDER.index(app) + 1])
    offences = {
        str(path.relative_to(ROOT)): sorted(found - allowed)
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and (found := _imported_apps(path)) - allowed
    }
    assert not offences, f"{app} may import only {sorted(allowed)}: {offences}"
