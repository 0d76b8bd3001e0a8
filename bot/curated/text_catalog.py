"""Every text the code shows (intents/messages.yaml, admin_messages.yaml, commands.yaml) and the placeholders it fills.

The catalog is the code's side of the contract with the curated text files: ``validate`` and start-up check that
each key here exists in its file in all four languages, that no file holds a key the code never uses (a typo),
and that every placeholder of every language is one the code fills and matches the English text's. A new text
needs a line here and an entry in its file; a missing one stops the bot at start, naming file and key.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from bot.curated.problems import Problem
from bot.engine.model import DEFAULT_LANG, LocalText

USER_FILE, ADMIN_FILE, COMMANDS_FILE = "messages.yaml", "admin_messages.yaml", "commands.yaml"
#: The text files of intents/, in load order.
TEXT_FILES = (USER_FILE, ADMIN_FILE, COMMANDS_FILE)
#: A placeholder that stands in for another in some languages: Thai dates use the Buddhist-era year.
EQUIVALENT = {"year_be": "year", "next_year_be": "next_year"}


def _declare(spec: str) -> dict[str, frozenset[str]]:
    """``"key:placeholder,placeholder key2"`` → {key: placeholders} (keeps the catalog one line per group)."""
    out: dict[str, frozenset[str]] = {}
    for item in spec.split():
        key, _, fields = item.partition(":")
        out[key] = frozenset(f for f in fields.split(",") if f)
    return out


#: Texts for every user: answers' wording, labels, dates, buttons, errors, subscriptions, reminders.
USER_TEXTS = _declare(
    "fallback reply_nudge reply_reaction article_in:lang quote_in:lang quote source_admin:date source_admin_undated "
    "event_unknown_topic:event which_event did_you_mean no_topic:event,topic group_hello:bot welcome_group:bot group_how_to_ask:username "
    "topic_when topic_where topic_organizers topic_speakers topic_theme topic_figures topic_program topic_recurrence "
    "topic_initiatives topic_participants topic_background source untranslated:lang "
    "lang_name_en lang_name_th lang_name_vi lang_name_fr events_header other_edition:asked,event flood upcoming_none:today "
    "upcoming_header next_fixed:date,day,event next_annual_since:event,since,year next_annual:event,year next_unknown:event "
    "date_label place_label theme_label figures_label date_day:day,month,year,year_be date_month:month,year,year_be "
    "date_year:year,year_be welcome:bot bot_description bot_short_description start_unknown_link lang_prompt lang_set "
    "lang_auto button_date_place button_figures button_theme button_source button_summary stale_button unknown_command "
    "no_text ask_usage not_admin inline_none error subscribe_done:kinds,lang unsubscribe_done unsubscribe_none "
    "subscribe_admins_only subscribe_bad_lang:value subscribe_bad_kind:value subscribe_bad_option:value kind_summit "
    "kind_iot_expo kind_itu_event reminder_days:date,days,event reminder_tomorrow:date,event "
    "date_day_month:day,month reminder_recurring_days:date,day,days,event reminder_recurring_tomorrow:date,day,event "
    "reminder_sources_theme:next_year,next_year_be,theme,year,year_be reminder_sources:next_year,next_year_be,year,year_be "
    "reminder_buttons_note:year,year_be "
    "announce_header:bot announce_footer cancel_done:id cancel_nothing"
)
#: Texts only the bot's admins see: knowledge edits, history, undo, statistics, export, unanswered questions, announcements.
ADMIN_TEXTS = _declare(
    "usage_fact_add usage_fact_edit usage_fact_del usage_facts usage_event_add usage_event_set usage_undo usage_attach "
    "admin_too_long:length,limit admin_done admin_live admin_still_older:langs admin_nothing_changed "
    "admin_invalid_result admin_busy admin_events:ids admin_facts_head:count,event admin_no_facts admin_fact_admin "
    "admin_nothing_to_show admin_history_head admin_history_head_event:event admin_history_none "
    "admin_history_line:at,id,summary,who change_fact_add:fact,lang,text change_fact_edit:fact,lang,text "
    "change_fact_del:fact,text change_event_add:event,kind,name,year change_event_set:event,field,lang,value "
    "change_event_date:dates,event change_event_fact:event,field,lang,value change_question_attach:fact,lang,question "
    "change_import_event_set:event change_import_event_removed:event change_import_fact_set:fact change_import_fact_removed:fact "
    "change_undo:id,summary admin_user_id:id admin_cli_user admin_undone_by:id admin_undone "
    "admin_warning:problem admin_stats_head admin_stats_total:count,rate,since admin_stats_busiest:events "
    "admin_stats_none admin_export_caption:events,facts "
    "admin_reload_failed:count admin_reload_more:count admin_reload_done:events,facts,intents "
    "ua_head ua_none ua_hint ua_no_question:id ua_question_head:count,id,lang ua_likely ua_no_likely "
    "ua_attach_button:fact,n ua_suggest_hint:id ua_answers_now ua_still_declines ua_still_answers:answer "
    "ua_live:id ua_undo_button:id ua_reply_hint "
    "edit_option_twice:key edit_parts:count edit_text_empty edit_text_invisible edit_text_long:length,limit "
    "edit_bad_lang:lang,langs edit_no_event:ids,ref edit_many_events:ids,ref edit_no_fact:id edit_bad_topics:topics "
    "edit_source_long:limit edit_bad_id:id edit_event_exists:id edit_bad_name:limit edit_bad_kind:kinds "
    "edit_bad_date:value edit_date_order edit_bad_field:fields edit_name_long:limit "
    "edit_question_invisible edit_question_long:length,limit edit_question_taken:owner,question "
    "undo_nothing undo_unknown:id undo_already:by,id undo_is_undo:id undo_overtaken:by,entity,id stale_knowledge "
    "announce_usage schedule_usage schedule_not:reason when_forms when_empty:forms when_too_long:forms when_unreadable:forms,text "
    "when_past:when when_too_far when_no_time_of_day:day when_bad_time_of_day:time announce_too_long announce_lang_twice:value "
    "announce_lang_empty:value announce_preview:chats,id schedule_preview:chats,id,when,zone announce_others_get:lang "
    "announce_send_button:chats announce_plan_button:when announce_cancel_button announce_sending:chats,id "
    "announce_gone:id schedule_done:chats,id,when,zone announce_none:id announce_already_sent:id "
    "announce_already_cancelled:id announce_cancelled:id announce_cancelled_sending:dropped,id announcements_pending "
    "announcements_none announcements_sent announcements_line_at:id,kind,state,text,when "
    "announcements_line_tally:failed,id,kind,sent,state,text,total announcement_kind_broadcast announcement_kind_reminder "
    "announcement_state_draft announcement_state_scheduled announcement_state_sending announcement_state_done "
    "announcement_state_cancelled announcement_reminder_days:date,days,event announcement_reminder_day:date,event "
    "announcements_unschedule_hint unschedule_usage cancel_use_unschedule:id "
    "progress_starting progress_tally:failed,pending,sent,total progress_tally_cancelled:cancelled progress_sending:tally "
    "progress_cancelled:tally progress_finished:tally progress_nobody report_all:id,sent report_some:failed,id,sent,total "
    "report_more:count"
)
#: The command menus' descriptions (setMyCommands), ``command_<name>``.
COMMANDS = (
    "start", "help", "events", "lang", "ask", "reload", "fact_add", "fact_edit", "fact_del", "facts", "event_add", "event_set",
    "history", "undo", "unanswered", "attach", "stats", "export", "subscribe", "unsubscribe", "announce", "schedule",
    "announcements", "unschedule", "cancel",
)  # fmt: skip
COMMAND_TEXTS = {f"command_{name}": frozenset[str]() for name in COMMANDS}
#: Every text, with the file it belongs in.
CATALOG: Mapping[str, Mapping[str, frozenset[str]]] = {USER_FILE: USER_TEXTS, ADMIN_FILE: ADMIN_TEXTS, COMMANDS_FILE: COMMAND_TEXTS}
#: Lists rather than sentences (they are checked where they are parsed: twelve month names per language).
LISTS = frozenset({"months"})


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of a text.

    Args:
        text: a text with str.format placeholders.

    Returns:
        Their names.

    Raises:
        ValueError: when the braces do not parse (a lone ``{`` or ``}``).
    """
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(text) if field}


def _text_problems(file: str, key: str, text: LocalText, fills: frozenset[str]) -> list[Problem]:
    problems: list[Problem] = []
    found: dict[str, set[str]] = {}
    for lang, local in text.texts():
        try:
            found[lang] = placeholders(local)
        except ValueError as exc:
            problems.append(Problem(file, f"messages.{key}.{lang}", f"has unbalanced braces ({exc}); write {{{{ and }}}} for literal ones"))
            continue
        for name in sorted(found[lang] - fills):
            filled = ", ".join(f"{{{f}}}" for f in sorted(fills)) or "none"
            problems.append(Problem(file, f"messages.{key}.{lang}", f"placeholder {{{name}}} is not filled by the code (it fills: {filled})"))
    english = {EQUIVALENT.get(n, n) for n in found.get(DEFAULT_LANG, set())}
    for lang, names in found.items():
        mine = {EQUIVALENT.get(n, n) for n in names}
        if lang != DEFAULT_LANG and DEFAULT_LANG in found and mine != english:
            missing, extra = sorted(english - mine), sorted(mine - english)
            detail = "; ".join(part for part in (f"lacks {', '.join(missing)}" if missing else "", f"adds {', '.join(extra)}" if extra else "") if part)
            problems.append(Problem(file, f"messages.{key}.{lang}", f"placeholders differ from the English text's: {detail}"))
    return problems


def catalog_problems(found: Mapping[str, tuple[str, LocalText]], catalog: Mapping[str, Mapping[str, frozenset[str]]] = CATALOG) -> list[Problem]:
    """What is wrong between the texts in the files and the texts the code uses.

    Args:
        found: key → (the file it was read from, its texts), for every text read.
        catalog: file → key → placeholders the code fills (default: the code's :data:`CATALOG`).

    Returns:
        One problem per missing, misplaced or unknown key and per bad placeholder, each naming file and key.
    """
    problems: list[Problem] = []
    home = {key: file for file, keys in catalog.items() for key in keys}
    for file, keys in catalog.items():
        for key in keys:
            if key not in found:
                problems.append(Problem(file, f"messages.{key}", "is missing: the bot uses this text"))
    for key, (file, text) in found.items():
        if key not in home:
            problems.append(Problem(file, f"messages.{key}", "is not a text the bot uses (a typo? a new text is declared in bot/curated/text_catalog.py)"))
            continue
        if home[key] != file:
            problems.append(Problem(file, f"messages.{key}", f"belongs in {home[key]}"))
        problems += _text_problems(file, key, text, catalog[home[key]][key])
    return problems
