#!/usr/bin/env python3
"""Turn bench/run.sh raw results (one `key=value ...` line per measurement) into markdown."""
import argparse
import sys

CONFIG_NAMES = {
    "upstream": "(a) upstream direct",
    "nginx": "(b) nginx",
    "tollgate": "(c) Tollgate, audit off",
    "tollgate-audit": "(d) Tollgate, full audit",
    "tollgate-key": "(e) Tollgate, API key auth",
    "tollgate-jwt": "(f) Tollgate, JWT auth",
}
TOLLGATES = ("tollgate", "tollgate-audit", "tollgate-key", "tollgate-jwt")
LABELS = {"tollgate": "audit off", "tollgate-audit": "full audit", "tollgate-key": "API key auth",
          "tollgate-jwt": "JWT auth"}
MODE_NAMES = {"nonstream": "chat", "stream": "chat, stream"}
OTHER_MAX = 10


def parse(path):
    """Measurements keyed by (mode, config, conns); conns 0: a failed smoke test, -1: the audit totals."""
    rows = {}
    for raw in open(path, encoding="utf-8"):
        raw = raw.strip()
        if not raw:
            continue
        rec = {}
        for tok in raw.split():
            k, _, v = tok.partition("=")
            rec[k] = v
        rows[(rec["mode"], rec["config"], int(rec["conns"]))] = rec
    return rows


def num(rec, key, default=0.0):
    try:
        return float(rec.get(key, default))
    except ValueError:
        return default


def bad(rec):
    return int(sum(num(rec, k) for k in ("non200", "badbody", "err_connect", "err_read", "err_write", "err_timeout")))


def summarise(rows, mode, config, conns):
    """Figures for one (mode, configuration), or None with a reason."""
    if (mode, config, 0) in rows:
        return None, "FAILED (smoke test)"
    r1, rn = rows.get((mode, config, 1)), rows.get((mode, config, conns))
    if r1 is None or rn is None:
        return None, "FAILED (no result)"
    s = {}
    s["rps"] = num(rn, "requests") / (num(rn, "duration_us") / 1e6)
    for tag, r in (("1", r1), ("n", rn)):
        s["p50_" + tag] = num(r, "p50_us")
        s["p99_" + tag] = num(r, "p99_us")
        req = num(r, "requests")
        s["cpu_" + tag] = num(r, "cpu_ticks") * 1e6 / num(r, "clk_tck", 100) / req if req else float("nan")
        s["proxy_busy_" + tag] = num(r, "proxy_core_busy")
        s["load_busy_" + tag] = num(r, "load_core_busy")
    s["rss_mib"] = max(num(r1, "rss_kb"), num(rn, "rss_kb")) / 1024
    s["other"] = max(num(r1, "other_load"), num(rn, "other_load"))
    s["bad"] = bad(r1) + bad(rn)
    s["good"] = num(r1, "good") + num(rn, "good")
    if config == "tollgate-audit":
        # The sink work a run leaves behind (delivered after wrk stopped) is part of its cost.
        for tag, r, c in (("1", r1, 1), ("n", rn, conns)):
            req = num(r, "requests")
            drain = num(r, "drain_ticks") * 1e6 / num(r, "clk_tck", 100)
            s["cpu_" + tag] = (num(r, "cpu_ticks") * 1e6 / num(r, "clk_tck", 100) + drain) / req if req else float("nan")
            s["audit_" + tag] = audit_check(r, c)
        s["audit_bad"] = sum(1 for tag in ("1", "n") if s["audit_" + tag]["problems"])
    return s, None


def audit_check(r, conns):
    """Did a measurement's calls reach both sinks? Each completed request has 2 events; calls still
    in flight when wrk stopped (at most one per connection) are recorded too, as client aborts."""
    req = int(num(r, "requests"))
    d = {
        "requests": req,
        "end": int(num(r, "ev_end") - num(r, "ev_before")),
        "after": int(num(r, "ev_after") - num(r, "ev_before")),
        "sq_end": int(num(r, "sq_end") - num(r, "sq_before")),
        "sq": int(num(r, "sq_after") - num(r, "sq_before")),
        "calls": int(num(r, "calls_after") - num(r, "calls_before")),
        "drain_ms": num(r, "drain_ms"),
        "drain_cpu_ms": num(r, "drain_ticks") * 1e3 / num(r, "clk_tck", 100),
    }
    p = []
    if not 2 * req <= d["after"] <= 2 * (req + conns):
        p.append(f"JSONL has {d['after']:,} events, expected {2 * req:,}–{2 * (req + conns):,}")
    if d["sq"] != d["after"]:
        p.append(f"SQLite has {d['sq']:,} events, JSONL {d['after']:,}")
    if not req <= d["calls"] <= req + conns:
        p.append(f"SQLite has {d['calls']:,} calls, expected {req:,}–{req + conns:,}")
    if num(r, "drain_timeout"):
        p.append("the sinks had not finished delivering when the harness stopped waiting")
    d["problems"] = p
    return d


def audit_total_check(t):
    """The whole JSONL file of a full-audit gateway, parsed (audit_check.py full), against what wrk saw."""
    req, good = num(t, "wrk_requests"), num(t, "wrk_good")
    slack = num(t, "wrk_runs") * num(t, "conns_max")  # calls in flight when a wrk run stopped
    lines, ok = num(t, "jsonl_lines"), num(t, "ok")
    p = []
    if not 2 * req <= lines <= 2 * (req + slack):
        p.append(f"{lines:,.0f} events for {req:,.0f} completed requests")
    for k in ("bad_json", "unpaired", "duplicates", "other_outcome"):
        if num(t, k):
            p.append(f"{k.replace('_', ' ')}: {num(t, k):,.0f}")
    if num(t, "requests") != num(t, "responses"):
        p.append(f"{num(t, 'requests'):,.0f} request events, {num(t, 'responses'):,.0f} response events")
    if not good <= ok <= good + slack:
        p.append(f"{ok:,.0f} ok responses recorded, wrk saw {good:,.0f}")
    if num(t, "ok_with_body") != ok:
        p.append(f"{ok - num(t, 'ok_with_body'):,.0f} ok responses without the completion text")
    if num(t, "ok_usage_upstream") != ok:
        p.append(f"{ok - num(t, 'ok_usage_upstream'):,.0f} ok responses without the upstream's usage")
    if num(t, "sqlite_events") != lines:
        p.append(f"SQLite has {num(t, 'sqlite_events'):,.0f} events, JSONL {lines:,.0f}")
    if num(t, "sqlite_calls") != num(t, "paired"):
        p.append(f"SQLite has {num(t, 'sqlite_calls'):,.0f} calls, JSONL {num(t, 'paired'):,.0f} pairs")
    if num(t, "sqlite_calls_ok") != ok:
        p.append(f"SQLite has {num(t, 'sqlite_calls_ok'):,.0f} ok calls with upstream usage, JSONL {ok:,.0f}")
    if num(t, "drain_timeout"):
        p.append("the sinks had not finished delivering when the gateway was stopped")
    return p


def fmt_int(x):
    return f"{x:,.0f}"


def fmt_ratio(t, n):
    if n == 0:
        return "n/a"
    return f"{t / n:.2f}×"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--date", default="")
    ap.add_argument("--machine", default="")
    ap.add_argument("--versions", default="")
    ap.add_argument("--duration", default="")
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--tokens", default="16")
    ap.add_argument("--proxy-cpu", default="0")
    ap.add_argument("--load-cpu", default="1")
    ap.add_argument("--note", default="")
    ap.add_argument("--other-max", type=float, default=10)
    a = ap.parse_args()
    global OTHER_MAX
    OTHER_MAX = a.other_max
    rows = parse(a.results)
    n = a.conns
    modes = [m for m in ("nonstream", "stream") if any(k[0] == m for k in rows)]
    configs = [c for c in CONFIG_NAMES if any(k[1] == c for k in rows)]

    out = []
    out.append(f"Run {a.date} on {a.machine}; {a.versions}.")
    out.append(
        f"Proxy pinned to core {a.proxy_cpu} (Tollgate as a whole process: with full audit its spool writer and "
        f"sink threads share that core); wrk (1 thread) and `tollgate sim --threads 1` (no delays) on core "
        f"{a.load_cpu}; {a.duration} s per measurement; streaming calls return {a.tokens} tokens "
        f"(one SSE event each, plus role, finish, usage and [DONE] events)."
    )
    if a.note:
        out.append("")
        out.append(f"**{a.note}**")
    out.append("")
    out.append(
        f"| Call | Configuration | req/s @{n} | p50 @1 (µs) | p99 @1 (µs) | p50 @{n} (µs) | p99 @{n} (µs) "
        f"| CPU/req @1 (µs) | CPU/req @{n} (µs) | peak RSS (MiB) | busy @{n}: proxy core / load core | bad responses |"
    )
    out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    summ = {}
    disturbed = False
    for m in modes:
        for c in configs:
            s, why = summarise(rows, m, c, n)
            summ[(m, c)] = s
            name = CONFIG_NAMES[c] + (" ¹" if c == "upstream" else "") + (" ⁴" if c == "tollgate-audit" else "")
            if s is not None and s["other"] > OTHER_MAX:
                name += " ³"
                disturbed = True
            if s is None:
                out.append(f"| {MODE_NAMES[m]} | {name} | {why} |" + " |" * 9)
                continue
            flag = f"**INVALID: {s['bad']}**" if s["bad"] else "0"
            if s.get("audit_bad"):
                flag += " **INVALID: events missing**"
            busy = f"{s['proxy_busy_n']:.0f}% / {s['load_busy_n']:.0f}%"
            out.append(
                f"| {MODE_NAMES[m]} | {name} | {fmt_int(s['rps'])} | {fmt_int(s['p50_1'])} | {fmt_int(s['p99_1'])} "
                f"| {fmt_int(s['p50_n'])} | {fmt_int(s['p99_n'])} | {s['cpu_1']:.1f} | {s['cpu_n']:.1f} "
                f"| {s['rss_mib']:.1f} | {busy} | {flag} |"
            )
    out.append("")
    out.append(
        "¹ For (a) the CPU, RSS and busy figures are the simulator's, which shares the load core with wrk; "
        "the proxy core is idle. nginx figures are master + worker summed."
    )
    if disturbed:
        out.append("")
        out.append(
            f"³ Other processes used more than {OTHER_MAX}% of the proxy core during one of this row's measurements "
            "(after the retries): its latencies and req/s are not reliable; its CPU/req is."
        )
    if "tollgate-audit" in configs:
        out.append("")
        out.append(
            "⁴ Spool + JSONL sink + SQLite sink, bodies logged, default settings. CPU/req includes the CPU the process "
            "spent after the run delivering the events the spool still held (see the event check below), and every "
            "thread of the process (event loop, spool writer, one thread per sink)."
        )

    def ok(s):
        return s is not None and not s["bad"] and not s.get("audit_bad")

    tollgates = [c for c in TOLLGATES if c in configs]
    if "nginx" in configs and tollgates:
        out.append("")
        out.append("Tollgate as a ratio to nginx (req/s: higher is better; everything else: lower is better). "
                   "“Added” latency is the proxy's p50 minus the upstream-direct p50, both at 1 connection.")
        out.append("")
        out.append(
            f"| Call | Tollgate | req/s @{n} | p50 @1 | p99 @1 | p50 @{n} | p99 @{n} | added p50 @1 (µs, Tollgate vs nginx) "
            f"| CPU/req @1 | CPU/req @{n} | peak RSS |"
        )
        out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        any_capped = False
        for m in modes:
            g, u = summ.get((m, "nginx")), summ.get((m, "upstream"))
            for c in tollgates:
                t = summ.get((m, c))
                label = LABELS[c]
                if not ok(t) or not ok(g):
                    out.append(f"| {MODE_NAMES[m]} | {label} | n/a (a run failed or saw bad responses) |" + " |" * 8)
                    continue

                def added(tag):
                    if u is None or u["bad"]:
                        return "n/a"
                    ta, ga = t["p50_" + tag] - u["p50_" + tag], g["p50_" + tag] - u["p50_" + tag]
                    r = f"{ta / ga:.2f}× " if ga > 0 else ""
                    return f"{r}({ta:,.0f} vs {ga:,.0f})"

                capped = any(x["proxy_busy_n"] < 90 for x in (t, g))
                any_capped = any_capped or capped
                out.append(
                    f"| {MODE_NAMES[m]} | {label} | {fmt_ratio(t['rps'], g['rps'])}{' ²' if capped else ''} "
                    f"| {fmt_ratio(t['p50_1'], g['p50_1'])} "
                    f"| {fmt_ratio(t['p99_1'], g['p99_1'])} | {fmt_ratio(t['p50_n'], g['p50_n'])} "
                    f"| {fmt_ratio(t['p99_n'], g['p99_n'])} | {added('1')} "
                    f"| {fmt_ratio(t['cpu_1'], g['cpu_1'])} | {fmt_ratio(t['cpu_n'], g['cpu_n'])} "
                    f"| {fmt_ratio(t['rss_mib'], g['rss_mib'])} |"
                )
        if any_capped:
            out.append("")
            out.append(
                "² In at least one of the two runs the proxy's core was less than 90% busy: the load core (wrk + "
                "simulator) was the limit, so that proxy's req/s understates what it can do on one core and the "
                "req/s ratio is not the proxies' capacity ratio; CPU/req is (capacity on one core ≈ 1 s ÷ CPU/req)."
            )

    if "tollgate" in configs and "tollgate-audit" in configs:
        out.append("")
        out.append("What full audit costs: Tollgate with full audit against Tollgate with audit off, same run.")
        out.append("")
        out.append(
            f"| Call | req/s @{n} | CPU/req @1 (µs) | CPU/req @{n} (µs) | p50 @1 (µs) | p99 @1 (µs) | p50 @{n} (µs) "
            f"| p99 @{n} (µs) | peak RSS (MiB) |"
        )
        out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|")

        def delta(t, o, k, fmt="{:+,.0f}"):
            return f"{fmt.format(t[k] - o[k])} ({fmt_ratio(t[k], o[k])})"

        for m in modes:
            t, o = summ.get((m, "tollgate-audit")), summ.get((m, "tollgate"))
            if not ok(t) or not ok(o):
                out.append(f"| {MODE_NAMES[m]} | n/a (a run failed or saw bad responses) |" + " |" * 7)
                continue
            out.append(
                f"| {MODE_NAMES[m]} | {fmt_ratio(t['rps'], o['rps'])} | {delta(t, o, 'cpu_1', '{:+,.1f}')} "
                f"| {delta(t, o, 'cpu_n', '{:+,.1f}')} | {delta(t, o, 'p50_1')} | {delta(t, o, 'p99_1')} "
                f"| {delta(t, o, 'p50_n')} | {delta(t, o, 'p99_n')} | {delta(t, o, 'rss_mib', '{:+,.1f}')} |"
            )

    if "tollgate-audit" in configs:
        out.append("")
        out.append(
            "Audit events of the full-audit runs. Each completed call has a request and a response event; a call "
            "still in flight when wrk stopped (at most one per connection) is recorded too, as a client abort. "
            "“At the end of the run” is what each sink held when wrk stopped; the rest was still in the spool (or "
            "in flight) and was delivered afterwards, in the time and with the proxy CPU shown (that CPU is "
            "included in row (d)'s CPU/req)."
        )
        out.append("")
        out.append(
            "| Call | conns | requests completed | events expected (2 × req) | at the end of the run: JSONL / SQLite "
            "| still to deliver: JSONL / SQLite | after drain: JSONL / SQLite events / SQLite calls | drain (ms) "
            "| CPU during drain (ms) | check |"
        )
        out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|")
        totals_problems = []
        for m in modes:
            s = summ.get((m, "tollgate-audit"))
            if s is not None:
                for tag, c in (("1", 1), ("n", n)):
                    d = s["audit_" + tag]
                    check = "; ".join(d["problems"]) if d["problems"] else "ok"
                    out.append(
                        f"| {MODE_NAMES[m]} | {c} | {d['requests']:,} | {2 * d['requests']:,} "
                        f"| {d['end']:,} / {d['sq_end']:,} | {d['after'] - d['end']:,} / {d['sq'] - d['sq_end']:,} "
                        f"| {d['after']:,} / {d['sq']:,} / {d['calls']:,} "
                        f"| {d['drain_ms']:,.0f} | {d['drain_cpu_ms']:,.0f} | {check} |"
                    )
        out.append("")
        out.append(
            "Every event the full-audit gateways recorded (smoke tests, warm-ups and measurements), parsed "
            "from the JSONL files and counted in SQLite after the last drain:"
        )
        out.append("")
        out.append(
            "| Call | wrk: requests / good | JSONL events (files, MiB) | request / response events | paired calls "
            "| outcome ok / client abort | ok with completion text / with upstream usage "
            "| SQLite events / calls / ok calls | check |"
        )
        out.append("|---|--:|--:|--:|--:|--:|--:|--:|---|")
        for m in modes:
            t = rows.get((m, "tollgate-audit", -1))
            if t is None:
                out.append(f"| {MODE_NAMES[m]} | no totals (the run failed) |" + " |" * 7)
                totals_problems.append(m)
                continue
            p = audit_total_check(t)
            if p:
                totals_problems.append(m)

            def i(k):
                return fmt_int(num(t, k))

            out.append(
                f"| {MODE_NAMES[m]} | {i('wrk_requests')} / {i('wrk_good')} "
                f"| {i('jsonl_lines')} ({i('jsonl_files')}, {num(t, 'jsonl_bytes') / 2**20:,.0f}) "
                f"| {i('requests')} / {i('responses')} | {i('paired')} | {i('ok')} / {i('aborted')} "
                f"| {i('ok_with_body')} / {i('ok_usage_upstream')} "
                f"| {i('sqlite_events')} / {i('sqlite_calls')} / {i('sqlite_calls_ok')} "
                f"| {'; '.join(p) if p else 'ok'}{' **INVALID**' if p else ''} |"
            )
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
