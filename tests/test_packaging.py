"""The wheel users install carries every package and the bot's templates."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_packages_and_templates(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("nnrepair-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {p.name for p in (ROOT / "templates").glob("*.j2")}
    assert templates and {f"bot/jinja_templates/{t}" for t in templates} <= names
    for pkg in ("repair_engine", "repair_engine/semantics", "repair_engine/frontends/python", "repair_engine/repair", "bot"):
        assert f"{pkg}/__init__.py" in names
    # every Python package in the tree is shipped
    for init in list(ROOT.joinpath("repair_engine").rglob("__init__.py")) + [ROOT / "bot" / "__init__.py"]:
        assert str(init.relative_to(ROOT)) in names, init
