"""The folding of labels and search texts before they are compared (lower case, no accents),
and for sorting."""

from __future__ import annotations

import re
import unicodedata

#: How labels and the search text are folded before they are compared.
FOLD = str.maketrans({"œ": "oe", "-": " ", "'": " ", "’": " "})


def fold(text: str) -> str:
    """Lower case, without accents, hyphens or apostrophes, spaces collapsed."""
    lowered = text.lower().translate(FOLD)
    plain = "".join(
        c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn"
    )
    return re.sub(r"\s+", " ", plain).strip()
