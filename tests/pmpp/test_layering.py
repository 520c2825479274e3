"""`pmpp/` is the ground floor every app stands on: it imports none of them, not even lazily."""

import ast
from pathlib import Path

from django.conf import settings

APPS = {"grievances", "stakeholders", "reporting", "api", "portal", "notifications", "imports", "privacy", "answers"}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_ground_floor_imports_no_app():
    offending = {
        str(path.relative_to(settings.BASE_DIR)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] in APPS
        )
        for path in (settings.BASE_DIR / "pmpp").rglob("*.py")
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_every_app_is_known_to_the_layering_check():
    local = {app.split(".")[0] for app in settings.INSTALLED_APPS if (settings.BASE_DIR / app.split(".")[0]).is_dir()}
    assert local - {"pmpp"} == APPS
