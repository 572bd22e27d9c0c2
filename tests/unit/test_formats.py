"""Values shown to people: numbers, sizes, dates, booleans and typed literals in French and
English, and French's "de" before a name."""

from __future__ import annotations

import pytest

from endpoint.formats import date_text, literal_text, number_text, of_name, size_text

XSD = "http://www.w3.org/2001/XMLSchema#"
NNBSP = "\u202f"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (52535, f"52{NNBSP}535", "52,535"),
        (-1234567, f"-1{NNBSP}234{NNBSP}567", "-1,234,567"),
        ("1234.50", f"1{NNBSP}234,5", "1,234.5"),
        (0, "0", "0"),
        ("not a number", "not a number", "not a number"),
    ],
)
def test_numbers_are_grouped_as_each_language_writes_them(value: object, fr: str, en: str) -> None:
    assert number_text(value, "fr") == fr  # type: ignore[arg-type]
    assert number_text(value, "en") == en  # type: ignore[arg-type]


def test_sizes_are_in_decimal_units_of_the_language() -> None:
    assert size_text(7653256, "fr") == f"7,7{NBSP}Mo"
    assert size_text(7653256, "en") == f"7.7{NBSP}MB"
    assert size_text(512, "fr") == "512 octets" and size_text(512, "en") == "512 bytes"
    assert size_text(1_500_000_000, "en") == f"1.5{NBSP}GB"
    assert size_text(None) == ""


def test_dates_are_spelt_out() -> None:
    assert date_text("2026-12-03", "fr") == "3 décembre 2026"
    assert date_text("2026-12-01", "fr") == "1er décembre 2026"
    assert date_text("2026-12-03", "en") == "3 December 2026"
    assert date_text("2026-12-03T05:46:14Z", "fr") == "3 décembre 2026 à 05:46 UTC"
    assert (
        date_text("2026-12-03T05:46:14.120+01:00", "en") == "3 December 2026 at 05:46 (UTC+01:00)"
    )
    assert date_text("2026-13-03", "fr") is None and date_text("soon", "en") is None


def test_typed_literals_are_shown_for_people_and_others_as_they_are() -> None:
    assert literal_text("52535", f"{XSD}integer", "fr").text == f"52{NNBSP}535"
    assert literal_text("52535", f"{XSD}integer", "en").text == "52,535"
    assert literal_text("true", f"{XSD}boolean", "fr").text == "oui"
    assert literal_text("false", f"{XSD}boolean", "en").text == "no"
    assert literal_text("0.25", f"{XSD}decimal", "fr").text == "0,25"
    assert literal_text("2024-01-01", f"{XSD}date", "en").text == "1 January 2024"
    assert literal_text("2006", f"{XSD}gYear", "fr").text == "2006"
    shown = literal_text("x12", f"{XSD}integer", "fr")  # malformed: as it is, with its type
    assert shown.text == "x12" and not shown.formatted
    assert not literal_text("93066", None, "fr").formatted  # a code stays a code
    assert not literal_text("abc", f"{XSD}hexBinary", "fr").formatted


@pytest.mark.parametrize(
    ("name", "fr"),
    [
        ("Adive", "d'Adive"),
        ("Écume", "d'Écume"),
        ("Le Comptoir", "du Comptoir"),
        ("Les Ateliers", "des Ateliers"),
        ("La Coursive Boutaric", "de la Coursive Boutaric"),
        ("L'Atelier", "de l'Atelier"),
        ("Plaine Commune", "de Plaine Commune"),
    ],
)
def test_french_elides_and_contracts_de_before_a_name(name: str, fr: str) -> None:
    assert of_name(name, "fr") == fr
    assert of_name(name, "en") == f"of {name}"
