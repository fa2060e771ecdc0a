"""How backends leave and rejoin rotation (docs/failover.md): a cooling or tripped backend gets
no call until its time is up, then exactly one probe, which decides; priority spillover ends
when the primary recovers; active health checks; weights. Counts come from the simulator."""

from __future__ import annotations

import pytest

from failover_support import (_healthy_regions, assert_all_ok, backend, ha_config,  # noqa: F401
                              load, messages, regions, targets_state, wait_state)

# Long enough for a burst of calls to finish well within it, even under the sanitizers.
AWAY_MS = 4000


def call(g, marker: str = "hi"):
    r = g.http.post("/v1/chat/completions",
                    json={"model": "gpt-4o", "messages": messages(f"echo:{marker}")})
    assert r.status_code == 200, r.text
    return r


@pytest.mark.parametrize("kind", ["cooldown", "breaker"])
def test_an_unavailable_backend_gets_no_call_then_exactly_one_probe(regions, start_gateway,
                                                                    kind):
    sick, healthy = regions["eastus"], regions["westus"]
    if kind == "cooldown":
        sick.faults(status=429, retry_after_ms=AWAY_MS)
        away_state = "cooling"
    else:
        sick.faults(status=500)
        away_state = "open"
    backends = {"sick": backend(sick), "healthy": backend(healthy)}
    targets = [{"backend": "sick"}, {"backend": "healthy"}]  # one group, equal weights
    routing = {"breaker": {"failures": 2, "window_ms": 60_000, "open_ms": AWAY_MS}}
    g = start_gateway(config=ha_config(backends, targets, routing))

    # Take it out of rotation: one 429 with Retry-After, or two failures.
    needed = 1 if kind == "cooldown" else 2
    while sick.calls() < needed:
        call(g)
    wait_state(g, "sick", lambda s: s["state"] == away_state)

    # A burst while it is away: all to the healthy one, none to it.
    assert_all_ok(load(g, 24), served_by={"healthy"})
    assert sick.calls() == needed
    assert targets_state(g)["sick"]["state"] == away_state, "the burst outlasted the away time"

    # Its time is up: a burst sends it exactly one call, the probe, which fails again.
    wait_state(g, "sick", lambda s: s["state"] == "half_open", timeout=AWAY_MS / 1000 + 30)
    assert_all_ok(load(g, 24), served_by={"healthy"})
    assert sick.calls() == needed + 1
    state = targets_state(g)["sick"]
    assert state["state"] == away_state and state["probes"] == 1, state

    # It recovers: the next probe succeeds and it takes its share again.
    sick.faults()
    wait_state(g, "sick", lambda s: s["state"] == "half_open", timeout=AWAY_MS / 1000 + 30)
    results = load(g, 24)
    assert_all_ok(results)
    assert {r.backend for r in results} == {"sick", "healthy"}
    state = targets_state(g)["sick"]
    assert state["state"] == "closed" and state["probes"] == 2, state


def test_priority_spillover_returns_to_the_primary_when_it_recovers(regions, start_gateway):
    ptu, paygo = regions["eastus"], regions["westus"]
    backends = {"ptu": backend(ptu), "paygo": backend(paygo)}
    targets = [{"backend": "ptu", "deployment": "gpt-4o-ptu", "priority": 1},
               {"backend": "paygo", "deployment": "gpt-4o", "priority": 2}]
    g = start_gateway(config=ha_config(backends, targets, {}))

    assert_all_ok(load(g, 12), served_by={"ptu"})
    assert paygo.calls() == 0

    # The PTU deployment is saturated: the overflow spills to pay-as-you-go.
    ptu.faults(status=429, retry_after_ms=AWAY_MS)
    assert call(g).headers["x-tollgate-backend"] == "paygo"  # after the primary's 429
    assert ptu.calls() == 13
    assert_all_ok(load(g, 12), served_by={"paygo"})
    assert ptu.calls() == 13  # nothing while it cools down

    # Capacity is back: once the cool-down ends, one probe finds it so, and calls go to the
    # primary again.
    ptu.faults()
    wait_state(g, "ptu", lambda s: s["state"] == "half_open")
    assert call(g).headers["x-tollgate-backend"] == "ptu"
    before = paygo.calls()
    assert_all_ok(load(g, 12), served_by={"ptu"})
    assert paygo.calls() == before


def test_a_failing_health_check_takes_a_backend_out_of_rotation(regions, start_gateway):
    east, west = regions["eastus"], regions["westus"]
    check = {"interval_ms": 100, "timeout_ms": 1000}
    backends = {"east": backend(east, health_check=check),
                "west": backend(west, health_check={**check, "path": "/v1/models"})}
    targets = [{"backend": "east"}, {"backend": "west"}]
    g = start_gateway(config=ha_config(backends, targets, {}))
    wait_state(g, "east", lambda s: s["healthy"])

    east.faults(status=503)  # the model list fails too: so does the check
    wait_state(g, "east", lambda s: not s["healthy"] and "health check" in s["last_error"])
    assert targets_state(g)["east"]["available"] is False
    assert_all_ok(load(g, 12), served_by={"west"})
    # The checks kept reaching it (GET .../models); no call did.
    posts = [r for r in east.sim.requests() if r["method"] == "POST"]
    assert posts == []

    east.faults()
    wait_state(g, "east", lambda s: s["healthy"] and s["available"])
    results = load(g, 12)
    assert_all_ok(results)
    assert {r.backend for r in results} == {"east", "west"}


def test_weights_split_the_traffic(regions, start_gateway):
    big, small = regions["eastus"], regions["westus"]
    backends = {"big": backend(big), "small": backend(small)}
    targets = [{"backend": "big", "weight": 3}, {"backend": "small", "weight": 1}]
    g = start_gateway(config=ha_config(backends, targets, {}))
    for i in range(40):
        call(g, f"weighted {i}")
    assert (big.calls(), small.calls()) == (30, 10)


def test_least_outstanding_favours_the_backend_with_fewer_calls_in_flight(regions,
                                                                         start_gateway):
    slow, fast = regions["eastus"], regions["westus"]
    slow.faults(delay_ms=1500)
    backends = {"slow": backend(slow), "fast": backend(fast)}
    targets = [{"backend": "slow"}, {"backend": "fast"}]
    g = start_gateway(config=ha_config(backends, targets, {"strategy": "least_outstanding"}))
    # With one call held by the slow backend, every later call finds the fast one less busy.
    results = load(g, 20, threads=2)
    assert_all_ok(results)
    assert slow.calls() <= 2 < fast.calls()
