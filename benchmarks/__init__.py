"""Benchmark scripts: run each as `python benchmarks/<name>.py`; they print figures."""
