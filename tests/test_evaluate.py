"""Scoring the loader against an answer key, and the bar it must clear on the fictional report."""

import pytest
from click.testing import CliRunner

from peelkg.cli import main
from peelkg.errors import InputError
from peelkg.evaluate.evaluate import (
    _Entry,
    evaluate,
    load_key,
    normalise,
    report_for,
    score_names,
)
from tests.paths import WESSEX, WESSEX_KEY


@pytest.fixture(scope="module")
def wessex():
    return evaluate(WESSEX_KEY, links=False)


def test_wessex_bar(wessex):
    """At least 0.9 precision and recall for initiatives and organisations; glossary and figure tables exact."""
    scores = wessex.scores
    for kind in ("initiatives", "organisations"):
        assert scores[kind].precision >= 0.9, (kind, scores[kind].false_positives)
        assert scores[kind].recall >= 0.9, (kind, scores[kind].missed)
    for kind in ("terms", "statistics"):
        assert (scores[kind].precision, scores[kind].recall) == (1.0, 1.0), (kind, scores[kind].missed, scores[kind].false_positives)


def test_wessex_other_kinds(wessex):
    scores = wessex.scores
    for kind in ("places", "judgments", "AFIs"):
        assert scores[kind].recall == 1.0 and scores[kind].precision == 1.0, kind
    assert scores["prose statistics"].recall == 1.0
    assert scores["causes of concern"].recall is None


def test_the_report_is_found_next_to_the_key():
    assert report_for(load_key(WESSEX_KEY), WESSEX_KEY) == WESSEX


def entry(*names):
    return _Entry(names[0], {normalise(n) for n in names})


def test_names_match_ignoring_case_quotes_parentheses_and_the():
    assert normalise("  The Safe  Streets scheme ") == "safe streets scheme"
    assert normalise("(Operation Lantern)") == "operation lantern"
    assert normalise("Clare’s Law") == "clare's law"


def test_a_second_node_for_one_thing_is_a_false_positive_and_neutral_things_do_not_count():
    key = [entry("Operation Kestrel", "Kestrel patrols"), entry("Project Harbour")]
    neutral = [entry("integrated offender management (IOM) scheme")]
    extracted = [entry("Operation Kestrel"), entry("Kestrel patrols"), entry("integrated offender management scheme"),
                 entry("Operation Nothing")]
    score = score_names("initiatives", extracted, key, neutral)
    assert score.matched == 1
    assert score.neutral == ["integrated offender management scheme"]
    assert len(score.false_positives) == 2 and score.missed == ["Project Harbour"]
    assert score.precision == pytest.approx(1 / 3) and score.recall == 0.5


def test_bad_keys_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such answer key"):
        load_key(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("fixture: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_key(broken)
    bare = tmp_path / "bare.gold.yaml"
    bare.write_text("initiatives: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="report_file"):
        evaluate(bare)


def test_eval_command_prints_the_table():
    result = CliRunner().invoke(main, ["eval", str(WESSEX_KEY), "--no-links", "--verbose"])
    assert result.exit_code == 0, result.output
    assert "initiatives" in result.output and "precision" in result.output
    assert "organisations, neutral:" in result.output


def test_eval_command_reports_a_missing_key_in_one_line(tmp_path):
    result = CliRunner().invoke(main, ["eval", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert "no such answer key" in result.output and "Traceback" not in result.output
