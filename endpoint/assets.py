"""The static files, with how long browsers may keep them: the vendored libraries (whose files
change only with their version, see static/vendor/*/package.json) for a week, the project's
own scripts and styles revalidated on each use (their ETag and Last-Modified answer 304)."""

from __future__ import annotations

import os

from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

VENDOR_MAX_AGE = 7 * 24 * 3600


class Assets(StaticFiles):
    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        vendored = str(scope.get("path", "")).startswith("/static/vendor/")
        response.headers["Cache-Control"] = (
            f"public, max-age={VENDOR_MAX_AGE}" if vendored else "no-cache"
        )
        return response
