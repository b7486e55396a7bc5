"""The README stays true: every environment variable the settings read is documented."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def variables_read_by_settings() -> set[str]:
    source = (ROOT / "portal" / "settings.py").read_text()
    return set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', source))


def test_every_environment_variable_is_in_the_readme_configuration_table():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, re.MULTILINE))

    missing = variables_read_by_settings() - documented
    assert not missing, f"Add these variables to the README's configuration table: {sorted(missing)}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()

    block = re.search(r"<!-- test-command -->\n```bash\n(.+?)\n```", readme)
    assert block, "README.md must give the test command under <!-- test-command -->"
    assert "<!-- run-command -->" in readme
    assert block.group(1) in ci.splitlines()
