"""A deterministic synthetic corpus of inspection reports, for measuring speed at scale.

Each synthetic report is a real report text of the same template (a *skeleton*) with the
force name and area, places, neighbouring forces and operation names replaced by invented
ones, grades permuted, some areas for improvement left out or reworded, and figure-table
values scaled. The structure stays that of the template, so the real pipeline loads every
report end to end, and every report names a different force. The word lists and the local
names of each skeleton are data (`corpus.yaml`). The corpus measures speed only; it is
never test truth.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from peelkg.errors import InputError
from peelkg.model import BlockKind, HeadingKind
from peelkg.resources import bundled_reports, package_dir

CORPUS_FILE = "corpus.yaml"
SKELETON_GLOB = "*-effectiveness.txt"


@dataclass(frozen=True)
class SyntheticReport:
    path: Path
    force: str            # the invented force name, e.g. "Thornmere Constabulary"
    skeleton: str         # file name of the report it was made from


@dataclass(frozen=True)
class Skeleton:
    """A report text taken apart once: its lines and where its AFIs and table rows are."""

    name: str
    lines: list[str]                         # lines with their line ends
    force: str
    area: str
    places: list[str]
    neighbours: list[str]
    afi_lists: list[list[tuple[int, int]]]   # per AFI list, the 0-based [start, end] of each bullet
    table_lines: frozenset[int]              # 0-based lines of figure-table rows


def corpus_config() -> dict:
    """The word lists and skeleton name tables (src/peelkg/bench/corpus.yaml)."""
    return yaml.safe_load((package_dir("peelkg.bench") / CORPUS_FILE).read_text(encoding="utf-8"))


def default_skeletons() -> list[Path]:
    """The bundled reports, plus the fictional fixture reports when running from a source checkout."""
    # resolve(): an editable install links each bundled file from the source tree.
    bundled = bundled_reports()
    checkout = bundled[0].resolve().parent.parent.parent if bundled else Path()
    fixtures = checkout / "tests" / "data" / "reports"
    known = set(corpus_config()["skeletons"])
    extra = sorted(p for p in fixtures.glob(SKELETON_GLOB) if p.name in known) if fixtures.is_dir() else []
    return bundled + extra


def generate_corpus(out_dir: Path, count: int, *, seed: int = 2016, skeletons: list[Path] | None = None) -> list[SyntheticReport]:
    """Write `count` synthetic reports into `out_dir` (same seed, same files) and return them in order."""
    config = corpus_config()
    parts = [_skeleton(Path(p), config) for p in (skeletons or default_skeletons())]
    if not parts:
        raise InputError("no skeleton report to build a synthetic corpus from")
    rng = random.Random(seed)
    reserved = {name for s in parts for name in [s.area, *s.places, *s.neighbours]}
    areas = _names(config, rng, count, reserved)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    reports = []
    for index, area in enumerate(areas):
        skeleton = parts[index % len(parts)]
        report_rng = random.Random(f"{seed}:{index}")
        force = f"{area} {report_rng.choice(config['force_suffixes'])}"
        text = _rewrite(skeleton, config, report_rng, force, area, others=[a for a in areas if a != area] or ["Nowhere"])
        path = out_dir / f"{index + 1:04d}-{_slug(force)}.txt"
        path.write_text(text, encoding="utf-8")
        reports.append(SyntheticReport(path, force, skeleton.name))
    return reports


# --------------------------------------------------------------------------- skeletons


@cache
def _segmented(path: Path):
    from peelkg.loaders.read import read_report
    from peelkg.loaders.segment import force_area, segment

    document = segment(read_report(path))
    return document, force_area(document.meta.force_name)


def _skeleton(path: Path, config: dict) -> Skeleton:
    names = config["skeletons"].get(path.name, {})
    document, area = _segmented(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    kinds = {heading.line: heading.kind for heading in document.headings}
    lists: dict[int, list[tuple[int, int]]] = {}
    for block in document.blocks:
        if block.kind is BlockKind.BULLET and kinds.get(block.heading_line) is HeadingKind.AFI and not block.footnote_refs:
            lists.setdefault(block.heading_line, []).append((block.line_start - 1, block.line_end - 1))
    tables = frozenset(
        line - 1 for block in document.blocks if block.kind is BlockKind.TABLE_ROW
        for line in range(block.line_start, block.line_end + 1)
    )
    return Skeleton(path.name, lines, document.meta.force_name, area, list(names.get("places", [])),
                    list(names.get("neighbours", [])), list(lists.values()), tables)


def _names(config: dict, rng: random.Random, count: int, reserved: set[str]) -> list[str]:
    """`count` distinct invented area names."""
    prefixes = sorted(set(config["area_prefixes"]))
    pool = [f"{p} {h}{t}".strip() for p in prefixes for h in config["name_heads"] for t in config["name_tails"]]
    pool = [name for name in pool if name not in reserved]
    if count > len(pool):
        raise InputError(f"a synthetic corpus has at most {len(pool)} reports; asked for {count}")
    rng.shuffle(pool)
    return pool[:count]


# --------------------------------------------------------------------------- one report


def _rewrite(skeleton: Skeleton, config: dict, rng: random.Random, force: str, area: str, others: list[str]) -> str:
    lines = list(skeleton.lines)
    openings = config["afi_openings"]
    dropped: set[int] = set()
    for bullets in skeleton.afi_lists:
        keep = [b for b in bullets if rng.random() >= config["afi_drop_rate"]] or [bullets[0]]
        for start, end in bullets:
            if (start, end) not in keep:
                dropped.update(range(start, end + 1))
            else:
                lines[start] = _reword(lines[start], openings, rng)
    low, high = config["table_value_factor"]
    for index in skeleton.table_lines:
        lines[index] = _scale_first_value(lines[index], rng.uniform(low, high))
    text = "".join(line for index, line in enumerate(lines) if index not in dropped)

    heads, tails = config["name_heads"], config["name_tails"]
    table = {skeleton.force: force, skeleton.area: area, skeleton.area.lower(): _slug(area)}
    for place in skeleton.places:
        table[place] = f"{rng.choice(heads)}{rng.choice(tails)}"
    for neighbour in skeleton.neighbours:
        table[neighbour] = rng.choice(others)
    codes = sorted(set(re.findall(r"\b(?:Operation|Project|Exercise) ([A-Z][a-z]+)\b", text)))
    for old, new in zip(codes, rng.sample(config["code_words"], len(codes))):
        table[old] = new
    text = _substitute(text, table)
    return _permute_grades(text, config["permuted_grades"], rng)


def _substitute(text: str, table: dict[str, str]) -> str:
    """Replace whole words/phrases of `table` in one pass, longest first, so no replacement is replaced again."""
    keys = sorted((k for k in table if k), key=len, reverse=True)
    if not keys:
        return text
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, keys)) + r")(?![\w])")
    return pattern.sub(lambda m: table[m.group(0)], text)


def _reword(line: str, openings: dict[str, list[str]], rng: random.Random) -> str:
    for old, choices in openings.items():
        if old in line:
            return line.replace(old, rng.choice(choices), 1)
    return line


VALUE = re.compile(r"^(\d+)\.(\d+)(%?)$")


def _scale_first_value(line: str, factor: float) -> str:
    """Scale the force's value: the first decimal cell of a table row (totals of 100.00 stay)."""
    body = line.rstrip("\r\n")
    cells = body.split("\t")
    for i, cell in enumerate(cells):
        match = VALUE.match(cell.strip())
        if match and cell.strip() not in ("100.00", "100.0%"):
            places = len(match.group(2))
            value = min(float(f"{match.group(1)}.{match.group(2)}") * factor, 99.9)
            cells[i] = cell.replace(cell.strip(), f"{value:.{places}f}{match.group(3)}")
            break
    return "\t".join(cells) + line[len(body):]


def _permute_grades(text: str, grades: list[str], rng: random.Random) -> str:
    """Permute grades consistently in grade lines and in prose such as 'is good at'."""
    mapping = dict(zip(grades, rng.sample(grades, len(grades))))
    lower = {k.lower(): v.lower() for k, v in mapping.items()}
    words = "|".join(map(re.escape, grades))
    text = re.sub(rf"(?m)^(\s*(?:.*\?\s+)?)({words})(\s*)$", lambda m: m.group(1) + mapping[m.group(2)] + m.group(3), text)
    prose = re.compile(rf"\b(is|be|been|was|were) ({'|'.join(map(re.escape, lower))}) (at|in)\b")
    return prose.sub(lambda m: f"{m.group(1)} {lower[m.group(2)]} {m.group(3)}", text)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
