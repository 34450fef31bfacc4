"""Package data: found in the wheel, in an editable checkout, and never by accident elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import metadata
from importlib import resources as importlib_resources
from pathlib import Path

import pytest

from draaiboek.load import resources

PACKAGED = importlib_resources.files("draaiboek") / "_data"
InstalledAs = Callable[[str | None], None]


class _Dist:
    def __init__(self, direct_url: str | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return self.direct_url


@pytest.fixture
def installed_as(monkeypatch: pytest.MonkeyPatch) -> Iterator[InstalledAs]:
    """installed_as(direct_url) makes draaiboek's metadata say that (None: no direct_url.json;
    "missing": no distribution at all)."""

    def fake(direct_url: str | None) -> None:
        def distribution(name: str) -> _Dist:
            assert name == "draaiboek"
            if direct_url == "missing":
                raise metadata.PackageNotFoundError(name)
            return _Dist(direct_url)

        monkeypatch.setattr(metadata, "distribution", distribution)
        resources._editable_checkout.cache_clear()

    yield fake
    resources._editable_checkout.cache_clear()


def test_schemas_and_runbooks_are_found() -> None:
    assert (resources.schemas_dir() / "runbook.schema.json").is_file()
    assert (resources.shipped_runbooks_dir() / "112-onbereikbaar.yaml").is_file()
    assert resources.schema("draaiboek/1")["$schema"].endswith("2020-12/schema")


@pytest.mark.skipif(PACKAGED.is_dir(), reason="runs from an installed wheel: data is packaged")
@pytest.mark.parametrize(
    "direct_url",
    [
        '{"url": "file:///src/draaiboek", "dir_info": {}}',  # pip install /src/draaiboek
        '{"url": "https://example.org/d.whl", "archive_info": {}}',
        None,  # installed without PEP 610 metadata
        "not json",
        "missing",  # no distribution: the source tree is merely on sys.path
    ],
)
def test_a_non_editable_install_never_falls_back_to_a_checkout(
    installed_as: InstalledAs, direct_url: str | None
) -> None:
    installed_as(direct_url)
    with pytest.raises(resources.MissingPackageData, match="package data is missing"):
        resources.shipped_runbooks_dir()


@pytest.mark.skipif(PACKAGED.is_dir(), reason="runs from an installed wheel: data is packaged")
def test_an_editable_install_reads_the_checkout(installed_as: InstalledAs) -> None:
    installed_as('{"url": "file:///work/x", "dir_info": {"editable": true}}')
    checkout = Path(resources.__file__).resolve().parent.parent.parent
    assert resources.schemas_dir() == checkout / "schemas"
