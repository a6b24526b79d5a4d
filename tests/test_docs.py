"""The README and docs/ run as written: configs validate, offline commands exit 0, links resolve.

A fenced block that cannot run here (a GPU, a model, the network, a token) carries
``<!-- doc-test: skip (why) -->`` on the line before its fence; ``schema-only (why)``
validates a config's shape and tasks but not the files it names; ``quickstart`` marks the
README's install-and-build line, whose build the shell examples share. Every other
``bash``/``console`` block runs, in page order, in one scratch directory holding shrunk copies
of ``configs/`` (a few problems per subset), so the whole file takes seconds, not minutes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from factory.config import load_build_config, parse_build_config, validate_tasks
from factory.rewrite.job import RewriteConfig, load_rewrite_config
from generators.registry import task_family, task_names
from schemas.config import BuildConfig

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
MARK = re.compile(r"^<!--\s*doc-test:\s*([\w-]+)\s*(?:\((.+)\))?\s*-->$")
KINDS = {"skip", "schema-only", "quickstart"}
SHELL = {"bash", "sh", "console"}
# A base build config that a config fragment (a `teacher:` section alone, say) is merged into.
FRAGMENT_BASE = {"name": "doc-fragment", "tasks": [{"task": "knights_knaves", "count": 1}]}
SHRUNK_COUNT = 4  # problems per subset in the scratch copies of configs/
BLOCK_TIMEOUT_S = 300


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    text: str
    mark: str | None
    reason: str | None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def page_blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        marker = MARK.match(before)
        found.append(
            Block(
                page=page,
                line=text.count("\n", 0, match.start()) + 1,
                lang=match.group(1).lower(),
                text=match.group(2),
                mark=marker.group(1) if marker else None,
                reason=marker.group(2) if marker else None,
            )
        )
    return found


@cache
def all_blocks() -> tuple[Block, ...]:
    return tuple(block for page in PAGES for block in page_blocks(page))


def blocks_of(*langs: str) -> list[Block]:
    return [block for block in all_blocks() if block.lang in langs]


def test_docs_exist_and_every_marker_is_known_and_explained():
    assert (ROOT / "docs" / "index.md").exists()
    for page in PAGES:
        for line in page.read_text(encoding="utf-8").splitlines():
            if "doc-test:" in line and line.lstrip().startswith("<!--"):
                marker = MARK.match(line.strip())
                assert marker and marker.group(1) in KINDS, f"{page.name}: bad marker {line!r}"
                if marker.group(1) != "quickstart":
                    assert marker.group(2), f"{page.name}: say why: {line!r}"
    marked = [block.mark for block in all_blocks() if block.mark]
    assert marked.count("quickstart") == 1


# --- (a) every YAML config block validates with the build's own loader ---------------------


def check_yaml_block(block: Block) -> str:
    """Validate one YAML block; return what it was checked as."""
    data = yaml.safe_load(block.text)
    assert isinstance(data, dict), f"{block.where}: not a YAML mapping"
    if "input" in data and "columns" in data:
        RewriteConfig.model_validate(data)
        return "rewrite config"
    if "tasks" not in data:
        parse_build_config({**FRAGMENT_BASE, **data}, block.where)
        return "build config section"
    if block.mark == "schema-only":
        validate_tasks(BuildConfig.model_validate(data))
        return "build config (schema and tasks)"
    parse_build_config(data, block.where)
    return "build config"


YAML_BLOCKS = [block for block in blocks_of("yaml", "yml") if block.mark != "skip"]


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=[block.where for block in YAML_BLOCKS])
def test_yaml_block_is_a_valid_config(block, monkeypatch):
    monkeypatch.chdir(ROOT)  # relative paths in a config are relative to where you run
    check_yaml_block(block)


def test_a_broken_config_block_would_fail():
    bad = Block(
        ROOT / "README.md", 1, "yaml", "name: x\ntasks: [{task: nosuch, count: 1}]\n", None, None
    )
    with pytest.raises(Exception, match="nosuch"):
        check_yaml_block(bad)


# --- (d) every configs/*.yaml named in the docs exists, and every one parses ----------------


def load_any_config(path: Path) -> Any:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "input" in data and "tasks" not in data:
        return load_rewrite_config(path)
    return load_build_config(path)


def test_every_config_the_docs_name_exists_and_parses(monkeypatch):
    monkeypatch.chdir(ROOT)
    named = {
        name
        for page in PAGES
        for name in re.findall(r"configs/[\w.-]+\.ya?ml", page.read_text(encoding="utf-8"))
    }
    shipped = {f"configs/{path.name}" for path in (ROOT / "configs").glob("*.y*ml")}
    # configs/big.yaml is the scale-out page's placeholder for a user's own config
    missing = sorted(named - shipped - {"configs/big.yaml"})
    assert not missing, f"the docs name configs that do not exist: {missing}"
    for name in sorted(shipped):
        load_any_config(ROOT / name)


# --- (c) every relative link points at a file, and an anchor at a heading ------------------


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans are not links
    return re.findall(r"\]\(([^)\s]+)\)", text)


def test_every_relative_link_resolves():
    broken = []
    for page in PAGES:
        for target in links(page):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto: not checked offline
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in anchors(file):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_slug_follows_github():
    assert slug("Models: `teacher`, `rsd.teacher`") == "models-teacher-rsdteacher"
    assert (
        slug("A 1,000,000-problem build in flat memory") == "a-1000000-problem-build-in-flat-memory"
    )


def test_every_registered_task_has_a_section_in_tasks_md():
    text = (ROOT / "docs" / "tasks.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `(\w+)`$", text, re.M))
    ours = {name for name in task_names() if task_family(name) != "plugin"}
    assert not ours - documented, f"tasks missing from docs/tasks.md: {sorted(ours - documented)}"
    assert not documented - ours, f"docs/tasks.md names unknown tasks: {documented - ours}"


# --- (b) the shell and Python examples run --------------------------------------------------


def shrink_config(data: dict[str, Any]) -> dict[str, Any]:
    """The same config with a few problems per subset (split counts scaled to match)."""
    if "tasks" not in data:
        return data  # a rewrite config: nothing to shrink
    data = dict(data, workers=1)
    tasks = []
    for spec in data.get("tasks", []):
        spec = dict(
            spec, count=min(spec["count"], max(SHRUNK_COUNT, len(spec.get("levels") or [])))
        )
        if isinstance(spec.get("splits"), dict) and all(
            isinstance(v, int) for v in spec["splits"].values()
        ):
            spec["splits"] = {name: 1 for name in spec["splits"]}
            spec["count"] = len(spec["splits"])
        tasks.append(spec)
    data["tasks"] = tasks
    return data


def make_workspace(path: Path) -> Path:
    """A scratch checkout: ``.venv`` pointing at this interpreter's environment, shrunk
    configs, and the example inputs under ``docs/examples``."""
    path.mkdir(parents=True, exist_ok=True)
    (path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (path / "configs").mkdir()
    for config in (ROOT / "configs").glob("*.y*ml"):
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        (path / "configs" / config.name).write_text(yaml.safe_dump(shrink_config(data)))
    shutil.copytree(ROOT / "docs" / "examples", path / "docs" / "examples")
    return path


def shell_script(block: Block) -> str:
    if block.lang == "console":
        return "\n".join(line[2:] for line in block.text.splitlines() if line.startswith("$ "))
    return block.text


def quickstart_build() -> str:
    """The ``factory build`` part of the README's quick-start line (its install needs PyPI)."""
    (block,) = [block for block in all_blocks() if block.mark == "quickstart"]
    (build,) = [part.strip() for part in block.text.split("&&") if "factory build" in part]
    return build


BUILD = re.compile(r"^\s*\.venv/bin/factory (?:build|rewrite) (\S+\.ya?ml)(.*)$", re.M)


def without_repeated_builds(script: str, built: set[str]) -> str:
    """Builds (and rewrites) of a config already built in this workspace are left out: one
    build serves every example that uses its version (a second one without --overwrite is
    refused)."""

    def once(match: re.Match[str]) -> str:
        if match.group(1) in built:
            return f": already built {match.group(1)}"
        built.add(match.group(1))
        return match.group(0)

    return BUILD.sub(once, script)


def run_script(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", NO_COLOR="1")
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT_S,
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    if not (Path(sys.prefix) / "bin" / "factory").exists():
        pytest.skip("the factory script is not installed in this environment")
    return make_workspace(tmp_path_factory.mktemp("docs") / "checkout")


def test_the_shell_examples_run(workspace):
    built: set[str] = set()
    quickstart = run_script(without_repeated_builds(quickstart_build(), built), workspace)
    assert quickstart.returncode == 0, f"quick start build failed:\n{quickstart.stderr[-3000:]}"
    ran, skipped, failures, timings = 0, 0, [], []
    for block in blocks_of(*SHELL):
        if block.mark in {"skip", "quickstart"}:
            skipped += 1
            continue
        started = time.perf_counter()
        result = run_script(without_repeated_builds(shell_script(block), built), workspace)
        timings.append((time.perf_counter() - started, block.where))
        ran += 1
        if result.returncode != 0:
            failures.append(f"{block.where} (exit {result.returncode}):\n{result.stderr[-2000:]}")
    slowest = ", ".join(f"{where} {seconds:.1f} s" for seconds, where in sorted(timings)[-15:])
    print(f"doc test: {ran} shell blocks ran, {skipped} marked skip; slowest: {slowest}")
    assert ran >= 10
    assert not failures, "unmarked examples failed:\n\n" + "\n\n".join(failures)


PYTHON_BLOCKS = blocks_of("python", "py")


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[block.where for block in PYTHON_BLOCKS])
def test_python_example_compiles(block):
    compile(block.text, block.where, "exec")


def test_the_python_examples_run(workspace):
    runnable = [block for block in PYTHON_BLOCKS if block.mark != "skip"]
    assert runnable, "no runnable Python example"
    for block in runnable:
        result = subprocess.run(
            [str(workspace / ".venv" / "bin" / "python"), "-c", block.text],
            cwd=workspace,
            capture_output=True,
            text=True,
            timeout=BLOCK_TIMEOUT_S,
        )
        assert result.returncode == 0, f"{block.where}:\n{result.stderr[-2000:]}"
