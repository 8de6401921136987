"""What a study records about the machine and the libraries it ran with."""

import json
import os
import platform
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest

import hpo
from hpo.bench import environment
from hpo.bench.environment import describe_environment

# What the paper's protocol section names: hpo, its core dependencies and every peer library.
PAPER_NEEDS = {"hpo", "numpy", "scipy", "scikit-learn", "scikit-optimize", "optuna", "pymoo"}


def test_the_record_has_the_documented_keys_and_types():
    env = describe_environment()
    assert list(env) == ["python", "platform", "cpu", "cpu_count", "libraries"]
    for key in ("python", "platform", "cpu"):
        assert type(env[key]) is str and env[key]
    assert env["cpu_count"] is None or (type(env["cpu_count"]) is int and env["cpu_count"] >= 1)
    assert PAPER_NEEDS <= set(env["libraries"])
    for version in env["libraries"].values():
        assert version is None or (type(version) is str and version)


def test_the_record_describes_this_interpreter_and_machine():
    env = describe_environment()
    assert env["python"] == ".".join(map(str, sys.version_info[:3]))
    assert env["platform"] == platform.platform()
    assert env["cpu_count"] == os.cpu_count()


def test_versions_are_those_installed():
    versions = describe_environment()["libraries"]
    assert versions["hpo"] == hpo.__version__
    assert versions["numpy"] == np.__version__
    for name, version in versions.items():
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = None
        assert version == expected


def test_the_record_survives_json():
    env = describe_environment()
    assert json.loads(json.dumps(env, allow_nan=False)) == env


def test_a_missing_library_is_recorded_as_none(monkeypatch):
    real_version = metadata.version

    def version(name):
        if name in ("optuna", "torch"):
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(environment.metadata, "version", version)
    versions = describe_environment()["libraries"]
    assert versions["optuna"] is None and versions["torch"] is None
    assert versions["numpy"] == np.__version__


@pytest.mark.skipif(not os.path.exists("/proc/cpuinfo"), reason="needs /proc/cpuinfo")
def test_the_cpu_model_is_read_from_proc_cpuinfo():
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        models = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
    if not models:
        pytest.skip("no 'model name' line on this machine")
    assert describe_environment()["cpu"] == models[0]


def test_without_proc_cpuinfo_the_cpu_falls_back_to_the_platform(monkeypatch):
    def no_file(*args, **kwargs):
        raise OSError("no /proc here")

    monkeypatch.setattr(environment, "open", no_file, raising=False)
    monkeypatch.setattr(environment.platform, "processor", lambda: "a processor")
    assert describe_environment()["cpu"] == "a processor"
    monkeypatch.setattr(environment.platform, "processor", lambda: "")
    assert describe_environment()["cpu"] == "unknown"


def test_an_unknown_cpu_count_is_recorded_as_none(monkeypatch):
    monkeypatch.setattr(environment.os, "cpu_count", lambda: None)
    env = describe_environment()
    assert env["cpu_count"] is None
    assert json.loads(json.dumps(env)) == env


def test_versions_are_read_without_importing_the_libraries():
    code = (
        "import sys\n"
        "from hpo.bench.environment import describe_environment\n"
        "before = set(sys.modules)\n"
        "env = describe_environment()\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "heavy = {'optuna', 'skopt', 'pymoo', 'torch', 'sklearn', 'matplotlib', 'dask',\n"
        "         'distributed', 'scipy'}\n"
        "print(sorted(new & heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
