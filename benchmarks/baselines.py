"""The baselines that are a Python process of their own (run by run.py with the venv's python).

    python benchmarks/baselines.py yaml FILE_OR_FOLDER...   load every YAML file with libyaml
    python benchmarks/baselines.py json JOURNAL             json.loads every line of a file

Each is the least a tool must do for the same input: `validate` must at least parse every file,
`resume` must at least read and decode every journal line. Standard library and PyYAML only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml


def load_yaml(paths: list[Path]) -> int:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.yaml")) if path.is_dir() else [path])
    loaded: list[Any] = []
    for file in files:
        with open(file, "rb") as handle:
            loaded.append(yaml.load(handle, Loader=yaml.CSafeLoader))
    return len(loaded)


def load_json_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        events = [json.loads(line) for line in handle]
    return len(events)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("yaml", "json"):
        print(__doc__, file=sys.stderr)
        return 2
    paths = [Path(arg) for arg in argv[1:]]
    count = load_yaml(paths) if argv[0] == "yaml" else load_json_lines(paths[0])
    if count == 0:
        print("baselines: nothing was loaded", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
