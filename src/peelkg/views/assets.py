"""The views' declarative parts: style.json, options.json, the Jinja templates, CSS and scripts,
and the vis-network bundle that ships inside pyvis."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from peelkg.errors import PeelkgError
from peelkg.resources import package_dir
from peelkg.views.text import plural, words

VIS_JS = ("lib", "vis-9.1.2", "vis-network.min.js")


def template_path(name: str) -> Path:
    return package_dir("peelkg.views") / "templates" / name


@cache
def style() -> dict:
    """Colours, shapes and labels per kind of node, grade and relation (templates/style.json)."""
    return json.loads(template_path("style.json").read_text(encoding="utf-8"))


@cache
def base_options() -> dict:
    """vis-network options every network page starts from (templates/options.json)."""
    return json.loads(template_path("options.json").read_text(encoding="utf-8"))


def grade_style(grade: str) -> dict:
    grades = style()["grades"]
    return grades.get(grade, {"label": words(grade), "color": "#bababa", "text": "#000000"})


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(package_dir("peelkg.views") / "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["plural"] = plural
    return env


def asset(name: str) -> Markup:
    """A CSS or script file of the templates folder, inlined as is (it holds no text from the graph)."""
    return Markup(template_path(name).read_text(encoding="utf-8"))


@cache
def vis_javascript() -> str:
    """The vis-network bundle shipped inside the pyvis package, safe to inline in a <script>."""
    spec = importlib.util.find_spec("pyvis")     # found, not imported: pyvis imports IPython (seconds)
    try:
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError("pyvis is not installed")
        text = Path(spec.submodule_search_locations[0]).joinpath(*VIS_JS).read_text(encoding="utf-8")
    except OSError as error:
        raise PeelkgError(f"cannot read vis-network from the pyvis package ({error}); reinstall pyvis") from error
    return text.replace("</script", "<\\/script")
