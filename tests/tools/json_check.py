#!/usr/bin/env python3
"""Runs a proxjit command and checks its JSON output by parsing it, not by grepping.

usage: json_check.py [--exit N] CHECK [CHECK ...] -- COMMAND [ARG ...]

Each CHECK is a Python expression over `d`, the parsed JSON, e.g. "d['cache']['source'] ==
'compiled'"; the test fails, naming the check and showing the JSON, if one is false.
"""
import json
import subprocess
import sys


def main(argv):
    expected_exit = 0
    if argv and argv[0] == "--exit":
        expected_exit = int(argv[1])
        argv = argv[2:]
    if "--" not in argv:
        sys.exit("json_check.py: missing -- before the command")
    split = argv.index("--")
    checks, command = argv[:split], argv[split + 1:]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != expected_exit:
        sys.exit(f"exit status {result.returncode}, expected {expected_exit}\n"
                 f"stderr: {result.stderr}")
    try:
        d = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        sys.exit(f"stdout is not one JSON document ({error}):\n{result.stdout}")
    failed = [check for check in checks if not eval(check, {}, {"d": d})]
    if failed:
        sys.exit("failed checks:\n  " + "\n  ".join(failed) + "\nJSON:\n" +
                 json.dumps(d, indent=2))
    print(f"{len(checks)} checks passed")


if __name__ == "__main__":
    main(sys.argv[1:])
