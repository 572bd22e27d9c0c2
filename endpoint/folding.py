"""The folding of text that search.rq applies to labels (lower case, no accents), for search
texts and for sorting."""

from __future__ import annotations

import re
import unicodedata

#: The folding search.rq applies to labels, done here to the search text.
FOLD = str.maketrans({"œ": "oe", "-": " ", "'": " ", "’": " "})


def fold(text: str) -> str:
    """Lower case, without accents, hyphens or apostrophes, spaces collapsed."""
    lowered = text.lower().translate(FOLD)
    plain = "".join(
        c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn"
    )
    return re.sub(r"\s+", " ", plain).strip()
