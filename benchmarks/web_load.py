"""Web app speed: time to the first streamed chunk of a chat turn, analyze latency (p50/p95 over warm calls), and
N concurrent clients calling analyze for a while (errors, p50/p95, throughput).

Starts `python -m agent.web` (= `gene-r1 serve`) as a subprocess on 127.0.0.1 with the embedded model unless
`--model` says otherwise, over the knowledge base in `--home` (default `$GENE_R1_HOME`), and talks HTTP to it.

Usage: python benchmarks/web_load.py --home ~/.cache/gene-r1 [--calls 20] [--clients 8] [--duration 60]
Gene sets are textbook examples (cell cycle, mismatch repair, glycolysis, ...), 8 genes each.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

SETS = [
    ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"],
    ["MLH1", "MSH2", "MSH6", "PMS2", "EXO1", "PCNA", "RFC1", "POLD1"],
    ["HK1", "PFKM", "ALDOA", "GAPDH", "PGK1", "ENO1", "PKM", "TPI1"],
    ["STAT1", "IRF1", "ISG15", "MX1", "OAS1", "IFIT1", "IFIT3", "IRF7"],
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_s": round(percentile(values, 50), 3),
        "p95_s": round(percentile(values, 95), 3),
        "mean_s": round(statistics.fmean(values), 3),
        "max_s": round(max(values), 3),
    }


def start_server(args, state: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "agent.web", "--port", str(args.port), "--state-dir", str(state)]
    command += ["--concurrency", str(args.concurrency)]
    if args.model:
        command += ["--model", args.model]
    env = os.environ | ({"GENE_R1_HOME": str(args.home)} if args.home else {})
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=(state / "server.log").open("wb"))


def wait_until_up(url: str, timeout: float = 300) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if httpx.get(f"{url}/api/jobs", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {timeout:.0f} s")


def analyze(client: httpx.Client, genes: list[str]) -> float:
    started = time.perf_counter()
    response = client.post("/api/analyze", json={"genes": genes})
    response.raise_for_status()
    return time.perf_counter() - started


def chat_timings(client: httpx.Client, thread: str, text: str) -> dict:
    """Seconds to the first event (status), the first answer chunk, and the end of the turn."""
    started, first_status, first_answer = time.perf_counter(), None, None
    with client.stream("POST", f"/api/chat/{thread}", json={"text": text}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            now = time.perf_counter() - started
            if line == "event: status" and first_status is None:
                first_status = now
            elif line == "event: answer" and first_answer is None:
                first_answer = now
            elif line in ("event: done", "event: error"):
                if line == "event: error":
                    raise RuntimeError(f"chat turn failed: {next(response.iter_lines())}")
                break
    return {"first_status_s": first_status, "first_answer_s": first_answer, "turn_s": time.perf_counter() - started}


def load(url: str, clients: int, duration: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def client_loop(index: int) -> None:
        with httpx.Client(base_url=url, timeout=600) as client:
            i = index
            while time.perf_counter() < stop_at:
                try:
                    seconds = analyze(client, SETS[i % len(SETS)])
                    with lock:
                        latencies.append(seconds)
                except (httpx.HTTPError, RuntimeError) as error:
                    with lock:
                        errors.append(f"{type(error).__name__}: {error}")
                i += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    result = {"clients": clients, "wall_s": round(wall, 1), "requests": len(latencies), "errors": len(errors)}
    if latencies:
        result |= summary(latencies) | {"throughput_per_min": round(len(latencies) / wall * 60, 1)}
    if errors:
        result["first_errors"] = errors[:3]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=None, help="data home with a built KB (default $GENE_R1_HOME)")
    parser.add_argument("--model", default=None, help="model dir (default: the embedded SmolLM2-135M)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--calls", type=int, default=20, help="warm sequential analyze calls")
    parser.add_argument("--chat-turns", type=int, default=3, help="warm chat turns timed (each on a new thread)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients in the load test")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of concurrent load")
    parser.add_argument("--concurrency", type=int, default=2, help="the server's --concurrency")
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on a timeout's TERM too
    url = f"http://127.0.0.1:{args.port}"
    results: dict = {"cpu_count": os.cpu_count(), "load_average_at_start": os.getloadavg()}

    def record(key: str, value) -> None:
        """Print each measurement as soon as it is taken (a long run that is cut short still reports)."""
        results[key] = value
        print(f"{key}: {json.dumps(value)}", flush=True)

    with tempfile.TemporaryDirectory(prefix="gene-r1-web-bench-") as folder:
        server = start_server(args, Path(folder))
        try:
            record("server_up_s", round(wait_until_up(url), 2))
            with httpx.Client(base_url=url, timeout=600) as client:
                cold = chat_timings(client, "bench-cold", " ".join(SETS[0]))
                record("chat_cold", {k: round(v, 3) for k, v in cold.items() if v is not None})
                warm = [
                    chat_timings(client, f"bench-warm-{i}", " ".join(SETS[i % len(SETS)]))
                    for i in range(args.chat_turns)
                ]
                record("chat_warm", {key: summary([t[key] for t in warm if t[key] is not None]) for key in warm[0]})
                follow = chat_timings(client, "bench-cold", "which genes support that?")
                record("chat_follow_up", {k: round(v, 3) for k, v in follow.items() if v is not None})
                analyze(client, SETS[0])
                latencies = []
                for i in range(args.calls):
                    latencies.append(analyze(client, SETS[0]))
                    print(f"  analyze call {i + 1}/{args.calls}: {latencies[-1]:.2f} s", file=sys.stderr, flush=True)
                record("analyze_8_genes", summary(latencies))
            record("load", load(url, args.clients, args.duration))
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:  # uvicorn waits for requests in flight: do not wait for them
                server.kill()
                server.wait(10)
    results["load_average_at_end"] = os.getloadavg()
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
