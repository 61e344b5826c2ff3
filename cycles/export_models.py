"""The run record of a background file export (an XLSX workbook), on the shared run lifecycle.

One model for every export of every stage (``cycles.exports``): the registered exporter's name
and parameters say what is exported; ``key`` names the data the file shows (exporter,
parameters, the reader's family scope and the data versions it was built from), so a finished
export of unchanged data is served again instead of rebuilt; ``audience`` is the family scope
it was built for, so only a reader seeing the same families may download it.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from cycles.runs import CalculationRun


class ExportRun(CalculationRun):
    """An export built by a worker (``cycles.export`` task) into a stored file."""

    task_name: ClassVar[str] = "cycles.export"
    # The file goes once the export is older than EXPORT_RETENTION_HOURS (cycles.run_pruning).
    pruned_files: ClassVar[tuple[str, ...]] = ("file",)

    exporter = models.CharField(max_length=40, help_text="Registered exporter (cycles.exports).")
    params = models.JSONField(default=dict, blank=True, help_text="The exporter's parameters.")
    key = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the data shown.")
    audience = models.CharField(max_length=64, help_text="SHA-256 of the family scope.")
    title = models.CharField(max_length=255, blank=True, help_text="What the file holds.")
    filename = models.CharField(max_length=200, help_text="The download's file name.")
    back_url = models.CharField(max_length=500, blank=True, help_text="The page it came from.")
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, max_length=255)
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes of the stored file.")
