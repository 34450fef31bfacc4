"""The journal under hostile neighbours: links, other owners, loose modes, a forged holder file.

CI runs as root, and root passes every permission check the kernel makes, so nothing here relies
on the kernel refusing: the checks are draaiboek's own (modes and owners it reads), and where
another user is needed, the user draaiboek believes it runs as is replaced (`current_user`).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from draaiboek.journal import (
    Journal,
    JournalError,
    JournalLocked,
    JournalStorageError,
    private_folder,
    read,
    verify,
)
from draaiboek.journal.files import JOURNAL_NAME

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners, modes and links")

HOLDER = {"operator": "Jan", "pid": str(os.getpid()), "host": "test", "since": "2026-11-23"}
T0 = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


def incident(root: Path, name: str = "inc", events: int = 2) -> Path:
    folder = root / "incidents" / name
    with Journal.create(folder, HOLDER) as journal:
        for n in range(events):
            journal.append("x", "Jan", T0, {"n": n})
    return folder


@pytest.fixture
def another_user(monkeypatch: pytest.MonkeyPatch) -> int:
    """From here on draaiboek believes it runs as user 4242: every file the test made is then
    someone else's."""
    monkeypatch.setattr("draaiboek.journal.safety.current_user", lambda: 4242)
    return 4242


# --- the lock is the journal's own; no links -------------------------------------------------


def test_a_journal_reached_through_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    real = incident(tmp_path)
    other = tmp_path / "incidents" / "other"
    other.mkdir(mode=0o700)
    (other / JOURNAL_NAME).symlink_to(real / JOURNAL_NAME)
    before = (real / JOURNAL_NAME).read_bytes()
    writer, _ = Journal.open(real, HOLDER)  # someone walks the real one meanwhile
    with writer, pytest.raises(JournalError, match="symbolic link") as info:
        Journal.open(other, HOLDER)
    assert "\n" not in str(info.value)
    with pytest.raises(JournalError, match="symbolic link"):
        Journal.open(other, HOLDER)  # refused whether or not someone writes the real one
    with pytest.raises(JournalError, match="symbolic link"):
        verify(other)  # readers do not follow it either
    with pytest.raises(JournalError, match="symbolic link"):
        list(read(other))
    assert (real / JOURNAL_NAME).read_bytes() == before


def test_a_journal_with_two_names_is_refused(tmp_path: Path) -> None:
    real = incident(tmp_path)
    other = tmp_path / "incidents" / "other"
    other.mkdir(mode=0o700)
    os.link(real / JOURNAL_NAME, other / JOURNAL_NAME)
    for folder in (real, other):
        with pytest.raises(JournalError, match="2 names"):
            Journal.open(folder, HOLDER)


def test_the_lock_is_on_the_journal_so_a_second_path_cannot_get_a_second_writer(
    tmp_path: Path,
) -> None:
    """Even if a second name got past the link check, both names lock the same file."""
    from draaiboek.journal import lock

    real = incident(tmp_path)
    journal, _ = Journal.open(real, HOLDER)
    with journal:
        fd = os.open(real / JOURNAL_NAME, os.O_RDONLY)
        try:
            assert lock.is_locked(fd)
        finally:
            os.close(fd)
    fd = os.open(real / JOURNAL_NAME, os.O_RDONLY)
    try:
        assert not lock.is_locked(fd)
    finally:
        os.close(fd)


def test_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "incidents" / "fifo"
    folder.mkdir(mode=0o700, parents=True)
    os.mkfifo(folder / JOURNAL_NAME, 0o600)
    with pytest.raises(JournalError, match="not a regular file"):
        Journal.open(folder, HOLDER)
    with pytest.raises(JournalError, match="not a regular file"):
        verify(folder)


def test_a_linked_holder_file_is_replaced_never_written_through(tmp_path: Path) -> None:
    folder = incident(tmp_path)
    victim = tmp_path / "root-owned.conf"
    victim.write_bytes(b"important=1\n")
    (folder / "writer.json").symlink_to(victim)
    journal, _ = Journal.open(folder, HOLDER)
    with journal:
        assert not (folder / "writer.json").is_symlink()  # replaced by a file of our own
    assert victim.read_bytes() == b"important=1\n"  # the target was never opened for writing


def test_a_second_writer_is_still_told_who_holds_the_journal(tmp_path: Path) -> None:
    folder = incident(tmp_path)
    journal, _ = Journal.open(folder, HOLDER)
    with journal, pytest.raises(JournalLocked) as info:
        Journal.open(folder, {"operator": "Piet"})
    assert info.value.holder == HOLDER and "Jan" in str(info.value)


# --- owner-only, checked ---------------------------------------------------------------------


def test_folders_are_made_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        folder = incident(tmp_path / "home")
    finally:
        os.umask(old)
    for made in (tmp_path / "home", tmp_path / "home" / "incidents", folder):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700, made
    assert stat.S_IMODE((folder / JOURNAL_NAME).stat().st_mode) == 0o600


def test_a_folder_others_can_read_is_tightened_with_a_notice(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    home.chmod(0o755)  # as an earlier version made it
    notice = private_folder(home, create=False)
    assert notice is not None and "0755" in notice and "0700" in notice and "\n" not in notice
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert private_folder(home, create=False) is None  # once is enough


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757, 0o720])
def test_a_folder_others_can_write_is_refused(tmp_path: Path, mode: int) -> None:
    folder = incident(tmp_path)
    folder.parent.chmod(mode)  # incidents/: another user could have replaced the incident
    with pytest.raises(JournalError, match="others can write") as info:
        Journal.open(folder, HOLDER)
    assert f"{mode:04o}" in str(info.value) and "chmod 700" in str(info.value)
    with pytest.raises(JournalError, match="others can write"):
        Journal.create(tmp_path / "incidents" / "new", HOLDER)
    folder.parent.chmod(0o700)
    folder.chmod(mode)  # the incident folder itself
    with pytest.raises(JournalError, match="others can write"):
        Journal.open(folder, HOLDER)


def test_folders_and_journals_of_another_user_are_refused(
    tmp_path: Path, another_user: int
) -> None:
    folder = tmp_path / "incidents" / "inc"
    folder.mkdir(mode=0o700, parents=True)
    (folder / JOURNAL_NAME).write_bytes(b"")
    with pytest.raises(JournalError, match=f"not to you \\(user id {another_user}\\)"):
        Journal.open(folder, HOLDER)
    with pytest.raises(JournalError, match="not to you"):
        Journal.create(tmp_path / "incidents" / "new", HOLDER)
    with pytest.raises(JournalError, match="not to you"):
        private_folder(tmp_path / "incidents", create=False)


def test_a_journal_others_can_write_is_refused_and_a_readable_one_tightened(
    tmp_path: Path,
) -> None:
    folder = incident(tmp_path)
    (folder / JOURNAL_NAME).chmod(0o666)
    with pytest.raises(JournalError, match="others can write"):
        Journal.open(folder, HOLDER)
    (folder / JOURNAL_NAME).chmod(0o644)
    Journal.open(folder, HOLDER)[0].close()
    assert stat.S_IMODE((folder / JOURNAL_NAME).stat().st_mode) == 0o600


def test_symbolic_links_as_incident_folders_are_refused(tmp_path: Path) -> None:
    real = incident(tmp_path)
    (tmp_path / "incidents" / "alias").symlink_to(real, target_is_directory=True)
    with pytest.raises(JournalError, match="symbolic link"):
        Journal.open(tmp_path / "incidents" / "alias", HOLDER)


# --- storage errors, injected -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "kind"),
    [(errno.ENOSPC, "full"), (errno.EROFS, "read-only"), (errno.EIO, "io"),
     (errno.EACCES, "permission")],
)  # fmt: skip
def test_a_refused_open_is_a_storage_error_with_its_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int, kind: str
) -> None:
    folder = incident(tmp_path)
    real_open = os.open

    def refusing(path: object, flags: int, *args: object, **kw: object) -> int:
        if str(path).endswith(JOURNAL_NAME) and flags & os.O_RDWR:
            raise OSError(number, os.strerror(number), str(path))
        return real_open(path, flags, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing)
    with pytest.raises(JournalStorageError) as info:
        Journal.open(folder, HOLDER)
    assert info.value.kind == kind and "\n" not in str(info.value)


@pytest.mark.parametrize("number", [errno.ENOSPC, errno.EROFS, errno.EIO])
def test_a_start_refused_by_the_disk_leaves_no_incident(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int
) -> None:
    from draaiboek.journal import files

    def refusing(fd: int, data: bytes) -> None:
        raise OSError(number, os.strerror(number))

    journal = Journal.create(tmp_path / "incidents" / "inc", HOLDER)
    monkeypatch.setattr("draaiboek.journal.writer.write_all", refusing)
    with pytest.raises(JournalStorageError, match="NOT logged"):
        journal.append("opened", "Jan", T0, {})
    journal.close()
    monkeypatch.setattr("draaiboek.journal.writer.write_all", files.write_all)
    assert list((tmp_path / "incidents").iterdir()) == []  # nothing, not even hidden
