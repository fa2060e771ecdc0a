#!/usr/bin/env python3
"""Turn bench/run.sh raw results (one `key=value ...` line per measurement) into markdown."""
import argparse
import sys

CONFIG_NAMES = {
    "upstream": "(a) upstream direct",
    "nginx": "(b) nginx",
    "tollgate": "(c) Tollgate",
}
MODE_NAMES = {"nonstream": "chat", "stream": "chat, stream"}
OTHER_MAX = 10


def parse(path):
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
    return s, None


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
    configs = [c for c in ("upstream", "nginx", "tollgate") if any(k[1] == c for k in rows)]

    out = []
    out.append(f"Run {a.date} on {a.machine}; {a.versions}.")
    out.append(
        f"Proxy pinned to core {a.proxy_cpu}; wrk (1 thread) and `tollgate sim --threads 1` (no delays) on core "
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
            name = CONFIG_NAMES[c] + (" ¹" if c == "upstream" else "")
            if s is not None and s["other"] > OTHER_MAX:
                name += " ³"
                disturbed = True
            if s is None:
                out.append(f"| {MODE_NAMES[m]} | {name} | {why} |" + " |" * 9)
                continue
            flag = f"**INVALID: {s['bad']}**" if s["bad"] else "0"
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

    if "nginx" in configs and "tollgate" in configs:
        out.append("")
        out.append("Tollgate as a ratio to nginx (req/s: higher is better; everything else: lower is better). "
                   "“Added” latency is the proxy's p50 minus the upstream-direct p50, both at 1 connection.")
        out.append("")
        out.append(
            f"| Call | req/s @{n} | p50 @1 | p99 @1 | p50 @{n} | p99 @{n} | added p50 @1 (µs, Tollgate vs nginx) "
            f"| CPU/req @1 | CPU/req @{n} | peak RSS |"
        )
        out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        any_capped = False
        for m in modes:
            t, g, u = summ.get((m, "tollgate")), summ.get((m, "nginx")), summ.get((m, "upstream"))
            if t is None or g is None or t["bad"] or g["bad"]:
                out.append(f"| {MODE_NAMES[m]} | n/a (a run failed or saw bad responses) |" + " |" * 8)
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
                f"| {MODE_NAMES[m]} | {fmt_ratio(t['rps'], g['rps'])}{' ²' if capped else ''} | {fmt_ratio(t['p50_1'], g['p50_1'])} "
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
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
