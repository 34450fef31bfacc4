"""The walk as a pure state machine: (runbooks, events) -> state; state + input -> events.
Imports draaiboek.model (and load/journal types); does no IO and never reads the clock.

inputs: the answers a walk accepts, Rejected · state: WalkState and what it leaves open ·
working, fold: journal events -> WalkState · decide: state + answer -> the events to log ·
values: typed text -> an input's value · parse: typed keys and YAML values -> answers ·
script: scripted answers (answer files, test cases) · operator: who holds the walk ·
deadlines: deadlines and reminders.
"""
