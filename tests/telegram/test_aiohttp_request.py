"""bot.telegram.aiohttp_request: PTB's Bot over the aiohttp client, against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import json
import socket

import pytest
from fakeapi import FakeBotApi
from harness import TOKEN
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData

from bot.telegram.aiohttp_request import AiohttpRequest


def bot_on(api: FakeBotApi, request: AiohttpRequest) -> Bot:
    return Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url, request=request, get_updates_request=AiohttpRequest())


async def test_parameters_arrive_as_json_nested_values_included(api: FakeBotApi) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("อู๋ซี", callback_data="v1|ev|x")]])
    async with bot_on(api, AiohttpRequest(connection_pool_size=4)) as bot:
        sent = await bot.send_message(7, "<b>มหกรรม</b> Vô Tích « thème »", parse_mode="HTML", reply_markup=keyboard)
    call = api.calls_of("sendMessage")[-1]
    assert call.params["text"] == "<b>มหกรรม</b> Vô Tích « thème »" and sent.text == "มหกรรม Vô Tích « thème »"
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "อู๋ซี", "callback_data": "v1|ev|x"}]]}


async def test_an_upload_goes_as_multipart_with_its_file_name(api: FakeBotApi) -> None:
    async with bot_on(api, AiohttpRequest()) as bot:
        await bot.send_document(7, b"version: 1\n", filename="knowledge.yaml", caption="export")
    upload = api.uploads[-1]
    assert (upload.filename, upload.data) == ("knowledge.yaml", b"version: 1\n")
    assert api.calls_of("sendDocument")[-1].params["caption"] == "export"


async def test_api_errors_keep_their_meaning(api: FakeBotApi) -> None:
    api.fail_next("sendMessage", error_code=429, retry_after=3)
    api.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")
    async with bot_on(api, AiohttpRequest()) as bot:
        with pytest.raises(RetryAfter, match="3"):
            await bot.send_message(7, "a")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(7, "b")


async def test_no_answer_in_time_is_timed_out(api: FakeBotApi) -> None:
    api.delay_next("sendMessage", 2.0)
    async with bot_on(api, AiohttpRequest(read_timeout=0.2)) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(7, "slow")
        await bot.send_message(7, "the client still works")
    assert api.calls_of("sendMessage")[-1].params["text"] == "the client still works"


async def test_a_closed_port_is_a_network_error() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(connect_timeout=2.0)
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST", RequestData())
    finally:
        await request.shutdown()


async def test_used_outside_its_lifetime_it_says_so(api: FakeBotApi) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{api.base_url}/getMe", "POST")
    await request.initialize()
    await request.initialize()  # idempotent: one session
    status, body = await request.do_request(f"{api.base_url}{TOKEN}/getMe", "POST")
    await request.shutdown()
    await request.shutdown()
    assert status == 200 and json.loads(body)["result"]["is_bot"] is True
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{api.base_url}{TOKEN}/getMe", "POST")
    with pytest.raises(ValueError):
        AiohttpRequest(connection_pool_size=0)
