"""What KIND of detail a question asks for (a name, an exact day, a count, a price, a venue...) and which units give it.

A question can name the right event and topic and still ask for a detail its article does not give: "what is the
ITU Secretary-General's name" when the article gives only the role, "what exact date did the expo open" when it
gives only the year, "how much was a ticket". The ranker then finds the nearest related fact; this module lets it
see that the fact does not hold the kind of detail asked for.

Both sides are plain rules, so a wrong call can be explained: :func:`asked_slots` reads question words from the
folded query (Vietnamese without diacritics and Thai without spaces work, since curated words are folded the same
way), and :func:`unit_slots` reads what a unit's texts, topic and structured fields can answer. How much a match or
a mismatch counts is fitted (bot/engine/ranker.py), never set here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from bot.engine.model import Event, Fact
from bot.engine.text import Normalized

SLOTS: tuple[str, ...] = ("who", "name", "when", "day", "where", "venue", "count", "price", "theme", "next")

#: Question words per slot, in en/th/vi/fr, as regular expressions over the folded query (lower case, Latin accents
#: removed, one space between words; Thai is one unspaced run). Latin patterns match whole words. They are kept here
#: beside the rules that use them, as a module constant: they are part of the signal's definition (like the month
#: names of a date parser), not knowledge an editor curates, and tests/engine/test_slots.py pins them per language.
#: Folding makes some words ambiguous, so those are only matched in phrases: French "où" is "ou" (or), Vietnamese
#: "ai" (who) is also "AI", "đâu" (where) folds like "đầu" (first), "giá" (price) like "gia" in "quốc gia", "tham gia".
QUESTION_WORDS: Mapping[str, Sequence[str]] = {
    "who": (
        r"who", r"whom", r"whose", r"which person", r"which people",
        r"qui", r"quelle personne", r"quelles personnes",
        r"la ai", r"ai la", r"ai da", r"ai duoc", r"ai se", r"ai phat bieu", r"ai to chuc", r"ai chu tri", r"nhung ai", r"nguoi nao",
        r"ใคร", r"บุคคลใด", r"ผู้ใด",
    ),
    "name": (
        r"names?", r"called", r"nom", r"noms", r"s'appel\w*", r"appel\w*", r"ten (?:cua|la|gi|nguoi)", r"ten\b.*\bla gi", r"ชื่อ",
    ),
    "when": (
        r"when", r"what year", r"which year", r"what date", r"which date", r"what time", r"dates?",
        r"quand", r"quelle annee", r"quelle date", r"quel jour", r"quelle periode", r"en quelle",
        r"khi nao", r"bao gio", r"luc nao", r"nam nao", r"thang nao", r"ngay nao", r"ngay may", r"thoi gian nao", r"thoi diem nao", r"hom nao", r"may gio",
        r"เมื่อไร", r"เมื่อไหร่", r"เมื่อใด", r"ตอนไหน", r"ช่วงไหน", r"ปีไหน", r"ปีอะไร", r"ปีใด", r"เดือนไหน", r"วันไหน", r"วันอะไร", r"วันใด", r"วันที่เท่า",
    ),
    "day": (
        r"what day", r"which day", r"exact date", r"exact day", r"exact dates", r"calendar date", r"when exactly", r"exactly when",
        r"what date", r"which date", r"on what day", r"day of the week",
        r"quel jour", r"quelle date", r"date exacte", r"jour exact", r"dates exactes", r"quel jour exactement",
        r"ngay nao", r"ngay may", r"ngay bao nhieu", r"ngay cu the", r"chinh xac ngay", r"ngay chinh xac", r"hom nao", r"thu may", r"may gio",
        r"what time", r"quelle heure", r"กี่โมง", r"เวลาเท่าไร",
        r"วันไหน", r"วันอะไร", r"วันใด", r"วันที่เท่า", r"วันที่ไหน", r"วันที่อะไร", r"วันที่แน่นอน", r"วันที่แน่ชัด",
    ),
    "where": (
        r"where", r"which city", r"what city", r"which country", r"what country", r"location", r"venue", r"address",
        r"ou (?:se|s'|a|etait|est|ont|avait|c'est)", r"(?:lieu|tenue?s?|deroulee?s?|passee?s?|organisee?s?) ou", r"quelle ville",
        r"quel pays", r"quel lieu", r"lieu", r"endroit", r"adresse",
        r"o dau", r"tai dau", r"dau vay", r"noi nao", r"dia diem", r"cho nao", r"thanh pho nao", r"nuoc nao", r"quoc gia nao", r"dia chi",
        r"ที่ไหน", r"ที่ใด", r"สถานที่", r"เมืองไหน", r"ประเทศไหน", r"จังหวัดไหน", r"ที่อยู่",
    ),
    "venue": (
        r"venue", r"address", r"exhibition (?:centre|center|hall)", r"convention (?:centre|center)", r"conference (?:centre|center|hall)",
        r"which (?:centre|center|hall|building|hotel)", r"hotels?", r"building",
        r"adresse", r"salle", r"quel centre", r"centre (?:des|de|d')", r"batiment", r"hotels?", r"palais",
        r"dia chi", r"hoi truong", r"trung tam (?:hoi nghi|trien lam)", r"toa nha", r"khach san",
        r"ศูนย์ประชุม", r"ศูนย์แสดง", r"ศูนย์นิทรรศการ", r"ห้องประชุม", r"อาคาร", r"โรงแรม", r"ที่อยู่", r"ฮอลล์",
    ),
    "count": (
        r"how many", r"how much", r"number of", r"total number", r"what number",
        r"combien", r"nombre de", r"nombre d'\w+", r"quel nombre",
        r"bao nhieu", r"may (?:nguoi|ngay|quoc gia|nuoc|du an|doanh nghiep)", r"so luong", r"tong so",
        r"(?<!เ)กี่(?!โมง)", r"จำนวน", r"เท่าไร", r"เท่าไหร่", r"เท่าใด",
    ),
    "price": (
        r"cost", r"costs", r"price", r"prices", r"fee", r"fees", r"ticket", r"tickets", r"pay", r"paid", r"free of charge", r"entrance",
        r"prix", r"cout", r"coute", r"coutait", r"tarifs?", r"billets?", r"payante?", r"payer", r"gratuite?", r"frais", r"entree",
        r"(?<!quoc )(?<!tham )gia (?:ve|bao nhieu|tien|ca)", r"bao nhieu tien", r"chi phi", r"le phi", r"phi tham", r"phi dang ky",
        r"ve vao", r"mien phi", r"mat phi", r"tra tien",
        r"ราคา", r"ค่าเข้า", r"ค่าบัตร", r"ค่าตั๋ว", r"ค่าลงทะเบียน", r"ตั๋ว", r"บัตรเข้า", r"เสียเงิน", r"ค่าใช้จ่าย", r"ฟรี",
    ),
    "theme": (
        r"theme", r"slogan", r"motto", r"theme officiel", r"thème", r"devise", r"chu de", r"khau hieu", r"ธีม", r"หัวข้อหลัก", r"สโลแกน", r"แนวคิดหลัก",
    ),
    "next": (
        r"next (?:one|edition|year|time|summit|expo|convention|conference)", r"following (?:edition|year)", r"upcoming",
        r"prochaine?", r"l'annee prochaine", r"prochaine edition",
        r"tiep theo", r"nam sau", r"nam toi", r"lan toi", r"lan sau", r"ky toi",
        r"ครั้งหน้า", r"ครั้งต่อไป", r"ครั้งถัดไป", r"ปีหน้า",
    ),
}  # fmt: skip

#: Words that make a unit's text state a price (the amount of some output or investment is a count, not a price).
PRICE_WORDS = (r"price", r"fee", r"ticket", r"admission", r"free of charge", r"prix", r"tarif", r"billet",
               r"(?<!quoc )(?<!tham )gia ve", r"le phi", r"ราคา", r"ค่าเข้า")  # fmt: skip
#: Words that make a unit's text name a building or address, not just a city.
VENUE_WORDS = (r"venue", r"centre", r"center", r"hall", r"address", r"building", r"lieu", r"salle", r"palais", r"hoi truong",
               r"trung tam (?:hoi nghi|trien lam)", r"dia diem", r"ศูนย์ประชุม", r"ศูนย์แสดง", r"ศูนย์นิทรรศการ", r"อาคาร", r"สถานที่จัด")  # fmt: skip
#: Words that make a unit's text give a name ("a mascot named Zuzu"), besides the people and organizers the fields record.
NAMING_WORDS = (r"named", r"called(?! on| upon| for)", r"nommee?s?", r"s'appel\w+", r"baptisee?s?", r"intitulee?s?",
                r"ten la", r"mang ten", r"co ten", r"ชื่อว่า", r"มีชื่อ")  # fmt: skip
#: Words for large amounts, so "3 แสนล้าน" or "hai tỷ" count as numbers even without digits.
NUMBER_WORDS = (r"hundreds?", r"thousands?", r"millions?", r"billions?", r"half", r"dozens?", r"milliers?", r"milliards?", r"moitie",
                r"nghin", r"ngan", r"trieu", r"ty", r"mot nua", r"พัน", r"หมื่น", r"แสน", r"ล้าน", r"ครึ่ง")  # fmt: skip
#: Topics whose answer gives each slot (a topic unit, and any fact on that topic).
TOPIC_SLOTS: Mapping[str, frozenset[str]] = {
    "when": frozenset({"when"}),
    "recurrence": frozenset({"when", "next"}),
    "where": frozenset({"where"}),
    "organizers": frozenset({"who"}),
    "speakers": frozenset({"who"}),
    "participants": frozenset({"who"}),
    "figures": frozenset({"count"}),
    "theme": frozenset({"theme"}),
}

#: French "où" (where) is only told from "ou" (or) by its accent, so it is matched before folding.
_OU = re.compile(r"(?<!\w)où(?!\w)")
_DIGITS = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_YEARLIKE = re.compile(r"^(?:19\d\d|20\d\d|25\d\d)$")


def _fold(text: str) -> str:
    return " ".join(Normalized.of(text).folded.split())


def _compile(patterns: Iterable[str]) -> re.Pattern[str]:
    parts = []
    for pattern in patterns:
        folded = _fold(pattern) if not any(c in pattern for c in "\\()[]?*+|") else pattern
        # Thai has no spaces between words: its patterns match anywhere; Latin ones as whole words.
        parts.append(folded if re.search(r"[\u0e00-\u0e7f]", folded) else rf"(?<![\w']){folded}(?![\w])")
    return re.compile("|".join(f"(?:{p})" for p in parts))


@cache
def _question_patterns() -> dict[str, re.Pattern[str]]:
    return {slot: _compile(QUESTION_WORDS[slot]) for slot in SLOTS}


def asked_slots(query: Normalized) -> frozenset[str]:
    """The kinds of detail a question asks for.

    Args:
        query: the normalized message.

    Returns:
        Slot names from :data:`SLOTS` ("day" and "venue" also imply "when" and "where"); empty when no question word
        of a slot is found ("tell me about the expo").
    """
    folded = query.folded.replace("\u2019", "'")
    found = {slot for slot, pattern in _question_patterns().items() if pattern.search(folded)}
    if _OU.search(query.exact):
        found.add("where")
    if "day" in found:
        found.add("when")
    if "venue" in found:
        found.add("where")
    if "price" in found:
        found.discard("count")  # "how much does a ticket cost" asks a price, which a count does not give
    return frozenset(found)


@cache
def _unit_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    return _compile(PRICE_WORDS), _compile(VENUE_WORDS), _compile(NUMBER_WORDS), _compile(NAMING_WORDS)


def _day_pattern(months: Mapping[str, Sequence[str]]) -> re.Pattern[str]:
    names = sorted({_fold(m) for ms in months.values() for m in ms}, key=len, reverse=True)
    month = "|".join(re.escape(n) for n in names)
    day = r"(?:0?[1-9]|[12]\d|3[01])"
    return re.compile(rf"(?<!\d){day}(?:er)?\s*(?:{month})(?![\w])|(?<![\w])(?:{month})\s+{day}(?!\d)|(?:ngay|วันที่)\s*{day}(?:\s*(?:{month}))?(?!\d)")


def text_slots(texts: Sequence[str], months: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """The slots a unit's own texts can answer, read from what they state.

    Args:
        texts: the unit's texts, any languages.
        months: month names per language (intents/messages.yaml), for "17 May" and "ngày 8 tháng 11".

    Returns:
        "day" (and "when") for a day with its month, "count" for a number that is not a year, "price" for a stated
        price, "venue" for a named building, "name" for a text that says what something is called.
    """
    price, venue, numbers, naming = _unit_patterns()
    day = _day_pattern(months)
    found: set[str] = set()
    for text in texts:
        folded = _fold(text)
        if day.search(folded):
            found |= {"day", "when"}
            folded = day.sub(" ", folded)  # the 17 of "17 May" is no count
        if any(not _YEARLIKE.match(m.group(0)) for m in _DIGITS.finditer(folded)) or numbers.search(folded):
            found.add("count")
        if price.search(folded):
            found.add("price")
        if venue.search(folded):
            found.add("venue")
        if naming.search(folded):
            found.add("name")
    return frozenset(found)


def _names(event: Event) -> list[str]:
    """Folded proper names of the people and organizers the event's fields record."""
    return [_fold(t) for s in (*event.people, *event.organizers) for _, t in s.text.texts() if t.strip()]


def fact_slots(event: Event, fact: Fact, months: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """The slots one fact can answer: from its texts, its topics and the event's structured fields that cite it.

    Args:
        event: the fact's event.
        fact: the fact.
        months: month names per language.

    Returns:
        Slot names.
    """
    texts = [t for _, t in fact.text.texts()]
    found = set(text_slots(texts, months))
    for topic in fact.topics:
        found |= TOPIC_SLOTS.get(topic, frozenset())
    if event.dates is not None and event.dates.fact == fact.id:
        found |= {"when", "day"} if event.dates.precision == "day" else {"when"}
    if event.place is not None and event.place.fact == fact.id:
        found.add("where")
    cited = {s.fact for s in (*event.people, *event.organizers)}
    folded = [_fold(t) for t in texts]
    if fact.id in cited or any(name in t for name in _names(event) for t in folded):
        found |= {"who", "name"}
    return frozenset(found)


def topic_slots(event: Event, topic: str, has_answer: bool) -> frozenset[str]:
    """The slots an event's answer on one topic is about (for "my sources don't say", the slots of its topic).

    Args:
        event: the event.
        topic: the topic.
        has_answer: whether the sources say anything on it.

    Returns:
        Slot names.
    """
    if not has_answer:
        return TOPIC_SLOTS.get(topic, frozenset())  # "my sources don't say where" is the reply to a where-question
    found = set(TOPIC_SLOTS.get(topic, frozenset()))
    if topic == "when" and event.dates is not None and event.dates.precision == "day":
        found.add("day")
    if topic == "speakers" and event.people:
        found.add("name")
    return frozenset(found)


def card_slots(event: Event) -> frozenset[str]:
    """The slots an event's card gives: its dates, place, theme and organizers as the fields record them."""
    found: set[str] = set()
    if event.dates is not None:
        found |= {"when", "day"} if event.dates.precision == "day" else {"when"}
    if event.place is not None:
        found.add("where")
    if event.theme is not None:
        found.add("theme")
    if event.organizers:
        found |= {"who", "name"}
    return frozenset(found)
