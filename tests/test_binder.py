"""Binder: binder/ is what repo2docker expects, and every notebook runs in the environment it builds.

The fast tests read binder/: exact pins inside pyproject's ranges, the Python version, the pip
route, Graphviz from apt. The slow test copies what a fresh clone would hold, builds the Binder
environment from it as repo2docker would, without Docker, in a fresh venv (tests/_binder_build.py),
then runs every notebook in notebooks/ (solutions included) top to bottom in it. With pip's cache
warm the build takes about 30 s on an idle machine, then each notebook a few seconds.
"""

import json
import shutil
import time
import tomllib
from pathlib import Path

import pytest
from _binder_build import (
    BinderConfigError,
    apt_packages,
    build_environment,
    clone_working_tree,
    config_dir,
    run_notebook,
    runtime_python,
)
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
NOTEBOOKS = REPO / "notebooks"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _requirement_lines() -> list[str]:
    text = (BINDER / "requirements.txt").read_text()
    lines = (line.partition("#")[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def _pins() -> dict[str, Requirement]:
    pins = [Requirement(line) for line in _requirement_lines() if line != "."]
    return {canonicalize_name(pin.name): pin for pin in pins}


def test_binder_dir_is_read_and_installs_the_package_with_graphviz_from_apt():
    assert config_dir(REPO) == BINDER
    assert "." in _requirement_lines()  # binder/ hides the root pyproject.toml from repo2docker
    assert "graphviz" in apt_packages(BINDER)


def test_every_pin_is_exact_and_every_dependency_pinned_inside_its_pyproject_range():
    pins = _pins()
    for pin in pins.values():
        assert [spec.operator for spec in pin.specifier] == ["=="], f"{pin} is not an exact pin"
    for dependency in map(Requirement, PROJECT["dependencies"]):
        pin = pins.get(canonicalize_name(dependency.name))
        assert pin is not None, f"binder/requirements.txt does not pin {dependency.name}"
        pinned_version = next(iter(pin.specifier)).version
        assert dependency.specifier.contains(pinned_version), f"{pin} is outside pyproject's {dependency}"
        assert dependency.extras <= pin.extras, f"{pin} drops the extras of {dependency}"


def test_runtime_python_satisfies_requires_python():
    assert runtime_python(BINDER) == "3.11"
    assert SpecifierSet(PROJECT["requires-python"]).contains(runtime_python(BINDER))


def _write(repo: Path, files: list[str], text: str) -> None:
    for name in files:
        (repo / name).parent.mkdir(exist_ok=True)
        (repo / name).write_text(text)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["requirements.txt"], "."),
        (["requirements.txt", "binder/requirements.txt"], "binder"),
        ([".binder/requirements.txt"], ".binder"),
    ],
)
def test_config_dir_follows_repo2docker_precedence(tmp_path, files, expected):
    _write(tmp_path, files, "numpy\n")
    assert config_dir(tmp_path) == tmp_path / expected


@pytest.mark.parametrize(
    ("files", "text", "message"),
    [
        (["binder/requirements.txt", ".binder/requirements.txt"], "numpy\n", "both binder/ and .binder/"),
        (["binder/environment.yml"], "dependencies: [numpy]\n", "environment.yml makes repo2docker use"),
        (["binder/runtime.txt"], "r-4.3\n", "expected 'python-X.Y', got 'r-4.3'"),
        (["binder/runtime.txt"], "python-3\n", "expected 'python-X.Y', got 'python-3'"),
        (["binder/apt.txt"], "graphviz\n# a comment\nGraphviz\n", "invalid package name 'Graphviz'"),
    ],
)
def test_config_that_repo2docker_would_build_differently_is_an_error(tmp_path, files, text, message):
    _write(tmp_path, files, text)
    with pytest.raises(BinderConfigError, match=message):
        config = config_dir(tmp_path)
        runtime_python(config)
        apt_packages(config)


def _has_code(notebook: Path) -> bool:
    return any(cell["cell_type"] == "code" for cell in json.loads(notebook.read_text())["cells"])


@pytest.fixture
def binder_venv(tmp_path):
    venv = tmp_path / "binder-venv"
    yield venv
    shutil.rmtree(venv, ignore_errors=True)  # ~0.5 GB, and pytest keeps its last three tmp dirs


@pytest.mark.slow
def test_every_notebook_runs_in_the_binder_environment(binder_venv, tmp_path):
    notebooks = sorted(
        path
        for path in NOTEBOOKS.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts and _has_code(path)  # the glossary is text only
    )
    if not notebooks:
        pytest.skip("notebooks/ has no .ipynb yet: nothing for Binder to run")
    started = time.monotonic()
    clone = clone_working_tree(REPO, tmp_path / "clone")
    build_environment(clone, binder_venv)
    built = time.monotonic()
    runs = [
        run_notebook(binder_venv, clone / name, tmp_path / "executed" / name)
        for name in (notebook.relative_to(REPO) for notebook in notebooks)
    ]
    print(
        f"binder: environment built in {built - started:.0f} s, "
        f"{len(runs)} notebooks executed in {time.monotonic() - built:.0f} s"
    )

    failures = [f"{run.notebook.relative_to(clone)}:\n{run.error}" for run in runs if run.error]
    if failures:
        pytest.fail("notebooks that fail on Binder:\n\n" + "\n\n".join(failures), pytrace=False)
    for run in runs:
        name = run.notebook.relative_to(clone)
        assert run.executed_copy.exists(), name
        assert run.executed_cells == run.code_cells > 0, f"{name}: {run.executed_cells}/{run.code_cells} ran"
        assert run.probe is not None, f"{name}: the probe cell printed nothing"
        assert Path(run.probe["prefix"]).resolve() == binder_venv.resolve(), f"{name}: kernel {run.probe}"
        package = Path(run.probe["file"]).resolve().parent
        assert package.is_relative_to(binder_venv.resolve()) or package == clone / "backprop_nb", run.probe
        assert run.probe["version"] == run.probe["module_version"] == PROJECT["version"], run.probe
