"""The course draws with matplotlib's public API only (issue 13).

pyproject.toml lets any matplotlib from 3.9 on install, so a private name
(one with a leading underscore, or an internal one such as the tick lists)
could vanish in a minor release and break, or silently slow down, every
widget chart. These tests fail on any such name in the package; the
behaviour the widget canvas relies on is checked in tests/test_charts.py.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

import russia_china

PACKAGE = Path(russia_china.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))

#: Internals without a leading underscore that earlier speed-ups used.
INTERNAL_NAMES = {"majorTicks", "minorTicks", "draw_text_image", "draw_glyphs_to_bitmap", "get_bitmap_offset"}
#: Underscored names that are public protocols, not matplotlib internals.
PROTOCOLS = {"_repr_mimebundle_", "_repr_html_", "_repr_png_", "_ipython_display_", "_asdict", "_replace",
             "_fields", "_make", "_esm", "_css"}


@functools.cache
def _own_private_names() -> frozenset[str]:
    """Underscored names the package defines itself: its functions, classes and attributes."""
    names: set[str] = set()
    for module in MODULES:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
    return frozenset(name for name in names if name.startswith("_"))


def _foreign_private_uses(source: str, own: frozenset[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("matplotlib"):
            module_private = any(part.startswith("_") for part in node.module.split("."))
            names = [alias.name for alias in node.names if alias.name.startswith("_")]
            if module_private or names:
                found.append(f"line {node.lineno}: from {node.module} import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {alias.name}" for alias in node.names
                      if alias.name.startswith("matplotlib") and any(p.startswith("_") for p in alias.name.split("."))]
        elif isinstance(node, ast.Attribute):
            name = node.attr
            dunder = name.startswith("__") and name.endswith("__")
            if name in INTERNAL_NAMES or (name.startswith("_") and not dunder and name not in own | PROTOCOLS):
                found.append(f"line {node.lineno}: .{name}")
    return found


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_uses_a_private_matplotlib_name(module):
    uses = _foreign_private_uses(module.read_text(encoding="utf-8"), _own_private_names())
    assert not uses, (f"{module.name} uses names that are not matplotlib's (or any library's) public API: {uses}. "
                      "Use the public API; see chart_canvas.py for how the widget canvas does.")


def test_the_check_catches_the_names_the_old_speed_up_used():
    """The check must be able to fail: each of the five private names of the old renderer is caught."""
    own = _own_private_names()
    old = """
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib._api import check_in_list
class R(RendererAgg):
    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        font = self._prepare_font(prop)
        self._renderer.draw_text_image(font.get_image(), x, y, angle, gc)
def get_renderer(canvas):
    return canvas._lastKey
def clear(axis, tick):
    axis._copy_tick_props(axis.majorTicks[0], tick)
    return axis.minorTicks
"""
    caught = " ".join(_foreign_private_uses(old, own))
    for name in ("_prepare_font", "_renderer", "draw_text_image", "_lastKey", "_copy_tick_props",
                 "majorTicks", "minorTicks", "matplotlib._api"):
        assert name in caught, name
