"""The command line (``backprop-nb ...`` or ``python -m backprop_nb ...``):

* ``backprop-nb course DIR`` copies the notebook series into ``DIR``, which the student then owns
  and edits; see :func:`backprop_nb.course.copy_course`;
* ``backprop-nb html DIR [NOTEBOOK ...] [--execute]`` writes the notebooks (by default the series)
  as HTML pages that work offline; see :func:`backprop_nb.html_export.export_html`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .course import copy_course


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="backprop-nb", description="backprop_nb: backpropagation you can see, in Jupyter."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    course = commands.add_parser(
        "course",
        help="copy the notebook series into a folder you own",
        description="Copy the notebook series (with solutions/) into DIR. Notebooks already in DIR "
        "are never overwritten, so your edits are safe.",
    )
    course.add_argument(
        "folder", metavar="DIR", help="the folder to copy the notebooks into (created if needed)"
    )
    pages = commands.add_parser(
        "html",
        help="write notebooks as HTML pages that work offline",
        description="Write each notebook (by default the whole series) as an HTML page in DIR, with "
        "every picture inside the page, math as MathML and widgets as their still pictures: "
        "the pages load nothing from the internet.",
    )
    pages.add_argument("folder", metavar="DIR", help="the folder for the pages (created if needed)")
    pages.add_argument(
        "notebooks", metavar="NOTEBOOK", nargs="*", help="notebooks to export (default: the series)"
    )
    pages.add_argument(
        "--execute", action="store_true", help="run each notebook first and export its fresh outputs"
    )
    args = parser.parse_args(argv)
    if args.command == "html":
        return _html(args.folder, args.notebooks or None, args.execute)
    try:
        result = copy_course(args.folder)
    except (OSError, TypeError) as error:
        print(f"backprop-nb course: {error}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def _html(folder: str, notebooks: list[str] | None, execute: bool) -> int:
    try:
        from .html_export import export_html  # nbconvert is needed only for this command

        pages = export_html(folder, notebooks, execute=execute)
    except ModuleNotFoundError as error:
        print(
            f"backprop-nb html needs nbconvert and latex2mathml ({error.name} is missing): "
            "pip install 'backprop_nb[html]'",
            file=sys.stderr,
        )
        return 1
    except OSError as error:
        print(f"backprop-nb html: {error}", file=sys.stderr)
        return 1
    where = Path(folder).expanduser().resolve()
    plural = "" if len(pages) == 1 else "s"
    print(f"wrote {len(pages)} HTML page{plural} into {where}; open them in any browser, offline too")
    return 0


if __name__ == "__main__":
    sys.exit(main())
