"""FNC-1 helpers shared by bench/fnc1.py and bench/train_fnc1.py: reading, splitting."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FNC1 = ROOT.parent / "shared" / "corpora" / "fnc1"
OUT = Path("/tmp/claimtrack-bench/fnc1")
SEED = 20170601
HELDOUT = 0.2


def read_bodies(path: Path) -> dict[int, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {int(r["Body ID"]): r["articleBody"] for r in csv.DictReader(fh)}


def read_stances(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_bodies(path: Path, bodies: dict[int, str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["Body ID", "articleBody"])
        for bid, text in bodies.items():
            w.writerow([bid, text])


def write_stances(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["Headline", "Body ID", "Stance"])
        for r in rows:
            w.writerow([r["Headline"], r["Body ID"], r["Stance"]])


def heldout_ids(body_ids: Iterable[int], seed: int = SEED) -> set[int]:
    """The Body IDs held out for measuring (fixed seed, ``HELDOUT`` of the bodies)."""
    ids = sorted(body_ids)
    random.Random(seed).shuffle(ids)
    return set(ids[: int(len(ids) * HELDOUT)])


def split(fnc1: Path = FNC1, out: Path = OUT, seed: int = SEED) -> dict[str, Path]:
    """Split train_* by Body ID (fixed seed, 20 % held out); write the four files to ``out``."""
    bodies = read_bodies(fnc1 / "train_bodies.csv")
    stances = read_stances(fnc1 / "train_stances.csv")
    held = heldout_ids(bodies, seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "train_bodies": out / "train_bodies.csv",
        "train_stances": out / "train_stances.csv",
        "heldout_bodies": out / "heldout_bodies.csv",
        "heldout_stances": out / "heldout_stances.csv",
    }
    write_bodies(paths["train_bodies"], {b: t for b, t in bodies.items() if b not in held})
    write_bodies(paths["heldout_bodies"], {b: t for b, t in bodies.items() if b in held})
    write_stances(paths["train_stances"], [r for r in stances if int(r["Body ID"]) not in held])
    write_stances(paths["heldout_stances"], [r for r in stances if int(r["Body ID"]) in held])
    return paths
