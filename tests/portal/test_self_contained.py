"""The repository reads nothing outside itself: a fresh clone, anywhere, has all it needs."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Roots of folders that belong to a person or a workspace, never to the operating system's packages
#: (which the project may use: /usr/bin/chromium, /usr/lib/postgresql…). Not /home/: Wagtail's page paths start so.
PRIVATE_ROOTS = ("/work/", "/root/", "/mnt/")


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "*.py", "*.sh", "*.toml", ".ci/*"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def outside_references(text: str) -> list[str]:
    """Absolute paths into the folder around the repository (or any private root), and ``..`` paths that climb out."""
    around = str(ROOT.parent).rstrip("/") + "/"
    found = [line for line in text.splitlines() if around in line and around != "/"]
    found += [line for line in text.splitlines() if any(re.search(rf"[\"'\s=(]{re.escape(root)}", line)
                                                            for root in PRIVATE_ROOTS)]
    found += [line for line in text.splitlines() if re.search(r"\.\./(shared|seeds)\b", line)]
    return list(dict.fromkeys(found))


def test_no_tracked_file_names_a_path_outside_the_repository():
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in tracked_files() if path != Path(__file__).resolve()
        if (lines := outside_references(path.read_text(errors="replace")))
    }

    assert not offenders, f"These files name paths outside the repository: {offenders}"


def test_the_check_itself_spots_a_path_into_the_folder_beside_the_repository():
    beside = f'SEEDS = Path("{ROOT.parent}/shared/seeds")'

    assert outside_references(beside) == [beside]
    assert outside_references('SEEDS = Path("../shared/seeds")')
    assert not outside_references('CHROMIUM = "/usr/bin/chromium"')
