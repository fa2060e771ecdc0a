"""The official openai SDK (OpenAI and AzureOpenAI clients) through the gateway to the sim."""

from __future__ import annotations

import asyncio
import json
import math
import uuid

import pytest
from openai import AsyncOpenAI

from conftest import CLIENT_KEY, SIM_REGION

UNICODE_TEXT = (
    "emoji 👋🏽 👨‍👩‍👧‍👦 🇯🇵 🧪 | CJK 漢字 かな カナ 한국어 中文字符 | "
    "RTL مرحبا بالعالم שלום עולם | combining e\u0301 n\u0303 | zero-width a\u200bb "
    "| bidi \u202eevil\u202c | tab\there \"quotes\" \\backslash\\ newline\nend 𝄞 \U0001F600"
)


def expected_prompt_tokens(*texts: str) -> int:
    """The sim's usage rule: ceil(UTF-8 bytes of the input text / 4) + 3 per message."""
    total = sum(len(t.encode("utf-8")) for t in texts)
    return max(1, math.ceil(total / 4) + 3 * len(texts))


def user(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


@pytest.fixture(params=["openai", "azure"])
def client(request, openai_client, azure_client):
    """Both SDK clients; gpt-4o goes to the azure backend, gpt-4o-mini to the openai one."""
    return openai_client if request.param == "openai" else azure_client


@pytest.fixture(params=["gpt-4o", "gpt-4o-mini"])
def model(request):
    return request.param


# --- chat ---------------------------------------------------------------------------------------

def test_chat_echo(client, model):
    r = client.chat.completions.create(model=model, messages=user("echo:Hello, gateway!"))
    assert r.object == "chat.completion"
    assert r.choices[0].message.role == "assistant"
    assert r.choices[0].message.content == "Hello, gateway!"
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.completion_tokens >= 1
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_chat_generated_words_deterministic(client, model):
    msgs = [{"role": "system", "content": "You are terse."}, *user("Tell me about gateways.")]
    a = client.chat.completions.create(model=model, messages=msgs, max_tokens=9)
    b = client.chat.completions.create(model=model, messages=msgs, max_tokens=9)
    text = a.choices[0].message.content
    assert text == b.choices[0].message.content
    assert len(text.split(" ")) == 9
    assert a.usage.completion_tokens == 9
    assert a.usage.prompt_tokens == expected_prompt_tokens("You are terse.",
                                                           "Tell me about gateways.")


def test_chat_streaming_equals_non_streamed(client, model):
    msgs = user("Describe the weather on a quiet day.")
    hdrs = {"x-sim-tokens": "12"}
    full = client.chat.completions.create(model=model, messages=msgs, extra_headers=hdrs)
    text = full.choices[0].message.content
    assert len(text.split(" ")) == 12

    stream = client.chat.completions.create(model=model, messages=msgs, stream=True,
                                            extra_headers=hdrs)
    deltas, finish, chunks = [], None, 0
    for chunk in stream:
        chunks += 1
        assert chunk.object == "chat.completion.chunk"
        for choice in chunk.choices:
            if choice.delta.content:
                deltas.append(choice.delta.content)
            if choice.finish_reason:
                finish = choice.finish_reason
    assert "".join(deltas) == text
    assert finish == "stop"
    assert chunks >= 12  # delivered chunk by chunk, not as one blob
    assert len(deltas) >= 12


def test_chat_streaming_include_usage(client, model):
    msgs = user("How many tokens is this?")
    full = client.chat.completions.create(model=model, messages=msgs, max_tokens=7)
    stream = client.chat.completions.create(model=model, messages=msgs, max_tokens=7, stream=True,
                                            stream_options={"include_usage": True})
    usage_chunks, text = [], ""
    for chunk in stream:
        if chunk.usage is not None:
            usage_chunks.append(chunk)
        for choice in chunk.choices:
            text += choice.delta.content or ""
    assert len(usage_chunks) == 1
    last = usage_chunks[0]
    assert last.choices == []
    u = last.usage
    assert u.completion_tokens == 7
    assert u.prompt_tokens == expected_prompt_tokens("How many tokens is this?")
    assert u.total_tokens == u.prompt_tokens + u.completion_tokens
    assert u.model_dump() == full.usage.model_dump()
    assert text == full.choices[0].message.content


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string"},
                           "country": {"type": "string"}},
            "required": ["city", "country"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {"name": "get_time", "parameters": {
        "type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]}},
}


def test_tool_calls_non_stream_and_stream(client, model):
    msgs = user("What's the weather in Oslo?")
    r = client.chat.completions.create(model=model, messages=msgs,
                                       tools=[WEATHER_TOOL, TIME_TOOL])
    choice = r.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert len(choice.message.tool_calls) == 1
    call = choice.message.tool_calls[0]
    assert call.type == "function"
    assert call.id.startswith("call_")
    assert call.function.name == "get_weather"
    args = json.loads(call.function.arguments)
    assert isinstance(args, dict)
    assert {"city", "country"} <= set(args)
    assert all(isinstance(args[k], str) for k in ("city", "country"))

    stream = client.chat.completions.create(model=model, messages=msgs,
                                            tools=[WEATHER_TOOL, TIME_TOOL], stream=True)
    calls: dict[int, dict] = {}
    finish = None
    pieces = 0
    for chunk in stream:
        for ch in chunk.choices:
            for tc in ch.delta.tool_calls or []:
                c = calls.setdefault(tc.index, {"id": None, "name": "", "arguments": ""})
                if tc.id:
                    c["id"] = tc.id
                if tc.function and tc.function.name:
                    c["name"] += tc.function.name
                if tc.function and tc.function.arguments:
                    c["arguments"] += tc.function.arguments
                    pieces += 1
            if ch.finish_reason:
                finish = ch.finish_reason
    assert finish == "tool_calls"
    assert list(calls) == [0]
    assert calls[0]["id"] == call.id
    assert calls[0]["name"] == "get_weather"
    assert json.loads(calls[0]["arguments"]) == args
    assert pieces >= 2, "the sim streams the arguments in several chunks"


def test_tool_choice_named_function(openai_client):
    r = openai_client.chat.completions.create(
        model="gpt-4o", messages=user("time please"), tools=[WEATHER_TOOL, TIME_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_time"}})
    call = r.choices[0].message.tool_calls[0]
    assert call.function.name == "get_time"
    assert set(json.loads(call.function.arguments)) >= {"zone"}


def test_tool_choice_none_answers_with_text(openai_client):
    r = openai_client.chat.completions.create(
        model="gpt-4o", messages=user("echo:no tools"), tools=[WEATHER_TOOL], tool_choice="none")
    assert r.choices[0].message.content == "no tools"
    assert not r.choices[0].message.tool_calls


# --- embeddings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("emb_model", ["text-embedding-3-small", "text-embedding-3-large"])
def test_embeddings_single_and_batch(client, emb_model):
    one = client.embeddings.create(model=emb_model, input="The quick brown fox")
    assert one.object == "list"
    assert len(one.data) == 1
    v = one.data[0].embedding
    assert len(v) == 1536
    assert math.isclose(math.sqrt(sum(x * x for x in v)), 1.0, rel_tol=1e-3)
    assert one.usage.prompt_tokens >= 1

    again = client.embeddings.create(model=emb_model, input="The quick brown fox")
    assert again.data[0].embedding == v

    batch = client.embeddings.create(
        model=emb_model, input=["alpha", "The quick brown fox", "gamma 漢字 👋"])
    assert [d.index for d in batch.data] == [0, 1, 2]
    assert all(len(d.embedding) == 1536 for d in batch.data)
    assert batch.data[1].embedding == v
    assert batch.data[0].embedding != batch.data[2].embedding


def test_embeddings_float_format_and_dimensions(openai_client):
    b64 = openai_client.embeddings.create(model="text-embedding-3-small", input="hello")
    flt = openai_client.embeddings.create(model="text-embedding-3-small", input="hello",
                                          encoding_format="float")
    a, b = b64.data[0].embedding, flt.data[0].embedding
    assert len(a) == len(b) == 1536
    assert all(math.isclose(x, y, rel_tol=1e-5, abs_tol=1e-7) for x, y in zip(a, b))

    small = openai_client.embeddings.create(model="text-embedding-3-small", input="hello",
                                            dimensions=256)
    assert len(small.data[0].embedding) == 256


def test_embeddings_token_arrays(openai_client):
    r = openai_client.embeddings.create(model="text-embedding-3-small",
                                        input=[[1, 2, 3], [4, 5]])
    assert len(r.data) == 2
    assert all(len(d.embedding) == 1536 for d in r.data)


# --- legacy completions and responses -----------------------------------------------------------

def test_legacy_completions(client):
    r = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="echo:once upon a time")
    assert r.object == "text_completion"
    assert r.choices[0].text == "once upon a time"
    assert r.usage.prompt_tokens >= 1

    gen = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say something",
                                    max_tokens=6)
    text = gen.choices[0].text
    assert len(text.split(" ")) == 6
    stream = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say something",
                                       max_tokens=6, stream=True)
    assert "".join(c.choices[0].text for c in stream if c.choices) == text


def test_responses_api(openai_client):
    r = openai_client.responses.create(model="gpt-4o-mini", input="echo:responses work")
    assert r.output_text == "responses work"
    assert r.usage.output_tokens >= 1

    deltas, completed = [], None
    with openai_client.responses.stream(model="gpt-4o-mini", input="echo:streamed reply") as s:
        for event in s:
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
            elif event.type == "response.completed":
                completed = event.response
    assert "".join(deltas) == "streamed reply"
    assert completed is not None and completed.usage.output_tokens >= 1


def test_openai_v1_path_on_azure_prefix(gateway):
    """`/openai/v1/...`: the Azure v1 API, model in the body."""
    from openai import OpenAI
    c = OpenAI(base_url=f"{gateway.url}/openai/v1", api_key=CLIENT_KEY, max_retries=0)
    r = c.chat.completions.create(model="gpt-4o", messages=user("echo:azure v1"))
    assert r.choices[0].message.content == "azure v1"
    e = c.embeddings.create(model="text-embedding-3-small", input="x")
    assert len(e.data[0].embedding) == 1536


# --- content fidelity ---------------------------------------------------------------------------

def test_unicode_byte_exact(client, model):
    r = client.chat.completions.create(model=model, messages=user("echo:" + UNICODE_TEXT))
    assert r.choices[0].message.content == UNICODE_TEXT
    stream = client.chat.completions.create(model=model, messages=user("echo:" + UNICODE_TEXT),
                                            stream=True)
    got = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert got == UNICODE_TEXT
    comp = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="echo:" + UNICODE_TEXT)
    assert comp.choices[0].text == UNICODE_TEXT


def test_unicode_raw_bytes(gateway):
    """Raw UTF-8 (not \\u escapes) in the request body comes back as the same characters."""
    body = ('{"model":"gpt-4o","messages":[{"role":"user","content":"echo:'
            + UNICODE_TEXT.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\t", "\\t") + '"}]}').encode("utf-8")
    r = gateway.http.post("/v1/chat/completions", content=body,
                          headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == UNICODE_TEXT


def test_one_mib_prompt(azure_client, sim, test_id):
    unit = "The gateway forwards every byte. 漢字 👋 "
    text = (unit * (1024 * 1024 // len(unit.encode()) + 1)).encode()[:1024 * 1024]
    text = text.decode("utf-8", "ignore")  # cut on a character boundary
    assert len(text.encode()) > 1024 * 1024 - 8
    r = azure_client.chat.completions.create(model="gpt-4o", messages=user("echo:" + text),
                                             extra_headers={"x-test-id": test_id})
    assert r.choices[0].message.content == text
    assert r.usage.prompt_tokens == expected_prompt_tokens("echo:" + text)
    assert sim.find_request(test_id)["body_bytes"] > 1024 * 1024


# --- headers ------------------------------------------------------------------------------------

def test_response_headers(openai_client, azure_client):
    ids = set()
    for client, model, backend in [(openai_client, "gpt-4o", "sim-azure"),
                                   (openai_client, "gpt-4o-mini", "sim-openai"),
                                   (azure_client, "gpt-4o", "sim-azure"),
                                   (azure_client, "gpt-4o-mini", "sim-openai")]:
        raw = client.chat.completions.with_raw_response.create(model=model,
                                                               messages=user("echo:hdr"))
        h = raw.headers
        rid = h["x-request-id"]
        assert str(uuid.UUID(rid)) == rid.lower()
        ids.add(rid)
        assert h["x-tollgate-backend"] == backend
        assert h["x-ms-region"] == SIM_REGION
        assert "x-ratelimit-remaining-tokens" in h
        assert "x-ratelimit-remaining-requests" in h
        assert "openai-processing-ms" in h
        assert raw.parse().choices[0].message.content == "hdr"

        with client.chat.completions.with_streaming_response.create(
                model=model, messages=user("echo:hdr"), stream=True) as s:
            assert s.headers["x-tollgate-backend"] == backend
            assert s.headers["x-ms-region"] == SIM_REGION
            assert s.headers["content-type"].startswith("text/event-stream")
            ids.add(s.headers["x-request-id"])
            for _ in s.iter_lines():
                pass
        emb = client.embeddings.with_raw_response.create(model="text-embedding-3-small",
                                                         input="x")
        assert emb.headers["x-tollgate-backend"] == "sim-openai"
        ids.add(emb.headers["x-request-id"])
    assert len(ids) == 12, "x-request-id must be new for every call"


# --- concurrency --------------------------------------------------------------------------------

def test_200_concurrent_calls(gateway):
    async def main():
        async with AsyncOpenAI(base_url=gateway.v1, api_key=CLIENT_KEY, max_retries=0,
                               timeout=120) as c:
            async def one(i: int):
                model = "gpt-4o" if i % 2 else "gpt-4o-mini"
                hdrs = {"x-sim-delay-ms": "100"}
                if i % 4 == 3:
                    stream = await c.chat.completions.create(
                        model=model, messages=user(f"echo:stream {i} ✓"), stream=True,
                        extra_headers=hdrs)
                    text = ""
                    async for chunk in stream:
                        if chunk.choices:
                            text += chunk.choices[0].delta.content or ""
                    return i, text
                r = await c.chat.completions.create(model=model, messages=user(f"echo:call {i} ✓"),
                                                    extra_headers=hdrs)
                return i, r.choices[0].message.content

            return await asyncio.gather(*(one(i) for i in range(200)))

    results = asyncio.run(main())
    assert len(results) == 200
    for i, text in results:
        assert text == (f"stream {i} ✓" if i % 4 == 3 else f"call {i} ✓")
    gateway.assert_serving()
