"""Every committed study journal resumes from its study file: the file's definition equals
the journal's header, so ``hpo bench NAME --out DIR`` re-runs and extends the committed runs
instead of refusing them as another study."""

from pathlib import Path

import pytest

from hpo.bench.journal import normalize, read_journal
from hpo.bench.study import load_study, studies_dir

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results"

COMMITTED = {
    "paper": "paper/journal.jsonl.gz",
    "conditional": "conditional/study/journal.jsonl.gz",
    "multiobjective": "moo/study/journal.jsonl.gz",
    "multifidelity": "multifidelity/full/journal.jsonl.gz",
    "multifidelity_small": "multifidelity/small/journal.jsonl.gz",
}


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_study_file_matches_its_journal_header(name):
    path = RESULTS / COMMITTED[name]
    if not path.exists():
        pytest.skip(f"{path} is not in this checkout")
    header, records = read_journal(path)
    definition = normalize(load_study(studies_dir() / f"{name}.toml").to_dict())
    assert header["study"] == definition
    assert records, "a committed journal holds runs"
