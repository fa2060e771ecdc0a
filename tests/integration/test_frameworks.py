"""LangChain (langchain-openai) and LlamaIndex clients pointed at the gateway."""

from __future__ import annotations

import math

import pytest

from conftest import API_VERSION, CLIENT_KEY

# --- LangChain ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lc_chat(gateway):
    from langchain_openai import ChatOpenAI
    return ChatOpenAI(model="gpt-4o", base_url=gateway.v1, api_key=CLIENT_KEY, max_retries=0,
                      timeout=60)


@pytest.fixture(scope="module")
def lc_azure_chat(gateway):
    from langchain_openai import AzureChatOpenAI
    return AzureChatOpenAI(azure_endpoint=gateway.url, azure_deployment="gpt-4o",
                           api_version=API_VERSION, api_key=CLIENT_KEY, max_retries=0, timeout=60)


@pytest.fixture(params=["openai", "azure"])
def lc_any(request, lc_chat, lc_azure_chat):
    return lc_chat if request.param == "openai" else lc_azure_chat


def test_langchain_chat_invoke(lc_any):
    msg = lc_any.invoke("echo:LangChain says hi 👋")
    assert msg.content == "LangChain says hi 👋"
    assert msg.usage_metadata["output_tokens"] >= 1
    assert msg.usage_metadata["total_tokens"] == (msg.usage_metadata["input_tokens"]
                                                  + msg.usage_metadata["output_tokens"])


def test_langchain_chat_stream(lc_any):
    from langchain_core.messages import HumanMessage
    prompt = [HumanMessage("Write about lighthouses")]
    full = lc_any.invoke(prompt, max_tokens=10).content
    pieces = [c.content for c in lc_any.stream(prompt, max_tokens=10)]
    assert "".join(pieces) == full
    assert len([p for p in pieces if p]) >= 10


def test_langchain_tool_calls(lc_any):
    def get_weather(city: str, country: str) -> str:
        """Current weather for a city.

        Args:
            city: the city
            country: the country
        """
        return "sunny"

    bound = lc_any.bind_tools([get_weather])
    msg = bound.invoke("weather in Oslo?")
    assert len(msg.tool_calls) == 1
    call = msg.tool_calls[0]
    assert call["name"] == "get_weather"
    assert {"city", "country"} <= set(call["args"])

    gathered = None
    for chunk in bound.stream("weather in Oslo?"):
        gathered = chunk if gathered is None else gathered + chunk
    assert gathered.tool_calls[0]["name"] == "get_weather"
    assert gathered.tool_calls[0]["args"] == call["args"]


def test_langchain_embeddings(gateway):
    from langchain_openai import OpenAIEmbeddings
    # check_embedding_ctx_length=False: send the text as is (no tiktoken, which would download
    # its tables).
    emb = OpenAIEmbeddings(model="text-embedding-3-small", base_url=gateway.v1, api_key=CLIENT_KEY,
                           check_embedding_ctx_length=False, max_retries=0)
    q = emb.embed_query("lighthouse")
    docs = emb.embed_documents(["lighthouse", "harbour", "漢字"])
    assert len(q) == 1536 and len(docs) == 3
    assert all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7) for a, b in zip(q, docs[0]))
    assert docs[1] != docs[2]


def test_langchain_azure_embeddings(gateway):
    from langchain_openai import AzureOpenAIEmbeddings
    emb = AzureOpenAIEmbeddings(azure_endpoint=gateway.url, azure_deployment="text-embedding-3-large",
                                api_version=API_VERSION, api_key=CLIENT_KEY,
                                check_embedding_ctx_length=False, max_retries=0)
    v = emb.embed_documents(["one", "two"])
    assert len(v) == 2 and all(len(x) == 1536 for x in v)


# --- LlamaIndex ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def li_openai(gateway):
    from llama_index.llms.openai import OpenAI
    return OpenAI(model="gpt-4o", api_base=gateway.v1, api_key=CLIENT_KEY, max_retries=0,
                  timeout=60)


@pytest.fixture(scope="module")
def li_azure(gateway):
    from llama_index.llms.azure_openai import AzureOpenAI
    return AzureOpenAI(engine="gpt-4o", model="gpt-4o", azure_endpoint=gateway.url,
                       api_key=CLIENT_KEY, api_version=API_VERSION, max_retries=0, timeout=60)


@pytest.fixture(params=["openai", "azure"])
def li_any(request, li_openai, li_azure):
    return li_openai if request.param == "openai" else li_azure


def test_llamaindex_complete_and_chat(li_any):
    from llama_index.core.llms import ChatMessage
    assert li_any.complete("echo:LlamaIndex 漢字").text == "LlamaIndex 漢字"
    r = li_any.chat([ChatMessage(role="system", content="be brief"),
                     ChatMessage(role="user", content="echo:chat ok")])
    assert r.message.content == "chat ok"


def test_llamaindex_stream(li_any):
    from llama_index.core.llms import ChatMessage
    messages = [ChatMessage(role="user", content="Describe a harbour")]
    full = li_any.chat(messages).message.content
    deltas = [c.delta or "" for c in li_any.stream_chat(messages)]
    assert "".join(deltas) == full
    assert len(full.split(" ")) == 16
    text = "".join(c.delta or "" for c in li_any.stream_complete("echo:streamed completion"))
    assert text == "streamed completion"


def test_llamaindex_async(li_any):
    import asyncio
    r = asyncio.run(li_any.acomplete("echo:async works"))
    assert r.text == "async works"


def test_llamaindex_embeddings(gateway):
    from llama_index.embeddings.azure_openai import AzureOpenAIEmbedding
    from llama_index.embeddings.openai import OpenAIEmbedding
    oa = OpenAIEmbedding(model="text-embedding-3-small", api_base=gateway.v1, api_key=CLIENT_KEY,
                         max_retries=0)
    az = AzureOpenAIEmbedding(model="text-embedding-3-small",
                              deployment_name="text-embedding-3-small",
                              azure_endpoint=gateway.url, api_key=CLIENT_KEY,
                              api_version=API_VERSION, max_retries=0)
    for emb in (oa, az):
        one = emb.get_text_embedding("harbour")
        batch = emb.get_text_embedding_batch(["harbour", "lighthouse", "🌊"])
        assert len(one) == 1536 and len(batch) == 3
        assert all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7) for a, b in zip(one, batch[0]))
        q = emb.get_query_embedding("harbour")
        assert len(q) == 1536
