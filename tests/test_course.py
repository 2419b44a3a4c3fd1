"""`backprop-nb course DIR` copies the notebook series into a folder the student owns, never over
their edits; the wheel carries the notebooks; every runtime dependency is used."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import backprop_nb as bp
from backprop_nb import course
from backprop_nb.__main__ import main

REPO = Path(__file__).resolve().parents[1]
SERIES = sorted(path.relative_to(REPO / "notebooks") for path in (REPO / "notebooks").rglob("*.ipynb"))


def test_the_series_is_every_notebook_of_the_repository_solutions_included() -> None:
    assert course.course_notebooks() == SERIES
    assert Path("01_chain_rule.ipynb") in SERIES and Path("10_training_deep_networks.ipynb") in SERIES
    assert Path("solutions/09_deep_networks_solutions.ipynb") in SERIES


def test_copy_course_copies_every_notebook_byte_for_byte(tmp_path: Path) -> None:
    result = bp.copy_course(tmp_path / "my-course")
    assert sorted(path.relative_to(tmp_path / "my-course") for path in result.copied) == SERIES
    for relative in SERIES:
        assert (tmp_path / "my-course" / relative).read_bytes() == (
            REPO / "notebooks" / relative
        ).read_bytes()
    assert result.kept == [] and result.unchanged == []


def test_copying_again_never_overwrites_an_edited_notebook(tmp_path: Path) -> None:
    bp.copy_course(tmp_path)
    edited = tmp_path / "03_reverse_mode_autodiff.ipynb"
    edited.write_text("my own notes")
    deleted = tmp_path / "solutions" / "01_chain_rule_solutions.ipynb"
    deleted.unlink()
    result = bp.copy_course(tmp_path)
    assert edited.read_text() == "my own notes"
    assert result.kept == [edited]
    assert result.copied == [deleted] and deleted.is_file()
    assert len(result.unchanged) == len(SERIES) - 2
    assert "kept your edited 03_reverse_mode_autodiff.ipynb" in result.summary()


def test_a_file_in_the_way_or_a_wrong_type_is_named(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    with pytest.raises(NotADirectoryError, match="taken exists and is not a folder"):
        bp.copy_course(tmp_path / "taken")
    with pytest.raises(TypeError, match="folder must be a path"):
        bp.copy_course(42)


def test_the_command_line_copies_and_says_how_to_open_the_series(tmp_path: Path, capsys) -> None:
    assert main(["course", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert f"{len(SERIES)} notebooks copied to {tmp_path / 'c'}" in out
    assert f"jupyter lab {tmp_path / 'c'}" in out
    (tmp_path / "file").write_text("")
    assert main(["course", str(tmp_path / "file")]) == 1
    assert "is not a folder" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "backprop_nb", "course", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "notebooks copied" in done.stdout
    assert (tmp_path / "08_training_an_mlp.ipynb").is_file()


def _imported_top_level_modules() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "backprop_nb").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


PROGRAMS = {"graphviz-pure": REPO / "backprop_nb" / "viz" / "png.py"}
"""Dependencies that install a program, not a module, and the module that runs it."""


def test_every_runtime_dependency_is_imported_by_the_package() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    imported = _imported_top_level_modules()
    for dependency in map(Requirement, project["dependencies"]):
        if dependency.name in PROGRAMS:
            assert f'"{dependency.name}"' in PROGRAMS[dependency.name].read_text(), dependency.name
            continue
        module = dependency.name.replace("-", "_").lower()
        assert module in imported, f"pyproject depends on {dependency.name}, which no module imports"


@pytest.mark.slow
def test_the_wheel_carries_the_series_and_copies_it_out(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("backprop_nb-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for relative in SERIES:
        assert f"backprop_nb/_course/{relative.as_posix()}" in names
    target = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(target)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); from backprop_nb import course; "
        "print(course.course_source()); print(course.copy_course(sys.argv[2]).summary())"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(target), str(tmp_path / "student")],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert done.stdout.splitlines()[0] == str(target / "backprop_nb" / "_course")
    assert (tmp_path / "student" / "solutions" / "05_losses_and_gradient_descent_solutions.ipynb").is_file()
