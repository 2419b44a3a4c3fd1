"""The notebooks read as one course: each opens with its lectures, prerequisites, glossary link and
learning objectives and ends with a summary; slide corrections sit in collapsible boxes that render
their Markdown; links point to files that exist and never to ``docs/``; no notebook names the
folder of the lecture decks; and docs/course_map.md names only notebooks and headings that exist.

Reads the notebooks' JSON only (no kernel), so it runs in a second. Every failure names the
notebook, the cell index (as in ``nb["cells"][i]``, counted from 0) and what is wrong.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
COURSE_MAP = REPO / "docs" / "course_map.md"

SERIES = sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))
"""Every notebook of the series (solutions are generated from them and not checked here)."""
GLOSSARY = "notation.ipynb"
"""The glossary: a reference page, not a lesson, so it has no title number, lectures or summary."""
PRIMER = "00_numpy_primer.ipynb"
"""The numpy primer follows no lecture deck, so it needs no ``**Lectures:**`` line."""
LESSONS = [name for name in SERIES if name != GLOSSARY]
DECK_KEYS = ("L12", "ML3", "CMU", "UDL", "MG")
"""The lecture decks' keys, as in docs/course_map.md."""

LECTURE_FOLDER = re.compile(r"shared\s*[/\\]+\s*lectures", re.IGNORECASE)
"""The folder of the lecture decks, which no notebook may name (in text, code or outputs)."""
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)|\b(?:href|src)\s*=\s*[\"']([^\"']+)[\"']")
"""A Markdown link's or an HTML href/src's target."""
MAP_REFERENCE = re.compile(r"\[([^\]]+)\]\(\.\./notebooks/([^)#\s]+)\)(?: “([^”]+)”)?")
"""A course-map reference: ``[NN](../notebooks/X.ipynb)``, optionally followed by “heading”."""


Cells = tuple[tuple[str, str], ...]
"""A notebook's cells as (cell type, source) pairs."""


@cache
def cells(name: str) -> Cells:
    """The notebook's cells as (cell type, source) pairs."""
    notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    return tuple((cell["cell_type"], "".join(cell["source"])) for cell in notebook["cells"])


def markdown_lines(source: str) -> list[str]:
    """The lines of a Markdown cell outside fenced code blocks (a ``#`` there is no heading)."""
    lines, fenced = [], False
    for line in source.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def headings(name: str) -> list[str]:
    """Every Markdown heading of a notebook, without its leading ``#``s."""
    return [
        line.lstrip("#").strip()
        for kind, source in cells(name)
        if kind == "markdown"
        for line in markdown_lines(source)
        if re.match(r"#{1,6}\s", line)
    ]


def _nonblank(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()]


def _report(name: str, problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{name}:\n  " + "\n  ".join(problems), pytrace=False)


def opening_problems(name: str, notebook: Cells) -> list[str]:
    """What is wrong with a lesson's opening: title, Lectures line, glossary link, objectives."""
    kind, source = notebook[0]
    number = name[:2]
    lines = _nonblank(markdown_lines(source))
    problems = []
    if kind != "markdown" or not lines or not lines[0].startswith(f"# {number} · "):
        first = lines[0] if lines else "(empty)"
        problems.append(f"cell 0 must start with the title line '# {number} · Title', found {first[:80]!r}")
    header = lines[1] if len(lines) > 1 else ""
    expected = "'**Lectures:** … · **Prerequisites:** … · **Notation:** [glossary](notation.ipynb)'"
    if name == PRIMER:
        if "(notation.ipynb)" not in source:
            problems.append("cell 0 has no relative link to the glossary, '[glossary](notation.ipynb)'")
    elif not header.startswith("**Lectures:**"):
        problems.append(f"cell 0: the line after the title must be {expected}, found {header[:80]!r}")
    else:
        if not any(re.search(rf"\b{key}\b", header) for key in DECK_KEYS):
            problems.append(f"cell 0: the **Lectures:** line names no deck key ({', '.join(DECK_KEYS)})")
        for part in ("**Prerequisites:**", "(notation.ipynb)"):
            if part not in header:
                problems.append(f"cell 0: the **Lectures:** line has no {part!r}; expected {expected}")
    introduction = []  # the cells before the first section ('## ')
    for index, (kind, text) in enumerate(notebook):
        if index and kind == "markdown" and any(re.match(r"##\s", line) for line in markdown_lines(text)):
            break
        introduction.append((index, text))
    objectives = [(index, text) for index, text in introduction if "**Learning objectives.**" in text]
    if not objectives:
        last = introduction[-1][0]
        problems.append(
            f"no '**Learning objectives.**' in the introduction (cells 0–{last}, before the first '## ')"
        )
    else:
        index, text = objectives[0]
        after = _nonblank(text.split("**Learning objectives.**", 1)[1].splitlines()[1:])
        if not after or not re.match(r"\s*([-*+]|\d+\.)\s", after[0]):
            problems.append(f"cell {index}: '**Learning objectives.**' is not followed by a bullet list")
    return problems


def summary_problems(notebook: Cells) -> list[str]:
    """What is wrong with a lesson's last cell, which must be '## Summary' with bullets."""
    index = len(notebook) - 1
    kind, source = notebook[index]
    first = (_nonblank(source.splitlines()) or ["(empty)"])[0]
    if kind != "markdown" or not first.startswith("## Summary"):
        return [f"cell {index} (the last, {kind}) must start with '## Summary', found {first[:80]!r}"]
    if not any(re.match(r"\s*[-*+]\s", line) for line in source.splitlines()):
        return [f"cell {index}: the summary has no bullet list"]
    return []


@pytest.mark.parametrize("name", LESSONS)
def test_the_first_cell_gives_title_lectures_prerequisites_glossary_and_objectives(name: str) -> None:
    _report(name, opening_problems(name, cells(name)))


@pytest.mark.parametrize("name", LESSONS)
def test_the_last_cell_is_the_summary(name: str) -> None:
    _report(name, summary_problems(cells(name)))


GOOD_LESSON: Cells = (
    (
        "markdown",
        "# 04 · Vector Jacobians\n"
        "**Lectures:** CMU §3, UDL · **Prerequisites:** [03](03_reverse_mode_autodiff.ipynb), the "
        "[numpy primer](00_numpy_primer.ipynb) · **Notation:** [glossary](notation.ipynb)\n\nIntroduction.",
    ),
    ("code", "import backprop_nb as bp"),
    ("markdown", "**Learning objectives.** After this notebook you can\n\n- read a Jacobian's shape"),
    ("markdown", "## 1. Types of derivatives\n\n```\n## not a heading\n```"),
    ("markdown", "## Summary\n\n- a Jacobian of f: ℝⁿ → ℝᵐ is m × n"),
)
"""A lesson that follows every convention (its links are not checked here)."""


def test_the_opening_and_summary_checks_pass_a_good_lesson_and_name_each_mistake() -> None:
    assert opening_problems("04_vector_jacobians.ipynb", GOOD_LESSON) == []
    assert summary_problems(GOOD_LESSON) == []
    assert "title line '# 05 · Title'" in " ".join(opening_problems("05_x.ipynb", GOOD_LESSON))
    no_glossary = (("markdown", GOOD_LESSON[0][1].replace("(notation.ipynb)", "(../docs/notation.md)")),)
    assert "has no '(notation.ipynb)'" in " ".join(
        opening_problems("04_x.ipynb", no_glossary + GOOD_LESSON[1:])
    )
    late = GOOD_LESSON[:2] + GOOD_LESSON[3:4] + GOOD_LESSON[2:3] + GOOD_LESSON[4:]
    assert "no '**Learning objectives.**' in the introduction (cells 0–1" in " ".join(
        opening_problems("04_x", late)
    )
    assert "must start with '## Summary'" in " ".join(summary_problems(GOOD_LESSON[:-1]))


def details_problems(source: str) -> list[str]:
    """What is wrong with the ``<details>`` boxes of one Markdown cell (nothing: an empty list)."""
    lines = source.splitlines()
    problems, opened = [], None
    for number, line in enumerate(lines):
        text = line.strip()
        if "<details" in text:
            if opened is not None:
                problems.append(
                    f"line {number + 1}: <details> opened inside the box opened on line {opened + 1}"
                )
            if text != "<details>":
                problems.append(
                    f"line {number + 1}: '<details>' must stand alone on its line, found {text[:60]!r}"
                )
            opened = number
            summary = lines[number + 1].strip() if number + 1 < len(lines) else ""
            if not re.fullmatch(r"<summary><b>Slide correction:</b> \S.*</summary>", summary):
                problems.append(
                    f"line {number + 2}: a box's next line must be '<summary><b>Slide correction:</b> what is "
                    f"corrected</summary>' on one line, found {summary[:80]!r}"
                )
            if number + 2 < len(lines) and lines[number + 2].strip():
                problems.append(
                    f"line {number + 3}: no blank line after <summary> (its Markdown would not render)"
                )
        elif "</details>" in text:
            if opened is None:
                problems.append(f"line {number + 1}: </details> without a <details>")
            if text != "</details>":
                problems.append(
                    f"line {number + 1}: '</details>' must stand alone on its line, found {text[:60]!r}"
                )
            if number == 0 or lines[number - 1].strip():
                problems.append(
                    f"line {number + 1}: no blank line before </details> (its Markdown would not render)"
                )
            opened = None
    if opened is not None:
        problems.append(f"line {opened + 1}: <details> is never closed in this cell")
    return problems


@pytest.mark.parametrize("name", SERIES)
def test_every_details_box_is_a_closed_slide_correction_that_renders_markdown(name: str) -> None:
    problems = [
        f"cell {index}, {problem}"
        for index, (kind, source) in enumerate(cells(name))
        if kind == "markdown"
        for problem in details_problems(source)
    ]
    _report(name, problems)


def test_the_details_check_catches_each_mistake() -> None:
    good = (
        "Story.\n\n<details>\n<summary><b>Slide correction:</b> a sign</summary>\n\nText $x$.\n\n</details>\n"
    )
    assert details_problems(good) == []
    assert "no blank line after <summary>" in " ".join(
        details_problems(good.replace("</summary>\n\n", "</summary>\n"))
    )
    assert "no blank line before </details>" in " ".join(
        details_problems(good.replace(".\n\n</details>", ".\n</details>"))
    )
    assert "never closed" in " ".join(details_problems(good.replace("</details>", "")))
    assert "Slide correction:</b> what is" in " ".join(
        details_problems(good.replace("Slide correction", "Hint"))
    )


def relative_links(source: str) -> list[str]:
    """The targets of a cell's links that are relative paths (no ``scheme:``, not ``#anchor``)."""
    targets = (markdown or html for markdown, html in LINK.findall(source))
    return [target for target in targets if not re.match(r"[a-z][a-z0-9+.-]*:|#", target, re.IGNORECASE)]


@pytest.mark.parametrize("name", SERIES)
def test_links_stay_inside_notebooks_and_point_to_files_that_exist(name: str) -> None:
    problems = []
    for index, (kind, source) in enumerate(cells(name)):
        if "../docs/" in source:
            problems.append(f"cell {index} links to ../docs/ (broken in a copied course and in JupyterLite)")
        if kind != "markdown":
            continue
        for target in relative_links(source):
            path = target.split("#")[0].split("?")[0]
            if path and not (NOTEBOOKS / path).exists():
                problems.append(f"cell {index} links to {target!r}, which does not exist in notebooks/")
    _report(name, problems)


@pytest.mark.parametrize("name", SERIES)
def test_no_notebook_names_the_folder_of_the_lecture_decks(name: str) -> None:
    notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    problems = [
        f"cell {index} ({cell['cell_type']}) names the lecture decks' folder: {match.group()!r}"
        for index, cell in enumerate(notebook["cells"])
        for match in LECTURE_FOLDER.finditer(json.dumps(cell, ensure_ascii=False))
    ]
    problems += [
        f"metadata names it: {m.group()!r}" for m in LECTURE_FOLDER.finditer(json.dumps(notebook["metadata"]))
    ]
    _report(name, problems)


def test_the_lecture_folder_pattern_matches_the_ways_a_path_is_written() -> None:
    for text in ("see /home/me/shared/lectures/x.pdf", r"C:\shared\lectures", "Shared/Lectures"):
        assert LECTURE_FOLDER.search(text), text
    assert not LECTURE_FOLDER.search("the lectures we shared")


def course_map_references() -> list[tuple[int, str, str, str | None]]:
    """(line number, label, notebook file, heading or None) of each notebook link in the map."""
    references = []
    for number, line in enumerate(COURSE_MAP.read_text(encoding="utf-8").splitlines(), start=1):
        for label, notebook, heading in dict.fromkeys(MAP_REFERENCE.findall(line)):  # each once a line
            references.append((number, label, notebook, heading or None))
    return references


def test_the_course_map_names_existing_notebooks_and_headings() -> None:
    problems = []
    for number, label, notebook, heading in course_map_references():
        where = f"line {number}: [{label}](../notebooks/{notebook})"
        if notebook not in SERIES:
            problems.append(f"{where}: no such notebook in notebooks/")
            continue
        if re.fullmatch(r"\d\d", label) and not notebook.startswith(f"{label}_"):
            problems.append(f"{where}: the label {label} is not the notebook's number")
        if heading is not None and heading.strip() not in headings(notebook):
            close = difflib.get_close_matches(heading, headings(notebook), n=1, cutoff=0.4)
            hint = f"; closest heading there: “{close[0]}”" if close else ""
            problems.append(f"{where} “{heading}”: no such heading in {notebook}{hint}")
    assert course_map_references(), "the pattern finds no reference in docs/course_map.md"
    _report("docs/course_map.md", problems)


def test_every_notebook_appears_in_the_course_map() -> None:
    mapped = {notebook for _, _, notebook, _ in course_map_references()}
    assert not set(SERIES) - mapped, f"docs/course_map.md never links to {sorted(set(SERIES) - mapped)}"
