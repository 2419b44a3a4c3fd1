"""The command line: ``backprop-nb course DIR`` (or ``python -m backprop_nb course DIR``).

It copies the notebook series into ``DIR``, which the student then owns and edits; see
:func:`backprop_nb.course.copy_course`.
"""

from __future__ import annotations

import argparse
import sys

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
    args = parser.parse_args(argv)
    try:
        result = copy_course(args.folder)
    except (OSError, TypeError) as error:
        print(f"backprop-nb course: {error}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
