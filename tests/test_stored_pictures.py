"""Every committed notebook shows its pictures without being run (GitHub, nbviewer, a fresh clone).

A code cell *draws* when it makes a matplotlib figure (``plt.subplots``, ``plt.figure``, a
``.plot(...)`` or ``plot_...(...)`` call), or when its last line shows a graph (``show_graph``) or
a widget (a ``bp.widgets`` call, or a name the cell bound to one). Such a cell must have a stored
picture: a PNG (graphs carry it beside their SVG, since untrusted JupyterLab, GitHub and nbviewer
show no SVG); for a widget, a PNG output or a PNG inside its HTML still picture.
"""

import ast
import base64
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "notebooks" / "solutions").glob("*.ipynb")
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_IN_HTML = '<img src="data:image/png;base64,'
FIGURE_MAKERS = {"subplots", "figure"}  # plt.subplots(...), plt.figure(...)


def _called_name(call: ast.Call) -> str:
    """``plot`` for ``ax.plot(...)``, ``show_graph`` for ``bp.show_graph(...)``; "" for other callees."""
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def _calls(node: ast.AST) -> list[ast.Call]:
    """The calls ``node`` runs when executed (not those inside a function or class it defines)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
        return []
    found = [node] if isinstance(node, ast.Call) else []
    for child in ast.iter_child_nodes(node):
        found += _calls(child)
    return found


def _is_widget_call(node: ast.AST) -> bool:
    """``bp.widgets.backward_stepper(f)`` and the like."""
    return isinstance(node, ast.Call) and "widgets" in ast.unparse(node.func).split(".")[:-1]


def what_it_draws(source: str) -> set[str]:
    """What a cell with this source shows: a subset of {"figure", "graph", "widget"}."""
    body = ast.parse(source).body
    drawn = set()
    names = {_called_name(call) for statement in body for call in _calls(statement)}
    if names & FIGURE_MAKERS or any(name == "plot" or name.startswith("plot_") for name in names):
        drawn.add("figure")
    if not body or not isinstance(body[-1], ast.Expr):
        return drawn
    shown = body[-1].value
    if isinstance(shown, ast.Call) and _called_name(shown) == "show_graph":
        drawn.add("graph")
    widgets = {
        target.id
        for statement in body
        if isinstance(statement, ast.Assign) and _is_widget_call(statement.value)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }
    if _is_widget_call(shown) or (isinstance(shown, ast.Name) and shown.id in widgets):
        drawn.add("widget")
    return drawn


def _is_png(encoded: str) -> bool:
    return base64.b64decode(encoded).startswith(PNG_SIGNATURE)


def missing_pictures(cell: dict) -> list[str]:
    """What is wrong with the stored outputs of one code cell; empty when every picture is there."""
    outputs = [output.get("data", {}) for output in cell["outputs"]]
    drawn = what_it_draws(cell["source"])
    problems = []
    if any("image/svg+xml" in data and not _is_png(data.get("image/png", "")) for data in outputs):
        problems.append("a graph (SVG) is stored without a PNG beside it")
    pngs = sum(_is_png(data["image/png"]) for data in outputs if "image/png" in data)
    if "figure" in drawn and not pngs:
        problems.append("it draws a figure, but no PNG is stored")
    if "graph" in drawn and not any("image/svg+xml" in data for data in outputs):
        problems.append("it shows a graph, but no picture of it is stored")
    if "widget" in drawn and not (pngs or any(PNG_IN_HTML in data.get("text/html", "") for data in outputs)):
        problems.append("it shows a widget, but no still picture (a PNG) is stored")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_every_cell_that_draws_has_its_picture_stored(path):
    notebook = nbformat.read(path, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    problems = [
        f"cell {number} ({cell.source.splitlines()[0][:50]!r}): {problem}"
        for number, cell in enumerate(code_cells, start=1)
        for problem in missing_pictures(cell)
    ]
    assert not problems, f"{path.name}: run tools/refresh_notebooks.py on it\n" + "\n".join(problems)


def test_the_notebooks_are_found():
    # 00-10 and the glossary, and a solutions copy of each of 00-10
    assert len(NOTEBOOKS) == 12 + 11


# ----- the checks themselves -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "drawn"),
    [
        ('fig, ax = plt.subplots()\nax.loglog(h, error, "o-");', {"figure"}),
        ("history.plot();", {"figure"}),
        ("bp.plot_decision_boundary(model, X, y);", {"figure"}),
        ("bp.show_graph(f, edge_grads=True)", {"graph"}),
        ("f.backward()\nbp.show_graph(f)", {"graph"}),
        ("view = bp.show_graph(f)", set()),  # not shown: the last line is not an expression
        ("stepper = bp.widgets.backward_stepper(f)\nstepper", {"widget"}),
        ("bp.widgets.descent_explorer('parabola')", {"widget"}),
        ("steps = bp.widgets.backward_stepper(f)\nsteps.next.click()\nprint(steps.step_text)", set()),
        ("def draw():\n    plt.figure()\nprint(1)", set()),  # defined, not called
        ("print(f.grad)", set()),
    ],
)
def test_it_tells_what_a_cell_draws(source, drawn):
    assert what_it_draws(source) == drawn


PNG = base64.b64encode(PNG_SIGNATURE + b"rest of the picture").decode()


@pytest.mark.parametrize(
    ("source", "data", "problem"),
    [
        ("fig, ax = plt.subplots()", None, "no PNG is stored"),
        ("fig, ax = plt.subplots()", {"image/png": PNG, "text/plain": "<Figure>"}, None),
        ("bp.show_graph(f)", {"image/svg+xml": "<svg/>", "text/plain": "<GraphView>"}, "without a PNG"),
        ("bp.show_graph(f)", {"image/svg+xml": "<svg/>", "image/png": PNG}, None),
        ("bp.show_graph(f)", None, "no picture of it is stored"),
        ("w = bp.widgets.graph_explorer(g, x=1)\nw", {"text/html": "<svg/>"}, "no still picture"),
        ("w = bp.widgets.graph_explorer(g, x=1)\nw", {"text/html": f'<p>note</p>{PNG_IN_HTML}{PNG}">'}, None),
        ("print(f.grad)", None, None),
    ],
)
def test_it_finds_a_missing_picture(source, data, problem):
    outputs = [] if data is None else [{"output_type": "display_data", "data": data, "metadata": {}}]
    problems = missing_pictures({"source": source, "outputs": outputs})
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]
