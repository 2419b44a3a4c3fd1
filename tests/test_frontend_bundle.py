"""The browser bundles shipped in backprop_nb/widgets/static/ are exactly what js/build.mjs makes
from js/src and the lockfile, and each names the licences of what it bundles."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

import pytest

from backprop_nb import _frontend

REPO = Path(__file__).resolve().parents[1]
JS = REPO / "js"
SOURCES = sorted(path.stem for path in (JS / "src").glob("*.js"))


def test_every_source_has_a_shipped_bundle_and_licence_file() -> None:
    for name in SOURCES:
        assert _frontend.bundle(name).stat().st_size > 0
        assert (_frontend.STATIC / f"{name}.LICENSES.txt").is_file()
    shipped = sorted(path.stem for path in _frontend.STATIC.glob("*.js"))
    assert shipped == SOURCES, "a bundle in static/ has no source in js/src (or the reverse)"


def test_a_missing_bundle_names_the_rebuild_command() -> None:
    with pytest.raises(FileNotFoundError, match=r"npm ci && node build\.mjs"):
        _frontend.bundle("no_such_module")


def test_bundled_packages_carry_their_licences() -> None:
    for name in SOURCES:
        text = (_frontend.STATIC / f"{name}.LICENSES.txt").read_text(encoding="utf-8")
        bundle = _frontend.bundle(name).read_text(encoding="utf-8")
        if "Viz.js" in bundle:
            assert "Eclipse Public License - v 2.0" in text and "Michael Daines" in text
        if "uPlot" in bundle:
            assert "Leon Sorokin" in text


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="node/npm not installed: cannot rebuild the bundles")
def test_shipped_bundles_match_a_rebuild_from_the_lockfile(tmp_path: Path) -> None:
    work = tmp_path / "js"
    shutil.copytree(JS, work, ignore=shutil.ignore_patterns("node_modules"))
    subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"],
        cwd=work,
        check=True,
        capture_output=True,
        timeout=600,
    )
    out = tmp_path / "out"
    subprocess.run(
        ["node", "build.mjs", "--outdir", str(out)], cwd=work, check=True, capture_output=True, timeout=600
    )
    built = sorted(path.name for path in out.iterdir())
    shipped = sorted(path.name for path in _frontend.STATIC.iterdir() if path.name != "__pycache__")
    assert built == shipped
    _same, mismatch, errors = filecmp.cmpfiles(out, _frontend.STATIC, built, shallow=False)
    assert not mismatch and not errors, f"rebuild differs from the shipped files: {mismatch + errors}"
