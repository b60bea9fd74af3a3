"""Summary table for bench/completion.sh: medians over repetitions, ours / llama-server ratios, targets."""
import json
import statistics
import sys

runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
n_predict = int(sys.argv[2])
engine = [r for r in runs if r["side"] == "engine"]
ours = [r for r in runs if r["side"] == "ours"]
theirs = [r for r in runs if r["side"] == "llama-server"]


def med(rows, key):
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=1):
    return "-" if v is None else f"{v:.{digits}f}"


def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"


print("| figure (median of reps) | ours | llama-server | ours / llama-server | target |")
print("|---|---:|---:|---:|---|")
rows = [
    ("keystrokes (= requests)", "keystrokes", 0, None),
    ("answered requests", "answered", 0, None),
    ("latency p50, ms (answered)", "p50_ms", 0, 0.5),
    ("latency p95, ms (answered)", "p95_ms", 0, 0.8),
    ("latency p99, ms (answered)", "p99_ms", 0, None),
    ("prompt tokens per model request (mean)", "prompt_tokens_mean", 0, None),
    ("tokens evaluated per model request (mean)", "evaluated_tokens_mean", 1, None),
    ("CPU s per keystroke", "cpu_s_per_key", 3, 0.5),
    ("cold request, ms", "cold_ms", 0, None),
    ("cold request prompt tokens", "cold_prompt_tokens", 0, None),
]
for label, key, digits, target in rows:
    o, t = med(ours, key), med(theirs, key)
    verdict = ""
    if target is not None and o is not None and t:
        verdict = f"≤ {target}x: {'met' if o / t <= target else '**missed**'}"
    print(f"| {label} | {fmt(o, digits)} | {fmt(t, digits)} | {ratio(o, t)} | {verdict} |")

share = med(ours, "cache_share")
print()
print(f"ours, answered from typed-ahead or result cache: {fmt(None if share is None else share * 100)}% of answered requests "
      f"(sources per rep: {[r.get('answered_sources') for r in ours]})")
pp, tg = med(engine, "pp_tps"), med(engine, "tg_tps")
print(f"llmlsp bench engine: pp {fmt(pp)} t/s, tg {fmt(tg)} t/s (median of {len(engine)})")
for side, rows_ in (("ours", ours), ("llama-server", theirs)):
    cold, tokens, evaluated = med(rows_, "cold_ms"), med(rows_, "cold_prompt_tokens"), med(rows_, "cold_evaluated_tokens")
    if cold and evaluated and pp and tg:
        limit = (evaluated / pp + n_predict / tg) * 1000
        verdict = "met" if cold / limit <= 1.15 else "**missed**"
        print(f"{side}: cold request {cold:.0f} ms for {tokens} prompt tokens ({evaluated} evaluated) + {n_predict} generated; "
              f"physical limit {limit:.0f} ms → {cold / limit:.2f}x (target ≤ 1.15x: {verdict})")
for side, rows_ in (("ours", ours), ("llama-server", theirs)):
    print(f"{side}: cold request per rep (ms): {[round(r['cold_ms']) for r in rows_]}; answered per rep: {[r['answered'] for r in rows_]}")
print(f"load average per run: {[(r['side'], r.get('load')) for r in runs]}")
