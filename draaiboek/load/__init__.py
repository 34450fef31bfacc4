"""YAML -> nodes with positions -> JSON Schema -> semantic checks -> immutable model.
Imports draaiboek.model.runbook only; never the journal.
"""
