"""The neighbourhood-name-in-commune rule on hand-made candidates."""

from __future__ import annotations

from loaders.neighbourhoods import Candidate, decide, link_name

QUARTIER = "https://w3id.org/qpvkg/id/quartier/q"


def candidates(*names: str) -> dict[tuple[str, str], set[Candidate]]:
    return {
        (QUARTIER, "2015"): {
            Candidate(f"QP0000{i:02d}", name, "2015", "dataset/qpv-2015")
            for i, name in enumerate(names)
        }
    }


def test_names_are_normalised_and_lose_a_leading_article() -> None:
    assert link_name("Les Beaudottes") == "beaudottes"
    assert link_name("Beaudottes (Les)") == "beaudottes"
    assert link_name("Secteur Nord-Est") == "secteur nord est"
    assert link_name("Quartier St-Jean") == "quartier saint jean"


def test_an_equal_name_wins_over_a_name_that_contains_it() -> None:
    links, unlinked = decide(
        {QUARTIER: {"Secteur Nord"}}, candidates("Secteur Nord-Est", "Secteur Nord")
    )
    assert [(link.qpv_name, link.compared) for link in links] == [("Secteur Nord", "secteur nord")]
    assert unlinked == []


def test_a_name_contained_in_one_qpv_name_links() -> None:
    links, _ = decide(
        {QUARTIER: {"Les Beaudottes"}}, candidates("Les Beaudottes Savigny", "Rougemont")
    )
    assert [link.qpv_name for link in links] == ["Les Beaudottes Savigny"]


def test_a_name_contained_in_several_qpv_names_does_not_link() -> None:
    links, unlinked = decide(
        {QUARTIER: {"Secteur Nord"}}, candidates("Secteur Nord-Est", "Secteur Nord Ouest")
    )
    assert links == []
    assert "several QPV" in unlinked[0].reason


def test_a_part_of_a_word_is_not_a_match() -> None:
    links, unlinked = decide({QUARTIER: {"Nord"}}, candidates("Nordine"))
    assert links == []
    assert "bears its name" in unlinked[0].reason


def test_no_candidate_in_the_commune() -> None:
    links, unlinked = decide({QUARTIER: {"Quartiers Nord"}}, {})
    assert links == [] and unlinked == []
    links, unlinked = decide(
        {QUARTIER: {"Quartiers Nord"}, "other": {"x"}},
        {("other", "2015"): {Candidate("QP000001", "x", "2015", "d")}},
    )
    assert [u.reason for u in unlinked if u.quartier == QUARTIER] == [
        "no QPV of the list in its commune"
    ]
