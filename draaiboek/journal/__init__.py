"""The append-only, hash-chained incident journal: the only code that knows its on-disk format.
Imports draaiboek.model.runbook at most; never YAML or runbook loading.
"""
