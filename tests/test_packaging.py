"""What `pip install gene-r1` gives a user: one top-level package, `gene_r1`, with everything it needs inside.

The wheel is built from this tree and installed into a fresh virtual environment; its dependencies come from this
project's environment (listed on the new environment's path, so no download), never its editable install. From a
folder holding decoy `agent/` and `tools/` packages (what many projects have), the console script, the Python API
and the web server must run from the wheel and never import the decoys.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import free_port, wait_for

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("agent", "tools", "training", "knowledge_base")
DECOY = "raise ImportError('the decoy {name} package of the user\\'s own project was imported')\n"
MITOSIS = ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def installed_name(folder: Path) -> str:
    """agent/nodes -> gene_r1.agent.nodes; agent/package_root -> gene_r1."""
    parts = folder.relative_to(ROOT).parts
    return "gene_r1" if parts[:2] == ("agent", "package_root") else ".".join(("gene_r1", *parts))


def test_every_package_folder_is_listed_for_the_wheel():
    folders = {installed_name(p.parent) for name in FOLDERS for p in (ROOT / name).rglob("__init__.py")}
    assert folders == set(pyproject()["tool"]["setuptools"]["packages"])


def test_the_console_script_points_into_the_namespace():
    target = pyproject()["project"]["scripts"]["gene-r1"]
    assert target.startswith("gene_r1.")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # No build isolation: the build uses this environment's setuptools (no download), as CI's fresh clone does.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True, timeout=600)
    return next(out.glob("gene_r1-*.whl"))


def test_the_wheel_installs_one_top_level_package_with_the_web_app_and_the_shipped_assets(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith((".dist-info", ".data"))}
    assert tops == {"gene_r1"}
    for needed in ("gene_r1/__init__.py", "gene_r1/agent/web/static/chat_main.html", "gene_r1/agent/web/static/app.css",
                   "gene_r1/agent/templates/report.css", "gene_r1/agent/assets/coherence/coherence.json",
                   "gene_r1/training/adapters/smollm2-135m-gene-r1/adapter_model.safetensors",
                   "gene_r1/knowledge_base/data/"):
        assert any(name.startswith(needed) for name in names), needed
    assert not any("screenshots" in name for name in names)  # pictures for the docs, not for users


@pytest.fixture(scope="module")
def wheel_env(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; this project's site-packages supply the dependencies."""
    env_dir = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # A plain path entry: the folder's own .pth files (this project's editable install among them) are not run.
    (site / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    return env_dir


@pytest.fixture(scope="module")
def user_project(tmp_path_factory) -> Path:
    """A user's project folder with its own `agent/` and `tools/` packages (importing either fails loudly)."""
    folder = tmp_path_factory.mktemp("user-project")
    for name in ("agent", "tools", "training", "knowledge_base"):
        (folder / name).mkdir()
        (folder / name / "__init__.py").write_text(DECOY.format(name=name), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def user_env(wheel_env, user_project, tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return env | {"GENE_R1_HOME": str(home), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(user_project),
                  "PATH": f"{wheel_env / 'bin'}{os.pathsep}{env.get('PATH', '')}"}


def run_in(user_project: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=user_project, env=env, capture_output=True, text=True, timeout=600)


def test_the_installed_package_comes_from_the_wheel_not_from_this_tree(wheel_env, user_project, user_env):
    done = run_in(user_project, user_env, str(wheel_env / "bin" / "python"), "-c",
                  "import gene_r1, gene_r1.agent.cli; print(gene_r1.__file__)")
    assert done.returncode == 0, done.stderr
    assert str(wheel_env) in done.stdout and str(ROOT) not in done.stdout


def test_the_console_script_analyses_a_set_beside_decoy_packages(wheel_env, user_project, user_env):
    done = run_in(user_project, user_env, str(wheel_env / "bin" / "gene-r1"), "analyze", "--json",
                  *MITOSIS)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout)
    assert answer["verdict"] == "coherent" and answer["name"]
    assert set(answer["genes"]) == set(MITOSIS)


def test_the_python_api_analyses_a_set_beside_decoy_packages(wheel_env, user_project, user_env):
    code = (f"import json, gene_r1; a = gene_r1.analyze({MITOSIS!r}); "
            "print(json.dumps({'name': a.name, 'verdict': a.verdict}))")
    done = run_in(user_project, user_env, str(wheel_env / "bin" / "python"), "-c", code)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["verdict"] == "coherent" and answer["name"]


def test_the_web_app_serves_its_page_and_api_from_the_wheel(wheel_env, user_project, user_env, tmp_path):
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen([str(wheel_env / "bin" / "gene-r1"), "serve", "--port", str(port), "--state-dir",
                               str(tmp_path / "state")], cwd=user_project, env=user_env, stdout=log,
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(url), 180, "the server installed from the wheel to answer", every=0.5)
        page = httpx.get(url + "/", timeout=30)
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert httpx.get(url + "/static/app.css", timeout=30).status_code == 200
        verdict = httpx.post(url + "/api/verify", json={"claim": "cell cycle", "genes": MITOSIS}, timeout=120)
        assert verdict.status_code == 200 and verdict.json()["verdict"] in ("supported", "partly supported")
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url + "/api/kb", timeout=5).status_code == 200
    except httpx.TransportError:
        return False
