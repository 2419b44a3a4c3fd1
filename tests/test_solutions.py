"""notebooks/solutions/: each notebook with exercises has a solutions copy that is the notebook with
its exercises answered (tools/sync_solutions.py writes them), and every stored answer is right."""

import importlib.util
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("sync_solutions", ROOT / "tools" / "sync_solutions.py")
sync_solutions = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = sync_solutions  # its dataclass looks itself up there
_spec.loader.exec_module(sync_solutions)

NOTEBOOKS = ROOT / "notebooks"
WITH_EXERCISES = [
    path
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if any(sync_solutions.is_exercise(cell) for cell in nbformat.read(path, as_version=4).cells)
]


def cells(path):
    return nbformat.read(path, as_version=4).cells


def tags(cell):
    return cell.metadata.get("tags", [])


def test_every_notebook_with_exercises_has_a_solutions_copy_and_no_other_is_there():
    assert len(WITH_EXERCISES) >= 10
    assert sorted((NOTEBOOKS / "solutions").glob("*.ipynb")) == [
        sync_solutions.solution_path(path) for path in WITH_EXERCISES
    ]


@pytest.mark.parametrize("notebook", WITH_EXERCISES, ids=lambda path: path.stem)
def test_the_copy_is_the_notebook_cell_for_cell_but_the_answers(notebook):
    exercise_cells = cells(notebook)
    solution_cells = [
        c for c in cells(sync_solutions.solution_path(notebook)) if "solution-note" not in tags(c)
    ]
    assert len(solution_cells) == len(exercise_cells)
    first = solution_cells[0].source
    assert f"](../{notebook.name})" in sync_solutions.solutions_line(notebook) in first
    for i, (exercise, solution) in enumerate(zip(exercise_cells, solution_cells, strict=True)):
        assert solution.cell_type == exercise.cell_type, f"cell {i}"
        if sync_solutions.is_exercise(exercise):
            assert tags(solution) == ["solution"], f"cell {i}"
            assert solution.source != exercise.source, f"cell {i} is not answered"
            assert sync_solutions.checker_names(solution.source) == sync_solutions.checker_names(
                exercise.source
            )
            for line in sync_solutions.placeholder_lines(exercise.source):
                assert line not in solution.source, f"cell {i} still holds {line!r}"
        else:
            expected = exercise.source
            if exercise.cell_type == "markdown":
                expected = sync_solutions.with_parent_links(expected)
            if i == 0:
                expected = sync_solutions._with_solutions_line(expected, notebook)
            assert solution.source == expected, f"cell {i} differs from the notebook's"
            assert "solution" not in tags(solution)


@pytest.mark.parametrize("notebook", WITH_EXERCISES, ids=lambda path: path.stem)
def test_every_stored_answer_is_checked_correct(notebook):
    answers = [c for c in cells(sync_solutions.solution_path(notebook)) if "solution" in tags(c)]
    assert answers
    for cell in answers:
        shown = [
            output.get("text", "") + output.get("data", {}).get("text/plain", "") for output in cell.outputs
        ]
        assert any("✔ Correct" in text for text in shown), (cell.source, shown)
        assert not any("✘ Not yet" in text for text in shown), (cell.source, shown)


def test_links_get_the_parent_folder_in_front():
    assert sync_solutions.with_parent_links(
        "[notebook 05](05_losses.ipynb), [glossary](notation.ipynb#loss), ![a](images/a.png)"
    ) == ("[notebook 05](../05_losses.ipynb), [glossary](../notation.ipynb#loss), ![a](../images/a.png)")
    unchanged = "[web](https://example.org), [up](../README.md), [here](#summary), `f(x)`"
    assert sync_solutions.with_parent_links(unchanged) == unchanged


@pytest.fixture
def copy_of_notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.cfg"))
    return folder


def test_syncing_again_writes_the_committed_files_byte_for_byte(copy_of_notebooks):
    assert sync_solutions.sync(copy_of_notebooks) == []
    for notebook in WITH_EXERCISES:
        path = sync_solutions.solution_path(notebook)
        written = copy_of_notebooks / "solutions" / path.name
        assert written.read_bytes() == path.read_bytes()


def test_a_notebook_edited_without_syncing_is_caught(copy_of_notebooks):
    notebook = copy_of_notebooks / WITH_EXERCISES[0].name
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[1].source += "\n\nOne more sentence."
    nbformat.write(nb, notebook)
    solution = sync_solutions.solution_path(notebook)
    assert sync_solutions.sync(copy_of_notebooks, check=True) == [solution]
    assert sync_solutions.sync(copy_of_notebooks) == [solution]
    assert "One more sentence." in solution.read_text(encoding="utf-8")
    assert sync_solutions.sync(copy_of_notebooks) == []  # synced: the same bytes again


def _add_exercise(folder, source):
    notebook = folder / WITH_EXERCISES[-1].name
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, notebook)
    return notebook


def test_a_new_exercise_is_answered_from_any_solution_notebook(copy_of_notebooks):
    notebook = _add_exercise(
        copy_of_notebooks, "answer_new = None  # your number\ncheck_new_thing(answer_new)"
    )
    with pytest.raises(sync_solutions.SyncError, match=f"{notebook.name}: no answer .* check_new_thing"):
        sync_solutions.sync(copy_of_notebooks)
    other = copy_of_notebooks / "solutions" / sync_solutions.solution_path(WITH_EXERCISES[0]).name
    nb = nbformat.read(other, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("answer_new = 42\ncheck_new_thing(answer_new)"))
    nb.cells.append(nbformat.v4.new_markdown_cell("Why 42: it is the answer."))
    nbformat.write(nb, other)
    sync_solutions.sync(copy_of_notebooks)
    answered = cells(sync_solutions.solution_path(notebook))[-2:]
    assert answered[0].source == "answer_new = 42\ncheck_new_thing(answer_new)" and tags(answered[0]) == [
        "solution"
    ]
    assert tags(answered[1]) == ["solution-note"] and answered[1].source == "Why 42: it is the answer."
    assert sync_solutions.sync(copy_of_notebooks) == []  # the note travels with the answer, once


def test_an_answer_that_keeps_the_placeholder_is_refused(copy_of_notebooks):
    notebook = _add_exercise(
        copy_of_notebooks, "answer_new = None  # your number\ncheck_new_thing(answer_new)"
    )
    other = copy_of_notebooks / "solutions" / sync_solutions.solution_path(WITH_EXERCISES[0]).name
    nb = nbformat.read(other, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell("print(1)\nanswer_new = None  # your number\ncheck_new_thing(answer_new)")
    )
    nbformat.write(nb, other)
    with pytest.raises(
        sync_solutions.SyncError, match=f"{notebook.name}: the answer to check_new_thing .* placeholder"
    ):
        sync_solutions.sync(copy_of_notebooks)


def test_an_exercise_whose_call_changed_finds_its_answer_by_the_checker_alone(copy_of_notebooks):
    notebook = copy_of_notebooks / "01_chain_rule.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    (exercise,) = [c for c in nb.cells if "check_central_difference(" in c.source]
    exercise.source = "answer_c = None  # your number\ncheck_central_difference(answer_c)"
    nbformat.write(nb, notebook)
    assert sync_solutions.sync(copy_of_notebooks) == []  # the same answer as before


def test_a_second_exercise_with_the_same_checker_needs_its_own_answer(copy_of_notebooks):
    notebook = copy_of_notebooks / "09_deep_networks.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell("answer_10 = None\ncheck_sigmoid_gradient_factor(answer_10, layers=10)")
    )
    nbformat.write(nb, notebook)
    with pytest.raises(
        sync_solutions.SyncError, match=r"no answer .* check_sigmoid_gradient_factor\(answer_10"
    ):
        sync_solutions.sync(copy_of_notebooks)
