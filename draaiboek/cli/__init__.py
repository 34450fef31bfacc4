"""The Typer app: parse arguments, call a service, render with rich, pick the exit code.
The only layer that may import typer, rich or click.
"""
