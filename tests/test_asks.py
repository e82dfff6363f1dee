"""Asks: what a finding asks the force to do, read from its own words."""

import pytest

from peelkg.loaders.asks import parse_ask, with_asks
from peelkg.model import Finding, FindingKind

CASES = [
    ("The force should evaluate and share effective practice routinely, both internally and with partner "
     "organisations, to continually improve its approach to the prevention of crime and anti-social behaviour.",
     "evaluate and share", "effective practice", "routinely, both internally and with partner organisations",
     "to continually improve its approach to the prevention of crime and anti-social behaviour"),
    ("The force should develop further its serious and organised crime local profile, in conjunction with other "
     "policing authorities, to enhance its understanding of the threat.",
     "develop further", "its serious and organised crime local profile", "in conjunction with other policing authorities",
     "to enhance its understanding of the threat"),
    ("The force should ensure that processes to reduce outstanding offenders are consistently applied so that the "
     "processes are effective and efficient across the whole force.",
     "ensure", "processes to reduce outstanding offenders", "", None),
    ("The force should continue to develop an effective county multi-agency safeguarding hub so that victims are "
     "offered the best possible multi-agency service.",
     "continue to develop", "an effective county multi-agency safeguarding hub", "",
     "so that victims are offered the best possible multi-agency service"),
    ("The force should engage routinely with partner agencies at a senior level to enhance intelligence sharing.",
     "engage with", "partner agencies", "routinely, at a senior level", "to enhance intelligence sharing"),
    ("The force should make greater use of ancillary orders, such as serious crime prevention orders, to restrict "
     "the activities of organised criminals.",
     "make greater use of", "ancillary orders, such as serious crime prevention orders", "", "to restrict the activities of organised criminals"),
    # a previous finding, quoted with its reporting words
    ("In HMIC's 2015 effectiveness report, we said that Wessex Constabulary should improve the way it locates and "
     "arrests wanted persons.", "improve", "the way it locates and arrests wanted persons", "", ""),
    ("HMIC's 2015 effectiveness report identified one area for improvement for Wessex Constabulary in this area: that "
     "the force should routinely evaluate its problem-solving activity so that it understands which approaches work.",
     "routinely evaluate", "its problem-solving activity", "", "so that it understands which approaches work"),
    # a cause of concern states the problem: the ask is to do what is not done
    ("Mercia Vale Police does not identify vulnerable victims at the first point of contact.",
     "identify", "vulnerable victims at the first point of contact", "", ""),
    # a recommendation in a list
    ("ensure that control room staff identify repeat and vulnerable victims at the first point of contact; and",
     "ensure", "control room staff identify repeat and vulnerable victims at the first point of contact", "", ""),
    # a previous finding that names a problem only
    ("the force's response to missing and absent children", "", "the force's response to missing and absent children", "", ""),
]


@pytest.mark.parametrize("text, action, object_, scope, purpose", CASES)
def test_an_ask_is_its_action_object_scope_and_purpose(text, action, object_, scope, purpose):
    ask = parse_ask(text)
    assert ask is not None
    assert (ask.action, ask.object) == (action, object_)
    if scope is not None:
        assert ask.scope == scope
    if purpose is not None:
        assert ask.purpose == purpose


def test_only_findings_that_ask_something_carry_an_ask():
    findings = [Finding("q1-afi-1", FindingKind.AFI, "q1", "The force should review its plans.", [3]),
                Finding("q1-summary", FindingKind.SUMMARY, "q1", "The force should review its plans.", [4])]
    asked, summary = with_asks(findings)
    assert asked.ask is not None and asked.ask.action == "review" and asked.ask.object == "its plans"
    assert summary.ask is None and findings[0].ask is None    # the input is left as it was


def test_nothing_left_to_ask_about_is_no_ask():
    assert parse_ask("") is None
    assert parse_ask("The force should ensure that.") is None
