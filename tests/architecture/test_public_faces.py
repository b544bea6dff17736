"""Apps meet through public faces (issue: one rule, one place): no module reaches into another
module's private names, and no template decides who may do what by spelling out roles — it
asks the rule (a template tag or a context value the rule computed)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("oversight", "supervision", "decisions", "dashboards")


def _sources() -> list[Path]:
    return [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]


def _module_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _private_uses(path: Path) -> list[str]:
    """`from a.b import _x` and `b._x` where `b` is a module of ours imported by name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_of(path)
    modules: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in APPS:
            for alias in node.names:
                if alias.name.startswith("_") and node.module != here:
                    found.append(f"from {node.module} import {alias.name}")
                elif (alias.asname or alias.name)[0].islower():
                    modules.add(alias.asname or alias.name)  # a module, not a class
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in APPS:
                    modules.add((alias.asname or alias.name).split(".")[-1])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    offences = {
        str(path.relative_to(ROOT)): uses for path in _sources() if (uses := _private_uses(path))
    }
    assert not offences, f"make these public, documented functions: {offences}"


def test_the_checker_sees_a_private_name(tmp_path: Path) -> None:
    # The test above would pass vacuously if the checker saw nothing: show it sees both forms.
    sample = ROOT / "oversight" / "_architecture_probe.py"
    sample.write_text(
        "from oversight import access\nfrom oversight.services import _x\naccess._line_managed_q\n",
        encoding="utf-8",
    )
    try:
        assert _private_uses(sample) == [
            "from oversight.services import _x",
            "access._line_managed_q",
        ]
    finally:
        sample.unlink()


# A template that decides by role compares a `role` to a string.
_ROLE_TEST = re.compile(r"{%[^%]*\brole\s*(==|!=|in)\s*[\"'][^%]*%}")


def test_no_template_decides_by_spelling_roles() -> None:
    offences = []
    for path in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _ROLE_TEST.search(line):
                offences.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offences, f"ask the rule instead of comparing role strings: {offences}"


def test_the_template_check_sees_a_role_comparison() -> None:
    assert _ROLE_TEST.search('{% if me.role == "assistant_team_manager" %}')
    assert not _ROLE_TEST.search("{{ member.get_role_display }}")


# The spine's templates: its own pages, the layout and the shared includes.
_SPINE_TEMPLATES = ("oversight", "includes", "registration", "base.html", "404.html", "500.html")
_URL_TAG = re.compile(r"{%\s*url\s+[\"']([\w-]+)[\"']")
_LOAD_TAG = re.compile(r"{%\s*load\s+([\w\s]+?)\s*%}")


def _spine_url_names() -> set[str]:
    """The URL names of `oversight/urls.py` itself and of the spine's own URL modules."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def names(patterns: list, owned: bool) -> set[str]:  # type: ignore[type-arg]
        found: set[str] = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_module, "__name__", "")
                found |= names(pattern.url_patterns, module.startswith("oversight"))
            elif isinstance(pattern, URLPattern) and owned and pattern.name:
                found.add(pattern.name)
        return found

    return names(get_resolver().url_patterns, owned=True)


def _spine_template_paths() -> list[Path]:
    paths: list[Path] = []
    for part in _SPINE_TEMPLATES:
        target = ROOT / "templates" / part
        paths += list(target.rglob("*.html")) if target.is_dir() else [target]
    return paths


def test_the_spines_templates_name_only_the_spines_pages() -> None:
    # Apps add their links through navigation entries and panels (`oversight.extensions`).
    own = _spine_url_names()
    offences = []
    for path in _spine_template_paths():
        text = path.read_text(encoding="utf-8")
        offences += [f"{path.name}: url {n}" for n in _URL_TAG.findall(text) if n not in own]
        for libraries in _LOAD_TAG.findall(text):
            offences += [
                f"{path.name}: load {lib}"
                for lib in libraries.split()
                if lib.split("_")[0] in APPS and lib.split("_")[0] != "oversight"
            ]
    assert not offences, offences


def test_the_spine_template_check_knows_its_own_pages_and_not_an_apps() -> None:
    own = _spine_url_names()
    assert {"staff-detail", "team-list", "notifications", "logout"} <= own
    assert "supervision-my-team" not in own and "dashboard" not in own
