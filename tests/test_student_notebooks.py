"""The student notebooks notebooks/NN_name.ipynb are what tools/make_student_notebooks.py writes from
their sources notebooks/solutions/NN_name_solutions.ipynb, and nbgrader releases the same."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "make_student_notebooks", ROOT / "tools" / "make_student_notebooks.py"
)
make_student_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student_notebooks)

SOURCES = sorted((ROOT / "notebooks" / "solutions").glob("*_solutions.ipynb"))
NBGRADER = {"grade": False, "grade_id": "exercise", "locked": False, "schema_version": 3, "solution": True}


def without_outputs(nb):
    """Cell types, ids, metadata and sources: what the test compares (outputs are nbval's job)."""
    return [(c.cell_type, c.get("id"), c.metadata, c.source) for c in nb.cells]


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_the_committed_student_notebook_is_what_the_tool_makes(source):
    committed = nbformat.read(make_student_notebooks.student_path(source), as_version=4)
    assert without_outputs(committed) == without_outputs(make_student_notebooks.student_notebook(source)), (
        f"run python tools/make_student_notebooks.py, then tools/refresh_notebooks.py on {source.name}"
    )


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_every_exercise_region_becomes_a_stub_and_no_answer_reaches_the_student(source):
    cells = nbformat.read(source, as_version=4).cells
    exercises = [c for c in cells if "### BEGIN SOLUTION" in c.source]
    assert exercises, f"{source.name} has no exercise"
    grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in exercises]
    assert len(set(grade_ids)) == len(grade_ids), f"{source.name}: grade_id used twice: {grade_ids}"
    student = {c.id: c for c in make_student_notebooks.student_notebook(source).cells}
    for cell in exercises:
        made = student[cell.id].source
        assert made.count("# YOUR CODE HERE") == cell.source.count("### BEGIN SOLUTION")
        answer = cell.source.split("### BEGIN SOLUTION\n")[1].split("### END SOLUTION")[0]
        assert all(line.strip() not in made for line in answer.split("\n") if line.strip()), cell.id
    notes = [c.id for c in cells if make_student_notebooks.SOLUTION_ONLY_TAG in c.metadata.get("tags", [])]
    assert notes and not set(notes) & set(student)  # the "solutions copy" line at least


def test_making_again_writes_the_committed_bytes(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    assert make_student_notebooks.make(folder / "solutions") == []
    for source in SOURCES:
        name = make_student_notebooks.student_path(source).name
        assert (folder / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()


# ----- the rules, on small sources --------------------------------------------------------------
def write_source(folder: Path, *cells, name="01_demo") -> Path:
    """A source notebook notebooks/solutions/<name>_solutions.ipynb under ``folder``."""
    (folder / "notebooks" / "solutions").mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=list(cells))
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell{i}"
    path = folder / "notebooks" / "solutions" / f"{name}_solutions.ipynb"
    nbformat.write(nb, path)
    return path


def exercise(source: str, **metadata) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": dict(NBGRADER, **metadata)})


def made_sources(path: Path) -> list[str]:
    return [c.source for c in make_student_notebooks.student_notebook(path).cells]


def test_a_region_becomes_the_stub_at_the_markers_indentation_and_hidden_tests_go(tmp_path):
    source = write_source(
        tmp_path,
        exercise(
            'def relu_backward(x, grad_out):\n    """dL/dx of relu."""\n    ### BEGIN SOLUTION\n'
            "    return grad_out * (x > 0)\n    ### END SOLUTION\n"
        ),
        nbformat.v4.new_code_cell(
            "check(relu_backward)\n### BEGIN HIDDEN TESTS\nassert relu_backward(1, 2) == 2\n### END HIDDEN TESTS",
            metadata={"nbgrader": {"grade": True, "grade_id": "t", "points": 1, "schema_version": 3}},
        ),
        nbformat.v4.new_markdown_cell(
            "Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION",
            metadata={"nbgrader": dict(NBGRADER, grade_id="why")},
        ),
    )
    assert made_sources(source) == [
        'def relu_backward(x, grad_out):\n    """dL/dx of relu."""\n    # YOUR CODE HERE\n',
        "check(relu_backward)",
        "Why?\nYOUR ANSWER HERE",
    ]


def test_a_cell_without_markers_is_copied_verbatim_and_solution_only_cells_are_dropped(tmp_path):
    code = nbformat.v4.new_code_cell("x = 1  # BEGIN at the top\nprint(x)", metadata={"tags": ["keep"]})
    source = write_source(
        tmp_path,
        nbformat.v4.new_markdown_cell("# 01 · Demo\n[next](02_next.ipynb), [web](https://example.org)"),
        nbformat.v4.new_markdown_cell("*Solutions copy*", metadata={"tags": ["solution-note"]}),
        code,
        nbformat.v4.new_code_cell("print('worked')", metadata={"tags": ["solution-note"]}),
    )
    made = make_student_notebooks.student_notebook(source).cells
    assert [(c.id, c.metadata, c.source) for c in made] == [
        ("cell0", {}, "# 01 · Demo\n[next](02_next.ipynb), [web](https://example.org)"),
        ("cell2", {"tags": ["keep"]}, code.source),
    ]


def test_links_lose_the_parent_folder_the_solutions_folder_needs(tmp_path):
    source = write_source(
        tmp_path, nbformat.v4.new_markdown_cell('[05](../05_losses.ipynb) <img src="../a.png">')
    )
    assert made_sources(source) == ['[05](05_losses.ipynb) <img src="a.png">']


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (exercise("a = None\n### BEGIN SOLUTION\na = 1"), "'### BEGIN SOLUTION' has no '### END SOLUTION'"),
        (exercise("a = 1\n### END SOLUTION"), r"line 2: '### END SOLUTION' without a '### BEGIN SOLUTION'"),
        (
            exercise("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION"),
            r"line 2: '### BEGIN SOLUTION' inside an open SOLUTION region",
        ),
        (
            exercise("a = 1  ### BEGIN SOLUTION\n### END SOLUTION"),
            "line 1: write the marker alone on its line",
        ),
        (
            nbformat.v4.new_code_cell("a = None\n### BEGIN SOLUTION\na = 1\n### END SOLUTION"),
            r'a SOLUTION region needs the cell metadata {"nbgrader": {"solution": true',
        ),
        (exercise("check()\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS"), '{"nbgrader": {"grade": true'),
        (
            exercise("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"),
            r"the student version does not compile \(expected an indented block.*\); keep the lines",
        ),
        (exercise("a = 1", grade_id=""), "nbgrader needs a grade_id unique in the notebook, not ''"),
    ],
    ids=[
        "no end",
        "no begin",
        "nested",
        "not alone",
        "no metadata",
        "hidden tests no grade",
        "no docstring",
        "no grade_id",
    ],
)
def test_a_source_the_student_version_cannot_be_made_from_is_named(tmp_path, cell, message):
    source = write_source(tmp_path, nbformat.v4.new_markdown_cell("# 01 · Demo"), cell)
    with pytest.raises(
        make_student_notebooks.SourceError, match=r"01_demo_solutions.ipynb, cell 1 \(id cell1\)"
    ):
        make_student_notebooks.student_notebook(source)
    with pytest.raises(make_student_notebooks.SourceError, match=message):
        make_student_notebooks.student_notebook(source)


def test_two_exercises_with_one_grade_id_are_refused(tmp_path):
    source = write_source(tmp_path, exercise("a = 1"), exercise("b = 1"))
    with pytest.raises(make_student_notebooks.SourceError, match=r"cell 1 \(id cell1\): .* not 'exercise'"):
        make_student_notebooks.student_notebook(source)


def test_a_new_source_gets_its_student_notebook_and_unchanged_cells_keep_their_outputs(
    tmp_path, monkeypatch, capsys
):
    source = write_source(
        tmp_path,
        nbformat.v4.new_code_cell("print(1)"),
        exercise("a = None\n### BEGIN SOLUTION\na = 1\n### END SOLUTION\ncheck(a)"),
    )
    student = tmp_path / "notebooks" / "01_demo.ipynb"
    monkeypatch.setattr(make_student_notebooks, "SOURCES", source.parent)
    assert make_student_notebooks.main(["--check"]) == 1 and not student.exists()
    assert capsys.readouterr().out == "notebooks/01_demo.ipynb: missing or out of date\n"
    assert make_student_notebooks.main([]) == 0
    assert make_student_notebooks.main(["--check"]) == 0

    nb = nbformat.read(student, as_version=4)  # as tools/refresh_notebooks.py stores it
    for count, cell in enumerate(nb.cells, start=1):
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"run {count}\n")]
        cell.execution_count = count
    nbformat.write(nb, student)
    edited = nbformat.read(source, as_version=4)
    edited.cells[1].source = edited.cells[1].source.replace("check(a)", "check(a, strict=True)")
    nbformat.write(edited, source)
    assert make_student_notebooks.make(source.parent, check=True) == [student]
    assert make_student_notebooks.make(source.parent) == [student]
    first, changed = nbformat.read(student, as_version=4).cells
    assert (first.execution_count, first.outputs[0].text) == (1, "run 1\n")
    assert (changed.execution_count, changed.outputs) == (None, [])
    assert make_student_notebooks.make(source.parent) == []  # the same bytes again


# ----- nbgrader itself ------------------------------------------------------------------------------
@pytest.mark.slow
def test_nbgrader_releases_the_student_notebook_the_tool_makes(tmp_path):
    pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install -e '.[dev]')")
    source = ROOT / "notebooks" / "solutions" / "02_computational_graphs_solutions.ipynb"
    assignment = tmp_path / "source" / "ex02"
    assignment.mkdir(parents=True)
    shutil.copy(source, assignment / "02_computational_graphs.ipynb")
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")  # alembic
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", "ex02", "--force"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    released = nbformat.read(tmp_path / "release" / "ex02" / "02_computational_graphs.ipynb", as_version=4)
    ours = make_student_notebooks.student_notebook(source)
    assert [c.cell_type for c in released.cells] == [c.cell_type for c in ours.cells]
    # the one difference: nbgrader leaves the links as they are in notebooks/solutions/ (../)
    assert [
        make_student_notebooks.without_parent_links(c.source) if c.cell_type == "markdown" else c.source
        for c in released.cells
    ] == [c.source for c in ours.cells]
    assert any("../" in c.source for c in released.cells)
    stubbed = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("solution")]
    answered = [
        c for c in nbformat.read(source, as_version=4).cells if c.metadata.get("nbgrader", {}).get("solution")
    ]
    assert len(stubbed) == len(answered) >= 4 and all("# YOUR CODE HERE" in c.source for c in stubbed)
