"""The README's examples are run, and so are those of docs/*.md, so the docs cannot drift from the code."""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cgcli.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: the README and the pages it links, whose examples run the same way
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def console_examples() -> list[tuple[str, str]]:
    """Every ``$ command`` in a ```console block with the output printed under it, in every page."""
    examples = []
    for page in PAGES:
        for block in re.findall(r"```console\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL):
            for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
                command, _, output = chunk.partition("\n")
                examples.append((command, output))
    return examples


EXAMPLES = console_examples()


@pytest.mark.parametrize("command, output", EXAMPLES, ids=[c[:60] for c, _ in EXAMPLES])
def test_console_example_prints_what_the_readme_shows(command: str, output: str) -> None:
    needed = {word for word in ("jq", "dot") if re.search(rf"\b{word}\b", command)}
    for tool in needed:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    # The commands are the README's own text (not user input), run as a user would in a shell.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("COLUMNS", None)
    env.pop("NO_COLOR", None)
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert done.stdout == output


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_python_examples_run(page: Path) -> None:
    failures, tried = doctest.testfile(str(page), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert failures == 0
    if page.name == "README.md":
        assert tried > 0


def test_readme_links_only_pages_that_exist() -> None:
    for link in re.findall(r"\]\((docs/[^)]+)\)", README):
        assert (ROOT / link).is_file(), link


def test_every_command_is_documented() -> None:
    for name in cli.commands:
        assert f"cgcli {name} " in README, name


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    first, second = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)[:2]
    assert "pip install ." in first and "cgcli grad '(x+y)*z' --x=-2 --y=5 --z=-4" in first
    assert "pip install -e '.[test]'" in second and "pytest" in second
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install_and_test = second.split("&& ", 2)[-1]  # after creating and activating the venv
    assert install_and_test in ci
