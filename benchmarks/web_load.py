"""Web app under load: 1, 4 and 16 concurrent clients analysing gene sets through `POST /api/analyze`, then a
kill -9 of the server with jobs queued and a restart that must finish every accepted job.

Starts `python -m gene_r1.agent.web` (= `gene-r1 serve`) on 127.0.0.1 at a free port with the embedded model unless
`--model` says otherwise (`--model tiny`: a tiny random model, for a quick check of the machinery), over the knowledge
base in `--home` (default `$GENE_R1_HOME`). Loopback only; every phase is bounded in time and requests, and the
whole run by `--max-total-s`; the server is stopped at the end, or on any error.

Each client loops: POST /api/analyze?wait=30 -> 200 (done) or 202 (then GET /api/analyze/{id}?wait=30 until done).
Latency is submit-to-result. 429/503 answers are explicit back-pressure: counted apart, and the client sleeps the
`Retry-After` seconds. Everything else (timeouts, failed jobs, other statuses) is an error, counted by kind.

Usage:
  python benchmarks/web_load.py --home ~/.cache/gene-r1                      # embedded model, 3 x 120 s
  python benchmarks/web_load.py --model tiny --duration 20 --kill-jobs 12    # quick check
Gene sets are textbook examples (cell cycle, mismatch repair, glycolysis, interferon), 8 genes each.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

SETS = [
    ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"],
    ["MLH1", "MSH2", "MSH6", "PMS2", "EXO1", "PCNA", "RFC1", "POLD1"],
    ["HK1", "PFKM", "ALDOA", "GAPDH", "PGK1", "ENO1", "PKM", "TPI1"],
    ["STAT1", "IRF1", "ISG15", "MX1", "OAS1", "IFIT1", "IFIT3", "IRF7"],
]
WAIT_S = 30  # the server's documented bound for ?wait=
BACK_PRESSURE = (429, 503)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50_s": round(percentile(values, 50), 3),
        "p95_s": round(percentile(values, 95), 3),
        "mean_s": round(statistics.fmean(values), 3),
        "max_s": round(max(values), 3),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tiny_model(folder: Path) -> str:
    """The tests' tiny random Llama with the real SmolLM2 tokenizer: real code paths, nonsense text, fast."""
    from gene_r1.agent.embedded import save_embedded_tokenizer, write_tiny_model

    tokenizer = save_embedded_tokenizer(folder / "tokenizer")
    return str(write_tiny_model(folder / "tiny-model", tokenizer, seed=0))


class Server:
    """`python -m gene_r1.agent.web` on 127.0.0.1; `start` again after `kill` reuses its state folder and port."""

    def __init__(self, args, state: Path, model: str | None):
        self.command = [sys.executable, "-m", "gene_r1.agent.web", "--port", str(args.port), "--state-dir", str(state)]
        self.command += ["--concurrency", str(args.concurrency), "--queue-size", str(args.queue_size)]
        self.command += ["--model", model] if model else []
        self.command += ["--explain"] if args.explain else []
        self.env = os.environ | ({"GENE_R1_HOME": str(args.home)} if args.home else {})
        self.log = state / "server.log"
        self.url = f"http://127.0.0.1:{args.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 300) -> float:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log.open("ab")
        )
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited ({self.process.returncode}); see {self.log}")
            try:
                if httpx.get(f"{self.url}/api/jobs", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.2)
        raise SystemExit(f"the server did not answer within {timeout:.0f} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as after a crash or an OOM kill."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:  # uvicorn waits for requests in flight: do not wait for them
                self.kill()


def follow(client: httpx.Client, location: str, deadline: float) -> dict:
    """Long-poll a job until it finishes; raises TimeoutError past `deadline` (a perf_counter time)."""
    while time.perf_counter() < deadline:
        wait = max(0.1, min(WAIT_S, deadline - time.perf_counter()))
        response = client.get(location, params={"wait": round(wait, 1)})
        response.raise_for_status()
        status = response.json()
        if status["state"] in ("done", "failed"):
            return status
    raise TimeoutError(f"{location} unfinished at the drain bound")


def one_analysis(client: httpx.Client, genes: list[str], deadline: float) -> tuple[str, float]:
    """('ok' | 'back-pressure:<status>:<retry_after>' | '<error kind>', seconds)."""
    started = time.perf_counter()
    response = client.post("/api/analyze", params={"wait": WAIT_S}, json={"genes": genes})
    if response.status_code in BACK_PRESSURE:
        return f"back-pressure:{response.status_code}:{response.headers.get('retry-after', '1')}", 0.0
    if response.status_code == 202:
        status = follow(client, response.headers["location"], deadline)
        if status["state"] == "failed":
            return f"job failed ({status['error_status']}): {status['error'][:80]}", 0.0
    elif response.status_code != 200:
        return f"HTTP {response.status_code}", 0.0
    return "ok", time.perf_counter() - started


def load(url: str, clients: int, duration: float, max_requests: int, drain_s: float) -> dict:
    """`clients` threads analysing for `duration` s (at most `max_requests` started); in-flight requests get
    `drain_s` more seconds to finish."""
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    started = time.perf_counter()
    stop_at, drain_at = started + duration, started + duration + drain_s
    issued = iter(range(max_requests))

    def client_loop(index: int) -> None:
        with httpx.Client(base_url=url, timeout=WAIT_S + 30) as client:
            i = index
            while time.perf_counter() < stop_at and next(issued, None) is not None:
                try:
                    kind, seconds = one_analysis(client, SETS[i % len(SETS)], drain_at)
                except (httpx.HTTPError, TimeoutError) as error:
                    kind, seconds = type(error).__name__, 0.0
                with lock:
                    if kind == "ok":
                        latencies.append(seconds)
                    outcomes[kind.rsplit(":", 1)[0]] += 1
                if kind.startswith("back-pressure"):
                    time.sleep(min(float(kind.rsplit(":", 1)[1]), max(0.0, stop_at - time.perf_counter())))
                i += 1

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    back_pressure = {k.split(":")[1]: n for k, n in outcomes.items() if k.startswith("back-pressure")}
    errors = {k: n for k, n in outcomes.items() if k != "ok" and not k.startswith("back-pressure")}
    return {
        "clients": clients,
        "wall_s": round(wall, 1),
        "completed": len(latencies),
        "throughput_per_min": round(len(latencies) / wall * 60, 1),
        "latency": summary(latencies),
        "back_pressure": back_pressure,
        "errors": errors,
    }


def kill_and_restart(server: Server, state: Path, n_jobs: int, kill_after_s: float, timeout_s: float) -> dict:
    """Queue `n_jobs` analyses, kill -9 the server `kill_after_s` later, restart it and wait (at most `timeout_s`)
    for every accepted job. Lost = accepted (202) but not done after the restart."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        answers = [client.post("/api/analyze", json={"genes": SETS[i % len(SETS)]}) for i in range(n_jobs)]
    accepted = [r.json()["id"] for r in answers if r.status_code == 202]
    time.sleep(kill_after_s)
    server.kill()
    at_kill = Counter(json.loads((state / "analyses" / i / "job.json").read_text())["state"] for i in accepted)
    restart_s = server.start()
    deadline = time.perf_counter() + timeout_s
    final: Counter[str] = Counter()
    with httpx.Client(base_url=server.url, timeout=WAIT_S + 30) as client:
        for job_id in accepted:
            try:
                final[follow(client, f"/api/analyze/{job_id}", deadline)["state"]] += 1
            except (httpx.HTTPError, TimeoutError) as error:
                final[type(error).__name__] += 1
    return {
        "submitted": n_jobs,
        "accepted": len(accepted),
        "refused": dict(Counter(r.status_code for r in answers if r.status_code != 202)),
        "states_at_kill": dict(at_kill),
        "killed_mid_load": at_kill["queued"] + at_kill["running"] > 0,
        "restart_s": round(restart_s, 1),
        "states_after_restart": dict(final),
        "lost": len(accepted) - final["done"],
    }


def chat_timings(client: httpx.Client, thread: str, text: str) -> dict:
    """Seconds to the first event (status), the first answer chunk, and the end of a chat turn."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=None, help="data home with a built KB (default $GENE_R1_HOME)")
    parser.add_argument("--model", default=None, help="model dir, or 'tiny' (default: the embedded SmolLM2-135M)")
    parser.add_argument("--explain", action="store_true", help="serve with --explain (the model explains each name)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--clients", default="1,4,16", help="comma-separated client counts, one phase each")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load per phase")
    parser.add_argument("--max-requests", type=int, default=5000, help="at most this many analyses per phase")
    parser.add_argument("--drain-s", type=float, default=600.0, help="bound on finishing in-flight requests")
    parser.add_argument("--concurrency", type=int, default=2, help="the server's --concurrency (analysis workers)")
    parser.add_argument("--queue-size", type=int, default=32, help="the server's --queue-size")
    parser.add_argument("--kill-jobs", type=int, default=32, help="analyses queued before the kill -9 (0: skip)")
    parser.add_argument("--kill-after-s", type=float, default=0.0, help="seconds between queueing and the kill")
    parser.add_argument("--restart-timeout-s", type=float, default=900.0, help="bound on finishing them after")
    parser.add_argument("--chat-turns", type=int, default=0, help="also time this many chat turns (first chunk)")
    parser.add_argument("--max-total-s", type=float, default=3600.0, help="hard bound on the whole run")
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args()
    args.port = args.port or free_port()

    def give_up(*_):
        raise SystemExit(f"stopped at the --max-total-s bound ({args.max_total_s:.0f} s)")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on a timeout's TERM too
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(int(args.max_total_s))
    results: dict = {"cpu_count": os.cpu_count(), "load_average_at_start": os.getloadavg(), "args": vars(args)}

    def record(key: str, value) -> None:
        """Print each measurement as soon as it is taken (a long run that is cut short still reports)."""
        results[key] = value
        print(f"{key}: {json.dumps(value, default=str)}", flush=True)

    with tempfile.TemporaryDirectory(prefix="gene-r1-web-bench-") as folder:
        model = tiny_model(Path(folder)) if args.model == "tiny" else args.model
        state = Path(folder) / "state"
        server = Server(args, state, model)
        try:
            record("server_up_s", round(server.start(), 2))
            with httpx.Client(base_url=server.url, timeout=WAIT_S + 30) as client:
                first = one_analysis(client, SETS[0], time.perf_counter() + args.drain_s)
                record("first_analysis", {"outcome": first[0], "seconds": round(first[1], 2)})
                if args.chat_turns:
                    turns = [chat_timings(client, f"bench-{i}", " ".join(SETS[i % 4])) for i in range(args.chat_turns)]
                    record("chat", {key: summary([t[key] for t in turns if t[key] is not None]) for key in turns[0]})
            for clients in (int(n) for n in args.clients.split(",")):
                record(f"clients_{clients}", load(server.url, clients, args.duration, args.max_requests, args.drain_s))
            if args.kill_jobs:
                record(
                    "kill_restart",
                    kill_and_restart(server, state, args.kill_jobs, args.kill_after_s, args.restart_timeout_s),
                )
        finally:
            server.stop()
            signal.alarm(0)
            if results.get("kill_restart", {}).get("lost", 0) or any(
                v.get("errors") for k, v in results.items() if k.startswith("clients_")
            ):
                print(f"server log (last lines):\n{server.log.read_text()[-3000:]}", file=sys.stderr)
    results["load_average_at_end"] = os.getloadavg()
    text = json.dumps(results, indent=2, default=str)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
