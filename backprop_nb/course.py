"""The notebook series, for a student who installed the package with ``pip`` and has no clone.

>>> result = bp.copy_course("my-course")      # or, in a terminal: backprop-nb course my-course
>>> [path.name for path in result.copied][:2]
['00_numpy_primer.ipynb', '01_chain_rule.ipynb']

The notebooks ship inside the package (a wheel carries them in ``backprop_nb/_course/``; in a
clone of the repository they are read from its ``notebooks/`` folder). Copying never overwrites a
file that is already there: a notebook the student has edited is kept as it is, so running the
command again only adds what is missing. Delete a notebook to get the original back.
"""

from __future__ import annotations

import filecmp
import shutil
from dataclasses import dataclass, field
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SHIPPED = _PACKAGE / "_course"
"""Where a wheel keeps the series (setup.py copies ``notebooks/`` there when it builds the wheel)."""
_CLONE = _PACKAGE.parent / "notebooks"
"""Where the series lives in a clone of the repository (an editable install reads it there)."""


@dataclass
class CourseCopy:
    """What :func:`copy_course` did, file by file (paths inside the destination folder)."""

    folder: Path
    copied: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """What happened, in a few lines a terminal can show, ending with how to open the series."""
        lines = [f"{len(self.copied)} notebooks copied to {self.folder}"]
        if self.unchanged:
            lines.append(f"{len(self.unchanged)} already there and unchanged")
        for path in self.kept:
            lines.append(f"kept your edited {path.relative_to(self.folder)} (delete it to get the original)")
        lines.append(f"Open the series with:  jupyter lab {self.folder}")
        return "\n".join(lines)


def course_source() -> Path:
    """The folder the series is copied from: the package's copy, or a clone's ``notebooks/``."""
    for folder in (_SHIPPED, _CLONE):
        if (folder / "01_chain_rule.ipynb").is_file():
            return folder
    raise FileNotFoundError(
        "the notebooks are not in this installation of backprop_nb; reinstall it from a wheel "
        "(pip install --force-reinstall backprop_nb) or use a clone of the repository"
    )


def course_notebooks() -> list[Path]:
    """The series' notebooks (solutions included), as paths relative to :func:`course_source`."""
    source = course_source()
    return sorted(
        path.relative_to(source) for path in source.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts
    )


def copy_course(folder: str | Path) -> CourseCopy:
    """Copy the notebook series (and its ``solutions/``) into ``folder``, creating it if needed.

    A notebook already in ``folder`` is never overwritten: if it differs from the shipped one it
    is listed in :attr:`CourseCopy.kept`, otherwise in :attr:`CourseCopy.unchanged`.
    """
    if not isinstance(folder, (str, Path)):
        raise TypeError(f"folder must be a path (str or pathlib.Path), not {type(folder).__name__}")
    destination = Path(folder).expanduser().resolve()
    if destination.exists() and not destination.is_dir():
        raise NotADirectoryError(f"{destination} exists and is not a folder: choose another name")
    source = course_source()
    result = CourseCopy(destination)
    for relative in course_notebooks():
        target = destination / relative
        if target.exists():
            same = filecmp.cmp(source / relative, target, shallow=False)
            (result.unchanged if same else result.kept).append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target)
        result.copied.append(target)
    return result
