"""The README stays a short user's page whose first code block is the two quick-start commands CI runs."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _first_code_block(text: str) -> list[str]:
    match = re.search(r"```\w*\n(.*?)```", text, flags=re.S)
    assert match, "the README has no code block"
    return [line for line in match.group(1).splitlines() if line.strip()]


def test_readme_is_short_and_starts_with_the_quick_start() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    install_and_run, install_and_test = _first_code_block(readme)
    assert "pip install -e ." in install_and_run and "glyphic ocr resources/samples/sample.png" in install_and_run
    # CI (.ci/run) runs the test command after making the venv itself
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = install_and_test.split("&&", 1)[1].strip()
    assert test_command.replace(".venv/bin/pip install", ".venv/bin/pip install -q") in ci


def test_links_in_the_readme_changelog_and_docs_point_at_files_that_exist() -> None:
    pages = [REPO / "README.md", REPO / "CHANGELOG.md", *sorted((REPO / "docs").glob("*.md"))]
    for page in pages:
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if not re.match(r"^[a-z]+:", target):
                assert (page.parent / target).exists(), f"{page.name}: {target}"


def test_results_page_holds_the_current_reports() -> None:
    from benchmarks.results import generated

    results = (REPO / "docs" / "results.md").read_text(encoding="utf-8")
    assert generated(REPO / "reports") in results, "run python -m benchmarks.results"
