"""The load test's bookkeeping (scripts/loadtest.py): percentiles, phases, and the PostgreSQL down windows."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "loadtest.py"
spec = importlib.util.spec_from_file_location("loadtest", SCRIPT)
loadtest = importlib.util.module_from_spec(spec)
spec.loader.exec_module(loadtest)


def result(due, *, took=0.1, error="", started=None):
    started = due if started is None else started
    return loadtest.Result("list", "people list", due, started, started + took, 200 if not error else 500, error)


@pytest.mark.parametrize(("pct", "expected"), [(50, 50), (95, 95), (99, 99), (100, 100), (1, 1)])
def test_percentile_is_the_nearest_rank(pct, expected):
    assert loadtest.percentile([float(v) for v in range(100, 0, -1)], pct) == expected


def test_percentile_of_nothing_is_zero():
    assert loadtest.percentile([], 99) == 0.0


def test_down_window_runs_from_the_last_poll_up_to_the_first_poll_up_again():
    polls = [(1.0, True), (1.1, True), (1.2, False), (1.3, False), (1.4, True), (2.0, True)]
    assert loadtest.down_windows(polls) == [(1.1, 1.4)]


def test_a_server_still_down_at_the_last_poll_is_down_until_then():
    assert loadtest.down_windows([(1.0, True), (1.1, False), (1.2, False)]) == [(1.0, 1.2)]
    assert loadtest.down_windows([(1.0, True), (2.0, True)]) == []


def test_latency_counts_from_when_the_request_was_due_not_when_it_was_sent():
    late = result(10.0, started=10.5, took=0.1)
    assert round(late.latency_ms) == 600


def test_phase_stats_take_requests_due_in_the_phase_and_set_apart_errors_while_postgres_was_down():
    results = [
        result(0.5),
        result(1.0, error="HTTP 500"),  # ran 1.0–1.1, inside the down window
        result(1.5, error="HTTP 500"),  # ran 1.5–1.6, after it
        result(2.0),
        result(5.0),  # due in the next phase
    ]
    stats = loadtest.phase_stats(results, loadtest.Phase("PostgreSQL restarted", 0, 5), down=[(0.9, 1.2)])
    assert stats.requests == 4
    assert stats.throughput == pytest.approx(0.8)
    assert stats.errors == {"HTTP 500": 1}
    assert stats.errors_pg_down == 1
    assert stats.p50 == pytest.approx(100)


def test_fault_phases_cover_the_steady_phase_without_gaps():
    for schedule in (loadtest.Schedule.full(), loadtest.Schedule.quick()):
        phases = schedule.phases(offset=100)
        assert phases[0].start == 100
        assert phases[-1].end == 100 + schedule.steady
        assert all(a.end == b.start and a.start < a.end for a, b in zip(phases, phases[1:], strict=False))


def test_the_mix_sends_saves_with_unique_markers_and_probes_expecting_404():
    ids = loadtest.Ids(people=[1, 2, 3], fields=[7], events=[9], foreign_people=[50], foreign_meetings=[60], owner=1)
    mix = loadtest.Mix(ids, "abc123", seed=1)
    specs = [mix.next() for _ in range(2000)]
    markers = [spec[7][1] for spec in specs if spec[7]]
    assert len(markers) == len(set(markers)) > 0
    assert all(spec[6] == 404 for spec in specs if spec[0] == "probe")
    share = {category: sum(spec[0] == category for spec in specs) / len(specs) for category in loadtest.MIX}
    assert share["list"] == pytest.approx(0.40, abs=0.04)
    assert share["save"] == pytest.approx(0.15, abs=0.03)
    assert share["probe"] == pytest.approx(0.05, abs=0.02)


def test_the_ramp_aims_at_250_ms_unless_the_lowest_rate_already_misses_it():
    assert loadtest.ramp_ceiling(120) == 250
    assert loadtest.ramp_ceiling(600) == 900
