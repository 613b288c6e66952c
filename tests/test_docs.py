"""Every finding code is documented, and the README starts with the two set-up commands."""

from __future__ import annotations

from tests.conftest import ROOT
from toxplan.domain.safety.findings import CODES


def test_every_finding_code_is_documented() -> None:
    rules = (ROOT / "docs" / "rules.md").read_text()
    readme = (ROOT / "README.md").read_text()
    for code in CODES:
        assert f"`{code}`" in rules, code
        assert f"`{code}`" in readme, code


def test_readme_starts_with_make_serve_and_make_test() -> None:
    lines = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("make ")]
    assert [line.split()[1] for line in lines[:2]] == ["serve", "test"]
