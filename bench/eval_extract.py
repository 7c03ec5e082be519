"""Run extraction over a gold folder and score it with the shared evaluator.

    .venv/bin/python bench/eval_extract.py ../shared/corpora/polnear/dev
    .venv/bin/python bench/eval_extract.py ../shared/seeds/brat --gold-jsonl ../shared/seeds/gold.jsonl
    .venv/bin/python bench/eval_extract.py ../shared/corpora/polnear/train --fold 0 --data DIR

The last form is the held-out protocol of bench/train_extractor.py: score only the
articles whose sorted index is 0 mod 5 with the data files (model, cue shares) that
``train_extractor.py --fold 0 --out DIR`` trained on the other four fifths.

Reads every GOLD/text/*.txt exactly as the contract says (UTF-8, no newline
translation), writes contract JSONL (``--out``, default a temporary file) and
runs ``shared/tools/eval_attribution.py GOLD PRED``. With ``--gold-jsonl`` it
also checks the stance of every gold denial and reports hedged / quote
agreement on the gold claims whose cue a prediction overlaps.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claimtrack.extract import extract_claims, lexicon, to_contract  # noqa: E402

EVALUATOR = REPO.parent / "shared" / "tools" / "eval_attribution.py"


def read_text(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def use_data(folder: Path) -> None:
    """Read the extractor's data files from ``folder`` where it has them (held-out models)."""
    shipped = lexicon.data_bytes

    def data_bytes(name: str) -> bytes:
        path = folder / name
        return path.read_bytes() if path.is_file() else shipped(name)

    lexicon.data_bytes = data_bytes  # type: ignore[assignment]


def use_extra(keep: list[str]) -> None:
    """Score the experimental ``train_extractor.py --extra`` templates too (patches the
    tagger in this process: their rows are looked up by name and added to the emissions)."""
    import numpy as np
    from train_extractor import extra_features

    from claimtrack.extract import tagger

    plain = tagger._emissions
    rows: dict[str, int] = {}

    def emissions(
        model: Any, cue_prob: Any, raw: list[str], bf: list[int], bl: list[int], sent: Any,
        *rest: Any,
    ) -> tuple[Any, Any]:  # fmt: skip
        scores, ids = plain(model, cue_prob, raw, bf, bl, sent, *rest)
        more = np.zeros((len(raw), len(keep)), dtype=np.int64)
        for a, e in zip(bf, bl, strict=True):
            feats = extra_features(raw[a : e + 1], sent[a : e + 1], cue_prob, keep)
            for t, names in enumerate(feats):
                for c, name in enumerate(names):
                    k = rows.get(name)
                    if k is None:
                        k = rows[name] = model.row_of(name)
                    more[a + t, c] = k
        return scores + np.take(model.W, more, axis=0).sum(axis=1), ids

    tagger._emissions = emissions  # type: ignore[assignment]


def fold_folder(gold: Path, fold: int) -> Path:
    """A temporary gold folder holding only the held-out fifth (symbolic links)."""
    tmp = Path(tempfile.mkdtemp(prefix="heldout"))
    (tmp / "text").mkdir()
    (tmp / "attributions").mkdir()
    names = sorted(p.name for p in (gold / "text").iterdir() if p.name.endswith(".txt"))
    keep = {n[:-4] for k, n in enumerate(names) if k % 5 == fold}
    for stem in keep:
        (tmp / "text" / (stem + ".txt")).symlink_to(gold / "text" / (stem + ".txt"))
    for ann in (gold / "attributions").iterdir():
        if any(ann.name == s + ".ann" or ann.name.startswith(s + "_") for s in keep):
            (tmp / "attributions" / ann.name).symlink_to(ann)
    return tmp


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
    ap.add_argument("--data", type=Path, help="read the model and cue shares from this folder")
    ap.add_argument("--fold", type=int, help="score only the articles of this held-out fifth")
    ap.add_argument(
        "--extra", help="the experimental templates the model was trained with (--extra there)"
    )
    ap.add_argument(
        "--cue-bias", type=float, help="api.CUE_BIAS for this run (held-out models' tuning)"
    )
    args = ap.parse_args()

    if args.data:
        use_data(args.data)
    if args.extra:
        from train_extractor import parse_extra

        use_extra(parse_extra(args.extra))
    if args.cue_bias is not None:
        from claimtrack.extract import api

        api.CUE_BIAS = args.cue_bias
    heldout = None
    if args.fold is not None:
        args.gold = heldout = fold_folder(args.gold.resolve(), args.fold)
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
    if heldout is not None:
        shutil.rmtree(heldout)  # symbolic links only
    return code


if __name__ == "__main__":
    raise SystemExit(main())
