"""The command line speaks one language: help, error lines and prompts follow --lang or
DRAAIBOEK_LANG (Dutch by default), and an incident resumes in the language it was started in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer.main
from typer.testing import CliRunner

import draaiboek.cli.main  # noqa: F401  (importing it registers every command on the app)
from draaiboek.cli import helptext
from draaiboek.cli.app import app
from draaiboek.cli.language import language_asked
from draaiboek.model.catalogue import LANGUAGES, catalogue

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "valid"
RB = ["--runbooks", str(CORPUS)]
UNSET = ("DRAAIBOEK_RUNBOOKS", "DRAAIBOEK_LANG", "DRAAIBOEK_OPERATOR", "DRAAIBOEK_HOME")
# decision 1, action, checklist item, item, input, the sub-procedure's action: English keys
# and Dutch ones mixed, as a duty officer used to either may type them.
ANSWERS_MIXED = "1\ny\nj\nyes\n12:30\ny\n"


def run(home: Path, args: list[str], input: str = "", **env: str) -> tuple[int, str]:
    """`draaiboek ARGS` in-process with a clean environment plus `env`: exit code, output."""
    clean: dict[str, str | None] = {name: None for name in UNSET}
    clean.update(COLUMNS="100", NO_COLOR="1", DRAAIBOEK_HOME=str(home), **env)
    result = CliRunner().invoke(app, args, input=input, env=clean)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def start(home: Path, input: str, *extra: str) -> tuple[int, str]:
    args = ["start", "every-step-type", *RB, "--operator", "Jan", "--incident", "x", *extra]
    return run(home, args, input)


# --- help ---------------------------------------------------------------------------------------


def test_every_command_and_parameter_has_help_in_every_language() -> None:
    root = typer.main.get_command(app)
    seen = 0
    wanted: set[str] = set()
    for path, command in helptext.commands(root):
        wanted.add(helptext.command_key(path))
        wanted.update(k for param in command.params for k in helptext.parameter_keys(path, param))
        for lang in LANGUAGES:
            texts = catalogue(lang)
            assert texts.get(helptext.command_key(path), "").strip(), (lang, path)
            for param in command.params:
                keys = helptext.parameter_keys(path, param)
                assert any(texts.get(key, "").strip() for key in keys), (lang, path, keys)
                seen += 1
    assert seen > 50  # the walk still finds the parameters
    # and no help text is left over from a command or option that is gone ("help.text" is the
    # walk's own /? help)
    left_over = {k for k in catalogue("nl") if k.startswith("help.") and k != "help.text"}
    assert sorted(left_over - wanted) == []


@pytest.mark.parametrize(
    ("args", "env", "says", "not_says"),
    [
        (["start", "--help"], {}, "Begin een incident", "Start an incident"),
        (["start", "--help", "--lang", "en"], {}, "Start an incident", "Begin een incident"),
        (["--lang", "en", "start", "--help"], {}, "Start an incident", "Begin een incident"),
        (["start", "--help"], {"DRAAIBOEK_LANG": "en"}, "Start an incident", "Begin"),
        (["--help"], {}, "stap voor stap", "one step at a time"),
        (["--lang=en", "--help"], {}, "one step at a time", "stap voor stap"),
        (["db", "--help"], {}, "landelijke opslag", "national store"),
        (["--lang", "en", "db", "add-station", "-h"], {}, "Station name", "Naam van"),
    ],
)
def test_help_follows_the_language(
    tmp_path: Path, args: list[str], env: dict[str, str], says: str, not_says: str
) -> None:
    code, output = run(tmp_path, args, **env)
    assert code == 0, output
    flat = " ".join(output.split())
    assert says in flat and not_says not in flat


def test_help_shows_its_text_literally(tmp_path: Path) -> None:
    """Typer reads help as rich markup: "(standaard: ...)" and "<runbooks>" must survive."""
    code, output = run(tmp_path, ["exercise", "--help", "--lang", "en"])
    flat = " ".join(output.replace("│", " ").split())
    assert code == 0 and "Scenario id (in <runbooks>/scenarios/) or scenario file." in flat
    code, output = run(tmp_path, ["start", "--help"])
    assert "(standaard: één keer gevraagd)" in " ".join(output.replace("│", " ").split())


def test_a_help_text_that_looks_like_markup_is_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.group()
    def root() -> None: ...

    @root.command()
    @click.option("--x")
    def sub(x: str) -> None: ...

    texts = {"help.app": "[bold]root[/]", "help.sub": "sub [red]", "help.sub.x": "[link=y]x"}
    monkeypatch.setattr(helptext, "catalogue", lambda lang: texts)
    helptext.localize(root, "nl")
    assert root.help == "\\[bold]root\\[/]"
    assert sub.help == "sub \\[red]"
    option = sub.params[0]
    assert isinstance(option, click.Option) and option.help == "\\[link=y]x"


def test_version_stays_light() -> None:
    """`draaiboek --version` (the installed entry point) reads no catalogue, builds no help and
    loads no command tree: start-up stays fast."""
    code = (
        "import sys; from draaiboek.cli.entry import main; main(['--version']); "
        "from draaiboek.model.catalogue import catalogue; "
        "print(sorted(m for m in ('rich.markup', 'draaiboek.cli.helptext', 'draaiboek.cli.main', "
        "'typer') if m in sys.modules)"
        " + [catalogue.cache_info().currsize])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert done.returncode == 0, done.stderr
    version, loaded = done.stdout.splitlines()
    assert version.startswith("draaiboek ") and loaded == "[0]"


# --- the language asked for ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["start", "x", "--lang", "en"], {}, "en"),
        (["--lang=en", "start"], {}, "en"),
        (["start"], {"DRAAIBOEK_LANG": "en"}, "en"),
        (["start", "--lang", "nl"], {"DRAAIBOEK_LANG": "en"}, "nl"),
        (["start", "--lang", "fr"], {}, None),
        (["start", "--lang", "en", "--lang", "fr"], {}, "en"),  # the last one with texts
        (["start", "--", "--lang", "en"], {}, None),  # after `--` it is an argument
        (["start", "--lang"], {}, None),
        (["start"], {"DRAAIBOEK_LANG": "xx"}, None),
    ],
)
def test_the_language_asked_for(args: list[str], env: dict[str, str], expected: str | None) -> None:
    assert language_asked(args, env) == expected


# --- error lines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["validate", "/nergens/x.yaml"], {}, "bestaat niet"),
        (["--lang", "en", "validate", "/nergens/x.yaml"], {}, "does not exist"),
        (["validate", "/nergens/x.yaml"], {"DRAAIBOEK_LANG": "en"}, "does not exist"),
        (["graph", "every-step-type", *RB, "-f", "svg"], {}, "onbekend formaat 'svg'"),
        (["graph", "every-step-type", *RB, "-f", "svg", "--lang", "en"], {}, "choose mermaid"),
        (["runbooks", *RB, "--lang", "fr"], {}, "onbekende taal 'fr': kies uit nl, en"),
    ],
)
def test_error_lines_follow_the_language(
    tmp_path: Path, args: list[str], env: dict[str, str], says: str
) -> None:
    code, output = run(tmp_path, args, **env)
    assert code == 2 and output.startswith("draaiboek: ") and says in output, output


# --- prompts ------------------------------------------------------------------------------------


def test_english_prompts_offer_english_keys_and_accept_both(tmp_path: Path) -> None:
    code, output = start(tmp_path, ANSWERS_MIXED, "--lang", "en")
    assert code == 0, output
    assert "y = done · n <reason> = not possible · l = later" in output
    assert "y / n <reason> / l" in output
    assert "j =" not in output and "j /" not in output


def test_no_english_text_offers_the_dutch_yes_key() -> None:
    english = catalogue("en")
    for key in [k for k in english if k.startswith(("prompt.", "rejected.")) or k == "help.text"]:
        words = english[key].replace("/", " ").replace(",", " ").split()
        assert "j" not in words, key


# --- resuming -----------------------------------------------------------------------------------


def _events(home: Path) -> list[dict[str, object]]:
    lines = (home / "incidents" / "x" / "journal.jsonl").read_bytes().splitlines()
    return [json.loads(line) for line in lines if line]


@pytest.mark.parametrize(
    ("extra", "env", "says", "not_says"),
    [
        ([], {}, "y = done", "j = gedaan"),  # as it was started
        (["--lang", "nl"], {}, "j = gedaan", "y = done"),
        ([], {"DRAAIBOEK_LANG": "nl"}, "j = gedaan", "y = done"),
    ],
)
def test_an_incident_resumes_in_the_language_it_was_started_in(
    tmp_path: Path, extra: list[str], env: dict[str, str], says: str, not_says: str
) -> None:
    code, output = start(tmp_path, "1\n/p\n", "--lang", "en")  # paused at the action
    assert code == 0 and "y = done" in output, output
    assert _events(tmp_path)[0]["lang"] == "en"
    args = ["resume", "x", *RB, "--operator", "Jan", *extra]
    code, output = run(tmp_path, args, "/p\n", **env)
    assert code == 0, output
    assert says in output and not_says not in output
