"""The study journal: appended lines survive, a damaged last line is repaired, others refused."""

import json
import warnings

import numpy as np
import pytest

from hpo.bench.journal import Journal, JournalError, JournalWarning, load_journal, read_journal
from hpo.bench.records import RunRecord

STUDY = {
    "optimizers": [{"label": "random", "name": "random", "options": {}, "max_seeds": None}],
    "problems": [{"problem": "branin", "n_trials": 3, "seeds": list(range(10))}],
}


def record(seed, optimizer="random"):
    trials = [
        {
            "number": i,
            "params": {"x": 0.1 * i, "layers": (100, 100)},
            "value": None if i == 1 else float(i),
            "status": "failed" if i == 1 else "complete",
            "error": "objective returned nan" if i == 1 else None,
            "ask_time": 0.001,
            "tell_time": 0.002,
            "eval_time": 0.003,
            "info": {"acq": np.float64(0.5), "vec": np.arange(2)},
        }
        for i in range(3)
    ]
    return RunRecord(optimizer, "branin", seed, 3, 0.397887, trials, 0.01, {"stopped": "budget"})


def write(path, n, study=STUDY):
    with Journal(path, study) as journal:
        for seed in range(n):
            journal.append(record(seed))


def test_records_read_back_as_json_values(tmp_path):
    path = tmp_path / "j.jsonl"
    write(path, 3)
    records = load_journal(path)
    assert [r.key for r in records] == [("random", "branin", s) for s in range(3)]
    trial = records[0].trials[0]
    assert trial["params"]["layers"] == [100, 100]  # tuples become lists
    assert trial["info"] == {"acq": 0.5, "vec": [0, 1]}  # numpy values become Python ones
    assert records[0].trials[1]["value"] is None
    lines = path.read_text().splitlines()
    assert len(lines) == 4
    header = json.loads(lines[0])
    assert header["format"] == "hpo-study-journal" and header["study"] == STUDY


def test_reopening_keeps_the_records_and_appends(tmp_path):
    path = tmp_path / "j.jsonl"
    write(path, 2)
    with Journal(path, STUDY) as journal:
        assert [r.seed for r in journal.records] == [0, 1]
        journal.append(record(5))
    assert [r.seed for r in load_journal(path)] == [0, 1, 5]


def test_another_study_is_refused_naming_the_difference(tmp_path):
    path = tmp_path / "j.jsonl"
    write(path, 1)
    entry = {"label": "random", "name": "random", "options": {"a": 1}, "max_seeds": None}
    other = {**STUDY, "optimizers": [entry]}
    with pytest.raises(JournalError, match=r"another study.*optimizers\[0\]\.options"):
        Journal(path, other)
    assert len(load_journal(path)) == 1


@pytest.mark.parametrize("damage", [b'{"optimizer": "random", "prob', b"\x00\x00\x00", b"[1, 2]\n"])
def test_a_damaged_last_line_is_truncated_with_a_warning(tmp_path, damage):
    path = tmp_path / "j.jsonl"
    write(path, 2)
    whole = path.read_bytes()
    path.write_bytes(whole + damage)
    with pytest.warns(JournalWarning, match="damaged last line"):
        assert len(load_journal(path)) == 2
    assert path.read_bytes() == whole + damage  # reading leaves the file alone
    with pytest.warns(JournalWarning, match="truncated"), Journal(path, STUDY) as journal:
        assert len(journal.records) == 2
    assert path.read_bytes() == whole
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_journal(path)) == 2


def test_a_last_line_that_only_lost_its_newline_is_kept(tmp_path):
    path = tmp_path / "j.jsonl"
    write(path, 2)
    whole = path.read_bytes()
    path.write_bytes(whole[:-1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with Journal(path, STUDY) as journal:
            assert len(journal.records) == 2
            journal.append(record(7))
    assert [r.seed for r in load_journal(path)] == [0, 1, 7]


def test_a_header_cut_off_while_written_is_rewritten(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_bytes(b'{"format": "hpo-study-jou')
    with pytest.warns(JournalWarning), Journal(path, STUDY) as journal:
        assert journal.records == []
    header, records = read_journal(path)
    assert header["study"] == STUDY and records == []


def test_damage_before_the_last_line_is_an_error(tmp_path):
    path = tmp_path / "j.jsonl"
    write(path, 3)
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2][:40]
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(JournalError, match="line 3 is damaged"):
        load_journal(path)
    with pytest.raises(JournalError, match="line 3 is damaged"):
        Journal(path, STUDY)


def test_a_file_that_is_not_a_journal_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text('{"hello": "world"}\nmore\n')
    with pytest.raises(JournalError, match="not an hpo study journal"):
        load_journal(path)


def _lines(path):
    return path.read_bytes().splitlines(keepends=True)


def _trial_broken(d, how):
    if how == "missing value":
        del d["trials"][1]["value"]
    elif how == "trials not a list":
        d["trials"] = {"0": 1}
    elif how == "nan seed":
        d["seed"] = 1.5
    elif how == "huge seed":
        d["seed"] = 2**63
    elif how == "complete without value":
        d["trials"][0]["value"] = None
    elif how == "bad status":
        d["trials"][0]["status"] = 3
    elif how == "string time":
        d["trials"][2]["ask_time"] = "0.1"
    elif how == "missing field":
        del d["wall_time"]
    elif how == "unknown field":
        d["colour"] = "red"
    return d


@pytest.mark.parametrize(
    ("how", "match"),
    [
        ("missing value", r"trials\[1\] lacks field 'value'"),
        ("trials not a list", "trials must be a list"),
        ("nan seed", "seed must be an integer"),
        ("huge seed", r"seed must be an integer in \[0, 2\*\*63\)"),
        ("complete without value", r"trials\[0\]\.value must be finite if complete"),
        ("bad status", r"trials\[0\]\.status must be a status"),
        ("string time", r"trials\[2\]\.ask_time"),
        ("missing field", "missing field 'wall_time'"),
        ("unknown field", "unknown field 'colour'"),
    ],
)
def test_an_invalid_record_is_skipped_with_a_warning_naming_its_line(tmp_path, how, match):
    path = tmp_path / "j.jsonl"
    write(path, 3)
    lines = _lines(path)
    bad = _trial_broken(json.loads(lines[2]), how)
    lines[2] = (json.dumps(bad) + "\n").encode()
    path.write_bytes(b"".join(lines))
    with pytest.warns(JournalWarning, match=f"line 3 is not a valid run record \\({match}"):
        assert [r.seed for r in load_journal(path)] == [0, 2]
    with pytest.warns(JournalWarning, match="line 3"), Journal(path, STUDY) as journal:
        assert [r.seed for r in journal.records] == [0, 2]  # seed 1 will be redone


def test_a_repeated_run_is_counted_once_with_a_warning(tmp_path):
    path = tmp_path / "j.jsonl"
    write(path, 2)
    lines = _lines(path)
    path.write_bytes(b"".join([*lines, lines[1]]))
    with pytest.warns(
        JournalWarning, match=r"line 4 repeats the run .*'random', 'branin', 0.* line 2"
    ):
        assert [r.seed for r in load_journal(path)] == [0, 1]


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("optimizer", "phantom", "no optimizer 'phantom' \\(the study has random\\)"),
        ("problem", "hartmann6", "no problem 'hartmann6'"),
        ("seed", 42, "no seed 42"),
    ],
)
def test_a_run_not_in_the_study_is_skipped_with_a_warning(tmp_path, field, value, match):
    path = tmp_path / "j.jsonl"
    write(path, 2)
    lines = _lines(path)
    stray = {**json.loads(lines[1]), field: value}
    path.write_bytes(b"".join([*lines, (json.dumps(stray) + "\n").encode()]))
    with pytest.warns(JournalWarning, match=f"is not in the study: {match}"):
        assert [r.key for r in load_journal(path)] == [("random", "branin", s) for s in (0, 1)]


def test_a_journal_in_use_is_refused(tmp_path):
    path = tmp_path / "j.jsonl"
    with Journal(path, STUDY), pytest.raises(JournalError, match="in use"):
        Journal(path, STUDY)
    with Journal(path, STUDY):  # released on close
        pass


def test_an_empty_file_becomes_a_journal(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_bytes(b"")
    assert read_journal(path) == (None, [])
    write(path, 1)
    assert len(load_journal(path)) == 1


def test_a_gzip_compressed_journal_reads_the_same(tmp_path):
    import gzip

    from hpo.bench.journal import read_journal
    from hpo.bench.runner import run_study

    plain = tmp_path / "journal.jsonl"
    run_study(["random"], ["branin"], 2, 3, journal=plain, n_jobs=1)
    packed = tmp_path / "journal.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert read_journal(packed) == read_journal(plain)
    assert read_journal(plain)[0]["environment"]["libraries"]["numpy"]
