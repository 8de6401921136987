"""Comparison studies: run optimizers x problems x seeds, then summarize and plot them."""

from hpo.bench.journal import load_journal, read_journal
from hpo.bench.records import RunRecord
from hpo.bench.report import summary_table, write_report
from hpo.bench.runner import run_study
from hpo.bench.study import Study, load_study

__all__ = [
    "RunRecord",
    "Study",
    "load_journal",
    "load_study",
    "read_journal",
    "run_study",
    "summary_table",
    "write_report",
]
