"""JupyterLab's first run for `make lab`: no news pop-up, and the lessons trusted.

Left alone, JupyterLab greets a new student with a "get notified about news"
pop-up over the first lesson and opens every lesson as "not trusted". Both are
settings of the student's own JupyterLab; writing them into ~/.jupyter would
change every other project too. So `make lab` points JUPYTER_CONFIG_DIR and
JUPYTER_DATA_DIR at a folder of the course's own (inside .venv, so `make clean`
removes it) and this module fills that folder in. The browser tests configure
their server the same way.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary

#: The announcements extension is the news pop-up; disabling it also stops its requests to the network.
PAGE_CONFIG = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
#: Written only where the student has no setting of their own yet.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                       "checkForUpdates": False},
}


def config_dir(home: Path) -> Path:
    return home / "config"


def data_dir(home: Path) -> Path:
    return home / "data"


def _write_page_config(config: Path) -> None:
    path = config / "labconfig" / "page_config.json"
    current = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    disabled = {**current.get("disabledExtensions", {}), **PAGE_CONFIG["disabledExtensions"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**current, "disabledExtensions": disabled}, indent=2), encoding="utf-8")


def _write_settings(config: Path) -> None:
    # JupyterLab's default user-settings folder under JUPYTER_CONFIG_DIR.
    for relative, values in SETTINGS.items():
        path = config / "lab" / "user-settings" / relative
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2), encoding="utf-8")


def trust(notebooks: Iterable[Path], data: Path) -> list[Path]:
    """Sign the notebooks in the course's own signature database; returns those newly signed."""
    data.mkdir(parents=True, exist_ok=True)
    signed = []
    with NotebookNotary(data_dir=str(data)) as notary:
        for path in notebooks:
            nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
            if not notary.check_signature(nb):
                notary.sign(nb)
                signed.append(path)
    return signed


def configure(home: Path, notebooks: Iterable[Path]) -> list[Path]:
    """Write the settings under `home` and trust the notebooks; returns those newly trusted."""
    _write_page_config(config_dir(home))
    _write_settings(config_dir(home))
    return trust(notebooks, data_dir(home))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True,
                        help="the course's own Jupyter folder (JUPYTER_CONFIG_DIR is HOME/config, "
                             "JUPYTER_DATA_DIR is HOME/data)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to trust")
    args = parser.parse_args(argv)
    signed = configure(args.home.resolve(), args.notebooks)
    if signed:
        print(f"trusted {len(signed)} notebook(s) for this course's JupyterLab")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
