"""Puts the notebook series inside the wheel, so ``pip install backprop_nb`` brings the course.

The notebooks live at the top of the repository (``notebooks/``, where Binder and readers expect
them), outside the package; package data cannot reach there, so building the package copies them
into ``backprop_nb/_course/`` of the build (``backprop-nb course DIR`` copies them out again).
Everything else about the package is in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


class BuildWithCourse(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the clone's notebooks/ folder directly
            return
        target = Path(self.build_lib) / "backprop_nb" / "_course"
        for notebook in sorted(NOTEBOOKS.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in notebook.parts:
                continue
            destination = target / notebook.relative_to(NOTEBOOKS)
            self.mkpath(str(destination.parent))
            self.copy_file(str(notebook), str(destination))


setup(cmdclass={"build_py": BuildWithCourse})
