"""Atomic builds of the store, incremental adds, determinism, and the `build` / `export` commands.

The loader, the validator and the reasoner are replaced by small fakes: a fake "report" is a
TriG file holding the report's named graphs; a triple with `ex:invalid` makes it fail
validation, `ex:warning` gives it an issue; reasoning types every AFI as a finding.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib import BNode, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS

from peelkg.cli import main
from peelkg.errors import InputError, ReportFormatError, ValidationFailed
from peelkg.graph import build as bd
from peelkg.graph import store as st
from peelkg.graph import versions
from peelkg.graph.validate import ShaclSeverity, ValidationReport, ValidationResult
from peelkg.model import Issue, Severity
from peelkg.loaders.reference import reference_graph
from peelkg.resources import GRAPH_BASE, ONTOLOGY_GRAPH, REFERENCE_GRAPH, bundled_reports

PEEL = rdflib.Namespace("https://w3id.org/peelkg/ontology#")
ID = rdflib.Namespace("https://w3id.org/peelkg/id/")
EX = rdflib.Namespace("https://example.org/test#")
INSP = "peel-2016-effectiveness"


@dataclass
class FakeBuild:
    """Same shape as peelkg.pipeline.ReportBuild."""

    report_iri: str
    graphs: dict[str, rdflib.Graph]
    issues: list[Issue] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def write_report(folder: Path, force: str, *, afis: int = 2, invalid: bool = False, warning: str | None = None,
                 doubtful: bool = False, force_name: str | None = None, file: str | None = None) -> Path:
    """A fake report file: the report and links graphs of `force` as TriG."""
    key = f"{INSP}/{force}"
    dataset = rdflib.Dataset()
    report = dataset.graph(URIRef(GRAPH_BASE + "report/" + key))
    links = dataset.graph(URIRef(GRAPH_BASE + "links/" + key))
    report_iri = ID[f"report/{key}"]
    report.add((report_iri, RDF.type, PEEL.Report))
    report.add((report_iri, RDFS.label, Literal(f"Report on {force}")))
    for n in range(1, afis + 1):
        afi = ID[f"finding/{key}/q1-afi-{n}"]
        report.add((afi, RDF.type, PEEL.AreaForImprovement))
        report.add((afi, PEEL.text, Literal(f"The force should improve thing {n}.")))
        note = BNode()
        report.add((afi, EX.note, note))
        report.add((note, RDFS.comment, Literal(f"note {n}")))
        links.add((ID[f"link/{key}/q1-afi-{n}/op-x"], PEEL.target, afi))
    if invalid:
        report.add((report_iri, EX.invalid, Literal(True)))
    if warning:
        report.add((report_iri, EX.warning, Literal(warning)))
    if doubtful:
        report.add((report_iri, EX.doubtful, Literal(True)))
    if force_name:
        report.add((report_iri, PEEL.aboutForce, ID[f"force/{force}"]))
        report.add((ID[f"force/{force}"], RDFS.label, Literal(force_name)))
    path = folder / f"{file or force}.trig"
    dataset.serialize(path, format="trig")
    return path


def fake_load_report(path: Path, *, strict: bool = False) -> FakeBuild:
    dataset = rdflib.Dataset()
    dataset.parse(path, format="trig")
    graphs = {}
    for named in dataset.graphs():
        if len(named):
            graph = rdflib.Graph()
            graph += named
            graphs[str(named.identifier)] = graph
    report_iri = next(s for g in graphs.values() for s in g.subjects(RDF.type, PEEL.Report))
    issues = [Issue(Severity.WARNING, str(text), str(path), 1) for g in graphs.values() for text in g.objects(None, EX.warning)]
    return FakeBuild(str(report_iri), graphs, issues)


def fake_validate(graph: rdflib.Graph) -> ValidationReport:
    """Violations for `ex:invalid`, SHACL warnings for `ex:doubtful`."""
    results = [ValidationResult(ShaclSeverity.VIOLATION, str(s), "ex:invalid", "must not be invalid", line=7)
               for s in graph.subjects(EX.invalid, None)]
    results += [ValidationResult(ShaclSeverity.WARNING, str(s), "ex:doubtful", "looks doubtful")
                for s in graph.subjects(EX.doubtful, None)]
    return ValidationReport(conforms=not any(r.severity is ShaclSeverity.VIOLATION for r in results), results=results)


def fake_infer(graph: rdflib.Graph) -> rdflib.Graph:
    inferred = rdflib.Graph()
    for afi in graph.subjects(RDF.type, PEEL.AreaForImprovement):
        inferred.add((afi, RDF.type, PEEL.Finding))
        inferred.add((afi, RDF.type, PEEL.AreaForImprovement))   # already asserted: must not be stored as inferred
    return inferred


@pytest.fixture
def fakes(monkeypatch):
    calls = {"infer": 0}

    def counting_infer(graph):
        calls["infer"] += 1
        return fake_infer(graph)

    monkeypatch.setattr(bd, "load_report", fake_load_report)
    monkeypatch.setattr(bd, "validate", fake_validate)
    monkeypatch.setattr(bd, "infer", counting_infer)
    return calls


@pytest.fixture
def reports(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    return folder


def graph_iri(kind: str, force: str) -> str:
    return f"{GRAPH_BASE}{kind}/{INSP}/{force}"


def read(store_dir: Path, iri: str) -> rdflib.Graph:
    return st.read_graph(st.open_store(store_dir), iri)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def siblings(store_dir: Path) -> list[str]:
    """What lies beside the store, with anything but the lock and published versions in its versions folder."""
    vdir = versions.versions_dir(store_dir)
    found = sorted(path.name for path in store_dir.parent.iterdir() if path.name.lstrip(".").startswith(store_dir.name))
    if vdir.is_dir():
        found += sorted(f"{vdir.name}/{path.name}" for path in vdir.iterdir() if not path.name.isdigit() and path.name != "lock")
    return [name for name in found if name != vdir.name]


def assert_same_dataset(first: Path, second: Path) -> None:
    """Both stores hold the same named graphs, each isomorphic to its counterpart."""
    one, two = st.open_store(first), st.open_store(second)
    assert st.graph_names(one) == st.graph_names(two)
    for iri in st.graph_names(one):
        a, b = st.read_graph(one, iri), st.read_graph(two, iri)
        if not isomorphic(a, b):
            _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
            pytest.fail(f"{iri} differs\nonly in {first}:\n{only_a.serialize(format='nt')}\nonly in {second}:\n{only_b.serialize(format='nt')}")


# --------------------------------------------------------------------------- building


def test_build_loads_report_links_inferred_ontology_and_reference(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    summary = bd.build_store([write_report(reports, "north-police")], store_dir)
    assert summary.store_dir == store_dir.absolute()
    assert [r.key for r in summary.reports] == [f"{INSP}/north-police"]
    assert set(summary.graphs) == {ONTOLOGY_GRAPH, REFERENCE_GRAPH} | {
        graph_iri(k, "north-police") for k in ("report", "links", "inferred")}
    assert summary.graphs[ONTOLOGY_GRAPH] > 0
    assert summary.graphs[REFERENCE_GRAPH] == len(reference_graph())
    inferred = read(store_dir, graph_iri("inferred", "north-police"))
    assert set(inferred) == {(ID[f"finding/{INSP}/north-police/q1-afi-{n}"], RDF.type, PEEL.Finding) for n in (1, 2)}
    assert summary.triples == sum(summary.graphs.values())
    assert {"load", "validate", "reason", "store"} <= set(summary.timings)
    assert siblings(store_dir) == ["store"]


def test_store_opens_read_only_directly(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "north-police")], store_dir)
    store = ox.Store.read_only(str(store_dir))
    assert ox.NamedNode(graph_iri("report", "north-police")) in set(store.named_graphs())


def test_no_reason_skips_reasoning(fakes, reports, tmp_path):
    summary = bd.build_store([write_report(reports, "north-police")], tmp_path / "store", reason=False)
    assert fakes["infer"] == 0
    assert graph_iri("inferred", "north-police") not in summary.graphs


def test_progress_is_reported_per_report(fakes, reports, tmp_path):
    seen = []
    paths = [write_report(reports, "north-police"), write_report(reports, "south-police")]
    bd.build_store(paths, tmp_path / "store", progress=lambda done, total, report: seen.append((done, total, report.key)))
    assert seen == [(1, 2, f"{INSP}/north-police"), (2, 2, f"{INSP}/south-police")]


def test_a_rebuild_replaces_the_whole_store(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "north-police")], store_dir)
    summary = bd.build_store([write_report(reports, "south-police")], store_dir)
    assert st.list_reports(st.open_store(store_dir)) == [f"{INSP}/south-police"]
    assert all("north-police" not in iri for iri in summary.graphs)
    assert siblings(store_dir) == ["store"]


def test_issues_are_carried_and_strict_fails_on_them(fakes, reports, tmp_path):
    path = write_report(reports, "north-police", warning="figure 3 has no caption")
    summary = bd.build_store([path], tmp_path / "store")
    assert [issue.message for issue in summary.issues] == ["figure 3 has no caption"]
    with pytest.raises(InputError, match="figure 3 has no caption"):
        bd.build_store([path], tmp_path / "strict-store", strict=True)
    assert not (tmp_path / "strict-store").exists()


def test_shacl_warnings_become_issues(fakes, reports, tmp_path):
    summary = bd.build_store([write_report(reports, "north-police", doubtful=True)], tmp_path / "store")
    assert [issue.message for issue in summary.issues] == [f"SHACL: {ID[f'report/{INSP}/north-police']} ex:doubtful: looks doubtful"]
    assert summary.issues[0].severity is Severity.WARNING
    with pytest.raises(ValidationFailed, match="looks doubtful.*--strict"):
        bd.build_store([reports / "north-police.trig"], tmp_path / "strict-store", strict=True)


def test_the_same_report_twice_is_refused(fakes, reports, tmp_path):
    path = write_report(reports, "north-police")
    copy = reports / "copy.trig"
    copy.write_bytes(path.read_bytes())
    with pytest.raises(InputError, match="same report"):
        bd.build_store([path, copy], tmp_path / "store")


def test_two_reports_whose_force_names_give_one_key_are_refused_naming_both(fakes, reports, tmp_path):
    first = write_report(reports, "x-police", force_name="Ⅹ Police", file="first")
    third = write_report(reports, "x-police", force_name="Χ Police", file="third")   # a Greek capital chi
    with pytest.raises(InputError, match=r"third.trig: report of 'Χ Police' would get the IRIs of .*first.trig, "
                                         r"the report of 'Ⅹ Police' \(peel-2016-effectiveness/x-police\); the two force names collide"):
        bd.build_store([first, third], tmp_path / "store")


def test_adding_a_report_whose_key_is_taken_by_another_force_is_refused(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "x-police", force_name="Ⅹ Police", file="first")], store_dir)
    with pytest.raises(InputError, match=r"second.trig: report of 'Χ Police' would replace the stored report of 'Ⅹ Police' "
                                         r"\(peel-2016-effectiveness/x-police\); the two force names collide"):
        bd.add_report(write_report(reports, "x-police", force_name="Χ Police", file="second"), store_dir)
    bd.add_report(write_report(reports, "x-police", force_name="X police!", file="again", afis=1), store_dir)
    assert len(read(store_dir, graph_iri("report", "x-police"))) < 10


def test_a_graph_outside_the_report_is_refused(fakes, reports, tmp_path, monkeypatch):
    def stray(path, *, strict=False):
        built = fake_load_report(path)
        built.graphs[GRAPH_BASE + "links/other/force"] = rdflib.Graph()
        return built

    monkeypatch.setattr(bd, "load_report", stray)
    with pytest.raises(InputError, match="not a graph of report"):
        bd.build_store([write_report(reports, "north-police")], tmp_path / "store")


def test_unloadable_data_names_the_report(fakes, reports, tmp_path, monkeypatch):
    def bad_iri(path, *, strict=False):
        built = fake_load_report(path)
        next(iter(built.graphs.values())).add((URIRef("https://example.org/a b"), RDFS.label, Literal("x")))
        return built

    monkeypatch.setattr(bd, "load_report", bad_iri)
    with pytest.raises(st.StoreError, match="north-police.trig: cannot load graphs"):
        bd.build_store([write_report(reports, "north-police")], tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_no_reports_is_an_input_error(fakes, tmp_path):
    with pytest.raises(InputError, match="no report"):
        bd.build_store([], tmp_path / "store")


# --------------------------------------------------------------------------- atomicity


@pytest.fixture
def built(fakes, reports, tmp_path):
    """A store with one report, and its files before anything else happens."""
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "north-police")], store_dir)
    return store_dir, files_of(store_dir), read(store_dir, graph_iri("report", "north-police"))


def assert_untouched(store_dir: Path, files: dict[str, bytes], report: rdflib.Graph) -> None:
    assert files_of(store_dir) == files, "the previous store changed on disk"
    assert isomorphic(read(store_dir, graph_iri("report", "north-police")), report)
    assert st.list_reports(st.open_store(store_dir)) == [f"{INSP}/north-police"]
    assert siblings(store_dir) == ["store"], "a temporary directory was left behind"


def test_a_build_failing_half_way_leaves_the_previous_store(built, reports):
    store_dir, files, report = built
    paths = [write_report(reports, "south-police"), write_report(reports, "west-police", invalid=True)]
    with pytest.raises(ValidationFailed, match="west-police.trig: .*does not conform.*1 violation.*line 7: .*ex:invalid: must not be"):
        bd.build_store(paths, store_dir)
    assert_untouched(store_dir, files, report)


def test_a_loader_error_leaves_the_previous_store(built, reports, monkeypatch):
    store_dir, files, report = built

    def failing(path, *, strict=False):
        raise InputError(f"{path}: not UTF-8")

    good = write_report(reports, "south-police")
    monkeypatch.setattr(bd, "load_report", lambda path, *, strict=False: fake_load_report(path) if path == good else failing(path))
    with pytest.raises(InputError, match="not UTF-8"):
        bd.build_store([good, reports / "broken.txt"], store_dir)
    assert_untouched(store_dir, files, report)


def test_an_interrupted_build_leaves_the_previous_store(built, reports, monkeypatch):
    store_dir, files, report = built

    def interrupted(store, data, graph_iris):
        raise KeyboardInterrupt

    monkeypatch.setattr(st, "load_nquads", interrupted)
    with pytest.raises(KeyboardInterrupt):
        bd.build_store([write_report(reports, "south-police")], store_dir)
    assert_untouched(store_dir, files, report)


def test_a_folder_that_is_not_a_store_is_never_overwritten(fakes, reports, tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.txt").write_text("precious")
    with pytest.raises(st.StoreError, match="not a peelkg store"):
        bd.build_store([write_report(reports, "north-police")], folder)
    assert files_of(folder) == {"thesis.txt": b"precious"}
    assert siblings(folder) == ["documents"]


def test_leftovers_of_killed_builds_are_cleaned_up(built, reports):
    store_dir, _, _ = built
    dead = 2**22 + 12345   # above the default pid_max, so never a live process
    for stale in (store_dir.with_name(f"store.building-{dead}"), versions.versions_dir(store_dir) / f"building-{dead}"):
        stale.mkdir()
        (stale / "CURRENT").write_text("half built")
    bd.build_store([write_report(reports, "south-police")], store_dir)
    assert siblings(store_dir) == ["store"]


# --------------------------------------------------------------------------- adding reports


def test_add_puts_a_report_beside_the_others(built, reports):
    store_dir, _, report = built
    summary = bd.add_report(write_report(reports, "south-police"), store_dir)
    assert [r.key for r in summary.reports] == [f"{INSP}/south-police"]
    assert st.list_reports(st.open_store(store_dir)) == [f"{INSP}/north-police", f"{INSP}/south-police"]
    assert isomorphic(read(store_dir, graph_iri("report", "north-police")), report)
    assert ONTOLOGY_GRAPH in summary.graphs
    assert siblings(store_dir) == ["store"]


def test_add_replaces_every_graph_of_a_report(built, reports, tmp_path):
    store_dir, _, _ = built
    bd.add_reports([write_report(reports, "north-police", afis=1)], store_dir)
    fresh = tmp_path / "fresh"
    bd.build_store([reports / "north-police.trig"], fresh)
    assert_same_dataset(store_dir, fresh)


def test_add_without_reasoning_drops_the_old_inferred_graph(built, reports):
    store_dir, _, _ = built
    summary = bd.add_reports([write_report(reports, "north-police")], store_dir, reason=False)
    assert graph_iri("inferred", "north-police") not in summary.graphs


def test_a_failed_add_leaves_the_store(built, reports):
    store_dir, files, report = built
    with pytest.raises(ValidationFailed):
        bd.add_report(write_report(reports, "south-police", invalid=True), store_dir)
    assert_untouched(store_dir, files, report)


def test_add_needs_an_existing_store(fakes, reports, tmp_path):
    with pytest.raises(st.StoreError, match="peelkg build"):
        bd.add_report(write_report(reports, "north-police"), tmp_path / "nowhere")


# --------------------------------------------------------------------------- determinism


def test_two_builds_give_isomorphic_datasets(fakes, reports, tmp_path):
    paths = [write_report(reports, "north-police"), write_report(reports, "south-police", afis=3)]
    bd.build_store(paths, tmp_path / "one")
    bd.build_store(list(reversed(paths)), tmp_path / "two")
    assert_same_dataset(tmp_path / "one", tmp_path / "two")


@pytest.mark.parametrize("fmt", list(st.ExportFormat))
def test_two_builds_export_the_same_bytes(fakes, reports, tmp_path, fmt):
    """Blank nodes (the reports' and the ontology's) get canonical labels, not random ones."""
    paths = [write_report(reports, "north-police"), write_report(reports, "south-police", afis=3)]
    bd.build_store(paths, tmp_path / "one")
    bd.build_store(list(reversed(paths)), tmp_path / "two")
    one, two = st.export(tmp_path / "one", fmt), st.export(tmp_path / "two", fmt)
    assert one == two
    assert b"_:" in one or b'"@id": "_:' in one


def test_a_replaced_report_leaves_no_blank_node_behind_in_the_union(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "north-police")], store_dir)
    bd.add_report(write_report(reports, "north-police", afis=1), store_dir)
    fresh = tmp_path / "fresh"
    bd.build_store([reports / "north-police.trig"], fresh)
    default = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    counts = [next(iter(st.open_store(path).query(default)))["n"].value for path in (store_dir, fresh)]
    assert counts[0] == counts[1]


# --------------------------------------------------------------------------- the commands


def test_build_command_prints_summary_progress_and_issues(fakes, reports, tmp_path):
    paths = [write_report(reports, "north-police", warning="odd line"), write_report(reports, "south-police")]
    result = CliRunner().invoke(main, ["build", *map(str, paths), "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "built 2 report(s)" in result.stdout and str(tmp_path / "store") in result.stdout
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"[1/2] {INSP}/north-police: ")
    assert lines[1].endswith("warning: odd line")
    assert lines[2].startswith(f"[2/2] {INSP}/south-police: ")


def test_build_command_exit_codes(fakes, reports, tmp_path):
    runner = CliRunner()
    invalid = write_report(reports, "north-police", invalid=True)
    result = runner.invoke(main, ["build", str(invalid), "--store", str(tmp_path / "store")])
    assert result.exit_code == 1 and result.stderr.startswith("peelkg: ") and "Traceback" not in result.output
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.txt").write_text("x")
    result = runner.invoke(main, ["build", str(write_report(reports, "south-police")), "--store", str(tmp_path / "folder")])
    assert result.exit_code == 2 and "not a peelkg store" in result.stderr
    result = runner.invoke(main, ["build", "--add", "--store", str(tmp_path / "store")])
    assert result.exit_code == 2 and "--add needs" in result.stderr


def test_build_command_add(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(write_report(reports, "north-police")), "--store", str(store_dir), "--no-reason"]).exit_code == 0
    result = runner.invoke(main, ["build", "--add", str(write_report(reports, "south-police")), "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("added 1 report(s)")
    assert st.list_reports(st.open_store(store_dir)) == [f"{INSP}/north-police", f"{INSP}/south-police"]


def test_export_command(fakes, reports, tmp_path):
    store_dir = tmp_path / "store"
    bd.build_store([write_report(reports, "north-police")], store_dir)
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--store", str(store_dir), "--format", "nquads"])
    assert result.exit_code == 0
    assert result.stdout_bytes == st.export(store_dir, st.ExportFormat.NQUADS)
    out = tmp_path / "dump.trig"
    assert runner.invoke(main, ["export", "--store", str(store_dir), "--out", str(out)]).exit_code == 0
    assert out.read_bytes() == st.export(store_dir, st.ExportFormat.TRIG)
    result = runner.invoke(main, ["export", "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "no store" in result.stderr


def test_export_command_offers_every_format():
    export = main.commands["export"]
    choices = next(p.type.choices for p in export.params if p.name == "fmt")
    assert list(choices) == [f.value for f in st.ExportFormat]


# --------------------------------------------------------------------------- the bundled report, for real


@pytest.fixture(scope="module")
def real_store(tmp_path_factory):
    """The bundled reports built with the real loader, validator and reasoner (HermiT: some seconds)."""
    store_dir = tmp_path_factory.mktemp("real") / "store"
    return store_dir, bd.build_store(bundled_reports(), store_dir)


@pytest.mark.slow
def test_the_bundled_report_builds_for_real(real_store):
    from peelkg.pipeline import load_report

    store_dir, summary = real_store
    keys = [report.key for report in summary.reports]
    assert f"{INSP}/essex-police" in keys
    for report in summary.reports:
        for kind in ("report", "links", "inferred"):
            assert f"{GRAPH_BASE}{kind}/{report.key}" in summary.graphs
    assert summary.graphs[graph_iri("report", "essex-police")] > 1000
    assert summary.graphs[graph_iri("inferred", "essex-police")] > 0
    assert summary.graphs[ONTOLOGY_GRAPH] > 0
    store = ox.Store.read_only(str(store_dir))
    essex = next(path for path in bundled_reports() if path.name.startswith("essex"))
    for iri, graph in load_report(essex).graphs.items():
        stored = st.read_graph(store, iri)
        assert isomorphic(stored, graph), f"{iri} changed on its way through the store"


@pytest.mark.slow
def test_a_build_under_another_hash_seed_gives_the_same_store(real_store, tmp_path):
    """Store content depends only on the inputs, not on Python's hash seed (set and dict orders)."""
    store_dir, _ = real_store
    other = tmp_path / "other-seed"
    env = dict(os.environ, PYTHONHASHSEED="123")
    command = [sys.executable, "-c", "from peelkg.cli import main; main()", "build", "--store", str(other)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert_same_dataset(store_dir, other)


def test_the_bundled_report_round_trips_through_the_store(tmp_path):
    """The real loader's graphs come back from the store unchanged (literals, datatypes, blank nodes)."""
    from peelkg.pipeline import load_report

    graphs = load_report(bundled_reports()[0]).graphs
    store = st.create_store(tmp_path / "store")
    st.load_graphs(store, graphs)
    for iri, graph in graphs.items():
        assert isomorphic(st.read_graph(store, iri), graph), f"{iri} changed on its way through the store"


def test_page_breaks_and_line_separators_in_the_report_text_build(tmp_path):
    """pdftotext's form feeds and a U+2028 used to end the build with an N-Quads parser error."""
    from peelkg.pipeline import load_report

    lines = bundled_reports()[0].read_text(encoding="utf-8").split("\n")
    for number in range(60, len(lines), 60):
        lines[number] = "\f" + lines[number]
    lines[400] = lines[400].replace(" ", "\u2028", 1) + "\x85"
    path = tmp_path / "essex-2016-effectiveness.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    graphs = load_report(path).graphs
    store = st.create_store(tmp_path / "store")
    st.load_graphs(store, graphs)
    texts = [str(o) for g in graphs.values() for o in g.objects(None, PEEL.text)]
    assert texts and not any(char in text for text in texts for char in "\f\x85\u2028")


# --------------------------------------------------------------------------- worker processes


def test_workers_build_the_same_store_as_one_process(fakes, reports, tmp_path):
    paths = [write_report(reports, force, afis=n) for n, force in enumerate(("north-police", "south-police", "west-police"), start=1)]
    orders = {}
    for jobs in (1, 2):
        seen = []
        bd.build_store(paths, tmp_path / f"store-{jobs}", jobs=jobs, progress=lambda done, total, report: seen.append(report.key))
        orders[jobs] = seen
    assert orders[1] == orders[2] == [f"{INSP}/{force}" for force in ("north-police", "south-police", "west-police")]
    assert_same_dataset(tmp_path / "store-1", tmp_path / "store-2")


def test_a_report_error_in_a_worker_reaches_the_caller_whole(fakes, reports, tmp_path, monkeypatch):
    def unreadable(path, *, strict=False):
        if path.name.startswith("south"):
            raise ReportFormatError(str(path), "not an inspection report (no grade line)", line=12)
        return fake_load_report(path)

    monkeypatch.setattr(bd, "load_report", unreadable)
    paths = [write_report(reports, "north-police"), write_report(reports, "south-police")]
    with pytest.raises(ReportFormatError) as caught:
        bd.build_store(paths, tmp_path / "store", jobs=2)
    assert (caught.value.line, caught.value.problem) == (12, "not an inspection report (no grade line)")
    assert str(caught.value).endswith("south-police.trig:12: not an inspection report (no grade line)")
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_peelkg_jobs_is_an_input_error(fakes, reports, tmp_path, monkeypatch, value):
    monkeypatch.setenv("PEELKG_JOBS", value)
    with pytest.raises(InputError, match="PEELKG_JOBS"):
        bd.build_store([write_report(reports, "north-police")], tmp_path / "store")


def test_one_report_or_one_job_is_prepared_in_process_and_workers_never_outnumber_reports():
    assert bd.worker_count(jobs=2, reports=1) == 0
    assert bd.worker_count(jobs=1, reports=5) == 0
    assert bd.worker_count(jobs=2, reports=5) == 2
    assert bd.worker_count(jobs=8, reports=3) == 3


def test_a_build_collects_garbage_rarely_but_between_reports_and_restores_the_collector(fakes, reports, tmp_path, monkeypatch):
    paths = [write_report(reports, force) for force in ("north-police", "south-police", "west-police")]
    events: list[str] = []

    def load_report(path, *, strict=False):
        events.append(f"load {gc.get_threshold()[0]}")
        return fake_load_report(path)

    def collect(*args):
        events.append("collect")
        return 0

    monkeypatch.setattr(bd, "load_report", load_report)
    monkeypatch.setattr(bd.gc, "collect", collect)
    before = gc.get_threshold()

    bd.build_store(paths, tmp_path / "store", jobs=1)

    loaded = f"load {bd.BUILD_GC_THRESHOLD}"
    assert events == [loaded, "collect", loaded, "collect", loaded]   # nothing collected after the last: the build is done
    assert gc.get_threshold() == before
