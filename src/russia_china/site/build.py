"""Build the offline course website into one folder (`russia-china site`).

Notebooks are executed two at a time, each in its own kernel, and every page is
written as soon as its notebook has run; the other pages need no kernel.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from ..paths import REPO_ROOT
from . import SiteError, pages
from .notebooks import NotebookPages, execute
from .order import navigation, reading_order


def _empty(output: Path) -> None:
    """Make `output` an empty folder, removing a previous build but nothing else:
    --output may be mistyped, and a folder of someone's files must survive it."""
    if output.exists():
        entries = list(output.iterdir())
        foreign = sorted(p.name for p in entries if p.is_dir() or p.suffix != ".html")
        if foreign or (entries and not (output / "index.html").exists()):
            shown = ", ".join(foreign[:5]) or "HTML files but no index.html"
            raise SiteError(f"{output} is not a site built by this command ({shown}); "
                            "choose an empty or new folder")
        for page in entries:
            page.unlink()
    output.mkdir(parents=True, exist_ok=True)


def build_site(output: Path, jobs: int = 2, root: Path = REPO_ROOT, progress: bool = True) -> list[Path]:
    """Write every page into `output` (a previous build there is replaced); returns the pages in reading order."""
    ordered = reading_order(root)
    _empty(output)
    for index, page in enumerate(ordered):
        if page.notebook is None:
            text = pages.render(page, navigation(ordered, index), ordered, root)
            (output / page.file).write_text(text, encoding="utf-8")

    converter = NotebookPages()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        running = {pool.submit(execute, page.notebook): index
                   for index, page in enumerate(ordered) if page.notebook is not None}
        try:
            for done in tqdm(as_completed(running), total=len(running), desc="executing notebooks",
                             unit="notebook", disable=not progress):
                index = running[done]
                text = converter.render(done.result(), navigation(ordered, index), ordered[index].file)
                (output / ordered[index].file).write_text(text, encoding="utf-8")
        except BaseException:
            # Stop the notebooks still queued; the ones running finish before the pool closes.
            for future in running:
                future.cancel()
            raise
    return [output / page.file for page in ordered]
