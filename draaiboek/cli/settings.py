"""Where things are: the runbooks folder, the incident home, the language. No IO beyond looking."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from draaiboek.load.resources import shipped_runbooks_dir
from draaiboek.model.catalogue import DEFAULT_LANGUAGE, LANGUAGES


def runbooks_dir(
    given: Path | None, env: Mapping[str, str] = os.environ, cwd: Path | None = None
) -> Path:
    """--runbooks, else DRAAIBOEK_RUNBOOKS, else ./runbooks when present, else the shipped ones."""
    return chosen_runbooks_dir(given, env, cwd) or shipped_runbooks_dir()


def chosen_runbooks_dir(
    given: Path | None, env: Mapping[str, str] = os.environ, cwd: Path | None = None
) -> Path | None:
    """--runbooks, else DRAAIBOEK_RUNBOOKS, else ./runbooks when present; None when no folder
    is chosen (the shipped examples are then the runbooks folder for an id, but a runbook given
    as a file never takes its sub-runbooks or contacts from them)."""
    if given is not None:
        return given
    if env.get("DRAAIBOEK_RUNBOOKS"):
        return Path(env["DRAAIBOEK_RUNBOOKS"])
    local = (cwd or Path.cwd()) / "runbooks"
    return local if local.is_dir() else None


def home_dir(given: Path | None, env: Mapping[str, str] = os.environ) -> Path:
    """--home, else DRAAIBOEK_HOME, else the platform's user data folder."""
    if given is not None:
        return given
    if env.get("DRAAIBOEK_HOME"):
        return Path(env["DRAAIBOEK_HOME"])
    if sys.platform == "win32":
        base = Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "draaiboek"


def language(given: str | None, env: Mapping[str, str] = os.environ) -> str:
    """--lang, else DRAAIBOEK_LANG, else Dutch. ValueError for a language we have no texts for."""
    chosen = given or env.get("DRAAIBOEK_LANG") or DEFAULT_LANGUAGE
    if chosen not in LANGUAGES:
        raise ValueError(f"unknown language {chosen!r}: choose one of {', '.join(LANGUAGES)}")
    return chosen
