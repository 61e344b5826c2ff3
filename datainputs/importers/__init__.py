"""The one import service behind uploads and the ERP API.

Flow: ``parse_table`` (CSV/XLSX bytes -> raw string rows) -> ``validate_rows`` (types, foreign
keys, duplicates, family scope; every problem as a ``RowError``) -> ``write_rows`` (upsert on the
natural key inside one transaction, counting created/updated/unchanged). Any error means nothing
is written: imports are all-or-nothing.
"""

from datainputs.importers.parsing import TableParseError, parse_table
from datainputs.importers.specs import SPECS, ImportSpec, get_spec
from datainputs.importers.validation import RowError, ValidationResult, validate_rows
from datainputs.importers.writer import WriteCounts, write_rows

__all__ = [
    "SPECS",
    "ImportSpec",
    "RowError",
    "TableParseError",
    "ValidationResult",
    "WriteCounts",
    "get_spec",
    "parse_table",
    "validate_rows",
    "write_rows",
]
