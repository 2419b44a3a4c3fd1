"""A Binder (repo2docker) build without Docker, and notebooks run in it (after shared/recipes/simulate_binder.sh).

What repo2docker does, and what :func:`build_environment` mirrors (repo2docker's buildpacks/base.py,
python/__init__.py and conda/environment.py-3.11.yml):

* configuration is read from ``binder/`` or ``.binder/`` when one exists (root files are then
  ignored, so ``binder/requirements.txt`` must list ``.`` to install the package; both existing is
  an error), otherwise from the repository root;
* a Dockerfile, environment.yml, Pipfile, Nix, Julia or R file there selects another buildpack,
  which would NOT read requirements.txt: :class:`BinderConfigError`, since only the pip route is
  simulated;
* ``runtime.txt`` ``python-X.Y`` picks the Python; here the venv gets the Python running the
  tests, and a different version is reported;
* ``apt.txt``: ``apt-get install --yes --no-install-recommends`` of its names (Ubuntu's on Binder,
  Debian's here), done here only as root with apt-get and only for packages that are missing;
* the base environment has JupyterLab 4, Notebook 7 and ipywidgets 8;
* ``pip install -r binder/requirements.txt`` runs with the repository root as working directory
  (Binder adds ``--no-cache-dir``; we keep pip's cache so repeated runs are fast);
* ``postBuild`` runs next, from the repository root; ``start`` runs at each launch (not simulated);
* then ``pip check``, which Binder does not run, so that conflicting pins fail here.

:func:`run_notebook` executes one notebook top to bottom in the built environment's own kernel,
with a fresh Jupyter and IPython configuration as on Binder, and appends a probe cell that reports
which Python and which ``backprop_nb`` the kernel used. Run with that environment's Python as
``python _binder_build.py SOURCE TARGET``, this module is the executor itself.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CONFIG_DIRS = ("binder", ".binder")
OTHER_BUILDPACK_FILES = (
    "Dockerfile",
    "environment.yml",
    "Pipfile",
    "Pipfile.lock",
    "default.nix",
    "Project.toml",
    "JuliaProject.toml",
    "REQUIRE",
    "install.R",
)
BASE_ENVIRONMENT = ("jupyterlab>=4,<5", "notebook>=7,<8", "ipywidgets>=8,<9", "nbclient>=0.10")
"""Binder's base environment, plus nbclient (which it has through jupyter_server) to run notebooks."""
CELL_TIMEOUT_S = 300
PROBE_SOURCE = (
    "import importlib.metadata, json, sys, backprop_nb\n"
    'print(json.dumps({"prefix": sys.prefix, "file": backprop_nb.__file__,\n'
    '    "version": importlib.metadata.version("backprop_nb"), "module_version": backprop_nb.__version__}))'
)
_APT_NAME = re.compile(r"[a-z0-9.+-]+")  # what repo2docker accepts in apt.txt
_ERROR_TAIL_LINES = 25
_LEAKY_VARIABLES = {"PYTHONPATH", "PYTHONHOME", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH"}
"""Would put another environment's modules or kernelspecs ahead of the built one's."""
_ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


class BinderConfigError(Exception):
    """The repository's Binder configuration is one repo2docker would reject or build differently."""


class BinderBuildError(Exception):
    """A build step failed; the message holds the command and the tail of its output."""


@dataclass(frozen=True)
class NotebookRun:
    """One executed notebook: the executed copy, its probe report, or the error's tail."""

    notebook: Path
    executed_copy: Path
    code_cells: int
    executed_cells: int
    probe: dict | None
    error: str | None


def clone_working_tree(repo: Path, destination: Path) -> Path:
    """Copy what a fresh clone would hold (tracked and new unignored files, as they are now) to ``destination``.

    Binder builds from a clean clone; building from the checkout itself would pick up ignored
    files (virtualenvs, a stale setuptools ``build/``) and leave ``build/`` behind.
    """
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        capture_output=True,
    )
    if listing.returncode:
        raise BinderBuildError(f"git ls-files failed in {repo}: {listing.stderr.decode().strip()}")
    for name in filter(None, listing.stdout.decode().split("\0")):
        source = repo / name
        if source.is_file():  # listed but deleted in the working tree: not in the clone either
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def config_dir(repo: Path) -> Path:
    """The directory repo2docker reads: ``binder/`` or ``.binder/`` if present, else the root."""
    present = [repo / name for name in CONFIG_DIRS if (repo / name).is_dir()]
    if len(present) > 1:
        raise BinderConfigError("both binder/ and .binder/ exist: repo2docker refuses to build")
    config = present[0] if present else repo
    other = [name for name in OTHER_BUILDPACK_FILES if (config / name).exists()]
    if other:
        raise BinderConfigError(
            f"{config / other[0]} makes repo2docker use another buildpack, which ignores "
            "requirements.txt; only the pip route is simulated"
        )
    return config


def runtime_python(config: Path) -> str | None:
    """``"3.11"`` for a runtime.txt of ``python-3.11``; None without runtime.txt."""
    runtime_txt = config / "runtime.txt"
    if not runtime_txt.exists():
        return None
    runtime = runtime_txt.read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)(\.\d+)?", runtime)
    if match is None:
        raise BinderConfigError(f"{runtime_txt}: expected 'python-X.Y', got {runtime!r}")
    return match.group(1)


def apt_packages(config: Path) -> list[str]:
    """The package names in apt.txt (comments and blank lines dropped), checked as repo2docker does."""
    apt_txt = config / "apt.txt"
    if not apt_txt.exists():
        return []
    names = [line.partition("#")[0].strip() for line in apt_txt.read_text().splitlines()]
    for name in filter(None, names):
        if not _APT_NAME.match(name):
            raise BinderConfigError(f"{apt_txt}: invalid package name {name!r}")
    return [name for name in names if name]


def build_environment(repo: Path, venv: Path) -> None:
    """Build ``venv`` as repo2docker would build the image's environment, printing each step."""
    config = config_dir(repo)
    print(f"binder: config dir {config.relative_to(repo) if config != repo else '.'}")
    _check_runtime(config)
    _install_apt_packages(apt_packages(config))
    _run([sys.executable, "-m", "venv", "--clear", str(venv)], cwd=repo)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    _run([*pip, *BASE_ENVIRONMENT], cwd=repo)
    requirements = config / "requirements.txt"
    if requirements.exists():
        _run([*pip, "-r", str(requirements.relative_to(repo))], cwd=repo)
    _run_post_build(config / "postBuild", repo, venv)
    if (config / "start").exists():
        print("binder: start is not simulated (Binder runs it at each launch)")
    _run([str(venv / "bin" / "python"), "-m", "pip", "check"], cwd=repo)


def run_notebook(venv: Path, notebook: Path, executed_copy: Path) -> NotebookRun:
    """Execute ``notebook`` in ``venv``'s kernel, writing the executed copy (also after an error)."""
    executed_copy.parent.mkdir(parents=True, exist_ok=True)
    jupyter_home = executed_copy.parent / f".{executed_copy.stem}-jupyter"
    env = _environment_of(venv) | {
        "JUPYTER_CONFIG_DIR": str(jupyter_home / "config"),
        "JUPYTER_DATA_DIR": str(jupyter_home / "data"),
        "JUPYTER_RUNTIME_DIR": str(jupyter_home / "runtime"),
        "IPYTHONDIR": str(jupyter_home / "ipython"),
    }
    result = subprocess.run(
        [str(venv / "bin" / "python"), __file__, str(notebook), str(executed_copy)],
        env=env,
        capture_output=True,
        text=True,
    )
    error = _tail(result.stdout + result.stderr) if result.returncode else None
    if not executed_copy.exists():
        return NotebookRun(notebook, executed_copy, 0, 0, None, error or "no executed copy was written")
    *notebook_cells, probe_cell = nbformat.read(executed_copy, as_version=4).cells
    code = [cell for cell in notebook_cells if cell.cell_type == "code" and cell.source.strip()]
    executed = [cell for cell in code if cell.execution_count is not None]
    return NotebookRun(notebook, executed_copy, len(code), len(executed), _probe_report(probe_cell), error)


def _check_runtime(config: Path) -> None:
    wanted = runtime_python(config)
    ours = "{}.{}".format(*sys.version_info[:2])
    if wanted is None:
        print("binder: no runtime.txt: Binder would use its default Python, not necessarily " + ours)
    elif wanted != ours:
        print(f"binder: WARNING runtime.txt asks for Python {wanted}; simulated with {ours}")
    else:
        print(f"binder: runtime.txt asks for Python {wanted}: same as here")


def _install_apt_packages(packages: list[str]) -> None:
    if not packages:
        return
    missing = [name for name in packages if not _dpkg_installed(name)]
    if not missing:
        print(f"binder: apt.txt packages already installed: {' '.join(packages)}")
    elif os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"binder: apt-get install {' '.join(missing)}")
        apt_env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        _run(["apt-get", "-qq", "update"], env=apt_env)
        _run(["apt-get", "install", "--yes", "--no-install-recommends", *missing], env=apt_env)
    else:
        print(f"binder: SKIPPED apt.txt (needs root and apt-get), not installed: {' '.join(missing)}")


def _dpkg_installed(name: str) -> bool:
    if shutil.which("dpkg-query") is None:
        return False
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True)
    return status.stdout.strip() == "install ok installed"


def _run_post_build(post_build: Path, repo: Path, venv: Path) -> None:
    """Run postBuild from the repository root, as its shebang says (repo2docker: chmod +x, then ./postBuild)."""
    if not post_build.exists():
        return
    script = post_build.read_text()
    first_line = script.partition("\n")[0]
    interpreter = shlex.split(first_line[2:]) if first_line.startswith("#!") else ["sh"]
    is_shell = Path(interpreter[-1]).name in {"sh", "bash"}
    if is_shell and not re.search(r"^\s*set -\w*e", script, re.MULTILINE):
        raise BinderConfigError(f"{post_build} has no `set -e`: a failing command would not fail the build")
    print(f"binder: running {post_build.relative_to(repo)}")
    _run([*interpreter, str(post_build.relative_to(repo))], cwd=repo, env=_environment_of(venv))


def _environment_of(venv: Path) -> dict[str, str]:
    """This process's environment with ``venv`` activated and nothing leaking in from elsewhere."""
    env = {key: value for key, value in os.environ.items() if key not in _LEAKY_VARIABLES}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def _run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BinderBuildError(f"{shlex.join(command)} failed:\n{_tail(result.stdout + result.stderr)}")


def _probe_report(probe_cell: nbformat.NotebookNode) -> dict | None:
    """What the probe printed, or None when it did not run (an earlier cell failed)."""
    stdout = "".join(output.text for output in probe_cell.outputs if output.get("name") == "stdout")
    return json.loads(stdout) if stdout else None


def _tail(text: str) -> str:
    """The last lines of ``text`` without terminal colours (IPython colours its tracebacks)."""
    return "\n".join(_ANSI_COLOUR.sub("", text).rstrip().splitlines()[-_ERROR_TAIL_LINES:])


def _execute(source: Path, target: Path) -> int:
    """Run ``source`` plus the probe cell in this Python's kernel; write the result to ``target``."""
    notebook = nbformat.read(source, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE_SOURCE))
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(source.parent)}},  # the kernel starts in the notebook's folder
    )
    try:
        client.execute()
    except Exception as error:  # every failure (cell error, timeout, dead kernel) is reported the same way
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        nbformat.write(notebook, target)
    return 0


if __name__ == "__main__":
    sys.exit(_execute(Path(sys.argv[1]), Path(sys.argv[2])))
