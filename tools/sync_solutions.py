"""Write each notebook's solutions copy: the whole notebook with every exercise answered.

    python tools/sync_solutions.py            # write notebooks/solutions/NN_name_solutions.ipynb
    python tools/sync_solutions.py --check    # only say which are out of date (exit status 1)

An *exercise* is a code cell that calls a checker from ``backprop_nb.exercises``
(``check_...(``) with a placeholder (a line holding ``None``: ``answer = None  # your number``).
For every ``notebooks/NN_name.ipynb`` with exercises this writes
``notebooks/solutions/NN_name_solutions.ipynb``: the same cells, with

* one line in the first cell (after the ``**Lectures:**`` line) saying it is the solutions copy,
  linking back to the exercise notebook; links to other notebooks get ``../`` in front;
* each exercise cell replaced by its *answer*: the answered code cell (tagged ``solution``),
  with the worked explanation that goes with it (cells tagged ``solution-note``).

Answers come from a pool over all the solution notebooks there are, matched by the checker
calls of the cell (``check_he_std(answer_std)``; by the checkers' names alone where no call
matches exactly and only one answer has them), so an exercise that moved to another notebook
keeps its answer. A solution notebook no exercise notebook needs any more is removed once its
answers are in the pool. An answered cell without the tag (one added by hand) brings as its
explanation the cells after it up to the next heading, exercise or cell of a notebook, and the
text under an "Exercise" heading right above it that no notebook has.

Workflow: edit ``notebooks/NN_name.ipynb``; for a new exercise, also put its answered cell
(the same checker call, the placeholder answered) at the end of any solution notebook; then
``python tools/sync_solutions.py`` and ``python tools/refresh_notebooks.py
notebooks/solutions/NN_name_solutions.ipynb``, which runs the copy and stores its outputs.
A cell whose source did not change keeps the outputs stored in the solution notebook, so
syncing again gives the same bytes; a new or changed cell brings the outputs it has in the
notebook (an answer: in the solution notebook it came from) until the refresh.
``tests/test_solutions.py`` fails when a solution notebook is not what this tool writes.

Errors name the notebook and the checker: an exercise without an answer in the pool, or an
answer that still holds a placeholder line of the exercise.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ANSWER_TAG = "solution"
NOTE_TAG = "solution-note"
CHECKER_CALL = re.compile(r"(?:bp\.exercises\.)?(check_\w+)\((.*)")
_RELATIVE_LINK = re.compile(r"(\]\(|\b(?:href|src)=\")(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#|\.\./)")


class SyncError(Exception):
    """An exercise that cannot be answered; the message names the notebook and the checker."""


def checker_calls(source: str) -> tuple[str, ...]:
    """The checker calls of a cell, one per line, without ``bp.exercises.`` and spaces."""
    return tuple(m[1] + "(" + "".join(m[2].split()) for m in CHECKER_CALL.finditer(source))


def checker_names(source: str) -> tuple[str, ...]:
    return tuple(m[1] for m in CHECKER_CALL.finditer(source))


def is_exercise(cell: dict) -> bool:
    return cell["cell_type"] == "code" and bool(checker_names(cell["source"]))


def placeholder_lines(source: str) -> list[str]:
    """The lines of an exercise cell the student replaces: those holding ``None``."""
    return [line.strip() for line in source.splitlines() if re.search(r"\bNone\b", line)]


def solution_path(notebook: Path) -> Path:
    return notebook.parent / "solutions" / f"{notebook.stem}_solutions.ipynb"


def with_parent_links(markdown: str) -> str:
    """Relative links and pictures of a notebook, as seen from ``solutions/``: ``../`` in front."""
    return _RELATIVE_LINK.sub(r"\1../", markdown)


def solutions_line(notebook: Path) -> str:
    return f"*Solutions copy of [{notebook.name}](../{notebook.name}): every exercise answered. Try them there first.*"


# ----- the pool of answers --------------------------------------------------------------------
@dataclass
class Answer:
    """An answered exercise: its code cell and the explanation cells around it."""

    cell: dict
    before: list[dict] = field(default_factory=list)
    after: list[dict] = field(default_factory=list)
    origin: str = ""  # the file name of the solution notebook it came from


def answers_in(path: Path, story: set[str]) -> list[Answer]:
    """The answers in one solution notebook. ``story`` holds the sources of every exercise
    notebook's cells: the cells of a full copy that are not explanations."""
    cells = nbformat.read(path, as_version=4).cells
    found = []
    for i, cell in enumerate(cells):
        if not is_exercise(cell):
            continue
        tags = cell.metadata.get("tags", [])
        if ANSWER_TAG in tags:
            before = _tagged_run(cells, i, -1)
            after = _tagged_run(cells, i, +1)
        else:
            before = _statement_note(cells, i, story)
            after = _untagged_notes(cells, i, story)
        found.append(Answer(cell, before, after, path.name))
    return found


def _tagged_run(cells: list[dict], i: int, step: int) -> list[dict]:
    run, j = [], i + step
    while 0 <= j < len(cells) and NOTE_TAG in cells[j].metadata.get("tags", []):
        run.append(cells[j])
        j += step
    return run[::-1] if step < 0 else run


def _untagged_notes(cells: list[dict], i: int, story: set[str]) -> list[dict]:
    """The cells after an answer up to the next heading, exercise or cell of the story."""
    notes = []
    for cell in cells[i + 1 :]:
        if cell.source in story or is_exercise(cell) or cell.source.lstrip().startswith("#"):
            break
        if cell.metadata.get("tags"):
            break
        notes.append(cell)
    return notes


def _statement_note(cells: list[dict], i: int, story: set[str]) -> list[dict]:
    """An exercise-only solution notebook's "## Exercise n" cell that explains the answer: its
    text below the heading, as a note before the answer (the exercise notebook has the heading)."""
    if i == 0:
        return []
    cell = cells[i - 1]
    heading, _, body = cell.source.partition("\n")
    if cell.cell_type != "markdown" or cell.source in story or not re.match(r"#+ Exercise", heading):
        return []
    if not body.strip():
        return []
    note = copy.deepcopy(cell)
    note.source = body.strip()
    return [note]


def answer_pool(notebooks: list[Path], solutions: list[Path]) -> dict[str, list[Answer]]:
    """Every answer of every solution notebook, by its cell's checker calls and names."""
    story = {cell.source for path in notebooks for cell in nbformat.read(path, as_version=4).cells}
    pool: dict[str, list[Answer]] = {}
    for path in solutions:
        for answer in answers_in(path, story):
            for key in (repr(checker_calls(answer.cell.source)), repr(checker_names(answer.cell.source))):
                pool.setdefault(key, []).append(answer)
    return pool


def find_answer(pool: dict[str, list[Answer]], exercise: dict, notebook: Path) -> Answer:
    """The answer to ``exercise``: one with the same checker calls, else the one answer with the
    same checkers (if there are several, none: the calls must match); from the notebook's own
    solution notebook where there is a choice."""
    own = solution_path(notebook).name
    calls, names = repr(checker_calls(exercise.source)), repr(checker_names(exercise.source))
    for key in (calls, names):
        candidates = pool.get(key, [])
        if key == names and len({a.cell.source for a in candidates}) > 1:
            candidates = []  # one checker, several exercises: which answer is meant is unclear
        if candidates:
            answer = sorted(candidates, key=lambda a: (a.origin != own, a.origin))[0]
            stale = [line for line in placeholder_lines(exercise.source) if line in answer.cell.source]
            if stale:
                raise SyncError(
                    f"{notebook.name}: the answer to {', '.join(checker_names(exercise.source))} "
                    f"(from solutions/{answer.origin}) still holds the placeholder line {stale[0]!r}"
                )
            return answer
    raise SyncError(
        f"{notebook.name}: no answer for the exercise calling {', '.join(checker_calls(exercise.source))} "
        f"in any solution notebook; add its answered cell to solutions/{own}"
    )


# ----- writing a solution notebook ---------------------------------------------------------------
def solution_notebook(notebook: Path, pool: dict[str, list[Answer]]) -> nbformat.NotebookNode:
    """The notebook with its exercises answered, each cell with the outputs it had where it came from."""
    nb = nbformat.read(notebook, as_version=4)
    cells, used = [], set()
    for i, cell in enumerate(nb.cells):
        if is_exercise(cell):
            answer = find_answer(pool, cell, notebook)
            if answer.cell.source in used:
                raise SyncError(
                    f"{notebook.name}: two exercises calling {', '.join(checker_names(cell.source))} "
                    "would get the same answer; make the answers' checker calls match the exercises'"
                )
            used.add(answer.cell.source)
            cells += [_tagged(c, NOTE_TAG) for c in answer.before]
            answered = _tagged(answer.cell, ANSWER_TAG)
            answered.id = cell.id
            cells.append(answered)
            cells += [_tagged(c, NOTE_TAG) for c in answer.after]
        else:
            cell = copy.deepcopy(cell)
            if cell.cell_type == "markdown":
                cell.source = with_parent_links(cell.source)
                if i == 0:
                    cell.source = _with_solutions_line(cell.source, notebook)
            cells.append(cell)
    nb.cells = _unique_ids(cells, notebook)
    return nb


def _tagged(cell: dict, tag: str) -> dict:
    cell = copy.deepcopy(cell)
    others = [t for t in cell.metadata.get("tags", []) if t not in (ANSWER_TAG, NOTE_TAG)]
    cell.metadata["tags"] = [*others, tag]
    return cell


def _with_solutions_line(source: str, notebook: Path) -> str:
    lines = source.split("\n")
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("**Lectures:**")), 1)
    return "\n".join([*lines[:at], "", solutions_line(notebook), *lines[at:]])


def _unique_ids(cells: list[dict], notebook: Path) -> list[dict]:
    seen: set[str] = set()
    for i, cell in enumerate(cells):
        if cell.get("id") in seen or not cell.get("id"):
            cell.id = hashlib.sha1(f"{notebook.name}:{i}:{cell.source}".encode()).hexdigest()[:8]
        seen.add(cell.id)
    return cells


def keep_outputs(new: nbformat.NotebookNode, old_path: Path) -> None:
    """Cells whose source did not change keep the outputs stored in the old solution notebook
    (where they were run there), and the notebook keeps its metadata (the kernel and Python version it was last run with)."""
    if not old_path.exists():
        return
    old_nb = nbformat.read(old_path, as_version=4)
    new.metadata = old_nb.metadata
    old = old_nb.cells
    key = [(c.cell_type, c.source) for c in old]
    matcher = difflib.SequenceMatcher(a=key, b=[(c.cell_type, c.source) for c in new.cells], autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            before, after = old[block.a + k], new.cells[block.b + k]
            if after.cell_type == "code" and (before.execution_count is not None or before.outputs):
                after.outputs = before.outputs  # a cell never run there keeps the ones it brings
                after.execution_count = before.execution_count


def sync(folder: Path = NOTEBOOKS, check: bool = False) -> list[Path]:
    """Write (or with ``check``, only compare) every solution notebook; return those that were
    out of date. Raises :class:`SyncError` naming the notebook and checker of a missing answer."""
    notebooks = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    solutions = sorted((folder / "solutions").glob("*_solutions.ipynb"))
    pool = answer_pool(notebooks, solutions)
    with_exercises = [
        p for p in notebooks if any(is_exercise(c) for c in nbformat.read(p, as_version=4).cells)
    ]
    changed = []
    for notebook in with_exercises:
        nb = solution_notebook(notebook, pool)
        target = solution_path(notebook)
        keep_outputs(nb, target)
        text = nbformat.writes(nb)
        text += "" if text.endswith("\n") else "\n"  # as nbformat.write ends a file
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            changed.append(target)
            if not check:
                target.write_text(text, encoding="utf-8")
    wanted = {solution_path(p) for p in with_exercises}
    for stale in solutions:
        if stale not in wanted:
            changed.append(stale)
            if not check:
                stale.unlink()
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report the solution notebooks out of date")
    args = parser.parse_args(argv)
    try:
        changed = sync(check=args.check)
    except SyncError as error:
        print(f"sync_solutions: {error}", file=sys.stderr)
        return 2
    for path in changed:
        state = "missing or out of date" if args.check else ("removed" if not path.exists() else "written")
        print(f"{path.relative_to(NOTEBOOKS.parent)}: {state}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
