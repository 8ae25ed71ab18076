"""The test world: sandbox, database, Redis namespace, app and workers, wired as the product runs.

Tests (through tests/support), the benchmarks (bench/) and scripts/screenshots.py build
their worlds here, so none of them imports another's code and the product never imports this.
"""
