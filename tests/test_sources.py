"""Within-article source resolution, the entity table and cross-article identity."""

from __future__ import annotations

import re

import pytest

from claimtrack.errors import InputError
from claimtrack.models import Claim, SourceKind, Span, Speaker
from claimtrack.sources import (
    EntityIndex,
    KnownEntity,
    default_table,
    demonym_affiliation,
    extend_table,
    is_article_local,
    match_entity,
    parse_entity_csv,
    resolve_claims,
    same_body,
    same_person,
    scoped_key,
)


def claim_at(text: str, source: str | None, nth: int = 0, content: str | None = None) -> Claim:
    """A claim whose source is the nth occurrence of ``source`` and content the rest of it."""
    if source is None:
        assert content is not None
        start = text.index(content)
        return Claim(content=Span.of(text, start, start + len(content)))
    hits = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(source)}(?!\w)", text)]
    start = hits[nth]
    end = start + len(source)
    stop = text.find(".", end)
    stop = stop if stop > end else len(text)
    return Claim(source=Span.of(text, start, end), content=Span.of(text, end, stop))


def speakers(text: str, claims: list[Claim]) -> list[Speaker | None]:
    return [rc.speaker for rc in resolve_claims(text, claims)]


WALLACE = (
    "Britain warned on Tuesday that Russia is arming Iran. According to British Defence "
    "Secretary Ben Wallace, Moscow will supply components to Tehran. Addressing MPs, Mr Wallace "
    "said Iran must be held to account. \u201cWe need to act,\u201d he said. However, the minister "
    "did not say what would be sent. Wallace added that help was coming. According to him, "
    "Russia had lost 100,000 troops. London says the deal is dangerous."
)


def test_title_becomes_role_and_affiliation_and_every_form_resolves() -> None:
    cl = [
        claim_at(WALLACE, "Britain"),
        claim_at(WALLACE, "British Defence Secretary Ben Wallace"),
        claim_at(WALLACE, "Mr Wallace"),
        claim_at(WALLACE, "he", 0),
        claim_at(WALLACE, "the minister"),
        claim_at(WALLACE, "Wallace", 2),
        claim_at(WALLACE, "him"),
        claim_at(WALLACE, "London"),
    ]
    got = speakers(WALLACE, cl)
    wallace = got[1]
    assert wallace is not None
    assert (wallace.name, wallace.kind, wallace.key) == (
        "Ben Wallace",
        SourceKind.PERSON,
        "person:ben wallace",
    )
    assert (wallace.role, wallace.affiliation) == ("Defence Secretary", "United Kingdom")
    assert wallace.antecedent is None
    for sp in got[2:7]:
        assert sp is not None and sp.key == "person:ben wallace"
    # a pronoun and a description point back at the full-name mention
    he = got[3]
    assert he is not None and he.antecedent is not None
    assert he.antecedent.text == "British Defence Secretary Ben Wallace"
    assert "Mr Wallace" in wallace.aliases
    uk = [got[0], got[7]]
    for sp in uk:
        assert sp is not None
        assert (sp.name, sp.kind, sp.key) == (
            "United Kingdom",
            SourceKind.GOVERNMENT,
            "government:united kingdom",
        )


def test_pronoun_gender_and_recency() -> None:
    text = (
        "Prime Minister Giorgia Meloni met Defence Minister Guido Crosetto on Monday. "
        "She said Italy would act. He said the navy was ready. Tajani was not there."
    )
    got = speakers(text, [claim_at(text, "She"), claim_at(text, "He")])
    assert [s.name if s else None for s in got] == ["Giorgia Meloni", "Guido Crosetto"]
    meloni = got[0]
    assert meloni is not None and meloni.role == "Prime Minister"


def test_subject_of_the_sentence_beats_an_earlier_speaker() -> None:
    text = (
        "House Speaker Mike Johnson said the House would act. "
        "Boris Johnson, who has campaigned for aid, said he had urged lawmakers to act."
    )
    got = speakers(text, [claim_at(text, "House Speaker Mike Johnson"), claim_at(text, "he")])
    assert [s.name if s else None for s in got] == ["Mike Johnson", "Boris Johnson"]


def test_honorific_gender_picks_between_people_with_one_surname() -> None:
    text = (
        "Former President Bill Clinton spoke for his wife, Hillary Clinton, in Flint. "
        "Mr Clinton said the race was close. Mrs Clinton said the economy came first."
    )
    got = speakers(text, [claim_at(text, "Mr Clinton"), claim_at(text, "Mrs Clinton")])
    assert [s.name if s else None for s in got] == ["Bill Clinton", "Hillary Clinton"]


def test_description_resolves_forward_when_the_name_comes_later() -> None:
    text = (
        "Italy\u2019s Defense Minister warns of threats. The Italian government is worried. "
        "Defense Minister Guido Crosetto stated that the risk was high."
    )
    got = speakers(
        text,
        [
            claim_at(text, "Italy\u2019s Defense Minister"),
            claim_at(text, "The Italian government"),
        ],
    )
    crosetto, gov = got
    assert crosetto is not None and crosetto.name == "Guido Crosetto"
    assert crosetto.antecedent is not None
    assert crosetto.antecedent.text == "Defense Minister Guido Crosetto"
    assert gov is not None
    assert (gov.name, gov.kind, gov.key, gov.affiliation) == (
        "Italian government",
        SourceKind.GOVERNMENT,
        "government:italy",
        "Italy",
    )


def test_anonymous_sources_keep_descriptor_and_affiliation_and_stay_local() -> None:
    text = (
        "A senior U.S. official said talks had taken place. Houthi officials denied it. "
        "Experts assert the missiles would change the balance. The official said more later."
    )
    got = speakers(
        text,
        [
            claim_at(text, "A senior U.S. official"),
            claim_at(text, "Houthi officials"),
            claim_at(text, "Experts"),
            claim_at(text, "The official"),
        ],
    )
    official, houthi, experts, again = got
    assert official is not None
    assert (official.name, official.kind, official.key, official.affiliation) == (
        "senior U.S. official",
        SourceKind.ANONYMOUS,
        "anonymous:senior us official",
        "United States",
    )
    assert houthi is not None
    assert (houthi.name, houthi.kind, houthi.affiliation) == (
        "Houthi officials",
        SourceKind.ANONYMOUS,
        "Houthis",
    )
    assert experts is not None and (experts.name, experts.kind) == ("experts", SourceKind.ANONYMOUS)
    assert again == official  # "the official" is the official named before
    assert is_article_local(official.key)
    assert scoped_key(official.key, 7) == "anonymous:senior us official@7"
    assert scoped_key("person:ben wallace", 7) == "person:ben wallace"


def test_impersonal_and_evidence_sources_have_no_speaker() -> None:
    text = "Moscow is reportedly involved. Observations indicate ships are moving."
    cl = [
        claim_at(text, None, content="Moscow is reportedly involved"),
        claim_at(text, "Observations"),
    ]
    assert speakers(text, cl) == [None, None]
    assert resolve_claims(text, []) == []


def test_documents_owners_and_relays() -> None:
    text = (
        "According to a recent report from Reuters, talks are under way. The report said "
        "two meetings took place. The Times reported, citing Reuters, that a deal was near. "
        "A statement said the ministry would respond. The agency added that Iran was involved."
    )
    resolved = resolve_claims(
        text,
        [
            claim_at(text, "a recent report from Reuters"),
            claim_at(text, "The report"),
            claim_at(text, "The Times"),
            claim_at(text, "A statement"),
            claim_at(text, "The agency"),
        ],
    )
    names = [(r.speaker.name, r.speaker.kind) if r.speaker else None for r in resolved]
    assert names == [
        ("Reuters", SourceKind.MEDIA),
        ("Reuters", SourceKind.MEDIA),
        ("The Times", SourceKind.MEDIA),
        ("statement", SourceKind.DOCUMENT),
        ("Reuters", SourceKind.MEDIA),
    ]
    cited = [r.cited.name if r.cited else None for r in resolved]
    assert cited[0] == "Reuters"  # the article relays Reuters' report
    assert cited[2] == "Reuters"  # "The Times reported, citing Reuters"
    assert cited[3] is None
    statement = resolved[3].speaker
    assert statement is not None and statement.key == "document:statement"


@pytest.mark.parametrize(
    ("written", "name", "key"),
    [
        ("Moscow", "Russia", "government:russia"),
        ("the Kremlin", "Russia", "government:russia"),
        ("Washington", "United States", "government:united states"),
        ("Tehran", "Iran", "government:iran"),
        ("London", "United Kingdom", "government:united kingdom"),
        (
            "the Pentagon",
            "U.S. Department of Defense",
            "government:united states:department of defense",
        ),
        ("the US military", "US military", "government:united states:military"),
        ("WSJ", "The Wall Street Journal", "media:the wall street journal"),
        ("Reuters news agency", "Reuters", "media:reuters"),
    ],
)
def test_metonyms_and_aliases(written: str, name: str, key: str) -> None:
    text = f"Yesterday {written} said the talks had failed."
    (sp,) = speakers(text, [claim_at(text, written)])
    assert sp is not None
    assert (sp.name, sp.key) == (name, key)


@pytest.mark.parametrize(
    ("word", "affiliation"),
    [
        ("U.S.", "United States"),
        ("British", "United Kingdom"),
        ("Houthi", "Houthis"),
        ("Italian", "Italy"),
        ("Iran-backed", "Iran"),
        ("Italy\u2019s", "Italy"),
        ("Republican", "Republican Party"),
        ("Western", None),
    ],
)
def test_demonyms(word: str, affiliation: str | None) -> None:
    assert demonym_affiliation(word) == affiliation


def test_entity_table_priors_have_reasons_and_extend_per_case() -> None:
    table = default_table()
    reuters = table.lookup("Reuters news agency")
    assert reuters is not None and reuters.key == "media:reuters"
    assert reuters.prior == 0.8 and "MBFC" in reuters.prior_reason
    for entry in table.entries:
        if entry.prior is not None:
            assert entry.prior_reason and entry.prior_origin, entry.key
    case = extend_table(
        table,
        parse_entity_csv(
            "key,name,kind,aliases,prior,prior_reason,prior_origin\n"
            "media:kyiv post,Kyiv Post,media,KP,0.7,analyst's judgement,case notes\n"
            "media:reuters,Reuters,media,Reuters wire,0.9,analyst raised it,case notes\n"
        ),
    )
    kp = case.lookup("the Kyiv Post")
    assert kp is not None and (kp.kind, kp.prior) == (SourceKind.MEDIA, 0.7)
    raised = case.lookup("Reuters wire")
    assert raised is not None and raised.prior == 0.9
    assert case.lookup("Reuters news agency") is raised  # old aliases kept
    assert table.lookup("Reuters wire") is None  # the default table is untouched
    text = "The Kyiv Post said the bridge was hit."
    (sp,) = [r.speaker for r in resolve_claims(text, [claim_at(text, "The Kyiv Post")], table=case)]
    assert sp is not None and sp.key == "media:kyiv post"


def test_bad_case_table_rows_raise_input_errors() -> None:
    with pytest.raises(InputError, match="outside"):
        parse_entity_csv("name,kind,prior\nX,media,1.5\n", "extra.csv")
    with pytest.raises(InputError, match="unknown source kind"):
        parse_entity_csv("name,kind\nX,tabloid\n")
    with pytest.raises(InputError, match="not a number"):
        parse_entity_csv("name,prior\nX,high\n")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("John Kirby", "John Kerry", False),
        ("Guido Crosetto", "Defence Minister Guido Crosetto", True),
        ("Mohamed Abdel-Salam", "Mohammed Abdel Salam", True),
        ("Bill Clinton", "Hillary Clinton", False),
        ("Bill Clinton", "William Clinton", True),
        ("J. Smith", "John Smith", True),
        ("Daniel Smith", "Danielle Smith", False),
        ("George W. Bush", "George H. W. Bush", False),
        ("Smith", "John Smith", False),
    ],
)
def test_same_person(a: str, b: str, same: bool) -> None:
    assert same_person(a, b) is same


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Reuters", "Reuters news agency", True),
        ("ISW", "Institute for the Study of War", True),
        ("British Defence Ministry", "Russian Defence Ministry", False),
        ("Ministry of Defence", "Ministry of Defense", True),
        ("Brigade 14", "Brigade 41", False),
    ],
)
def test_same_body(a: str, b: str, same: bool) -> None:
    assert same_body(a, b) is same


def test_entity_index_merges_by_alias_and_never_merges_local_keys() -> None:
    index = EntityIndex()
    k = SourceKind
    reuters = index.add(KnownEntity("media:reuters", "Reuters", k.MEDIA))
    assert (
        index.add(KnownEntity("media:reuters news agency", "Reuters news agency", k.MEDIA))
        == reuters
    )
    wsj = index.add(KnownEntity("media:wsj", "WSJ", k.MEDIA))
    assert index.add(KnownEntity("media:x", "The Wall Street Journal", k.MEDIA)) == wsj
    kirby = index.add(KnownEntity("person:john kirby", "John Kirby", k.PERSON))
    kerry = index.add(KnownEntity("person:john kerry", "John Kerry", k.PERSON))
    assert kirby != kerry
    anon1 = index.add(
        KnownEntity("anonymous:senior us official@1", "senior U.S. official", k.ANONYMOUS)
    )
    anon2 = index.add(
        KnownEntity("anonymous:senior us official@2", "senior U.S. official", k.ANONYMOUS)
    )
    assert anon1 != anon2
    smith1 = index.add(KnownEntity("local:person:smith@1", "Smith", k.PERSON))
    smith2 = index.add(KnownEntity("local:person:smith@2", "Smith", k.PERSON))
    assert smith1 != smith2
    assert index.add(KnownEntity("local:person:smith@1", "Smith", k.PERSON)) == smith1
    known = [KnownEntity("person:guido crosetto", "Guido Crosetto", k.PERSON)]
    crosetto = Speaker(
        name="Guido Crosetto", kind=k.PERSON, key="person:guido crosetto", role="Minister"
    )
    assert match_entity(crosetto, known) == 0
    nope = Speaker(name="Guido Rossi", kind=k.PERSON, key="person:guido rossi")
    assert match_entity(nope, known) is None


def test_lone_words_campaigns_and_role_headed_descriptions() -> None:
    text = (
        "Trump said the polls were wrong. The SVP said it would appeal. "
        "Hillary Clinton spoke in Ohio. Clinton\u2019s campaign said turnout was high. "
        "The Republican presidential nominee said he would win."
    )
    got = speakers(
        text,
        [
            claim_at(text, "Trump"),
            claim_at(text, "The SVP"),
            claim_at(text, "Clinton\u2019s campaign"),
            claim_at(text, "The Republican presidential nominee"),
        ],
    )
    trump, svp, campaign, nominee = got
    assert trump is not None
    assert (trump.name, trump.kind, trump.key) == ("Trump", SourceKind.PERSON, "local:person:trump")
    assert svp is not None and (svp.name, svp.kind) == ("SVP", SourceKind.ORGANIZATION)
    assert campaign is not None
    assert (campaign.name, campaign.kind, campaign.affiliation) == (
        "Clinton campaign",
        SourceKind.ORGANIZATION,
        "Hillary Clinton",
    )
    # a role-headed description is a person, never the party named in it
    assert nominee is not None and nominee.kind is not SourceKind.ORGANIZATION


def test_an_overlong_source_span_is_headed_by_its_subject() -> None:
    text = (
        "House Speaker Mike Johnson met former British prime minister Boris Johnson on "
        "Wednesday. Trump spokeswoman Hope Hicks said the meeting went well."
    )
    clause = "House Speaker Mike Johnson met former British prime minister Boris Johnson"
    got = speakers(text, [claim_at(text, clause), claim_at(text, "Trump spokeswoman Hope Hicks")])
    assert [s.name if s else None for s in got] == ["Mike Johnson", "Hope Hicks"]


def test_relative_pronoun_is_the_name_or_phrase_before_it() -> None:
    text = (
        "The Wall Street Journal, which indicated that talks failed, is cited. "
        "Several voters who spoke to us were angry."
    )
    got = speakers(text, [claim_at(text, "which"), claim_at(text, "who")])
    assert got[0] is not None and got[0].name == "The Wall Street Journal"
    assert got[1] is not None
    assert (got[1].name, got[1].kind) == ("voters", SourceKind.ANONYMOUS)


def test_first_person_inside_a_quotation_is_its_speaker() -> None:
    text = "\u201cWe will not back down,\u201d Defence Minister Guido Crosetto said. I disagree."
    got = speakers(
        text,
        [
            claim_at(text, "We"),
            claim_at(text, "Defence Minister Guido Crosetto"),
            claim_at(text, "I"),
        ],
    )
    assert [s.name if s else None for s in got] == ["Guido Crosetto", "Guido Crosetto", None]


def test_odd_text_and_spans_never_crash() -> None:
    import random

    rng = random.Random(7)
    alphabet = list("abcXYZ .,\"\u201c\u201d\u2019'-\n\u00a0") + [
        "Mr. ",
        "He ",
        "she ",
        "they ",
        "who ",
        "The ",
        "Reuters ",
        "London ",
        "U.S. ",
        "\u0645",
        "\u4e2d",
        "\U0001f600",
    ]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        claims = []
        for _ in range(rng.randint(0, 4)):
            a = rng.randint(0, len(text))
            b = rng.randint(a, len(text))
            c = rng.randint(0, len(text))
            d = rng.randint(c, len(text))
            source = Span.of(text, a, b) if rng.random() < 0.8 else None
            claims.append(Claim(source=source, content=Span.of(text, c, d)))
        resolved = resolve_claims(text, claims)
        assert [r.claim for r in resolved] == claims


def test_the_role_in_the_narrative_keeps_its_person_salient() -> None:
    text = (
        "President Barack Obama met Mitt Romney in 2012. Later the president appeared cowed. "
        "Campaigning against Romney, he barely mentioned climate change. "
        "The General Assembly established a new agency."
    )
    got = speakers(text, [claim_at(text, "he"), claim_at(text, "The General Assembly")])
    obama, assembly = got
    assert obama is not None and obama.name == "Barack Obama"
    assert assembly is not None
    assert (assembly.name, assembly.kind) == ("General Assembly", SourceKind.ORGANIZATION)


def test_a_span_that_runs_into_its_verb_is_cut_there() -> None:
    text = "Recent observations show Russian warships sailing from Tartus to Tobruk."
    source = "Recent observations show Russian warships sailing from Tartus"
    assert speakers(text, [claim_at(text, source)]) == [None]


def test_they_stands_for_the_plural_subject_of_the_last_sentence() -> None:
    text = (
        "The Associated Press interviewed more than 20 former crew members. "
        "Twenty-seven states led by West Virginia are challenging the rules. "
        "They argue that the agency overstepped its authority."
    )
    got = speakers(text, [claim_at(text, "They")])
    assert got[0] is not None
    assert (got[0].name, got[0].kind, got[0].key) == (
        "Twenty-seven states",
        SourceKind.ANONYMOUS,
        "anonymous:twenty-seven states",
    )


def test_they_is_a_people_noun_not_a_thing_nor_a_phrase_inside_its_own_content() -> None:
    text = (
        "Environmentalists worry that the cost of reclaiming the mines could fall to "
        "taxpayers. Few investors could cover the costs, they say."
    )
    claim = Claim(
        source=Span.of(text, text.index("they say"), text.index("they say") + 4),
        content=Span.of(text, text.index("Few"), text.index(", they")),
    )
    got = speakers(text, [claim])
    assert got[0] is not None and got[0].name == "Environmentalists"


def test_they_for_two_people_joined_by_and_is_a_group_kept_to_the_article() -> None:
    text = (
        "Senator Charles Grassley and Senator Patrick Leahy wrote to the leaders. "
        "The program has expanded well beyond its original intent, they say."
    )
    got = speakers(text, [claim_at(text, "they")])
    assert got[0] is not None
    assert (got[0].name, got[0].kind) == (
        "Charles Grassley and Patrick Leahy",
        SourceKind.ANONYMOUS,
    )
    assert is_article_local(got[0].key)


def test_it_stands_for_a_document_subject() -> None:
    text = (
        "A new ad from the campaign is seizing on recent comments. "
        "The ad uses footage of the debate. It also mentions policies she supported."
    )
    got = speakers(text, [claim_at(text, "It")])
    assert got[0] is not None
    assert (got[0].name, got[0].kind, got[0].key) == ("ad", SourceKind.DOCUMENT, "document:ad")


def test_she_after_a_lone_surname_speaker_is_that_speaker_not_the_topic() -> None:
    text = (
        "Hillary Clinton spoke in Florida. Clinton said her plan would help. "
        "McLenney said Clinton does not show consistency.\n\n"
        "\u201cIt is only when the media gets a video,\u201d she said."
    )
    got = speakers(
        text, [claim_at(text, "Clinton", 1), claim_at(text, "McLenney"), claim_at(text, "she")]
    )
    assert [s.name if s else None for s in got] == ["Hillary Clinton", "McLenney", "McLenney"]


def test_anonymous_descriptor_takes_the_modifiers_written_before_its_span() -> None:
    text = "Western and regional intelligence sources indicate that Russia is negotiating."
    start = text.index("intelligence")
    claim = Claim(
        source=Span.of(text, start, start + len("intelligence sources")),
        content=Span.of(text, text.index("Russia"), len(text) - 1),
    )
    got = speakers(text, [claim])
    assert got[0] is not None
    assert (got[0].name, got[0].kind, got[0].key) == (
        "Western and regional intelligence sources",
        SourceKind.ANONYMOUS,
        "anonymous:western and regional intelligence sources",
    )
    said = "Officials said intelligence sources indicate that Russia is negotiating."
    start = said.index("intelligence")
    claim = Claim(
        source=Span.of(said, start, start + len("intelligence sources")),
        content=Span.of(said, said.index("Russia"), len(said) - 1),
    )
    got = speakers(said, [claim])
    assert got[0] is not None and got[0].name == "intelligence sources"


def test_an_abbreviated_title_does_not_end_a_sentence() -> None:
    from claimtrack.sources.mentions import ArticleIndex

    text = "Hillary Clinton spoke first. Back when he wrote his book, Mr. McKinley said so. Dr. Oz agreed."
    idx = ArticleIndex(text, default_table())
    sent = idx.sentence_of
    assert sent(text.index("Mr.")) == sent(text.index("McKinley")) == sent(text.index("Back"))
    assert sent(text.index("Dr.")) == sent(text.index("Oz")) == sent(text.index("Back")) + 1


def test_a_pronoun_before_the_name_in_its_own_sentence_is_that_name() -> None:
    text = (
        "Hillary Clinton spoke first. "
        "Back when he wrote his book, Mr. McKinley said that debt was a last resort."
    )
    got = speakers(text, [claim_at(text, "he")])
    assert got[0] is not None and got[0].name == "McKinley"


def test_a_first_name_in_apposition_to_a_relation_is_a_person_of_that_gender() -> None:
    text = (
        "Mr. McKinley is facing this question with his 17-year-old daughter, Ellie, a senior. "
        "She was eyeing a design school."
    )
    got = speakers(text, [claim_at(text, "She")])
    assert got[0] is not None
    assert (got[0].name, got[0].role, got[0].key) == ("Ellie", "daughter", "local:person:ellie")


def test_a_span_cut_inside_a_title_resolves_to_the_titled_person() -> None:
    text = "According to British Defense Secretary Ben Wallace, Moscow will supply parts."
    start = text.index("British")
    claim = Claim(
        source=Span.of(text, start, start + len("British")),
        content=Span.of(text, text.index("Moscow"), len(text) - 1),
    )
    got = speakers(text, [claim])
    assert got[0] is not None
    assert (got[0].name, got[0].kind, got[0].role, got[0].affiliation) == (
        "Ben Wallace",
        SourceKind.PERSON,
        "Defense Secretary",
        "United Kingdom",
    )


def test_it_stands_for_a_body_written_as_a_common_noun() -> None:
    text = (
        "Traders say business is poor in the free-trade zone. "
        "The Kazakh government is building a dry port, which it hopes will become a hub. "
        "Bernie Sanders rejected a debate in Brooklyn. The Sanders campaign countered on Sunday by "
        "suggesting four other nights, one of them on a weekend, which it had called "
        "unacceptable."
    )
    got = speakers(text, [claim_at(text, "it"), claim_at(text, "it", 1)])
    assert [(s.name, s.kind, s.key) if s else None for s in got] == [
        ("Kazakh government", SourceKind.GOVERNMENT, "government:kazakhstan"),
        ("Sanders campaign", SourceKind.ORGANIZATION, "organization:bernie sanders campaign"),
    ]


def test_it_is_not_a_name_used_as_a_modifier_nor_a_word_inside_a_longer_noun() -> None:
    text = (
        "The email, released by Judicial Watch, was sent by the chief of staff after an attack "
        "at a CIA Annex. Two Americans were killed at each location.\n\n"
        "\u201cI just tried you on the phone,\u201d it reads.\n\n"
        "Now a new government strategy document is being prepared. It is likely to bolster "
        "the role of the army."
    )
    got = speakers(text, [claim_at(text, "it"), claim_at(text, "It")])
    assert [s.name if s else None for s in got] == ["email", "new government strategy document"]


def test_a_pronoun_is_not_the_name_right_after_its_verb() -> None:
    text = (
        "Maria Lopez hosted the programme on Monday. Her guest was Cecile Richards, who has "
        "led the group since 2006. Richards said the court would rule soon. "
        "She asked Richards what the law had done to women."
    )
    got = speakers(text, [claim_at(text, "Richards", 1), claim_at(text, "She")])
    assert [s.name if s else None for s in got] == ["Cecile Richards", "Maria Lopez"]


def test_a_name_after_a_preposition_is_not_the_subject_and_a_he_said_chain_stays_recent() -> None:
    text = (
        "Peter Lazar had no formal training. He told the Times that he guessed passwords. "
        "His wife wrote to the court. The court heard from his lawyer. "
        "Although he told the FBI that he liked politics, he chose victims at random. "
        "Along with George Bush and Colin Powell, he exposed the data of two actors."
    )
    claims = [
        claim_at(text, "He"),
        claim_at(text, "he", 1),
        claim_at(text, "he", 4),
    ]
    assert [s.name if s else None for s in speakers(text, claims)] == ["Peter Lazar"] * 3


def test_she_without_a_named_woman_is_the_nearest_noun_for_one() -> None:
    text = (
        "A 29-year-old Berlin woman received probation after she had posted comments about "
        "an attack on a German woman. \u201cOut!\u201d she wrote. The judge was not moved, "
        "the woman said, and she would appeal."
    )
    got = speakers(
        text, [claim_at(text, "she", 1), claim_at(text, "the woman"), claim_at(text, "she", 2)]
    )
    assert [(s.name, s.kind) if s else None for s in got] == [
        ("29-year-old Berlin woman", SourceKind.ANONYMOUS),
        ("woman", SourceKind.ANONYMOUS),
        ("woman", SourceKind.ANONYMOUS),
    ]


def test_they_for_a_group_a_person_has_or_a_collective_after_its_modifiers() -> None:
    texts = [
        "I looked over at Judge Berman's clerks. Their boredom was gone; they were listening.",
        "Trump joked with a woman in the front row. He then asked the buzzing crowd whether "
        "she could stay. They said she could.",
        "His positions alarm the GOP establishment, although they have failed to stop him.",
    ]
    got = [speakers(t, [claim_at(t, "they" if "they" in t else "They")])[0] for t in texts]
    assert [(s.name, s.kind) if s else None for s in got] == [
        ("clerks", SourceKind.ANONYMOUS),
        ("buzzing crowd", SourceKind.ANONYMOUS),
        ("GOP establishment", SourceKind.ANONYMOUS),
    ]


def test_it_for_a_thing_that_is_named_or_a_result() -> None:
    text = (
        "The PACs paid $332,000 to a company called Cambridge Analytica, which builds what it "
        "calls psychographic profiles. Mr. Smith lost the caucuses on Monday. The result leaves "
        "the race open. It probably signals a long fight."
    )
    got = speakers(text, [claim_at(text, "it"), claim_at(text, "It")])
    assert [(s.name, s.kind, s.key) if s else None for s in got] == [
        ("Cambridge Analytica", SourceKind.ORGANIZATION, "organization:cambridge analytica"),
        ("result", SourceKind.DOCUMENT, "document:result"),
    ]


def test_a_paragraph_break_is_no_extra_distance_for_it_and_they_chains() -> None:
    text = (
        "The ads come from a super PAC and from a business group.\n\n"
        "The super PAC, which was founded by a former staffer, launched a television and radio "
        "ad in Indiana on Saturday afternoon titled \u201cScam.\u201d\n\n"
        "It slams the university for its rating while charging students thousands of dollars."
    )
    got = speakers(text, [claim_at(text, "It")])
    assert got[0] is not None
    assert (got[0].name, got[0].kind) == ("television and radio ad", SourceKind.DOCUMENT)
    text = (
        "Activists and intellectuals on one side are frustrated with the president. "
        "They acknowledge what they consider modest achievements. "
        "But they are convinced that he could have done more.\n\n"
        "They dwell on the opportunities missed."
    )
    claims = [claim_at(text, "They"), claim_at(text, "they", 1), claim_at(text, "They", 1)]
    assert [s.name if s else None for s in speakers(text, claims)] == ["activists"] * 3


# the resolver's and the mention finder's word lists that live in claimtrack/sources/data/words.toml (lexicons as data)
RESOLVER_WORD_LISTS = {
    "person_bodies": "campaign",
    "it_things": "report",
    "it_bodies": "government",
    "collective_nouns": "team",
    "plural_things": "countries",
    "irregular_plurals": "people",
    "agent_plural_endings": "ers",
    "not_plural": "news",
    "descriptor_regions": "western",
    "abbreviations": "sen",
    "abbreviated_titles": "mr",
    "speech_verbs": "said",
    "clause_verbs": "indicate",
    "says_words": "announced",
    "subject_verbs": "contends",
    "lowercase_modifiers": "senior",
}


@pytest.mark.parametrize(("key", "member"), sorted(RESOLVER_WORD_LISTS.items()))
def test_resolver_word_lists_load_from_data_lower_case(key: str, member: str) -> None:
    import tomllib
    from importlib.resources import files

    from claimtrack.sources.lexicon import words

    raw = tomllib.loads(files("claimtrack.sources").joinpath("data/words.toml").read_text("utf-8"))
    written = raw[key]
    assert written, key
    assert all(isinstance(w, str) and w and w == w.strip().lower() for w in written), key
    assert len(set(written)) == len(written), f"{key}: duplicate words"
    loaded = getattr(words(), key)
    assert loaded is getattr(words(), key)  # loaded once, cached
    assert set(loaded) == set(written)
    assert member in loaded
    if key == "agent_plural_endings":
        assert loaded == tuple(written)  # str.endswith needs a tuple
    else:
        assert isinstance(loaded, frozenset)
