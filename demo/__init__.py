"""The demo company: a realistic, seed-deterministic data set and a completed previous cycle."""
