"""Exact behaviour of attribution extraction: offsets, stance, hedging, quote type."""

from __future__ import annotations

from claimtrack.extract import EXTRACTOR_VERSION, extract_claims, to_contract
from claimtrack.extract.lexicon import WordList, hedges
from claimtrack.extract.text import analyse
from claimtrack.models import Claim, QuoteType, SourceKind, Span, Speaker, Stance


def one(text: str, cue: str) -> Claim:
    """The claim whose cue text is ``cue`` (exactly one)."""
    found = [c for c in extract_claims(text) if c.cue is not None and c.cue.text == cue]
    assert len(found) == 1, [(c.cue, c.content.text) for c in extract_claims(text)]
    return found[0]


# --------------------------------------------------------------------------
# text analysis
# --------------------------------------------------------------------------


def test_tokens_sentences_lines_and_quotes() -> None:
    text = "Mr. Smith said: “The U.S. is 3.2 percent.” Dr. Jones disagreed.\n\n“It is over,” he said. Next"
    doc = analyse(text)
    assert doc.words[:6] == ["Mr", ".", "Smith", "said", ":", "“"]
    assert all(text[s:e] == w for s, e, w in zip(doc.starts, doc.ends, doc.words, strict=True))
    by_sentence: dict[int, list[str]] = {}
    for w, s in zip(doc.words, doc.sent, strict=True):
        by_sentence.setdefault(s, []).append(w)
    assert [" ".join(v) for v in by_sentence.values()] == [
        "Mr . Smith said : “ The U . S . is 3 . 2 percent . ”",
        "Dr . Jones disagreed .",
        "“ It is over , ” he said .",
        "Next",
    ]
    assert doc.line == [0] * 23 + [1] * 10
    inside = [w for w, q in zip(doc.words, doc.inq, strict=True) if q]
    assert inside == [
        "The",
        "U",
        ".",
        "S",
        ".",
        "is",
        "3",
        ".",
        "2",
        "percent",
        ".",
        "It",
        "is",
        "over",
        ",",
    ]


def test_an_unclosed_quote_ends_with_its_line() -> None:
    doc = analyse("“Open and never closed\nHe said so.")
    assert doc.inq == [False, True, True, True, True, False, False, False, False]


def test_crlf_and_cr_are_line_breaks() -> None:
    doc = analyse("a said\r\nb said\rc")
    assert doc.line == [0, 0, 1, 1, 2]


# --------------------------------------------------------------------------
# whole claims with exact offsets
# --------------------------------------------------------------------------


def test_indirect_speech_offsets() -> None:
    text = "The minister said that taxes would rise next year."
    claim = one(text, "said")
    assert claim.source == Span(text="The minister", start=0, end=12)
    assert claim.cue == Span(text="said", start=13, end=17)
    assert claim.content == Span(text="that taxes would rise next year", start=18, end=49)
    assert claim.stance is Stance.ASSERTS
    assert claim.quote is QuoteType.INDIRECT
    assert not claim.hedged
    assert claim.extractor_version == EXTRACTOR_VERSION


def test_direct_quote_before_its_cue() -> None:
    text = "“We need to hold those who support them accountable,” he said."
    claim = one(text, "said")
    assert claim.source == Span(text="he", start=54, end=56)
    assert claim.cue == Span(text="said", start=57, end=61)
    assert claim.content.start == 0
    assert claim.content.text.startswith("“We need to hold")
    assert "accountable" in claim.content.text
    assert claim.quote is QuoteType.DIRECT


def test_according_to() -> None:
    text = "According to a recent report from Reuters, the talks are taking place in Tehran."
    claim = one(text, "According to")
    assert claim.cue == Span(text="According to", start=0, end=12)
    assert claim.source == Span(text="a recent report from Reuters", start=13, end=41)
    assert claim.content == Span(text="the talks are taking place in Tehran", start=43, end=79)


def test_denial_cue_gives_denies() -> None:
    text = "However, Houthi spokesman Mohamed Abdel-Salam has denied any knowledge of these negotiations."
    claim = one(text, "has denied")
    assert claim.stance is Stance.DENIES
    assert claim.source is not None and claim.source.text == "Houthi spokesman Mohamed Abdel-Salam"
    assert claim.content.text == "any knowledge of these negotiations"


def test_more_denial_cues() -> None:
    text = "The Kremlin rejected the report as nonsense."
    claims = extract_claims(text)
    assert claims and all(
        c.stance is Stance.DENIES for c in claims if c.cue and "reject" in c.cue.text
    )
    assert any(c.cue and "rejected" in c.cue.text for c in claims)


def test_negated_cue_gives_denies() -> None:
    text = "The ministry did not say that the drones were Iranian."
    claim = one(text, "did not say")
    assert claim.stance is Stance.DENIES
    assert claim.content.text == "that the drones were Iranian"
    claim = one("The ministry has not confirmed that the drones were Iranian.", "has not confirmed")
    assert claim.stance is Stance.DENIES
    claim = one("The ministry said that the drones were not Iranian.", "said")
    assert claim.stance is Stance.ASSERTS  # a negation inside the content is no denial


def test_negated_cue_that_asserts_nothing_is_no_denial() -> None:
    text = "However, the minister did not specify what technology would be transferred to Iran."
    claim = one(text, "did not specify")
    assert claim.stance is Stance.ASSERTS


def test_impersonal_reportedly() -> None:
    text = (
        "In a surprise move, Moscow is reportedly involved in secret negotiations with the Houthis."
    )
    claim = one(text, "reportedly")
    assert claim.source is None
    assert claim.cue == Span(text="reportedly", start=30, end=40)
    assert claim.content == Span(
        text="Moscow is reportedly involved in secret negotiations with the Houthis",
        start=20,
        end=89,
    )
    assert claim.hedged and claim.hedges == ("reportedly",)
    assert claim.stance is Stance.ASSERTS


def test_a_tagged_cue_of_auxiliaries_and_an_impersonal_adverb_is_the_rules() -> None:
    from claimtrack.extract.api import _impersonal_cue, _Piece

    words = ["Russia", "has", "reportedly", "used", "drones", "allegedly"]
    assert _impersonal_cue(words, _Piece("C", 2, 3))
    assert _impersonal_cue(words, _Piece("C", 1, 3))  # "has reportedly"
    assert not _impersonal_cue(words, _Piece("C", 0, 3))  # "Russia has reportedly"
    assert not _impersonal_cue(words, _Piece("C", 1, 4))  # "has reportedly used"
    assert not _impersonal_cue(words, _Piece("C", 3, 4))
    text = "Russia has reportedly used Iranian drones to attack Ukraine’s energy infrastructure."
    (claim,) = extract_claims(text)
    assert claim.source is None
    assert claim.cue == Span(text="reportedly", start=11, end=21)
    assert claim.content == Span(text=text[:-1], start=0, end=len(text) - 1)
    assert claim.hedges == ("reportedly",)


def test_impersonal_allegedly_stops_at_a_contrasting_clause() -> None:
    text = (
        "These negotiations are allegedly facilitated by Iran, although Tehran is keen to avoid it."
    )
    claim = one(text, "allegedly")
    assert claim.source is None
    assert claim.content == Span(
        text="These negotiations are allegedly facilitated by Iran", start=0, end=52
    )


def test_hedged_by_cue_and_by_content() -> None:
    text = (
        "A senior U.S. official has suggested that the talks may be a response to Western support."
    )
    claim = one(text, "has suggested")
    assert claim.hedged
    assert claim.hedges == ("suggested", "may")


def test_mixed_quote() -> None:
    text = "Wallace said that British “expertise and advice” is helping Ukraine."
    claim = one(text, "said")
    assert claim.quote is QuoteType.MIXED


def test_claims_are_in_document_order() -> None:
    text = "Smith said the plan would work. Jones said it would fail. Brown said the vote mattered most."
    claims = extract_claims(text)
    starts = [c.cue.start for c in claims if c.cue]
    assert starts == sorted(starts)
    assert [c.source.text for c in claims if c.source] == ["Smith", "Jones", "Brown"]
    assert [c.content.text for c in claims] == [
        "the plan would work",
        "it would fail",
        "the vote mattered most",
    ]


# --------------------------------------------------------------------------
# word lists and the contract
# --------------------------------------------------------------------------


def test_word_list_words_prefixes_phrases() -> None:
    wl = WordList(["may", "suggest*", "is believed to"])
    assert wl.found(["he", "may", "suggests", "it", "is", "believed", "to", "be"]) == [
        "may",
        "suggests",
        "is believed to",
    ]
    assert wl.word("suggestion")  # prefixes match any ending
    assert not wl.word("suggs")
    assert hedges().word("reportedly")


def test_to_contract_fields_and_pieces() -> None:
    doc = "“A,” he said, “B.”"
    claim = Claim(
        source=Span.of(doc, 5, 7),
        cue=Span.of(doc, 8, 12),
        content=Span.of(doc, 0, 18),
        content_spans=(Span.of(doc, 0, 4), Span.of(doc, 14, 18)),
        quote=QuoteType.DIRECT,
    )
    row = to_contract(
        claim,
        "a.txt",
        Speaker(name="Ben Wallace", kind=SourceKind.PERSON, key="person:ben wallace"),
    )
    assert row == {
        "document": "a.txt",
        "source": {"text": "he", "start": 5, "end": 7},
        "cue": {"text": "said", "start": 8, "end": 12},
        "content": {"text": doc, "start": 0, "end": 18},
        "speaker": "Ben Wallace",
        "source_kind": "person",
        "stance": "asserts",
        "hedged": False,
        "quote": "direct",
        "content_spans": [
            {"text": "“A,”", "start": 0, "end": 4},
            {"text": "“B.”", "start": 14, "end": 18},
        ],
    }


# --------------------------------------------------------------------------
# the numpy tagger scores exactly the features training used
# --------------------------------------------------------------------------


def test_tagger_rows_equal_the_training_feature_strings() -> None:
    import numpy as np

    from claimtrack.extract import api, lexicon, tagger
    from claimtrack.extract.features import block_features

    model = api._get_model()
    assert model is not None
    cue_prob = lexicon.cue_prob()
    texts = [
        "“It is over,” Smith said on Friday. According to officials, talks | stalled.\n"
        'The minister denied it: “We never | met.” "Straight quotes," he added.',
        "A | B || c said “unclosed\nSAID Said said. 3.2 percent, analysts say.",
        " ".join(["He said the plan would work."] * 120),  # one line cut into several blocks
    ]
    for text in texts:
        doc = analyse(text)
        got, _ids = tagger.emissions(model, doc, cue_prob)
        for block in doc.blocks:
            for k, feats in enumerate(block_features(doc, block, cue_prob)):
                rows = [model.row.get(f.decode("utf-8"), 0) for f in feats]
                want = model.W[rows].sum(axis=0)
                assert np.allclose(got[block.first + k], want), (doc.words[block.first + k], feats)
        labels = tagger.viterbi(model, got, doc)
        # Viterbi per block by brute force over the same scores: the same best score
        for block in doc.blocks:
            e = got[block.first : block.last]
            delta = e[0].copy()
            for t in range(1, len(e)):
                delta = (delta[:, None] + model.trans).max(axis=0) + e[t]
            path = labels[block.first : block.last]
            score = e[0, path[0]] + sum(
                model.trans[path[t - 1], path[t]] + e[t, path[t]] for t in range(1, len(e))
            )
            assert np.isclose(score, delta.max())


def test_cue_layer_vote_is_folded_into_the_cue_labels() -> None:
    import io

    import numpy as np

    from claimtrack.extract import api, lexicon, tagger

    raw = lexicon.data_bytes("tagger.npz")
    with np.load(io.BytesIO(raw), allow_pickle=False) as z:
        labels = bytes(z["labels"]).decode("utf-8").split("\n")
        weights = np.asarray(z["weights"], dtype=np.float64)
    assert sorted(x for x in labels if x.startswith("cue:")) == ["cue:B-C", "cue:I-C", "cue:O"]
    plain = tagger.load(raw)
    voted = tagger.load(raw, 0.5)
    assert plain.labels == voted.labels == [x for x in labels if not x.startswith("cue:")]
    assert plain.W.shape == voted.W.shape == (len(weights) + 1, len(plain.labels))
    layer = {x[4:]: k for k, x in enumerate(labels) if x.startswith("cue:")}
    diff = voted.W - plain.W
    for k, lab in enumerate(plain.labels):
        if lab in ("B-C", "I-C"):
            want = 0.5 * (weights[:, layer[lab]] - weights[:, layer["O"]])
            assert np.allclose(diff[1:, k], want) and not diff[0, k]
            assert np.abs(want).max() > 0
        else:
            assert not diff[:, k].any()
    assert api.CUE_LAYER_WEIGHT == 0.5


def test_claims_built_without_validation_equal_validated_ones() -> None:
    text = "“It is over,” Smith said on Friday. According to officials, the talks stalled."
    claims = extract_claims(text)
    assert claims
    for c in claims:
        again = Claim.model_validate(c.model_dump())
        assert again == c
        assert again.model_dump() == c.model_dump()
        assert c.model_fields_set == set(Claim.model_fields)
        assert c.content.model_fields_set == {"text", "start", "end"}
        assert c.content == Span(text=c.content.text, start=c.content.start, end=c.content.end)


def test_contract_speaker_is_null_for_an_unnamed_media_reference() -> None:
    text = "Reports suggest the talks stalled. Reuters said the talks resumed."
    claims = extract_claims(text)
    assert claims, "the extractor finds the attributions"
    claim = claims[0]
    reports = Speaker(name="reports", kind=SourceKind.MEDIA, key="local:media:reports")
    reuters = Speaker(name="Reuters", kind=SourceKind.MEDIA, key="media:reuters")
    row = to_contract(claim, "a.txt", reports)
    assert (row["speaker"], row["source_kind"]) == (None, "media")
    row = to_contract(claim, "a.txt", reuters)
    assert (row["speaker"], row["source_kind"]) == ("Reuters", "media")
