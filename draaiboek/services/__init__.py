"""What the commands do, as library calls: walk sessions, incidents, reports, graphs, diffs,
printouts, path tests, exercises. Imports every layer below; never typer, rich or click.
"""
