"""INSEE's territory vocabulary: its namespace and the names of its classes (the store holds no
label for them)."""

from __future__ import annotations

#: French names of INSEE's territory classes (the store holds no label for them).
IGEO_NAMES = {
    "Region": "Régions",
    "Departement": "Départements",
    "Commune": "Communes",
    "CommuneDeleguee": "Communes déléguées",
    "CommuneAssociee": "Communes associées",
    "ArrondissementMunicipal": "Arrondissements municipaux",
    "Intercommunalite": "Intercommunalités (EPCI, EPT)",
}


#: Their English names.
IGEO_NAMES_EN = {
    "Region": "Régions",
    "Departement": "Départements",
    "Commune": "Communes",
    "CommuneDeleguee": "Delegated communes",
    "CommuneAssociee": "Associated communes",
    "ArrondissementMunicipal": "Municipal arrondissements",
    "Intercommunalite": "Intercommunalities (EPCI, EPT)",
}
