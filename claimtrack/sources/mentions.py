"""The mention list of one article, computed once: names, organisations, places.

A capitalised-name finder with a title/role lexicon. Every capitalised run of
tokens is split into [affiliation] [role] [name]; the name part is looked up in
the entity table (outlets, organisations, governments), the place index
(countries, capitals) or, failing both, taken as a person when a title, an
honorific, a known first name or a second capitalised token says so. Person
mentions are then linked into article entities (surname-only and first-name
mentions to the full name they stand for).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from claimtrack.models import SourceKind
from claimtrack.sources.lexicon import (
    Country,
    EntityEntry,
    EntityTable,
    Role,
    demonym_affiliation,
    first_name_gender,
    fold,
    max_role_words,
    norm_alias,
    places,
    roles,
    words,
)

# the lexicons of claimtrack/sources/data/words.toml, loaded once at import (as frozensets)
_WORDS = words()

_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}(?:-[^\W\d_]+)?"  # U.S., U.S.-led
    r"|[^\W\d_]\w*(?:[\u2019'\-]\w+)*"  # words, hyphenated, possessives
    r"|\d(?:[\d,.]*\d)?"
)
# _TOKEN with what comes before each token: nothing but non-word characters and "_" (any
# other word character starts a token), so the matches follow each other without a gap
_GAPPED = re.compile(rf"([\W_]*+)({_TOKEN.pattern})")
_ABBREV = _WORDS.abbreviations
# abbreviated titles: their dot never ends a sentence ("Mr. McKinley said")
_TITLES = _WORDS.abbreviated_titles
_ARABIC_PREFIX = re.compile(r"^(?:al|el|ad|ash|as|bin|ibn|abu|abd)-[A-Z]")
# [.!?]+[closing marks]*(?=\s) | \n, written to start with one character class so that
# the engine skips in C to the candidates (same matches, ~3x faster)
_SENT_END = re.compile(r"[.!?\n](?:(?<=\n)|(?<=[.!?])[.!?]*[\"\u201d\u2019')\]]*(?=\s))")
# [“”"\n] | '' (same matches, one leading character class as for _SENT_END)
_QUOTE_CHARS = re.compile("['\u201c\u201d\"\n](?:(?<=')'|(?<!'))")
_SPEECH_VERBS = _WORDS.speech_verbs
_SPACE = frozenset({" ", "\u00a0"})
_ADJACENT_GAPS = frozenset(a + b for a in ("", " ", "\u00a0") for b in (" ", "\u00a0"))
_COMMA_NEXT = re.compile(r"\s*,")
_PUNCT = re.compile(r"[^\w\s\u2019'\-]")


@dataclass(slots=True)
class Token:
    start: int
    end: int  # end of the word, possessive 's excluded, abbreviation dot included
    text: str
    lower: str
    cap: bool
    poss: bool
    sent: int = 0


@dataclass(slots=True)
class Mention:
    """One naming of an entity in the article.

    Built with positional arguments in this module: a call naming its fields costs
    ~2.7x as much (2.0 against 0.74 us), about 0.1 ms an article.
    """

    start: int  # the name itself ("Ben Wallace")
    end: int
    kind: SourceKind
    name: str
    full_start: int  # with its title and affiliation ("British Defense Secretary Ben Wallace")
    tokens: tuple[str, ...] = ()  # person name tokens as written
    role: str | None = None
    role_class: str | None = None
    affiliation: str | None = None
    gender: str = ""
    honorific: str | None = None
    entry: EntityEntry | None = None
    country: Country | None = None  # a place or government metonym
    sent: int = 0
    in_quote: bool = False
    poss: bool = False
    bare: bool = False  # a lone capitalised word with no cue: maybe a surname
    entity: int = -1


@dataclass
class Entity:
    """An entity within one article (a person, or a body from the table or text)."""

    id: int
    kind: SourceKind
    name: str
    first: str | None = None  # folded
    last: str | None = None  # folded
    gender: str = ""
    role: str | None = None
    role_class: str | None = None
    affiliation: str | None = None
    entry: EntityEntry | None = None
    country: Country | None = None
    surfaces: list[str] = field(default_factory=list)
    mentions: list[int] = field(default_factory=list)
    full: bool = False  # has first and last name

    def add_surface(self, surface: str) -> None:
        if surface and surface not in self.surfaces:
            self.surfaces.append(surface)


def is_cap(word: str) -> bool:
    return word[:1].isupper() or ("-" in word[:5] and bool(_ARABIC_PREFIX.match(word)))


def tokenize(
    text: str,
    start: int = 0,
    end: int | None = None,
    keep: frozenset[str] | None = None,
    limit: int | None = None,
    until_skipped: bool = False,
) -> list[Token]:
    """Tokens of text[start:end]; with ``keep``, plain lower-case words not in it are skipped.
    With ``limit``, the first that many tokens only; with ``until_skipped``, the tokens
    before the first skipped word only.

    Skipping is safe for the mention finder: adjacency is always checked on the
    text between two tokens, so a skipped word still separates its neighbours.
    """
    out: list[Token] = []
    append = out.append
    n = len(text)
    get = _WORD_INFO.get
    if keep is None and limit is None:
        # every token of the range: offsets from the lengths of (gap, token) pairs, as in
        # _index_tokens (no match objects)
        e = start
        for gap, word in _GAPPED.findall(text, start, n if end is None else end):
            s = e + len(gap)
            e = s + len(word)
            info = get(word) or _word_info(word)
            if info[1]:
                append(Token(s, e - 2, info[2], info[3], info[4], True))
            elif info[5] and e < n and text[e] == ".":
                append(Token(s, e + 1, word + ".", info[3], info[4], False))
            else:
                append(Token(s, e, word, info[3], info[4], False))
        return out
    for m in _TOKEN.finditer(text, start, n if end is None else end):
        word = m.group()
        c0 = word[0]
        if keep is not None and c0.islower():
            nxt = m.end()
            if (
                word not in keep
                and not (nxt < n and text[nxt] in "\u2019'.")
                and "-" not in word[:5]
            ):
                if until_skipped:
                    break
                continue
        s, e = m.span()
        # the same per-word facts as _index_tokens reads, computed once per word
        info = get(word) or _word_info(word)
        if info[1]:  # possessive: the 's is not part of the token
            append(Token(s, e - 2, info[2], info[3], info[4], True))
        elif info[5] and e < n and text[e] == ".":  # "Mr." takes its dot
            append(Token(s, e + 1, word + ".", info[3], info[4], False))
        else:
            append(Token(s, e, word, info[3], info[4], False))
        if limit is not None and len(out) >= limit:
            break
    return out


def _trie(words_: frozenset[str]) -> str:
    """A regex matching exactly the given words, as a character trie (linear to match)."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words_:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        alts = [re.escape(ch) + emit(node[ch]) for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


@lru_cache(maxsize=1)
def _index_words() -> frozenset[str]:
    """The lower-case words the article index keeps (a subset of ``_kept_words``).

    Everything the mention finder reads from the index's neighbouring tokens is
    here: articles and possessive determiners ("the", "a", "its"), "of", name
    particles, honorifics, speech verbs, role words and role modifiers. Any other
    lower-case word only separates its neighbours, which the adjacency checks
    see in the text between two tokens. The two places that look further
    (sentence-initial words, roles in apposition) re-read the text locally with
    ``_kept_words``.
    """
    w = words()
    wanted = (
        frozenset({"the", "a", "an", "this", "that", "of", "its", "his", "her", "their"})
        | w.name_particles
        | frozenset(w.honorifics)
        | _SPEECH_VERBS
        | _role_words()
        | w.role_modifiers
    )
    return wanted & _kept_words()


@lru_cache(maxsize=1)
def _index_pattern() -> re.Pattern[str]:
    """Each match ends with one index token (group 1), or at the end of the text.

    Skippable lower-case words (not in ``_index_words``, not followed by an
    apostrophe or a dot, no hyphen in the first five characters) and the
    characters between tokens are consumed in C, as whole tokens, so token
    boundaries are exactly those of ``_TOKEN`` scanning the whole text.
    """
    kw = _trie(_index_words())
    skip = (
        rf"(?!{kw}(?!\w|[\u2019'\-]\w))"  # not an index word
        r"(?![a-z][\w\u2019']{0,3}-)"  # no hyphen in the first five characters
        r"[a-z]\w*+(?:[\u2019'\-]\w+)*+"  # the whole token, as _TOKEN takes it
        r"(?![\u2019'.])"
    )
    # runs of non-word characters first, each consumed at once (the two alternatives
    # start with disjoint characters, so the order does not change what is consumed).
    # Group 1 is what comes before the token: a match always starts where the last one
    # ended (whatever follows the skipped part is a token or the end), so the lengths of
    # the two groups, added up, give every token's offsets without match objects
    return re.compile(rf"((?:[\W_]++|{skip})*+)(?:({_TOKEN.pattern})|\Z)")


# word -> (skippable, possessive, word without 's, lower, capitalised, may absorb a dot)
_WordInfo = tuple[bool, bool, str, str, bool, bool]
_WORD_INFO: dict[str, _WordInfo] = {}


def _word_info(word: str) -> _WordInfo:
    if len(_WORD_INFO) > 100_000:
        _WORD_INFO.clear()
    c0 = word[0]
    skip = c0.islower() and word not in _index_words() and "-" not in word[:5]
    poss = len(word) > 2 and (word[-2:] == "\u2019s" or word[-2:] == "'s")
    base = word[:-2] if poss else word
    low = base.lower()
    cap = c0.isupper() or ("-" in base[:5] and _ARABIC_PREFIX.match(base) is not None)
    dot = not poss and ((len(base) == 1 and base.isupper()) or low in _ABBREV)
    info = (skip, poss, base, low[:-1] if low[-1] == "." else low, cap, dot)
    _WORD_INFO[word] = info
    return info


def _index_tokens(text: str) -> list[Token]:
    """``tokenize(text, keep=_index_words())``, with the skipped words passed over in C.

    ``findall`` gives (skipped text, token) pairs, the last one with no token (the
    end of the text); the offsets are counted from their lengths (~15% less than
    ``finditer`` with a match object, ``group`` and ``span`` per token)."""
    out: list[Token] = []
    append = out.append
    n = len(text)
    get = _WORD_INFO.get
    e = 0
    for gap, word in _index_pattern().findall(text):
        if not word:  # (the end of the text)
            break
        s = e + len(gap)
        e = s + len(word)
        info = get(word) or _word_info(word)
        if info[0] and not (e < n and text[e] in "\u2019'."):
            continue
        if info[1]:
            append(Token(s, e - 2, info[2], info[3], info[4], True))
        elif info[5] and e < n and text[e] == ".":
            append(Token(s, e + 1, word + ".", info[3], info[4], False))
        else:
            append(Token(s, e, word, info[3], info[4], False))
    return out


def _role_match(lowers: list[str], i: int) -> tuple[int, Role] | None:
    """Longest role starting at lowers[i]: (number of tokens, role)."""
    first = lowers[i]
    starts = _role_starts()
    if first not in starts and first + "." not in starts:
        return None
    table = roles()
    for n in range(min(max_role_words(), len(lowers) - i), 0, -1):
        key = " ".join(lowers[i : i + n])
        role = table.get(key) or table.get(key + ".")
        if role is not None:
            return n, role
    return None


@lru_cache(maxsize=1)
def _role_starts() -> frozenset[str]:
    """First words of the roles' table keys."""
    return frozenset(key.split(" ")[0] for key in roles())


_LOWER_WORD = re.compile(r"(?<![\w\u2019'-])[a-z][a-z]*(?![\w-])")
_WORD_BEFORE = re.compile(r"[\w\u2019'-]")
_WORD_AFTER = re.compile(r"[\w-]")


@lru_cache(maxsize=1)
def _kept_words() -> frozenset[str]:
    """Lower-case words the mention finder looks at; the index skips all others."""
    w = words()
    return (
        _closed_words()
        | w.function_words
        | w.name_particles
        | frozenset(w.honorifics)
        | _SPEECH_VERBS
        | frozenset({"of", "the", "a", "an", "its", "his", "her", "their", "former"})
    )


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Function words and calendar words: never a name on their own."""
    return words().function_words | words().calendar


@lru_cache(maxsize=1)
def _generic_nouns() -> frozenset[str]:
    """Nouns that start a sentence as generic sources ("Analysts said"), never names."""
    w = words()
    return w.anonymous_nouns | w.document_nouns | w.evidence_nouns | w.media_report_nouns


@lru_cache(maxsize=1)
def _closed_words() -> frozenset[str]:
    w = words()
    return (
        w.anonymous_nouns
        | w.document_nouns
        | w.evidence_nouns
        | w.media_report_nouns
        | w.role_modifiers
        | _role_words()
    )


@lru_cache(maxsize=1)
def _role_words() -> frozenset[str]:
    return frozenset(w for r in roles() for w in r.rstrip(".").split())


# what _plan_run found a run to be (see there); the person plan carries
# (pos, role, role_text, affiliation, honorific, gender, first-name gender, name tokens)
_Plan = tuple[Any, ...]
_Body = tuple[EntityEntry | None, Country | None]
# per table (held, so that its id is not reused): run plans and body look-ups by surface
_ARTICLES = frozenset({"the", "a", "an"})


@dataclass(frozen=True)
class _TableCaches:
    """What the index learns with one entity table, kept across articles."""

    table: EntityTable
    plans: dict[tuple[str, bool], _Plan]  # run plans (a plan depends on the run's words only)
    bodies: dict[str, _Body]  # ``ArticleIndex.lookup_body`` results
    starts: frozenset[str]  # the first word of every key ``_lookup_body`` can find
    no_key: dict[str, bool]  # ``_no_key_starts`` by a surface's first chunk


_CACHES: dict[int, _TableCaches] = {}


def _caches(table: EntityTable) -> _TableCaches:
    held = _CACHES.get(id(table))
    if held is None or held.table is not table:
        if len(_CACHES) > 8:
            _CACHES.clear()
        held = _CACHES[id(table)] = _TableCaches(table, {}, {}, _alias_starts(table), {})
    return held


def _alias_starts(table: EntityTable) -> frozenset[str]:
    """The first word of every key ``_lookup_body`` can find with this table.

    ``norm_alias`` works character by character and then on whole words, so the
    first word of ``norm_alias(surface)`` is that of ``norm_alias`` of the surface's
    first whitespace-separated chunk, unless that is empty or an article (which the
    whole surface may lose). A surface whose first word is none of these is no body.
    """
    pl = places()
    keys = [*table.by_alias, *pl.metonyms, *pl.names]
    return frozenset(k.split(" ", 1)[0] for k in keys)


_K = TypeVar("_K")
_V = TypeVar("_V")


def _memo(cache: dict[_K, _V], key: _K, compute: Callable[[], _V], limit: int) -> _V:
    """``cache[key]``, computed on a miss; the cache is emptied when it outgrows ``limit``."""
    found = cache.get(key)
    if found is None:
        if len(cache) > limit:
            cache.clear()
        found = cache[key] = compute()
    return found


class ArticleIndex:
    """Tokens, sentences, quotations, mentions and entities of one article."""

    def __init__(self, text: str, table: EntityTable) -> None:
        self.text = text
        self.table = table
        caches = _caches(table)
        self._plans = caches.plans
        self._bodies = caches.bodies
        self._starts = caches.starts
        self._no_key = caches.no_key
        self.tokens = _index_tokens(text)
        self._token_starts = [t.start for t in self.tokens]
        self.sent_starts = self._sentences()
        # each token's sentence (tokens start at 0, the first sentence)
        toks, tok_starts, starts = self.tokens, self._token_starts, self.sent_starts
        a = bisect_left(tok_starts, starts[1]) if len(starts) > 1 else len(toks)
        for k in range(1, len(starts)):
            b = bisect_left(tok_starts, starts[k + 1]) if k + 1 < len(starts) else len(toks)
            for t in toks[a:b]:
                t.sent = k
            a = b
        self.quotes = self._quotes()
        self._quote_starts = [q[0] for q in self.quotes]
        # narrative sentence index: sentences inside quotations do not count as distance
        # (``in_quote(start + 1)`` for each sentence start, in one walk over both lists)
        self.narrative: list[int] = []
        count = 0
        quotes, quote_starts = self.quotes, self._quote_starts
        q, nq = 0, len(quote_starts)
        for start in self.sent_starts:
            pos = start + 1
            while q < nq and quote_starts[q] <= pos:
                q += 1
            if not (q > 0 and quotes[q - 1][0] < pos < quotes[q - 1][1]):
                count += 1
            self.narrative.append(count)
        self._lower_written: dict[str, bool] = {}
        self.mentions: list[Mention] = []
        self._find_mentions()
        self.mention_starts = [m.start for m in self.mentions]
        self.entities: list[Entity] = []
        self._link()
        self._descriptions()

    # -- structure -----------------------------------------------------------

    def _sentences(self) -> list[int]:
        text = self.text
        toks, tok_starts = self.tokens, self._token_starts
        starts = [0]
        for m in _SENT_END.finditer(text):
            if m.group() != "\n":
                # the token that ends with this dot, if any (the last one starting at or
                # before it: tokens do not overlap)
                p = m.start()
                k = bisect_right(tok_starts, p) - 1
                dotted = k >= 0 and toks[k].end - 1 == p and toks[k].text.endswith(".")
                if dotted and (toks[k].lower in _TITLES or not text[p - 2 : p - 1].isupper()):
                    continue  # "Mr. Obama", "Gen. Smith", "J. Smith": no sentence end
                if dotted:  # "U.S." at a sentence end: only before a capital
                    nxt = text[m.end() : m.end() + 2].strip()
                    if not nxt[:1].isupper():
                        continue
            starts.append(m.end())
        return sorted(set(starts))

    def sentence_of(self, pos: int) -> int:
        return bisect_right(self.sent_starts, pos) - 1

    def _quotes(self) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        open_at = -1
        straight = -1
        for qm in _QUOTE_CHARS.finditer(self.text):
            i, ch = qm.start(), qm.group()
            if ch == "\u201c":
                open_at = i
            elif ch == "\u201d" and open_at >= 0:
                out.append((open_at, i + 1))
                open_at = -1
            elif ch in ('"', "''"):
                if straight < 0:
                    straight = i
                else:
                    out.append((straight, i + 1))
                    straight = -1
            elif ch == "\n":
                straight = -1
        out.sort()
        return out

    def in_quote(self, pos: int) -> bool:
        i = bisect_right(self._quote_starts, pos) - 1
        return i >= 0 and self.quotes[i][0] < pos < self.quotes[i][1]

    def quote_at(self, pos: int) -> tuple[int, int] | None:
        """The quotation (start, end) around pos, if any."""
        i = bisect_right(self._quote_starts, pos) - 1
        if i >= 0 and self.quotes[i][0] < pos < self.quotes[i][1]:
            return self.quotes[i]
        return None

    def token_index(self, pos: int) -> int:
        """Index of the first token starting at or after pos."""
        return bisect_left(self._token_starts, pos)

    def tokens_in(self, start: int, end: int) -> list[Token]:
        """Every token of text[start:end] (the index itself keeps only the useful ones).
        Their ``sent`` is left 0: the resolver reads sentences of positions, never this."""
        return tokenize(self.text, start, end)

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """Mentions whose name lies inside [start, end)."""
        i = bisect_left(self.mention_starts, start)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                out.append(self.mentions[i])
            i += 1
        return out

    def mention_at(self, pos: int) -> Mention | None:
        """The mention whose name covers pos, if any."""
        i = bisect_right(self.mention_starts, pos) - 1
        if i >= 0 and self.mentions[i].start <= pos < self.mentions[i].end:
            return self.mentions[i]
        return None

    def mentions_before(self, pos: int) -> int:
        """Number of mentions that start before pos (iterate downwards from it)."""
        return bisect_left(self.mention_starts, pos)

    # -- mention finding -------------------------------------------------------

    def _adjacent(self, a: Token, b: Token) -> bool:
        """Only one or two spaces between a and b."""
        return 0 < b.start - a.end <= 2 and self.text[a.end : b.start] in _ADJACENT_GAPS

    def _runs(self) -> list[list[int]]:
        w = words()
        calendar, particles, org_heads = w.calendar, w.name_particles, w.org_heads
        role_words = _role_words()
        toks = self.tokens
        text = self.text
        n = len(toks)
        runs: list[list[int]] = []
        cur: list[int] = []
        prev = toks[0] if toks else None  # the run's last token while cur is not empty
        for i, t in enumerate(toks):
            # (joinable: the run goes on, only spaces between its last token and t; tested
            # only where it decides something)
            if t.cap and t.lower not in calendar:
                if (
                    cur
                    and 0 < t.start - prev.end <= 2  # type: ignore[union-attr]
                    and not prev.poss  # type: ignore[union-attr]
                    and text[prev.end : t.start] in _ADJACENT_GAPS  # type: ignore[union-attr]
                ):
                    cur.append(i)
                else:
                    if cur:
                        runs.append(cur)
                    cur = [i]
                prev = t
            elif not cur:
                continue
            elif (
                (
                    t.lower in particles
                    or (
                        t.lower == "of" and (prev.lower in role_words or prev.lower in org_heads)  # type: ignore[union-attr]
                    )
                )
                and 0 < t.start - prev.end <= 2  # type: ignore[union-attr]
                and not prev.poss  # type: ignore[union-attr]
                and text[prev.end : t.start] in _ADJACENT_GAPS  # type: ignore[union-attr]
                and i + 1 < n
                and toks[i + 1].cap
                and self._adjacent(t, toks[i + 1])
            ):
                cur.append(i)
                prev = t
            else:
                runs.append(cur)
                cur = []
        if cur:
            runs.append(cur)
        return runs

    def _written_lower(self, low: str) -> bool:
        """Is ``low`` written as a plain lower-case word somewhere in the text, i.e. in
        ``_LOWER_WORD.findall(text)``? Found alone, without listing every word: a run of a-z
        letters with no word character, apostrophe or hyphen before it and no word
        character or hyphen after it."""
        found = self._lower_written.get(low)
        if found is None:
            found = self._lower_written[low] = self._find_lower(low)
        return found

    def _find_lower(self, low: str) -> bool:
        if not (low.isascii() and low.isalpha() and low.islower()):
            return False
        text = self.text
        n = len(low)
        p = text.find(low)
        while p >= 0:
            if (p == 0 or _WORD_BEFORE.match(text, p - 1) is None) and _WORD_AFTER.match(
                text, p + n
            ) is None:
                return True
            p = text.find(low, p + 1)
        return False

    def _is_common(self, i: int) -> bool:
        """A sentence-initial or function word at the front of a run, not part of a name."""
        t = self.tokens[i]
        w = words()
        if t.lower in w.function_words or t.lower in w.calendar:
            return True
        low = t.lower
        # (the position test first: most runs do not open their sentence, and it is
        # mostly one comparison of two tokens' sentences, where the word test searches
        # the text; both tests are pure, so their order changes nothing but the cost)
        if self._first_word(i) and (low in _generic_nouns() or self._written_lower(low)):
            return low not in first_name_gender() and self.table.lookup(t.text) is None
        return False

    def _first_word(self, i: int) -> bool:
        """No word of ``_kept_words`` before token i in its sentence (or right after a quote
        mark, a bracket, a colon or a dash)."""
        t = self.tokens[i]
        if i > 0 and self.tokens[i - 1].sent == t.sent:
            return self._after_open(t)
        begin = self.sent_starts[t.sent]
        if begin < t.start and tokenize(self.text, begin, t.start, keep=_kept_words(), limit=1):
            return self._after_open(t)
        return True

    def _find_mentions(self) -> None:
        toks = self.tokens
        common = _common_words()
        particles = words().name_particles
        plans = self._plans
        for run in self._runs():
            if len(run) == 1:
                t = toks[run[0]]
                if t.lower in common:
                    continue  # "The", "But", "Monday": dropped below in any case
                plan = plans.get((t.text, t.poss))
                if plan is not None and plan[0] == "none":
                    continue  # kept or dropped below, it adds nothing ("Republican")
            else:
                whole = self.text[toks[run[0]].start : toks[run[-1]].end]
                if self.lookup_body(whole) != (None, None):
                    self._parse_run(run)
                    continue
            # drop sentence-initial or function words at the front (not from a known body)
            while run:
                if self._is_common(run[0]) and not self._starts_role(run):
                    run = run[1:]
                else:
                    break
            while run and toks[run[-1]].lower in particles:
                run = run[:-1]
            if run:
                self._parse_run(run)
        self.mentions.sort(key=lambda m: m.start)

    def _after_open(self, t: Token) -> bool:
        before = self.text[max(0, t.start - 2) : t.start].strip()
        return before[-1:] in ("\u201c", '"', "(", "\u2018", ":", "\u2014", "-")

    def _starts_role(self, run: list[int]) -> bool:
        lowers = [self.tokens[i].lower for i in run]
        return _role_match(lowers, 0) is not None and len(run) > 1

    def lookup_body(self, surface: str) -> tuple[EntityEntry | None, Country | None]:
        """The table entry, else the country (a place or a metonym), that surface names."""
        found = self._bodies.get(surface)
        if found is None:
            found = _memo(self._bodies, surface, lambda: self._lookup_body(surface), 100_000)
        return found

    def _no_key_starts(self, surface: str) -> bool:
        """No key ``_lookup_body`` can find starts with surface's first word: it names no
        body, and neither does any surface with the same first whitespace-separated chunk."""
        chunk = surface.split(None, 1)
        if chunk:
            # (a pure answer for the chunk: kept with the table's caches)
            found = self._no_key.get(chunk[0])
            if found is None:
                first = norm_alias(chunk[0]).split(" ", 1)[0]
                found = bool(first) and first not in _ARTICLES and first not in self._starts
                if len(self._no_key) > 100_000:
                    self._no_key.clear()
                self._no_key[chunk[0]] = found
            return found
        return False

    def _lookup_body(self, surface: str) -> tuple[EntityEntry | None, Country | None]:
        if self._no_key_starts(surface):  # no need to normalise the whole surface
            return None, None
        entry = self.table.lookup(surface)
        if entry is not None:
            return entry, None
        pl = places()
        key = norm_alias(surface)
        if key in pl.metonyms:
            return None, pl.metonyms[key]
        if key in pl.names:
            return None, pl.names[key]
        return None, None

    def _parse_run(self, run: list[int]) -> None:
        toks = self.tokens
        first_tok, last_tok = toks[run[0]], toks[run[-1]]
        key = (self.text[first_tok.start : last_tok.end], last_tok.poss)
        plan = self._plans.get(key)
        if plan is None:
            plan = _memo(self._plans, key, lambda: self._plan_run(run), 50_000)
        what = plan[0]
        if what == "none":
            return
        if what == "body":  # the whole run, or its first n tokens, is a known body or place
            _, n, entry, country = plan
            last = toks[run[n - 1]]
            surface = self.text[first_tok.start : last.end]
            self._add_body(first_tok.start, last.end, surface, entry, country, last.poss)
            return
        if what == "org":
            self._add_org(first_tok.start, last_tok.end, key[0], plan[1], last_tok.poss)
            return
        pos = plan[1]
        rest = run[pos:]
        r0, r1 = toks[rest[0]], toks[rest[-1]]
        if what == "rest-body":  # "Italian Defence Ministry": the body after the adjective
            _, _, entry, country = plan
            surface = self.text[r0.start : r1.end]
            self._add_body(r0.start, r1.end, surface, entry, country, last_tok.poss)
            return
        if what == "title":
            self._names_in_title(rest)
            return
        _, _, role, role_text, affiliation, honorific, gender, fg, name_tokens = plan
        if role is None and honorific is None and not fg:
            before = toks[run[0] - 1] if run[0] > 0 else None
            if (
                before is not None
                and before.lower in ("a", "an", "the", "this", "that")
                and self._adjacent(before, toks[run[0]])
            ):
                return  # "a Gold Star mother", "the Clean Power Plan"
        # a role or affiliation written before the run in lower case
        if role is None and pos == 0:
            role, role_text, aff2, start_back = self._role_before(run[0])
            affiliation = affiliation or aff2
            gender = role.gender if role is not None and role.gender else gender  # "widow Terry"
            full_start = start_back
        else:
            full_start = first_tok.start
        bare = len(rest) == 1 and role is None and honorific is None
        if role is None and honorific is None:
            after = self._role_after(rest[-1])
            if after is not None:
                role, role_text, aff3 = after
                affiliation = affiliation or aff3
                gender = gender or role.gender
        self.mentions.append(
            Mention(
                r0.start,  # start
                r1.end,  # end
                SourceKind.PERSON,  # kind
                self.text[r0.start : r1.end],  # name
                full_start,  # full_start
                name_tokens,  # tokens
                role_text,  # role
                role.cls if role else None,  # role_class
                affiliation,  # affiliation
                gender,  # gender
                honorific,  # honorific
                None,  # entry
                None,  # country
                r0.sent,  # sent
                self.in_quote(r0.start),  # in_quote
                r1.poss,  # poss
                bare,  # bare
            )
        )

    def _plan_run(self, run: list[int]) -> _Plan:
        """What a run of capitalised tokens is, from its own words only (cached per table):
        a known body, an organisation, a body after an adjective, a headline, nothing, or a
        person with the role, affiliation, honorific and gender its words give."""
        toks = self.tokens
        w = words()
        text = self.text
        first_tok, last_tok = toks[run[0]], toks[run[-1]]
        whole = text[first_tok.start : last_tok.end]
        # 1. the whole run is a known body or place
        entry, country = self.lookup_body(whole)
        if entry is not None or country is not None:
            return ("body", len(run), entry, country)
        # (every prefix starts with the run's first token, whitespace after it: when no key
        # starts with that word, no prefix is a body either)
        if len(run) > 1 and not self._no_key_starts(whole):
            # "Reuters Moscow": longest known prefix
            for n in range(len(run) - 1, 0, -1):
                sub = text[first_tok.start : toks[run[n - 1]].end]
                entry, country = self.lookup_body(sub)
                if entry is not None or (country is not None and n > 1):
                    return ("body", n, entry, country)
        # 2. [affiliation] [honorific] [role] name
        lowers = [toks[i].lower for i in run]
        pos = 0
        affiliation: str | None = None
        role: Role | None = None
        role_text: str | None = None
        honorific: str | None = None
        gender = ""
        mod_start: int | None = None
        while pos < len(run):
            t = toks[run[pos]]
            if t.lower + ("." if t.text.endswith(".") else "") in w.honorifics or (
                t.lower in w.honorifics
            ):
                honorific = t.text
                gender = w.honorifics.get(t.lower, w.honorifics.get(t.lower + ".", "")) or gender
                pos += 1
                continue
            rm = _role_match(lowers, pos)
            if rm is not None and pos + rm[0] < len(run):
                n, found = rm
                if role is None:  # the first title is the role ("Energy Minister Prince X")
                    role = found
                    begin = toks[run[mod_start]].start if mod_start is not None else t.start
                    role_text = text[begin : toks[run[pos + n - 1]].end]
                gender = found.gender or gender
                pos += n
                mod_start = None
                continue
            if t.lower in w.role_modifiers and pos + 1 < len(run):
                k = pos + 1
                while k < len(run) - 1 and lowers[k] in w.role_modifiers:
                    k += 1
                nxt = _role_match(lowers, k)
                if nxt is not None and k + nxt[0] < len(run):
                    mod_start = pos if mod_start is None else mod_start
                    pos += 1
                    continue
            aff = demonym_affiliation(t.text) if pos + 1 < len(run) else None
            if aff is not None and affiliation is None:
                affiliation = aff
                pos += 1
                continue
            break
        if role is None and honorific is None:
            # a title inside the run: "Pennsylvania Gov. Ed Rendell",
            # "PolitiFact Executive Director Aaron Sharockman"
            for k in range(pos + 1, len(run) - 1):
                rm = _role_match(lowers, k)
                if rm is None or k + rm[0] >= len(run):
                    continue
                prefix = text[toks[run[pos]].start : toks[run[k - 1]].end]
                if affiliation is None:
                    entry, country = self.lookup_body(prefix)
                    affiliation = (
                        demonym_affiliation(prefix)
                        or (entry.name if entry else None)
                        or (country.name if country else None)
                        or prefix
                    )
                n, role = rm
                role_text = text[toks[run[k]].start : toks[run[k + n - 1]].end]
                gender = role.gender or gender
                pos = k + n
                break
        rest = run[pos:]
        if not rest:
            return ("none",)
        if fold(text[toks[rest[0]].start : toks[rest[-1]].end]) in w.regions or fold(whole) in (
            w.regions
        ):
            return ("none",)
        r0, r1 = toks[rest[0]], toks[rest[-1]]
        surface = text[r0.start : r1.end]
        head = r1.lower
        if (
            role is None and honorific is None and (head in w.media_heads or head in w.org_heads)
        ) or (
            len(rest) == 1 and head in w.org_heads
        ):  # "General Assembly" is a body, not General Assembly the person
            return ("org", head)
        if role is None and honorific is None:
            # a body named inside the run after an adjective: "Italian Defence Ministry"
            entry, country = self.lookup_body(surface)
            if entry is not None or country is not None:
                return ("rest-body", pos, entry, country)
        if len(rest) > 4 or any(toks[i].text.isdigit() for i in rest):
            return ("title", pos)
        if role is None and honorific is None and any(toks[i].lower in w.non_person for i in rest):
            return ("none",)
        rest_lowers = [toks[i].lower for i in rest]
        whole_role = _role_match(rest_lowers, 0)
        if whole_role is not None and whole_role[0] == len(rest):
            return ("none",)  # a title alone ("Defense Minister"): a description, not a name
        if rest_lowers[-1] in w.role_modifiers and _role_match(rest_lowers, 0) is not None:
            return ("none",)
        if all(toks[i].text.isupper() and len(toks[i].text) > 2 for i in rest) and len(rest) > 1:
            return ("none",)  # an all-capitals credit line or headline
        name_tokens = tuple(toks[i].text for i in rest)
        if len(rest) == 1 and demonym_affiliation(r0.text) is not None:
            return ("none",)
        if len(rest) == 1 and r0.text.isupper() and len(r0.text) > 1 and not honorific:
            return ("none",)  # an unknown acronym, not a person
        fg = first_name_gender().get(fold(name_tokens[0]), "") if len(rest) > 1 else ""
        gender = gender or fg
        if (
            role is None
            and honorific is None
            and not fg
            and any(
                demonym_affiliation(toks[i].text) is not None
                or (toks[i].text.endswith("s") and demonym_affiliation(toks[i].text[:-1]))
                for i in rest
            )
        ):
            return ("none",)  # "African Americans", "Iranian Shia"
        return ("person", pos, role, role_text, affiliation, honorific, gender, fg, name_tokens)

    def _names_in_title(self, run: list[int]) -> None:
        """A title-case headline: pick out "<known first name> <Surname>" pairs."""
        toks = self.tokens
        w = words()
        known = first_name_gender()
        k = 0
        while k < len(run) - 1:
            t, nxt = toks[run[k]], toks[run[k + 1]]
            if (
                fold(t.text) in known
                and nxt.lower not in w.function_words
                and nxt.lower not in w.non_person
                and not nxt.text.isupper()
            ):
                end = k + 2
                if end < len(run) and len(nxt.text) <= 2 and nxt.text.endswith("."):
                    end += 1  # "Donald J. Trump"
                names = [toks[i].text for i in run[k:end]]
                last = toks[run[end - 1]]
                self.mentions.append(
                    Mention(
                        t.start,  # start
                        last.end,  # end
                        SourceKind.PERSON,  # kind
                        self.text[t.start : last.end],  # name
                        t.start,  # full_start
                        tuple(names),  # tokens
                        None,  # role
                        None,  # role_class
                        None,  # affiliation
                        known[fold(t.text)],  # gender
                        None,  # honorific
                        None,  # entry
                        None,  # country
                        t.sent,  # sent
                        self.in_quote(t.start),  # in_quote
                        last.poss,  # poss
                    )
                )
                k = end
            else:
                k += 1

    def _role_before(self, i: int) -> tuple[Role | None, str | None, str | None, int]:
        """Scan left of token i over lower-case role words, modifiers and demonyms."""
        toks = self.tokens
        w = words()
        role_words = _role_words()
        j = i - 1
        collected: list[int] = []
        affiliation = None
        while j >= 0 and self._adjacent(toks[j], toks[j + 1]) and len(collected) < 6:
            t = toks[j]
            if t.poss:
                aff = demonym_affiliation(t.text)
                if aff is None:
                    entry, country = self.lookup_body(t.text)
                    aff = entry.name if entry else (country.name if country else None)
                if aff is not None:
                    affiliation = aff
                    collected.insert(0, j)
                break
            if not t.cap and (t.lower in role_words or t.lower in w.role_modifiers):
                collected.insert(0, j)
            elif t.cap and demonym_affiliation(t.text) is not None:
                affiliation = affiliation or demonym_affiliation(t.text)
                collected.insert(0, j)
            elif t.cap and (t.lower in w.role_modifiers or t.lower in role_words):
                collected.insert(0, j)
            else:
                break
            j -= 1
        if not collected and i >= 2 and self.text[toks[i - 1].end : toks[i].start].strip() == ",":
            j = i - 1
            while j >= 0 and len(collected) < 5:
                t = toks[j]
                if t.lower in role_words or t.lower in w.role_modifiers:
                    collected.insert(0, j)
                else:
                    break
                if j == 0 or not self._adjacent(toks[j - 1], t):
                    break
                j -= 1
            owners = ("the", "its", "his", "her", "their")
            if collected and j >= 0 and toks[j].lower not in owners and j < collected[0]:
                # "his 17-year-old daughter, Ellie": up to two words between owner and role
                k = j
                for _ in range(2):
                    if (
                        k == 0
                        or toks[k].cap
                        or self.text[toks[k - 1].end : toks[k].start]
                        not in (
                            " ",
                            "-",
                        )
                    ):
                        break
                    k -= 1
                    if toks[k].lower in owners:
                        j = k
                        break
            if collected and (j < 0 or toks[j].lower not in owners):
                collected = []
        if not collected:
            return None, None, None, toks[i].start
        lowers = [toks[k].lower for k in collected]
        best: tuple[int, int, Role] | None = None
        for k in range(len(lowers)):
            m = _role_match(lowers, k)
            if m is not None and (best is None or m[0] >= best[1]):
                best = (k, m[0], m[1])
        if best is None:
            if affiliation is None:
                return None, None, None, toks[i].start
            return None, None, affiliation, toks[collected[0]].start
        k, n, role = best
        text = self.text[toks[collected[k]].start : toks[collected[k + n - 1]].end]
        return role, text, affiliation, toks[collected[0]].start

    def _role_after(self, i: int) -> tuple[Role, str, str | None] | None:
        """Apposition: "Guido Crosetto, Italy's defence minister, said"."""
        last = self.tokens[i]
        comma = _COMMA_NEXT.match(self.text, last.end)
        if last.poss or comma is None:
            return None
        # a role needs a role word (the index keeps them all) among the next eight words,
        # before any punctuation between them
        toks = self.tokens
        role_words = _role_words()
        prev_end = comma.end()
        j = i + 1
        while j < len(toks) and j <= i + 8:
            if _PUNCT.search(self.text, prev_end, toks[j].start):
                return None
            if toks[j].lower in role_words:
                break
            prev_end = toks[j].end
            j += 1
        else:
            return None
        # the words after the name as the full word list sees them (the index skips some),
        # up to the first word that list skips: ``seq`` below stops at the first gap that
        # is not blank, and a skipped word lies in the gap around it (before the first
        # word, it fails the comma test); the first nine words at most
        text = self.text
        toks = tokenize(text, last.end, keep=_kept_words(), limit=9, until_skipped=True)
        if not toks or self.text[last.end : toks[0].start].strip() != ",":
            return None
        i = -1
        seq: list[Token] = []
        j = i + 1
        while j < len(toks) and len(seq) < 8:
            seq.append(toks[j])
            if j + 1 < len(toks) and self.text[toks[j].end : toks[j + 1].start].strip():
                break
            j += 1
        lowers = [t.lower for t in seq]
        affiliation = None
        for k, t in enumerate(seq):
            aff = demonym_affiliation(t.text)
            if aff is not None and affiliation is None:
                affiliation = aff
            m = _role_match(lowers, k)
            if m is not None:
                n, role = m
                # take the longest role from here ("defence minister" over "defence")
                return role, self.text[t.start : seq[k + n - 1].end], affiliation
            if t.cap and aff is None and not t.poss and k > 0:
                return None  # another name: "Kirby, Kerry and ..."
        return None

    def _add_body(
        self,
        start: int,
        end: int,
        surface: str,
        entry: EntityEntry | None,
        country: Country | None,
        poss: bool,
    ) -> None:
        if entry is not None:
            kind, name, aff = entry.kind, entry.name, entry.affiliation
        else:
            assert country is not None
            kind, name, aff = SourceKind.GOVERNMENT, country.name, country.name
        self._add_nameless(start, end, kind, name, aff, entry, country, poss)

    def _add_nameless(
        self,
        start: int,
        end: int,
        kind: SourceKind,
        name: str,
        aff: str | None,
        entry: EntityEntry | None,
        country: Country | None,
        poss: bool,
    ) -> None:
        """A mention that is not a person's name (no tokens, role or gender)."""
        self.mentions.append(
            Mention(
                start,  # start
                end,  # end
                kind,  # kind
                name,  # name
                start,  # full_start
                (),  # tokens
                None,  # role
                None,  # role_class
                aff,  # affiliation
                "",  # gender
                None,  # honorific
                entry,  # entry
                country,  # country
                self.sentence_of(start),  # sent
                self.in_quote(start),  # in_quote
                poss,  # poss
            )
        )

    def _add_org(self, start: int, end: int, surface: str, head: str, poss: bool) -> None:
        w = words()
        kind = SourceKind.MEDIA if head in w.media_heads else SourceKind.ORGANIZATION
        first_word = surface.split()[0]
        aff = demonym_affiliation(first_word)
        if (
            kind is SourceKind.ORGANIZATION
            and aff is not None
            and head
            in (
                "ministry",
                "department",
                "army",
                "navy",
                "forces",
                "force",
                "command",
                "embassy",
                "cabinet",
                "administration",
                "police",
            )
        ):
            kind = SourceKind.GOVERNMENT
        self._add_nameless(start, end, kind, surface, aff, None, None, poss)

    # -- entity linking ----------------------------------------------------------

    def _new_entity(self, m: Mention, idx: int, toks: tuple[str, ...] | None = None) -> Entity:
        e = Entity(id=len(self.entities), kind=m.kind, name=m.name)
        self.entities.append(e)
        self._attach(e, m, idx, toks)
        return e

    def _attach(self, e: Entity, m: Mention, idx: int, toks: tuple[str, ...] | None = None) -> None:
        """``toks``: the person mention's folded name tokens, when the caller has them."""
        m.entity = e.id
        e.mentions.append(idx)
        if m.kind is SourceKind.PERSON:
            if toks is None:
                toks = _folded_name(m.tokens)
            if len(toks) >= 2 and not e.full:
                e.name = m.name
                e.first, e.last, e.full = toks[0], toks[-1], True
            elif e.last is None and toks:
                e.last = toks[-1]
            e.gender = e.gender or m.gender
            if m.role and not e.role:
                e.role, e.role_class = m.role, m.role_class
            e.affiliation = e.affiliation or m.affiliation
            e.add_surface(m.name)
            if m.honorific:
                e.add_surface(f"{m.honorific} {m.name}")
        else:
            e.entry = e.entry or m.entry
            e.country = e.country or m.country
            e.affiliation = e.affiliation or m.affiliation
            e.add_surface(self.text[m.start : m.end])

    def _link(self) -> None:
        by_body: dict[str, Entity] = {}
        persons: list[Entity] = []
        pending: list[int] = []
        for idx, m in enumerate(self.mentions):
            if m.kind is not SourceKind.PERSON:
                key = (
                    m.entry.key if m.entry else (m.country.key if m.country else norm_alias(m.name))
                )
                e = by_body.get(key)
                if e is None:
                    e = self._new_entity(m, idx)
                    by_body[key] = e
                else:
                    self._attach(e, m, idx)
                continue
            toks = _folded_name(m.tokens)
            target = self._find_person(persons, toks, m)
            if target is not None:
                self._attach(target, m, idx, toks)
            elif m.bare:
                pending.append(idx)
            else:
                persons.append(self._new_entity(m, idx, toks))
        own: dict[str, Entity] = {}
        for idx in pending:  # a lone word: link to a person named later, else keep or drop
            m = self.mentions[idx]
            word = fold(m.tokens[0])
            later = [p for p in persons if p.last == word or (p.first == word and p.full)]
            if len(later) == 1:
                self._attach(later[0], m, idx)
            elif not later and (word in first_name_gender() or self._speaks(m)):
                # "Melanie said": a person known by one name in this article
                if word in own:
                    self._attach(own[word], m, idx)
                else:
                    m.gender = m.gender or first_name_gender().get(word, "")
                    own[word] = self._new_entity(m, idx)
        self.mentions = [m for m in self.mentions if m.entity >= 0]
        self.mention_starts = [m.start for m in self.mentions]

    def _speaks(self, m: Mention) -> bool:
        i = self.token_index(m.end)
        if i >= len(self.tokens) or not self._adjacent_pos(m.end, self.tokens[i]):
            return False
        return self.tokens[i].lower in _SPEECH_VERBS

    def _adjacent_pos(self, end: int, b: Token) -> bool:
        gap = self.text[end : b.start]
        return 0 < len(gap) <= 2 and all(c in _SPACE for c in gap)

    def _descriptions(self) -> None:
        """'the president', 'the senator' in the narrative: a mention of the person last
        named with that role, so that recency and subject position count it."""
        # only a person with a role class can be found below: none, nothing to add
        classes = {
            e.role_class
            for e in self.entities
            if e.kind is SourceKind.PERSON and e.role_class is not None
        }
        if not classes:
            return
        toks = self.tokens
        table = roles()
        mods = words().role_modifiers
        added: list[Mention] = []
        for i in [i for i, t in enumerate(toks) if t.lower == "the"]:
            t = toks[i]
            if i + 1 >= len(toks):
                continue
            j = i + 1
            aff: str | None = None
            while j < len(toks) - 1 and self._adjacent(toks[j - 1], toks[j]):
                if toks[j].cap and demonym_affiliation(toks[j].text) is not None:
                    aff = demonym_affiliation(toks[j].text)  # "the Republican nominee"
                elif toks[j].lower not in mods:
                    break
                j += 1
            r = toks[j]
            if not self._adjacent(toks[j - 1], r) or r.cap and r.lower not in table:
                continue
            role = table.get(r.lower)
            if role is None or role.kind is not SourceKind.PERSON or role.cls in ("relation",):
                continue
            if role.cls not in classes:
                continue  # (no person has it: the search below finds no one)
            if j + 1 < len(toks) and self._adjacent(r, toks[j + 1]) and toks[j + 1].cap:
                continue  # "the president Barack Obama": the name is the mention
            k = bisect_left(self.mention_starts, t.start) - 1
            while k >= 0:
                m = self.mentions[k]
                e = self.entities[m.entity]
                if (
                    e.kind is SourceKind.PERSON
                    and e.role_class == role.cls
                    and (aff is None or e.affiliation in (None, aff))
                ):
                    added.append(
                        Mention(
                            t.start,  # start
                            r.end,  # end
                            SourceKind.PERSON,  # kind
                            e.name,  # name
                            t.start,  # full_start
                            (),  # tokens
                            e.role,  # role
                            e.role_class,  # role_class
                            None,  # affiliation
                            e.gender,  # gender
                            None,  # honorific
                            None,  # entry
                            None,  # country
                            t.sent,  # sent
                            self.in_quote(t.start),  # in_quote
                            r.poss,  # poss
                            False,  # bare
                            e.id,  # entity
                        )
                    )
                    break
                k -= 1
        if added:
            self.mentions = sorted(self.mentions + added, key=lambda m: m.start)
            self.mention_starts = [m.start for m in self.mentions]
            for e in self.entities:  # indices moved: rebuild every entity's mention list
                e.mentions = []
            for idx, m in enumerate(self.mentions):
                self.entities[m.entity].mentions.append(idx)

    def _find_person(
        self, persons: list[Entity], toks: tuple[str, ...], m: Mention
    ) -> Entity | None:
        if not toks:
            return None
        last = toks[-1]
        if len(toks) >= 2:
            for p in reversed(persons):
                if p.last == last and (
                    not p.full or p.first == toks[0] or first_names_compatible(p.first, toks[0])
                ):
                    return p
        else:
            same = [p for p in persons if p.last == last]
            if m.gender:
                same = [p for p in same if not p.gender or p.gender == m.gender] or same
            if len(same) == 1:
                return same[0]
            if same:
                # several people share the surname: one named in this or the last
                # sentence wins, else the most mentioned so far (the earliest on a tie)
                near = [p for p in same if self.mentions[p.mentions[-1]].sent >= m.sent - 1]
                if near:
                    return max(near, key=lambda p: p.mentions[-1])
                return max(same, key=lambda p: (len(p.mentions), -p.id))
        if len(toks) == 1:
            for p in reversed(persons):
                if p.full and p.first == last and m.honorific is None:
                    return p
                if p.full and p.first == last and last not in first_name_gender():
                    return p  # "Mr. Ban" for "Ban Ki-moon": family name first
        return None


_FOLDED_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}


def _folded_name(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """A person mention's name tokens folded, without dots (a pure answer, kept)."""
    got = _FOLDED_NAMES.get(tokens)
    if got is None:
        if len(_FOLDED_NAMES) > 50_000:
            _FOLDED_NAMES.clear()
        got = _FOLDED_NAMES[tokens] = tuple(fold(t).rstrip(".") for t in tokens)
    return got


def first_names_compatible(a: str | None, b: str | None) -> bool:
    """Same person's first name? Equal, an initial of the other, or a nickname of it."""
    if not a or not b:
        return True
    a, b = fold(a).rstrip("."), fold(b).rstrip(".")
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    from claimtrack.sources.lexicon import nickname_groups

    groups = nickname_groups()
    return bool(groups.get(a, frozenset()) & groups.get(b, frozenset()))


__all__ = ["ArticleIndex", "Entity", "Mention", "Token", "first_names_compatible", "tokenize"]
