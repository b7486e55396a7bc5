"""The floors hold: no app imports the roof, the foundation imports no app, and the feature apps import only
what the layers contract allows (pyproject.toml, ``[tool.importlinter]``; README, "How the code is arranged")."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def test_no_import_goes_up_a_floor():
    result = subprocess.run([sys.executable, "-c", LINT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"lint-imports found an import the contracts forbid:\n{result.stdout}{result.stderr}"
