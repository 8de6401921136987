"""Worker-process helpers: a run's interrupt is its failure; workers die with their parent."""

import subprocess
import sys
import textwrap
import time

import pytest

from hpo.bench.workers import RunInterrupted, guarded_call

# A process that starts a child which arms die_with_parent (the Linux prctl, or the portable
# watcher thread when FALLBACK is set), prints the child's pid, then waits to be killed.
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, text=True)
print(child.stdout.readline().strip(), flush=True)
time.sleep(60)
"""
CHILD = """
import os, time, types
from hpo.bench import workers
if {fallback}:  # take the portable path: a thread watching os.getppid()
    workers.sys = types.SimpleNamespace(platform="darwin")
workers.die_with_parent(os.getppid())
print(os.getpid(), flush=True)
time.sleep(60)
"""


def test_guarded_call_turns_interrupts_into_the_calls_failure():
    assert guarded_call(abs, -2) == 2

    def interrupted(_):
        raise KeyboardInterrupt

    def exits(_):
        sys.exit("bye")

    with pytest.raises(RunInterrupted, match="raised KeyboardInterrupt inside its worker"):
        guarded_call(interrupted, None)
    with pytest.raises(RunInterrupted, match="SystemExit: bye"):
        guarded_call(exits, None)
    with pytest.raises(ValueError):  # other exceptions pass through as they are
        guarded_call(int, "x")


def test_a_process_whose_parent_is_already_gone_exits_at_once():
    code = "from hpo.bench.workers import die_with_parent; die_with_parent(1); print('alive')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "alive" not in proc.stdout


@pytest.mark.slow
def test_without_prctl_a_watcher_thread_makes_a_worker_exit_with_its_parent():
    # (the Linux prctl path is tested end to end in tests/test_cli.py, killing a study)
    psutil = pytest.importorskip("psutil")
    child_code = textwrap.dedent(CHILD.format(fallback=True))
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, child_code], stdout=subprocess.PIPE, text=True
    )
    try:
        child = psutil.Process(int(parent.stdout.readline()))
        parent.kill()
        parent.wait(timeout=10)
        start = time.monotonic()
        _, alive = psutil.wait_procs([child], timeout=5)
        assert alive == [], "the child outlived its parent"
        assert time.monotonic() - start < 5
    finally:
        parent.kill()
        parent.wait()
        for process in psutil.Process().children(recursive=True):
            if process.pid != parent.pid and process.cmdline()[-1:] == [child_code]:
                process.kill()
