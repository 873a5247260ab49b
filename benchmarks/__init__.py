"""Performance benchmarks: ingest against a naive baseline, page runs, memory, cold start, load.

Not part of the test run. ``python -m benchmarks.run`` (or ``make bench``) measures
and prints a table; ``python -m benchmarks.loadtest`` loads one server with
concurrent sessions. Generated data goes to ``benchmarks/.data/`` (git-ignored).
See ``benchmarks/README.md`` for what each number means and ``RESULTS.md`` for a
recorded run.
"""
