# SPDX-License-Identifier: MIT
"""The code cites docs/methods.md by section: every cited section and pitfall exists, and no
file cites a reference our users do not have."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METHODS = ROOT / "docs" / "methods.md"
CODE = [
    p
    for d in ("condensync_tools", "connectors", "tests", "benchmarks")
    for p in (ROOT / d).rglob("*")
    if p.suffix in (".py", ".json", ".toml", ".csv") and p.is_file()
]


def _sections() -> set[str]:
    text = METHODS.read_text(encoding="utf-8")
    return set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", text, flags=re.MULTILINE))


def _pitfall_count() -> int:
    text = METHODS.read_text(encoding="utf-8").split("## 7. Pitfalls", 1)[1].split("\n## ", 1)[0]
    return len(re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE))


def _citations() -> list[tuple[str, str]]:
    """(file, cited text) of every ``docs/methods.md …`` citation, up to the closing bracket."""
    out = []
    for path in CODE:
        text = re.sub(r"\s*\n\s*#?\s*", " ", path.read_text(encoding="utf-8", errors="replace"))
        for match in re.finditer(r"docs/methods\.md ([^)\]\"]{0,80})", text):
            out.append((str(path.relative_to(ROOT)), match.group(1)))
    return out


def test_methods_has_the_numbered_sections_the_code_relies_on():
    assert {
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "1.5",
        "1.6",
        "2",
        "3",
        "3.1",
        "4",
        "5.1",
        "5.2",
        "5.3",
        "6",
        "7",
        "8",
        "9",
    } <= _sections()
    assert _pitfall_count() == 16


def test_every_cited_section_and_pitfall_exists():
    sections, pitfalls = _sections(), _pitfall_count()
    citations = _citations()
    assert len(citations) > 40
    bad = []
    for where, cited in citations:
        for number in re.findall(r"§(\d+(?:\.\d+)?)", cited):
            if number not in sections and number.split(".")[0] not in sections:
                bad.append((where, cited))
        for number in re.findall(r"pitfalls? (\d+)(?:[-–](\d+))?", cited):
            if any(n and not 1 <= int(n) <= pitfalls for n in number):
                bad.append((where, cited))
    assert bad == []


def test_no_citation_of_a_reference_users_do_not_have():
    pattern = re.compile(
        "|".join(("physics" + r"\.md", "physics" + " reference", "shared" + "/reference")), re.IGNORECASE
    )
    offenders = [
        str(p.relative_to(ROOT))
        for p in CODE + list((ROOT / "golden").rglob("*.json"))
        if pattern.search(p.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []
