"""Write the student notebooks from their sources, the notebooks with every exercise answered.

    python tools/make_student_notebooks.py            # write notebooks/NN_name.ipynb
    python tools/make_student_notebooks.py --check    # only say which are out of date (exit status 1)

The source of ``notebooks/NN_name.ipynb`` is ``notebooks/solutions/NN_name_solutions.ipynb``,
written the way nbgrader reads an assignment (so an instructor can drop it into an nbgrader
course; see ``nbgrader_config.py``):

* an answer lies between a ``### BEGIN SOLUTION`` and a ``### END SOLUTION`` line, in a cell whose
  metadata says ``{"nbgrader": {"solution": true, ...}}``; the student gets ``# YOUR CODE HERE``
  (in Markdown: ``YOUR ANSWER HERE``) at the begin marker's indentation. Lines the student version
  needs to run (``answer = None  # your number``, a function's ``def`` line and docstring) stay
  outside the region;
* ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` (in a cell with ``"grade": true``) is removed;
* a cell tagged ``solution-note`` (a worked explanation, the line saying this is the solutions
  copy) is dropped;
* links are written for ``notebooks/solutions/`` (``../05_losses.ipynb``): the student notebook
  gets them without the ``../``;
* the ``nbgrader`` metadata is left out; every other cell is copied as it is.

The metadata of an exercise cell, as nbgrader's "Autograded answer" cell type writes it:
``{"nbgrader": {"grade": false, "grade_id": "check_...", "locked": false, "schema_version": 3,
"solution": true}}``; the grade_id, unique in the notebook, is the name of the cell's checker here.

Every generated code cell must compile. A cell whose source did not change keeps the outputs
stored in the student notebook, so making them again gives the same bytes; a new or changed cell
has none until ``python tools/refresh_notebooks.py notebooks/NN_name.ipynb`` runs it.
``tests/test_student_notebooks.py`` fails when a student notebook is not what this tool writes.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import re
import sys
from pathlib import Path

import nbformat

SOURCES = Path(__file__).resolve().parent.parent / "notebooks" / "solutions"
SOLUTION_ONLY_TAG = "solution-note"
STUBS = {"code": "# YOUR CODE HERE", "markdown": "YOUR ANSWER HERE"}
# For each kind of region: the nbgrader cell metadata flag it needs, and whether a stub replaces it.
REGIONS = {
    "SOLUTION": ("solution", True),
    "HIDDEN TESTS": ("grade", False),
}
_MARKER = re.compile(r"(BEGIN|END) (SOLUTION|HIDDEN TESTS)")
_PARENT_LINK = re.compile(r"(\]\(|\b(?:href|src)=\")\.\./")


class SourceError(Exception):
    """A source cell the student version cannot be made from; the message names notebook and cell."""


def student_path(source: Path) -> Path:
    """``solutions/NN_name_solutions.ipynb`` → ``NN_name.ipynb`` in the folder above."""
    return source.parent.parent / (source.name.removesuffix("_solutions.ipynb") + ".ipynb")


def without_parent_links(markdown: str) -> str:
    """Relative links and pictures as seen from ``notebooks/`` rather than ``notebooks/solutions/``."""
    return _PARENT_LINK.sub(r"\1", markdown)


def stub_regions(cell: dict, where: str) -> str:
    """The cell's source with each solution region replaced by the stub and hidden tests removed.
    ``where`` names the cell in error messages."""
    lines, region = [], None
    for number, line in enumerate(cell.source.split("\n"), start=1):
        marker = _MARKER.search(line)
        if not marker:
            if region is None:
                lines.append(line)
            continue
        edge, kind = marker.groups()
        if line.strip() != f"### {edge} {kind}":
            raise SourceError(
                f"{where}, line {number}: write the marker alone on its line, as '### {edge} {kind}'"
            )
        if edge == "BEGIN":
            if region is not None:
                raise SourceError(
                    f"{where}, line {number}: '### BEGIN {kind}' inside an open {region} region"
                )
            flag, stubbed = REGIONS[kind]
            if not cell.metadata.get("nbgrader", {}).get(flag):
                raise SourceError(
                    f"{where}: a {kind} region needs the cell metadata "
                    f'{{"nbgrader": {{"{flag}": true, ...}}}} (nbgrader ignores it otherwise)'
                )
            region = kind
            if stubbed:
                lines.append(line[: len(line) - len(line.lstrip())] + STUBS[cell.cell_type])
        elif region != kind:
            raise SourceError(
                f"{where}, line {number}: '### END {kind}' without a '### BEGIN {kind}' before it"
            )
        else:
            region = None
    if region is not None:
        raise SourceError(f"{where}: '### BEGIN {region}' has no '### END {region}'")
    return "\n".join(lines)


def student_cell(cell: dict, where: str) -> dict | None:
    """The student's version of a source cell, or None for a solution-only cell."""
    if SOLUTION_ONLY_TAG in cell.metadata.get("tags", []):
        return None
    cell = copy.deepcopy(cell)
    cell.source = stub_regions(cell, where)
    cell.metadata.pop("nbgrader", None)
    if cell.cell_type == "markdown":
        cell.source = without_parent_links(cell.source)
    elif cell.cell_type == "code":
        try:
            compile(cell.source, where, "exec")
        except SyntaxError as error:
            raise SourceError(
                f"{where}: the student version does not compile ({error.msg}, line {error.lineno}); "
                "keep the lines it needs to run (def, docstring, placeholders) outside the region"
            ) from error
        cell.outputs, cell.execution_count = [], None
    return cell


def student_notebook(source: Path) -> nbformat.NotebookNode:
    """The student notebook made from ``source``, without outputs."""
    nb = nbformat.read(source, as_version=4)
    made, grade_ids = [], set()
    for i, cell in enumerate(nb.cells):
        where = f"{source.name}, cell {i} (id {cell.get('id')})"
        if "nbgrader" in cell.metadata:
            grade_id = cell.metadata.nbgrader.get("grade_id")
            if not grade_id or grade_id in grade_ids:
                raise SourceError(
                    f"{where}: nbgrader needs a grade_id unique in the notebook, not {grade_id!r}"
                )
            grade_ids.add(grade_id)
        made.append(student_cell(cell, where))
    nb.cells = [cell for cell in made if cell is not None]
    return nb


def keep_outputs(new: nbformat.NotebookNode, old_path: Path) -> None:
    """Cells whose source did not change keep the outputs stored in the old student notebook, and
    the notebook keeps its metadata (the kernel and Python version it was last run with)."""
    if not old_path.exists():
        return
    old_nb = nbformat.read(old_path, as_version=4)
    new.metadata = old_nb.metadata
    old = old_nb.cells
    matcher = difflib.SequenceMatcher(
        a=[(c.cell_type, c.source) for c in old],
        b=[(c.cell_type, c.source) for c in new.cells],
        autojunk=False,
    )
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            before, after = old[block.a + k], new.cells[block.b + k]
            if after.cell_type == "code":
                after.outputs, after.execution_count = before.outputs, before.execution_count


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """The bytes ``nbformat.write`` would store."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def make(sources: Path = SOURCES, check: bool = False) -> list[Path]:
    """Write (or with ``check``, only compare) the student notebook of every source; return those
    that were missing or out of date. Raises :class:`SourceError` naming the notebook and cell."""
    changed = []
    for source in sorted(sources.glob("*_solutions.ipynb")):
        target = student_path(source)
        nb = student_notebook(source)
        keep_outputs(nb, target)
        text = notebook_text(nb)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            changed.append(target)
            if not check:
                target.write_text(text, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report the student notebooks out of date")
    args = parser.parse_args(argv)
    try:
        changed = make(SOURCES, check=args.check)
    except SourceError as error:
        print(f"make_student_notebooks: {error}", file=sys.stderr)
        return 2
    for path in changed:
        print(
            f"{path.relative_to(SOURCES.parent.parent)}: {'missing or out of date' if args.check else 'written'}"
        )
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
