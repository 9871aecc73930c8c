"""The table a reader sees (docs/emulator-parity-snapshots.md) is generated from snapshots.meta.json, and both agree
with the committed snapshots. Runs on either target; needs no AWS and no emulator."""

from __future__ import annotations

from parity_snapshots import TABLE, load_metadata, problems, render, snapshot_files


def test_every_snapshot_key_says_what_it_stands_on_and_every_entry_has_its_snapshot() -> None:
    assert problems(load_metadata(), snapshot_files()) == []


def test_the_committed_table_is_generated_from_the_metadata() -> None:
    assert TABLE.read_text() == render(load_metadata()), "stale: run python test/emulator/parity/parity_snapshots.py --write"


def test_the_problems_are_named_when_metadata_and_snapshots_disagree() -> None:
    metadata = {
        "sources": {"model": "the model"},
        "snapshots": {
            "t.py::listed_only": {"recorded": None, "keys": {"a": ["model"]}},
            "t.py::cites_nothing_known": {"recorded": None, "keys": {"a": ["guide"], "b": []}},
        },
    }
    snapshots = {"t.py::cites_nothing_known": {"recorded-content": {"a": {}, "b": {}}}, "t.py::unlisted": {"recorded-content": {}}}
    assert problems(metadata, snapshots) == [
        "t.py::unlisted: a snapshot with no entry in snapshots.meta.json",
        "t.py::listed_only: in snapshots.meta.json but no snapshot was written (derive it with npm run test:parity -- --snapshot-update, or mark it pending)",
        "t.py::cites_nothing_known a: cites 'guide', which is not in sources",
        "t.py::cites_nothing_known b: no source and no 'assumed:' note",
    ]
