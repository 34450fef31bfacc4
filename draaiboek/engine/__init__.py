"""The walk as a pure state machine: (runbooks, events) -> state; state + input -> events.
Imports draaiboek.model.runbook (and load/journal types); does no IO and never reads the clock.
"""
