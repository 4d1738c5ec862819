"""Chart and widget code for each lesson, importable so tests can build every
widget the lessons show.

Each module maps to one notebook and exposes ``WIDGETS``: a dict from a short
name to a factory that takes no required arguments (it loads its data from
``data/``) and returns a :class:`~russia_china.widgets.ChartWidget`. The draw
functions are plain pandas + seaborn, so students can read them with ``??``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

from ..widgets import ChartWidget

#: Notebook number -> module name in this package.
LESSON_MODULES = {
    "00": "introduction",
    "01": "history",
    "02": "economics",
    "03": "military",
    "04": "regional",
    "05": "claims",
    "06": "forecasts",
}


def lesson_module(number: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{LESSON_MODULES[number]}")


def all_widget_factories() -> dict[str, Callable[[], ChartWidget]]:
    """Every widget factory of every lesson module that exists, keyed 'NN:name'."""
    factories = {}
    for number, name in LESSON_MODULES.items():
        try:
            module = lesson_module(number)
        except ModuleNotFoundError as missing:
            if missing.name != f"{__name__}.{name}":
                raise
            continue
        for widget_name, factory in module.WIDGETS.items():
            factories[f"{number}:{widget_name}"] = factory
    return factories
