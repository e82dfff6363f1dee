"""PNG screenshots of the views in headless Chromium, for the README."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from peelkg.errors import first_line
from peelkg.views.model import ViewError
from peelkg.views.plan import MAIN_VIEWS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def save_screenshots(pages: Sequence[Path], out_dir: Path, executable: str = CHROMIUM,
                     size: tuple[int, int] = (1400, 900)) -> list[Path]:
    """PNG screenshots of the index, the main views of the first report, any focus view and the
    finding page with the most to show, taken in headless Chromium once each layout has settled (needs the
    playwright package and Chromium)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise ViewError("screenshots need the playwright package: pip install playwright") from error
    if not Path(executable).exists():
        raise ViewError(f"screenshots need Chromium at {executable}: apt-get install chromium")
    chosen: dict[str, Path] = {}
    for written in pages:
        name = written.stem
        if written.parent.name not in ("findings", "initiatives") and (name in ("index", *MAIN_VIEWS)
                                                                       or name.startswith("focus-")):
            chosen.setdefault(name, written)
    findings = [p for p in pages if p.parent.name == "findings"]
    if findings:     # the finding with the most to show: the largest page
        chosen["finding"] = max(findings, key=lambda p: (p.stat().st_size, p.name))
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = []
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
            page = browser.new_page(viewport={"width": size[0], "height": size[1]})
            for name, path in sorted(chosen.items()):
                page.goto(path.resolve().as_uri())
                if name not in ("index", "finding"):
                    page.wait_for_function("window.peelkgView && window.peelkgView.settled", timeout=120_000)
                    page.wait_for_timeout(300)
                target = out_dir / f"{name}.png"
                temp = out_dir / f".{name}.png.tmp"
                page.screenshot(path=str(temp), full_page=name in ("index", "finding"), type="png")
                os.replace(temp, target)
                shots.append(target)
            browser.close()
    except PlaywrightError as error:
        raise ViewError(f"screenshots failed in Chromium: {first_line(error)}") from error
    return shots
