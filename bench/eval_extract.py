"""Run extraction over a gold folder and score it with the shared evaluator.

    .venv/bin/python bench/eval_extract.py ../shared/corpora/polnear/dev
    .venv/bin/python bench/eval_extract.py ../shared/seeds/brat --gold-jsonl ../shared/seeds/gold.jsonl

Reads every GOLD/text/*.txt exactly as the contract says (UTF-8, no newline
translation), writes contract JSONL (``--out``, default a temporary file) and
runs ``shared/tools/eval_attribution.py GOLD PRED``. With ``--gold-jsonl`` it
also checks the stance of every gold denial and reports hedged / quote
agreement on the gold claims whose cue a prediction overlaps.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claimtrack.extract import extract_claims, to_contract  # noqa: E402

EVALUATOR = REPO.parent / "shared" / "tools" / "eval_attribution.py"


def read_text(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def predict(gold: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in sorted((gold / "text").glob("*.txt")):
        text = read_text(path)
        for claim in extract_claims(text):
            rows.append(to_contract(claim, path.name))
    return rows


def _overlaps(a: dict[str, int] | None, b: dict[str, int] | None) -> bool:
    return a is not None and b is not None and a["start"] < b["end"] and b["start"] < a["end"]


def check_fields(rows: list[dict[str, object]], gold_jsonl: Path) -> None:
    gold = [
        json.loads(line)
        for line in gold_jsonl.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    denials = right = 0
    agree = {"stance": 0, "hedged": 0, "quote": 0}
    paired = 0
    for g in gold:
        match = None
        for p in rows:
            if p["document"] != g["document"]:
                continue
            if _overlaps(p["cue"], g["cue"]) if g["cue"] else _overlaps(p["content"], g["content"]):  # type: ignore[arg-type]
                match = p
                break
        if g["stance"] == "denies":
            denials += 1
            ok = match is not None and match["stance"] == "denies"
            right += ok
            where = g["cue"]["text"] if g["cue"] else g["content"]["text"][:40]
            print(f"gold denial {where!r}: {'right' if ok else 'WRONG'}", file=sys.stderr)
        if match is not None:
            paired += 1
            for key in agree:
                agree[key] += match[key] == g[key]
    print(f"gold denials with stance right: {right}/{denials}")
    print(
        f"gold claims paired by cue: {paired}/{len(gold)}; of those, agreeing "
        + ", ".join(f"{k} {v}/{paired}" for k, v in agree.items())
    )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("gold", type=Path, help="folder with text/*.txt and attributions/*.ann")
    ap.add_argument("--out", type=Path, help="where to write the predictions (JSONL)")
    ap.add_argument(
        "--gold-jsonl", type=Path, help="contract JSONL gold: check stance / hedged / quote"
    )
    ap.add_argument("--json", action="store_true", help="pass --json to the evaluator")
    args = ap.parse_args()

    rows = predict(args.gold)
    out = args.out or Path(tempfile.mkstemp(suffix=".jsonl")[1])
    with open(out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    cmd = [sys.executable, str(EVALUATOR), str(args.gold), str(out), "--strict"]
    if args.json:
        cmd.append("--json")
    code = subprocess.call(cmd)
    if args.gold_jsonl:
        check_fields(rows, args.gold_jsonl)
    if not args.out:
        out.unlink()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
