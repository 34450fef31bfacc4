"""Frozen data every layer shares: the runbook model, findings, the message catalogue,
versions, durations and the default time zone. Imports nothing from draaiboek.
"""
