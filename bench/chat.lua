-- wrk script for bench/run.sh: POST a chat completion and verify every response.
--
-- Environment (read by every wrk thread):
--   BENCH_STREAM=1       send "stream": true and expect an SSE body ending in "data: [DONE]"
--   BENCH_TOKENS=N       x-sim-tokens header (completion length), default 16
--   BENCH_AUTH=VALUE     the Authorization header (an API key or JWT for the auth configurations)
--
-- A response counts as good only if its status is 200 and its body is complete
-- ("chat.completion" for a plain call, a "[DONE]" event for a stream), so a proxy
-- that answers errors or truncates streams cannot look fast. done() prints one
-- machine-readable line, "BENCH key=value ...", that run.sh parses.

local stream = os.getenv("BENCH_STREAM") == "1"
local tokens = os.getenv("BENCH_TOKENS") or "16"

local messages = '[{"role":"system","content":"You are a helpful assistant that answers briefly."},'
  .. '{"role":"user","content":"Summarise the benefits of connection pooling for an HTTP reverse proxy in one paragraph."}]'

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH") or "Bearer bench-client-key"
wrk.headers["x-sim-tokens"] = tokens
if stream then
  wrk.body = '{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":' .. messages .. '}'
else
  wrk.body = '{"model":"gpt-4o","messages":' .. messages .. '}'
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  good = 0
  non200 = 0
  badbody = 0
  laststatus = 0
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    laststatus = status
  elseif stream then
    if body == nil or not string.find(body, "data: [DONE]", 1, true) then
      badbody = badbody + 1
    else
      good = good + 1
    end
  else
    if body == nil or not string.find(body, '"chat.completion"', 1, true) then
      badbody = badbody + 1
    else
      good = good + 1
    end
  end
end

function done(summary, latency, requests)
  local g, n, b, last = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    g = g + (t:get("good") or 0)
    n = n + (t:get("non200") or 0)
    b = b + (t:get("badbody") or 0)
    local s = t:get("laststatus") or 0
    if s ~= 0 then last = s end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d mean_us=%.1f good=%d non200=%d badbody=%d last_bad_status=%d"
      .. " err_connect=%d err_read=%d err_write=%d err_timeout=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.mean,
    g, n, b, last,
    e.connect, e.read, e.write, e.timeout))
end
