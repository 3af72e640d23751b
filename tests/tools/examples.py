#!/usr/bin/env python3
"""Every example runs as written: each `proxjit ...` command of the README's indented blocks and
of every subcommand's --help "Examples:" block, in a fresh directory holding the files the README
tells a reader to make first (its `proxjit gen` lines, a model from its `fit` line, examples/).

usage: examples.py PROXJIT README SOURCE_DIR WORKDIR

A command that cannot run here is listed in SKIPPED with the reason, printed; an entry that
matches no example any more fails the test (the list cannot go stale).
"""
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

proxjit, readme, source, work = sys.argv[1:5]

# Substrings of commands not run, and why.
SKIPPED = {
    "precompile --all": "compiles every built-in signature (minutes); precompile --signature runs",
    "proxjit bench": "a benchmark: timings, not a test (cli.bench.* run short ones)",
    "--ignore-extra-features": "",  # never skipped: placeholder so the list is non-empty
}
SKIPPED = {k: v for k, v in SKIPPED.items() if v}


def commands_in(lines, indent):
    """`proxjit` commands at `indent`, continuation lines joined, comments dropped."""
    found, current = [], None
    for line in lines:
        if current is not None:
            current += " " + line.strip()
        elif line.startswith(" " * indent + "proxjit ") or line.strip() == "proxjit":
            current = line.strip()
        else:
            continue
        if current.endswith("\\"):
            current = current[:-1].rstrip()
            continue
        # "#" comments (README) and "(...)" notes after two spaces (--help) are not arguments.
        current = re.sub(r"\s+#\s.*$", "", current)
        current = re.sub(r"\s{2,}\(.*\)$", "", current)
        found.append(current.strip())
        current = None
    return found


readme_lines = open(readme).read().splitlines()
examples = [("README", c) for c in commands_in(readme_lines, 4)]
root_help = subprocess.run([proxjit, "--help"], capture_output=True, text=True).stdout
subcommands = re.findall(r"^  (\w+)\s{2,}", root_help.split("Subcommands:")[1], re.M)
for name in subcommands:
    nested = {"cache": ["ls", "stats", "clear"], "bench": ["compile"]}.get(name, [])
    for words in [[name]] + [[name, n] for n in nested]:
        text = subprocess.run([proxjit, *words, "--help"], capture_output=True, text=True).stdout
        block = text.split("Example", 1)[1].split("\n", 1)[1] if "Example" in text else ""
        block_lines = []
        for line in block.splitlines():
            if line and not line.startswith(" "):
                break  # the next paragraph of the footer
            block_lines.append(line)
        examples += [(" ".join(words) + " --help", c) for c in commands_in(block_lines, 2)]

# The files the README's first lines make, and what its fit line writes.
fixture = os.path.join(work, "fixture")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(fixture)
shutil.copytree(os.path.join(source, "examples"), os.path.join(fixture, "examples"))
shutil.copy(os.path.join(source, "tests", "data", "my_components.pjd"), fixture)
with open(os.path.join(fixture, "session.pjx"), "w") as f:
    f.write("gen lasso n=100 d=20 seed=0\nsolve\n")
setup = [c for _, c in examples if c.startswith("proxjit gen ")][:4]
setup += ["proxjit fit --f logistic --r l1(lambda=0.01) --data train.svm --model-out model.json",
          "proxjit gen classification --n 100 --d 300 --density 0.05 --seed 2 --out X.npy "
          "--b-out y.npy"]
for command in setup:
    subprocess.run(shlex.split(command)[1:] and [proxjit, *shlex.split(command)[1:]], cwd=fixture,
                   check=True, capture_output=True)
shutil.copy(os.path.join(fixture, "model.json"), os.path.join(fixture, "m.json"))

failures, ran, used = [], 0, set()
env = dict(os.environ, PROXJIT_CACHE_DIR=os.path.join(work, "cache"))
env.pop("PROXJIT_NO_CACHE", None)


def run_example(index, where, command):
    directory = os.path.join(work, f"run{index}")
    shutil.copytree(fixture, directory)
    # Cache directories of the examples go into the test's own directory.
    command = command.replace("/tmp/kernels", "kernels").replace("/srv/app/kernels", "kernels")
    argv = [proxjit, *shlex.split(command)[1:]]
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=directory, capture_output=True, text=True, timeout=300,
                            env=env, stdin=subprocess.DEVNULL)
    shutil.rmtree(directory, ignore_errors=True)
    return where, command, result, time.perf_counter() - start


jobs = []
for index, (where, command) in enumerate(examples):
    skip = [k for k in SKIPPED if k in command]
    if skip:
        used.update(skip)
        print(f"skipped ({SKIPPED[skip[0]]}): {command}")
        continue
    jobs.append((index, where, command))
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    for where, command, result, seconds in pool.map(lambda job: run_example(*job), jobs):
        ran += 1
        status = "ok" if result.returncode == 0 else f"exit {result.returncode}"
        print(f"{status} ({seconds:.1f} s): {command}   [{where}]")
        if result.returncode != 0:
            failures.append(f"{command} [{where}]: exit {result.returncode}\n{result.stderr[-600:]}")

stale = set(SKIPPED) - used
if stale:
    failures.append(f"SKIPPED entries that match no example: {sorted(stale)}")
if ran < 30:
    failures.append(f"only {ran} examples ran: the extraction is broken")
for failure in failures:
    print("FAIL:", failure)
sys.exit(1 if failures else 0)
