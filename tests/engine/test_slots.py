"""The "kind of detail asked" signal: question words in four languages, the slots units give, the ranker's columns."""

from __future__ import annotations

import numpy as np
import pytest

from bot.engine import KnowledgeBase
from bot.engine.ranker import FEATURES, Signals, features
from bot.engine.slots import QUESTION_WORDS, SLOTS, asked_slots, text_slots
from bot.engine.text import Normalized
from bot.engine.units import build_units

MONTHS = {"en": ("May", "November"), "fr": ("mai", "novembre"), "vi": ("tháng 5", "tháng 11"), "th": ("พฤษภาคม", "พฤศจิกายน")}


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("who gave the opening speech", "who"),
        ("qui a prononcé le discours ?", "who"),
        ("ai phát biểu khai mạc", "who"),
        ("ai phat bieu khai mac", "who"),
        ("ใครกล่าวเปิดงาน", "who"),
        ("what's the secretary general's name", "name"),
        ("comment s’appelle le secrétaire général", "name"),
        ("tên của tổng thư ký là gì", "name"),
        ("เลขาธิการชื่ออะไร", "name"),
        ("what exact date did the expo open", "day"),
        ("l'expo a ouvert quel jour exactement", "day"),
        ("trien lam khai mac ngay nao", "day"),
        ("งานเปิดวันไหน", "day"),
        ("when was the summit", "when"),
        ("quand a eu lieu le sommet", "when"),
        ("hoi nghi dien ra khi nao", "when"),
        ("การประชุมจัดเมื่อไหร่", "when"),
        ("where was it held", "where"),
        ("où s'est tenu le sommet", "where"),
        ("hội nghị tổ chức ở đâu", "where"),
        ("hoi nghi to chuc o dau", "where"),
        ("จัดที่ไหน", "where"),
        ("which exhibition centre hosted it", "venue"),
        ("dans quelle salle", "venue"),
        ("hội trường nào", "venue"),
        ("จัดที่ศูนย์ประชุมไหน", "venue"),
        ("how many people attended", "count"),
        ("combien de visiteurs", "count"),
        ("có bao nhiêu đại biểu", "count"),
        ("co bao nhieu dai bieu", "count"),
        ("มีผู้เข้าร่วมกี่คน", "count"),
        ("how much was a ticket", "price"),
        ("prix du billet", "price"),
        ("giá vé bao nhiêu", "price"),
        ("บัตรเข้างานราคาเท่าไร", "price"),
        ("what was the theme", "theme"),
        ("quel était le thème", "theme"),
        ("chủ đề là gì", "theme"),
        ("ธีมของงานคืออะไร", "theme"),
        ("when is the next edition", "next"),
        ("la prochaine édition", "next"),
        ("lan toi to chuc khi nao", "next"),
        ("ครั้งหน้าจัดเมื่อไหร่", "next"),
    ],
)
def test_asked_slots_in_four_languages(text: str, slot: str) -> None:
    assert slot in asked_slots(Normalized.of(text))


@pytest.mark.parametrize(
    ("text", "not_slot"),
    [
        ("ai and 5g as central issues", "who"),  # "AI", not Vietnamese "ai" (who)
        ("quoc gia ve phat trien cntt", "price"),  # "quốc gia về": not "giá vé"
        ("có bao nhiêu quốc gia tham gia", "price"),
        ("le sommet ou l'exposition ?", "where"),  # "ou" (or), not "où"
        ("เกี่ยวกับอะไร", "count"),  # เกี่ยว holds the letters of กี่
        ("how much did a ticket cost", "count"),  # a price, which a count does not give
        ("tell me about the wuxi expo", "when"),
    ],
)
def test_asked_slots_avoid_folded_look_alikes(text: str, not_slot: str) -> None:
    assert not_slot not in asked_slots(Normalized.of(text))


def test_every_slot_has_question_words() -> None:
    assert set(QUESTION_WORDS) == set(SLOTS) and all(QUESTION_WORDS[s] for s in SLOTS)


@pytest.mark.parametrize(
    ("text", "gives", "lacks"),
    [
        ("The summit was held on 8 November 2023.", {"day", "when"}, {"count"}),
        ("Le sommet s'est tenu le 8 novembre 2023.", {"day", "when"}, {"count"}),
        ("Hội nghị diễn ra ngày 8 tháng 11 năm 2023.", {"day", "when"}, {"count"}),
        ("การประชุมจัดขึ้นเมื่อวันที่ 8 พฤศจิกายน 2566", {"day", "when"}, {"count"}),
        ("The expo opened on a Saturday in 2021.", set(), {"day", "count"}),
        ("Wuxi has more than 3,000 IoT companies.", {"count"}, {"price"}),
        ("อู๋ซีมีมูลค่าผลผลิตมากกว่า 3 แสนล้านหยวน", {"count"}, {"price"}),
        ("Các nước phát triển 5G và 2G.", set(), {"count"}),
        ("The mascot was a purple zebra named Zuzu.", {"name"}, {"count"}),
        ("La mascotte s'appelait Zuzu.", {"name"}, set()),
        ("Linh vật là một con ngựa vằn tên là Zuzu.", {"name"}, set()),
        ("มาสคอตเป็นม้าลายสีม่วงชื่อว่าซูซู", {"name"}, set()),
        ("The Secretary-General called on member states to act.", set(), {"name"}),
    ],
)
def test_text_slots_read_what_a_text_states(text: str, gives: set[str], lacks: set[str]) -> None:
    found = text_slots([text], MONTHS)
    assert gives <= found and not (lacks & found)


def test_units_give_the_slots_their_fields_and_topics_support(kb: KnowledgeBase) -> None:
    table = build_units(kb)
    slots = dict(zip((u.key for u in table.units), table.unit_slots, strict=True))
    assert {"day", "when"} <= slots["fact:wic_wuzhen_2023:wic_wuzhen_2023_date"]
    assert "day" not in slots["fact:world_iot_expo_2021:world_iot_expo_2021_date"]  # the article gives the year only
    assert {"who", "name"} <= slots["fact:wiotc_2023:wiotc_2023_guterres_message"]
    assert "name" not in slots["fact:wtisd_2021:wtisd_2021_sg_message"]  # a role, no name
    assert "where" in slots["topic:wtisd_2021:event_where"]  # "my sources don't say where" answers a where-question
    assert "chitchat" not in {u.kind for u, s in zip(table.units, table.unit_slots, strict=True) if s}


def test_slot_columns_mark_units_that_give_the_detail_and_events_that_have_one(kb: KnowledgeBase) -> None:
    table = build_units(kb)
    n, groups = len(table.units), len(table.groups) + 1
    zero = np.zeros(groups, dtype=np.float32)
    signals = Signals(zero, zero, zero, 0.0, None, {}, frozenset(), {}, -1, False, frozenset(), 0.0, asked=frozenset({"day"}))
    x = features(table, signals)
    col = {name: x[:, FEATURES.index(name)] for name in ("slot_all", "slot_none", "slot_event")}
    keys = [u.key for u in table.units]
    wuzhen_date, expo_date = keys.index("fact:wic_wuzhen_2023:wic_wuzhen_2023_date"), keys.index("fact:world_iot_expo_2021:world_iot_expo_2021_date")
    assert col["slot_all"][wuzhen_date] == 1 and col["slot_none"][expo_date] == 1
    assert col["slot_event"][expo_date] == 0 and col["slot_event"][wuzhen_date] == 1
    chat = [i for i, u in enumerate(table.units) if u.kind == "chitchat"]
    assert not x[chat][:, [FEATURES.index(c) for c in col]].any()
    unasked = features(table, Signals(zero, zero, zero, 0.0, None, {}, frozenset(), {}, -1, False, frozenset(), 0.0))
    assert not unasked[:, [FEATURES.index(c) for c in col]].any() and x.shape == (n, len(FEATURES))
