"""Writing the views: every network page, a page per finding and initiative, and the index."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import rdflib

from peelkg.views.detail import finding_page, initiative_page, render_detail
from peelkg.views.entities import TARGET_KINDS, Index
from peelkg.views.index_page import render_index
from peelkg.views.model import ViewData, ViewError
from peelkg.views.network import render_view
from peelkg.views.plan import plan_views


def build_views(graph: rdflib.Graph | ViewData, out_dir: Path, names: Sequence[str] | None = None,
                focus: str | None = None, depth: int = 2, through_hubs: bool = False) -> list[Path]:
    """Write the views, the finding and initiative pages and an index.html linking them into
    `out_dir`; returns the files written, the index last.

    `names`: overview, initiatives-afis, partners, questions (= every core question), q1 … q5;
    none means all of them. `focus` adds the view of the entities labelled (or aliased) `focus`,
    out to `depth` steps, crossing hubs only on the first step unless `through_hubs`.
    """
    data, views = plan_views(graph, names, focus, depth, through_hubs)
    index = Index(data)
    out_dir = Path(out_dir)
    mode = _file_mode()
    written = [write(out_dir, view.path, render_view(view, index), mode) for view in views]
    for report in data.reports:
        for finding in index.findings(report, TARGET_KINDS):
            page = finding_page(index, finding, report)
            written.append(write(out_dir, page.path, render_detail(page), mode))
        for initiative in index.initiatives(report):
            page = initiative_page(index, initiative, report)
            written.append(write(out_dir, page.path, render_detail(page), mode))
    written.append(write(out_dir, "index.html", render_index(data, index, views), mode))
    return written


def _file_mode() -> int:
    """The mode a file the user asks for gets: 0666 less the process's umask (read once, restored)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write(out_dir: Path, relative: str, text: str, mode: int | None = None) -> Path:
    """Write UTF-8 text atomically (temporary file, then rename) at a path inside `out_dir`,
    with the permissions of an ordinary new file (the umask's), not the temporary file's 0600."""
    root = out_dir.resolve()
    target = (root / relative).resolve()
    if root != target and root not in target.parents:
        raise ViewError(f"{relative}: refusing to write outside {out_dir}")
    temp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp", delete=False) as handle:
            temp = Path(handle.name)
            handle.write(text)
        os.chmod(temp, _file_mode() if mode is None else mode)
        os.replace(temp, target)
    except OSError as error:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise ViewError(f"{target}: cannot write the view ({error.strerror or error})") from error
    return target
