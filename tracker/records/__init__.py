"""What is written, and its history: the store, its journal, submissions and meeting snapshots.

Every change to member records goes through :class:`tracker.records.store.Store` and every write of
it through :mod:`tracker.records.durable`, so a crash at any step loses nothing. A reporting round or
a catalog import belongs here. May import ``loaders``, ``access``, ``settings`` and views (a snapshot
keeps a filtered view); never figures, documents or the CLI: saving a record needs nothing that draws
or renders (``tests/test_layers.py``).
"""
