#!/bin/sh
# Runs a command and checks its exit status, its output and the files it wrote.
#
#   expect.sh [--exit N] [--stdout REGEX]... [--stderr REGEX]... [--file PATH]... -- command args...
#
# --exit N       the exit status must be N (default 0)
# --stdout RE    stdout must match the extended regular expression RE (grep -E); repeatable
# --stderr RE    the same for stderr
# --file PATH    PATH must exist and be non-empty after the run (it is removed first)
# Prints the command's output and what failed; exits 1 on any failure.

expected_exit=0
stdout_patterns=""
stderr_patterns=""
files=""
newline='
'
while [ "$#" -gt 0 ]; do
  case "$1" in
    --exit) expected_exit="$2"; shift 2 ;;
    --stdout) stdout_patterns="$stdout_patterns$2$newline"; shift 2 ;;
    --stderr) stderr_patterns="$stderr_patterns$2$newline"; shift 2 ;;
    --file) files="$files$2$newline"; shift 2 ;;
    --) shift; break ;;
    *) echo "expect.sh: unknown option $1" >&2; exit 1 ;;
  esac
done

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

old_ifs=$IFS
IFS=$newline
for file in $files; do rm -f "$file"; done
IFS=$old_ifs

"$@" >"$work/stdout" 2>"$work/stderr"
status=$?

echo "--- command: $*"
echo "--- stdout:"; cat "$work/stdout"
echo "--- stderr:"; cat "$work/stderr"
echo "--- exit status: $status"

failed=0
if [ "$status" -ne "$expected_exit" ]; then
  echo "FAIL: exit status $status, expected $expected_exit"
  failed=1
fi
IFS=$newline
for pattern in $stdout_patterns; do
  if ! grep -Eq -- "$pattern" "$work/stdout"; then
    echo "FAIL: stdout does not match: $pattern"
    failed=1
  fi
done
for pattern in $stderr_patterns; do
  if ! grep -Eq -- "$pattern" "$work/stderr"; then
    echo "FAIL: stderr does not match: $pattern"
    failed=1
  fi
done
for file in $files; do
  if [ ! -s "$file" ]; then
    echo "FAIL: file not written: $file"
    failed=1
  fi
done
IFS=$old_ifs
exit "$failed"
