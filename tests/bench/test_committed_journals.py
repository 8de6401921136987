"""Every committed study journal resumes from its study file: the file's definition equals
the journal's header, so ``hpo bench NAME --out DIR`` re-runs and extends the committed runs
instead of refusing them as another study."""

from pathlib import Path

import pytest

from hpo.bench.journal import normalize, read_journal
from hpo.bench.study import load_study, studies_dir
from hpo.gp.config import DEFAULTS_BEFORE_2026_12_01

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


ASYNC = RESULTS / "multifidelity" / "async"


@pytest.mark.reference_numerics
@pytest.mark.parametrize(
    ("records", "label", "options"),
    [
        (
            "synthetic_1worker.jsonl.gz",
            'async-gp-hyperband:1:start="schedule"',
            {"start": "schedule"},
        ),
        (
            "start_model_synthetic.jsonl.gz",
            'async-gp-hyperband:1:start="model"',
            {"start": "model"},
        ),
    ],
)
def test_asynchronous_gp_hyperband_records_re_run_from_their_labels(records, label, options):
    """A relabelled record of the earlier default and one of today's default re-run trial for
    trial (Augmented Branin, seed 0, one simulated worker, 30 FTE; the GP as it was then)."""
    import gzip
    import json

    from hpo.bench.mfrun import execute_mf_run
    from hpo.bench.study import RunSpec

    path = ASYNC / records
    if not path.exists():
        pytest.skip(f"{path} is not in this checkout")
    with gzip.open(path, "rt") as lines:
        committed = next(
            r
            for r in map(json.loads, lines)
            if r["optimizer"] == label and r["problem"] == "augmented_branin" and r["seed"] == 0
        )
    spec = RunSpec(
        label,
        "async-gp-hyperband",
        {**options, "gp": DEFAULTS_BEFORE_2026_12_01},
        "augmented_branin",
        0,
        10_000,
        30.0,
        1,
    )
    again = execute_mf_run(spec).to_dict()
    assert [(t["params"], t["value"]) for t in again["trials"]] == [
        (t["params"], t["value"]) for t in committed["trials"]
    ]


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_every_bayes_row_runs_without_the_trust_region_it_ran_without(name):
    """The committed ``bayes`` rows ran before ``trust_region="auto"`` (2026-12-01): each is
    pinned off in its study file (paper, multifidelity*) or resolves off under "auto"
    (conditional spaces, several objectives), so the study file re-runs them."""
    from hpo.bench.study import objective_options, optimizer_options
    from hpo.optimizers import make_optimizer
    from hpo.problems import get_problem

    study = load_study(studies_dir() / f"{name}.toml")
    rows = {(r.label, r.problem): r for r in study.runs() if r.optimizer == "bayes"}
    assert rows
    for run in rows.values():
        problem = get_problem(run.problem)
        options = objective_options(optimizer_options("bayes", run.options, problem), problem)
        opt = make_optimizer("bayes", problem.space, seed=0, options=options)
        assert opt.trust_region is None, run.key
