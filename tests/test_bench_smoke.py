"""Fast checks of the benchmark tools (the benchmarks themselves run with `make bench`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import run  # noqa: E402
import synth  # noqa: E402


def test_generator_is_deterministic_valid_n_triples() -> None:
    lines = list(synth.generate(5_000))
    assert lines == list(synth.generate(5_000))
    assert 5_000 <= len(lines) < 5_200
    triples = list(ox.parse("".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES))
    assert len(set(triples)) == len(lines)


def test_generator_scales_the_population() -> None:
    small, large = "".join(synth.generate(2_000)), "".join(synth.generate(20_000))
    assert small.count("synth-person-") < large.count("synth-person-")


def test_report_writes_table_and_ratios(tmp_path: Path) -> None:
    timing = run.Timing([0.010, 0.020, 0.030], 0, 1.0)
    result = {"triples": 100_000, "build_s": 30.0, "build_mib": 500.0, "steps": "parse 1.0", "ox_load_s": 2.0,
              "ox_load_mib": 100.0,
              "first_query_s": 1.0, "rows": {"kg-c1": timing, "oxigraph-c1": timing, "kg-c4": timing,
                                             "oxigraph-c4": timing},
              "mem": {"kg": 300.0, "oxigraph": 200.0}, "validate_p50": 5.0, "validate_p95": 7.0, "timeout": 20,
              "single": {"kg": {"q": 0.02, "slow": None}, "oxigraph": {"q": 0.01, "slow": 3.0}}}
    shipped = {"build_s": 6.0, "first_query_s": 1.5, "steps": "parse 0.7"}
    ratios = run.report(shipped, [result], tmp_path / "out.md", ("0.1", "0.2"))
    assert "throughput_c4_100k=1.00" in ratios
    assert "memory_100k=1.50" in ratios
    text = (tmp_path / "out.md").read_text()
    assert "| 100,000 | kg | 4 |" in text
    assert "| q | 20.0 | 10.0 | 2.00 |" in text
    assert "| slow | — | 3000.0 |  |" in text
