"""What long work reports while it runs (the build, the importers); the CLI draws it as rich
progress bars."""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class Progress(Protocol):
    """What the build reports while it works (the CLI draws it as a progress bar)."""

    def step(self, description: str, total: int | None = None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class Silent:
    """Progress reported nowhere but the debug log."""

    def step(self, description: str, total: int | None = None) -> None:
        log.debug("%s", description)

    def advance(self, amount: int = 1) -> None:
        pass
