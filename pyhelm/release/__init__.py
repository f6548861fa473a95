"""Releases: installed charts and their revisions, kept in the target cluster as Helm keeps them.

``model`` (Release, Status), ``codec`` and ``drivers`` (Helm's Secret layout, split records),
``storage`` (history, last, deployed, pruning), ``lock`` (pending lock, lease, signals),
``objects`` (manifests, ownership, deletion order), ``hooks``, ``wait`` (kstatus readiness),
``diff``, ``printer`` (Helm's outputs) and ``actions`` (one module per verb).
"""
