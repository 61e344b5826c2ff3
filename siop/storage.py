"""Static files storage for production: hashed names + compression (WhiteNoise).

Vendored minified assets (Tabulator) end with a ``sourceMappingURL`` comment for a source map we
do not ship; Django's manifest storage would fail ``collectstatic`` on the missing file. Source-map
references are left as they are (browsers only fetch them with developer tools open); ``url()``
and ``@import`` references in CSS are still rewritten to hashed names.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns: Any) -> tuple[Any, ...]:
    kept = []
    for extension, entries in patterns:
        remaining = tuple(
            entry
            for entry in entries
            if "sourceMappingURL" not in (entry if isinstance(entry, str) else entry[0])
        )
        if remaining:
            kept.append((extension, remaining))
    return tuple(kept)


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
