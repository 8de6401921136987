"""The study journal: one JSON line per finished run, appended and synced as runs finish.

Format (JSON lines, UTF-8):

* line 1, the header: ``{"format": "hpo-study-journal", "version": 1, "study": {...},
  "hpo_version": ..., "environment": {...}}``, where ``study`` is the study definition
  (:meth:`hpo.bench.study.Study.to_dict`) that a resumed study must match;
* every further line: :meth:`hpo.bench.records.RunRecord.to_dict` of one finished run, in the
  order runs finished. Tuples become lists and numpy scalars Python numbers; non-finite floats
  (only ever inside a trial's ``info``) are written as ``NaN``/``Infinity`` as Python's
  :mod:`json` does.

Each line is written with one ``write`` on a file opened in append mode, then flushed and
``fsync``-ed, so a study killed at any moment leaves whole lines plus at most one partial
last line. :class:`Journal` (used to run or resume a study) truncates such a damaged last
line away with a :class:`JournalWarning`; :func:`load_journal` (read-only) skips it with the
same warning and leaves the file alone, since a study may still be writing it. Damage
anywhere else is a :class:`JournalError`.
"""

from __future__ import annotations

import gzip
import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from hpo.bench.records import RunRecord
from hpo.exceptions import HPOWarning

try:  # POSIX only: keeps two studies from appending to one journal at once
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["Journal", "JournalError", "JournalWarning", "load_journal", "read_journal"]

FORMAT = "hpo-study-journal"
VERSION = 1


class JournalWarning(HPOWarning):
    """A journal's damaged last line (a run cut off mid-write) was skipped or truncated."""


class JournalError(ValueError):
    """A journal is damaged before its last line, belongs to another study, or is in use."""


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=repr)
    raise TypeError(f"cannot write {type(obj).__name__} {obj!r} to a journal")


def dumps(obj: Any) -> str:
    """One JSON line (no newline) for ``obj``; numpy values become Python ones."""
    return json.dumps(obj, default=_jsonable, separators=(",", ":"))


def normalize(obj: Any) -> Any:
    """``obj`` as it reads back from a journal (tuples as lists, numpy values as Python)."""
    return json.loads(dumps(obj))


def _header(study: dict[str, Any]) -> dict[str, Any]:
    from hpo import __version__
    from hpo.bench.environment import describe_environment

    return {
        "format": FORMAT,
        "version": VERSION,
        "study": normalize(study),
        "hpo_version": __version__,
        "environment": describe_environment(),  # of the run that created the journal
    }


def _parse_record(line: bytes) -> RunRecord:
    """A record from one line: ``json.JSONDecodeError`` if the line is not JSON (damage),
    ``ValueError`` naming the field if it is not a valid run record."""
    return RunRecord.from_dict(json.loads(line))


def _check_header(line: bytes, path: Path) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not (isinstance(header, dict) and header.get("format") == FORMAT):
        raise JournalError(f"{path}: line 1 is not an hpo study journal header")
    if header.get("version") != VERSION:
        raise JournalError(f"{path}: unsupported journal version {header.get('version')!r}")
    return header


def _scan(path: Path) -> tuple[dict[str, Any] | None, list[RunRecord], int | None, list[str]]:
    """Parse a journal; return ``(header, records, cut, problems)``.

    ``cut`` is the byte offset at which a damaged last line starts, ``-1`` if the last line is
    whole but lost its newline, and ``None`` if the file is whole. ``problems`` are the
    messages of the lines skipped: invalid records, repeated runs, runs not in the study.
    """
    # A finished journal may be committed gzip-compressed (``journal.jsonl.gz``).
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    complete = data.endswith(b"\n")
    lines = (data[:-1] if complete else data).split(b"\n") if data else []
    header: dict[str, Any] | None = None
    records: list[RunRecord] = []
    problems: list[str] = []
    seen: dict[tuple[str, str, int], int] = {}
    offset = 0
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        try:
            if i == 0:
                if last:
                    json.loads(line)  # a header cut off while being written is repaired
                header = _check_header(line, path)
            else:
                record = _parse_record(line)
                if record.key in seen:
                    problems.append(
                        f"line {i + 1} repeats the run {record.key} of line {seen[record.key]}; "
                        "skipped"
                    )
                else:
                    seen[record.key] = i + 1
                    records.append(record)
        except JournalError:
            raise
        except (ValueError, TypeError) as err:
            if last:  # cut off while being written (or written but not whole): repaired
                return header, records, offset, problems
            if not isinstance(err, (json.JSONDecodeError, UnicodeDecodeError)):  # not a record
                problems.append(f"line {i + 1} is not a valid run record ({err}); skipped")
            else:
                raise JournalError(
                    f"{path}: line {i + 1} is damaged ({err}); only a damaged last line can be "
                    "repaired, so fix or remove this journal"
                ) from None
        offset += len(line) + 1
    return header, records, (None if complete or not data else -1), problems


def _in_study(
    header: dict[str, Any] | None, records: list[RunRecord], problems: list[str]
) -> list[RunRecord]:
    """The records that are runs of the header's study; a message in ``problems`` for each
    other one (an optimizer label, problem or seed the study does not have)."""
    study = (header or {}).get("study")
    if not isinstance(study, dict):
        return records
    try:
        labels = {o["label"]: o.get("max_seeds") for o in study["optimizers"]}
        seeds = {p["problem"]: list(p["seeds"]) for p in study["problems"]}
    except (KeyError, TypeError):  # a header of an older layout: nothing to check against
        return records
    kept = []
    for record in records:
        if record.optimizer not in labels:
            why = f"optimizer {record.optimizer!r} (the study has {', '.join(labels)})"
        elif record.problem not in seeds:
            why = f"problem {record.problem!r}"
        elif record.seed not in seeds[record.problem][: labels[record.optimizer]]:
            why = f"seed {record.seed} for {record.optimizer!r} on {record.problem!r}"
        else:
            kept.append(record)
            continue
        problems.append(f"the run {record.key} is not in the study: no {why}; skipped")
    return kept


def _warn(path: Path, problems: list[str], stacklevel: int) -> None:
    """One warning per skipped line, at most five (the last says how many more there are)."""
    shown = problems[:5]
    if len(problems) > 5:
        shown[-1] += f" (and {len(problems) - 5} more lines skipped)"
    for message in shown:
        warnings.warn(f"{path}: {message}", JournalWarning, stacklevel=stacklevel + 1)


def read_journal(path: str | os.PathLike) -> tuple[dict[str, Any] | None, list[RunRecord]]:
    """Read a journal without changing it: ``(header, records)``.

    A damaged last line is skipped with a :class:`JournalWarning`; ``header`` is ``None`` for
    an empty file. A path ending in ``.gz`` is read as a gzip-compressed journal. Lines that
    are JSON but not valid run records, repeat a run already read, or hold a run that is not
    in the header's study (an unknown optimizer label, problem or seed) are skipped, each
    with a :class:`JournalWarning` naming the line or the run.

    Raises
    ------
    JournalError
        If a line other than the last is not JSON, or the file is not a journal.
    """
    path = Path(path)
    header, records, cut, problems = _scan(path)
    if cut is not None and cut >= 0:
        warnings.warn(
            f"{path}: skipped a damaged last line (a run cut off while being written)",
            JournalWarning,
            stacklevel=2,
        )
    records = _in_study(header, records, problems)
    _warn(path, problems, stacklevel=2)
    return header, records


def load_journal(path: str | os.PathLike) -> list[RunRecord]:
    """The records of a journal, in the order runs finished (see :func:`read_journal`).

    Examples
    --------
    >>> records = load_journal("results/quick/journal.jsonl")  # doctest: +SKIP
    """
    return read_journal(path)[1]


class Journal:
    """A journal opened to run or resume a study; use as a context manager.

    Creates the file (with its header) if it does not exist; otherwise checks that its header
    holds the same ``study``, truncates a damaged last line away (with a
    :class:`JournalWarning`) and keeps the records already there in :attr:`records`.

    Parameters
    ----------
    path : str or path-like
    study : dict
        The study definition (:meth:`hpo.bench.study.Study.to_dict`).

    Raises
    ------
    JournalError
        If the journal belongs to another study, is damaged before its last line, or another
        process has it open.
    OSError
        If the file cannot be created or written.
    """

    def __init__(self, path: str | os.PathLike, study: dict[str, Any]) -> None:
        self.path = Path(path)
        header = _header(study)
        self._file = open(self.path, "ab")  # closed in close()
        try:
            self._lock()
            found, self.records, cut, problems = _scan(self.path)
            if cut is not None:
                self._repair(cut)
            _warn(self.path, problems, stacklevel=2)
            if found is None:
                self._write(header)
                _sync_dir(self.path.parent)
            elif found["study"] != header["study"]:
                raise JournalError(
                    f"{self.path} holds another study (its definition differs: "
                    f"{_first_difference(found['study'], header['study'])}); "
                    "use another output directory or the original study"
                )
        except BaseException:
            self._file.close()
            raise

    def _lock(self) -> None:
        if fcntl is None:  # pragma: no cover
            return
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise JournalError(f"{self.path} is in use by another running study") from None

    def _repair(self, cut: int) -> None:
        if cut < 0:  # only the final newline was lost
            self._file.write(b"\n")
        else:
            warnings.warn(
                f"{self.path}: truncated a damaged last line (a run cut off while being "
                "written); that run will be redone",
                JournalWarning,
                stacklevel=3,
            )
            self._file.truncate(cut)
        self._file.flush()
        os.fsync(self._file.fileno())

    def _write(self, obj: dict[str, Any]) -> None:
        # One write of a whole line, then flush and fsync: a kill leaves at most a partial line.
        self._file.write((dumps(obj) + "\n").encode())
        self._file.flush()
        os.fsync(self._file.fileno())

    def append(self, record: RunRecord) -> None:
        """Write one finished run and sync it to disk."""
        self._write(record.to_dict())
        self.records.append(record)

    def close(self) -> None:
        self._file.close()  # closing releases the lock

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sync_dir(directory: Path) -> None:
    """Make a new file's directory entry durable (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _first_difference(old: Any, new: Any, where: str = "study") -> str:
    """Where two JSON values first differ, for an error message."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if old.get(key, ...) != new.get(key, ...):
                return _first_difference(old.get(key, ...), new.get(key, ...), f"{where}.{key}")
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            if a != b:
                return _first_difference(a, b, f"{where}[{i}]")
    return f"{where} was {_short(old)}, now {_short(new)}"


def _short(value: Any) -> str:
    text = json.dumps(value) if value is not ... else "absent"
    return text if len(text) <= 60 else text[:57] + "..."
