"""The emulator's parity table, written from emulator/rules.py.

    python emulator/rules_table.py            prints the table (docs/emulator-parity.md)
    python emulator/rules_table.py --write    writes docs/emulator-parity.md

test/emulator/rules/test_rules.py fails when the committed copy is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rules import RULES, Rule  # noqa: E402  (after the path fix above)

DOC = Path(__file__).resolve().parent.parent / "docs" / "emulator-parity.md"

HEADER = """# The emulator's rules, and where AWS says so

Generated from `emulator/rules.py` by `python emulator/rules_table.py --write`
(`.venv/emulator/bin/python`); the emulator's tests fail when this copy is
stale. Each rule says what the emulator does. **Source** names the AWS
document, API model shape, AWS CloudFormation handler, or Terraform provider
code or test that shows it; **assumed** says what no source decides. A rule
with no source is assumed whole, and is never presented as AWS behaviour; no
safety guarantee of this project rests on one. What the parity suite has
recorded against AWS, and what it derived from these documents, is in
[docs/parity.md](parity.md).
"""


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The whole Markdown document."""
    sourced = sum(1 for r in RULES.values() if r.source)
    assumed_whole = [r.id for r in RULES.values() if not r.source]
    lines = [
        HEADER,
        f"{len(RULES)} rules: {sourced} with a source (some with an assumed part), {len(assumed_whole)} assumed whole"
        f" ({', '.join(f'`{i}`' for i in assumed_whole)}).",
        "",
    ]
    for title, prefix in [("Redshift-managed VPC endpoints, clusters and Route 53", False), ("IAM, as the enforcement evaluates it", True)]:
        rows: list[Rule] = [r for r in RULES.values() if r.id.startswith("iam.") == prefix]
        lines += [f"## {title}", "", "| rule | operations | what the emulator does | source | assumed |", "| --- | --- | --- | --- | --- |"]
        lines += [
            f"| `{r.id}` | {_cell(', '.join(r.operations))} | {_cell(r.does)} | {_cell(r.source) or '**none**'} | {_cell(r.assumed) or 'nothing'} |"
            for r in rows
        ]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv == ["--write"]:
        DOC.write_text(render())
        print(f"wrote {DOC}")
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
