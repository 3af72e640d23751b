#!/bin/sh
# The on-disk kernel cache through the command line, across processes.
#
#   disk_cache.sh CASE PROXJIT WORKDIR DATADIR [PYTHON]
#
# CASE is one of: second_process corrupt concurrent commands precompile no_cache
# WORKDIR is emptied first; every case keeps its kernels in WORKDIR/cache (an explicit
# --cache-dir, which turns the cache on although ctest sets PROXJIT_NO_CACHE=1).
# PYTHON, when given, parses the JSON; otherwise sed picks the fields.

case_name=$1
proxjit=$2
work=$3
data=$4
python=${5:-}

cache="$work/cache"
rm -rf "$work" && mkdir -p "$work" || exit 1
failed=0

fail() {
  echo "FAIL: $*"
  failed=1
}

# solve_json [extra flags...]: a tiny quadratic + l1 solve; stdout is the JSON object.
solve_json() {
  "$proxjit" solve --f quadratic --A "$data/cli_quadratic_A.csv" --b "$data/cli_quadratic_b.csv" \
    --r "l1(lambda=0.1)" --json "$@"
}

# field NAME FILE: a field of the JSON in FILE (cache.source, cache.note, objective, ...),
# numbers in their shortest exact text, null as "null".
field() {
  if [ -n "$python" ]; then
    "$python" -c '
import json, sys
value = json.load(open(sys.argv[2]))
for key in sys.argv[1].split("."):
    value = value[key]
print("null" if value is None else repr(value) if isinstance(value, float) else value)
' "$1" "$2"
  else
    key=${1##*.}
    sed -n "s/.*\"$key\": \"\\([^\"]*\\)\".*/\\1/p; t; s/.*\"$key\": \\([^,}]*\\).*/\\1/p" "$2"
  fi
}

# run_solve OUT [flags...]: solve into OUT, show it, and require exit 0.
run_solve() {
  out=$1
  shift
  solve_json "$@" >"$out" 2>"$out.err"
  status=$?
  echo "--- solve $*: exit $status"
  cat "$out" "$out.err"
  [ "$status" -eq 0 ] || fail "solve exited with $status"
}

expect_source() {
  actual=$(field cache.source "$2")
  [ "$actual" = "$1" ] || fail "$2: cache.source is '$actual', expected '$1'"
}

entry_file() {
  set -- "$cache"/kernels/*.pjk
  [ "$#" -eq 1 ] && [ -f "$1" ] || { fail "expected one entry in $cache/kernels, found: $*"; return 1; }
  echo "$1"
}

ls_lines() {
  "$proxjit" cache ls --cache-dir "$cache" >"$work/ls.out" 2>"$work/ls.err" ||
    fail "cache ls failed"
  echo "--- cache ls:" >&2
  cat "$work/ls.out" "$work/ls.err" >&2
  wc -l <"$work/ls.out" | tr -d ' '
}

case "$case_name" in
  second_process)
    run_solve "$work/1.json" --cache-dir "$cache"
    run_solve "$work/2.json" --cache-dir "$cache"
    expect_source compiled "$work/1.json"
    expect_source disk "$work/2.json"
    first=$(field objective "$work/1.json")
    second=$(field objective "$work/2.json")
    [ -n "$first" ] && [ "$first" = "$second" ] ||
      fail "objectives differ: '$first' (compiled) vs '$second' (disk)"
    [ "$(field cache.dir "$work/2.json")" = "$cache" ] || fail "cache.dir is not $cache"
    [ -n "$(field timing.cache_io_s "$work/2.json")" ] || fail "no timing.cache_io_s"
    ;;

  corrupt)
    run_solve "$work/1.json" --cache-dir "$cache"
    expect_source compiled "$work/1.json"
    entry=$(entry_file) || exit 1
    size=$(wc -c <"$entry" | tr -d ' ')
    # Truncated to half its size.
    dd if="$entry" of="$work/half" bs=1 count=$((size / 2)) 2>/dev/null && cp "$work/half" "$entry"
    run_solve "$work/2.json" --cache-dir "$cache"
    expect_source compiled "$work/2.json"
    field cache.note "$work/2.json" | grep -q truncated || fail "cache.note does not say truncated"
    run_solve "$work/3.json" --cache-dir "$cache"
    expect_source disk "$work/3.json"
    # One byte in the middle flipped (all eight bits).
    entry=$(entry_file) || exit 1
    size=$(wc -c <"$entry" | tr -d ' ')
    offset=$((size / 2))
    byte=$(dd if="$entry" bs=1 skip=$offset count=1 2>/dev/null | od -An -tu1 | tr -d ' \n')
    flipped=$((byte ^ 255))
    # shellcheck disable=SC2059
    printf "\\$(printf '%03o' "$flipped")" | dd of="$entry" bs=1 seek=$offset conv=notrunc 2>/dev/null
    after=$(dd if="$entry" bs=1 skip=$offset count=1 2>/dev/null | od -An -tu1 | tr -d ' \n')
    [ "$after" = "$flipped" ] || fail "could not flip byte $offset ($byte -> $after)"
    [ "$(wc -c <"$entry" | tr -d ' ')" = "$size" ] || fail "flipping changed the size"
    run_solve "$work/4.json" --cache-dir "$cache"
    expect_source compiled "$work/4.json"
    field cache.note "$work/4.json" | grep -q corrupt || fail "cache.note does not say corrupt"
    run_solve "$work/5.json" --cache-dir "$cache"
    expect_source disk "$work/5.json"
    [ "$(field objective "$work/5.json")" = "$(field objective "$work/1.json")" ] ||
      fail "the objective changed after recompiling"
    ;;

  concurrent)
    solve_json --cache-dir "$cache" >"$work/a.json" 2>"$work/a.err" &
    pid_a=$!
    solve_json --cache-dir "$cache" >"$work/b.json" 2>"$work/b.err" &
    pid_b=$!
    wait "$pid_a" || fail "first concurrent solve failed"
    wait "$pid_b" || fail "second concurrent solve failed"
    cat "$work/a.json" "$work/a.err" "$work/b.json" "$work/b.err"
    run_solve "$work/c.json" --cache-dir "$cache"
    expect_source disk "$work/c.json"
    [ "$(ls_lines)" = 1 ] || fail "cache ls does not show exactly one entry"
    # No temporary files left behind.
    leftovers=$(ls -A "$cache/kernels" | grep -v '\.pjk$')
    [ -z "$leftovers" ] || fail "left in $cache/kernels: $leftovers"
    ;;

  commands)
    run_solve "$work/1.json" --cache-dir "$cache"
    "$proxjit" cache stats --cache-dir "$cache" >"$work/stats" || fail "cache stats failed"
    cat "$work/stats"
    grep -Eq "^entries +1$" "$work/stats" || fail "cache stats does not show 1 entry"
    grep -Eq "^directory +$cache" "$work/stats" || fail "cache stats does not show the directory"
    for word in bytes limit hits misses invalid evicted; do
      grep -Eq "^$word +[0-9]" "$work/stats" || fail "cache stats has no $word"
    done
    "$proxjit" cache stats --json --cache-dir "$cache" >"$work/stats.json" || fail "stats --json"
    cat "$work/stats.json"
    [ "$(field entries "$work/stats.json")" = 1 ] || fail "stats --json: entries is not 1"
    [ "$(field misses "$work/stats.json")" = 1 ] || fail "stats --json: misses is not 1"
    [ "$(ls_lines)" = 1 ] || fail "cache ls does not show exactly one entry"
    grep -q "|quadratic|" "$work/ls.out" || fail "cache ls does not show the key"
    grep -q "target=" "$work/ls.out" && fail "cache ls shows the target description"
    "$proxjit" cache clear --cache-dir "$cache" >"$work/clear" || fail "cache clear failed"
    cat "$work/clear"
    grep -q "removed 1 entry" "$work/clear" || fail "cache clear does not say it removed 1 entry"
    "$proxjit" cache stats --cache-dir "$cache" >"$work/stats" || fail "cache stats failed"
    cat "$work/stats"
    grep -Eq "^entries +0$" "$work/stats" || fail "after clear, cache stats does not show 0 entries"
    [ "$(ls_lines)" = 0 ] || fail "after clear, cache ls is not empty"
    # An unusable directory is a warning, not a failure.
    run_solve "$work/2.json" --cache-dir "$work/1.json/not-a-directory"
    grep -q "^proxjit: warning: " "$work/2.json.err" || fail "no warning for an unusable directory"
    expect_source compiled "$work/2.json"
    ;;

  precompile)
    "$proxjit" precompile --signature "quadratic l1" --cache-dir "$cache" >"$work/pre" ||
      fail "precompile failed"
    cat "$work/pre"
    grep -q "quadratic l1 float64 .*compiled" "$work/pre" || fail "precompile does not list it"
    # Another lambda: the same kernel, loaded, never compiled.
    run_solve "$work/1.json" --cache-dir "$cache"
    expect_source disk "$work/1.json"
    "$proxjit" precompile --signature "quadratc l1" --cache-dir "$cache" >"$work/bad" 2>&1
    status=$?
    cat "$work/bad"
    [ "$status" -eq 2 ] || fail "a misspelt signature exited with $status, expected 2"
    grep -q "did you mean 'quadratic'" "$work/bad" || fail "no suggestion for quadratc"
    "$proxjit" precompile --signature "logistic l1" --cache-dir "$cache" >"$work/loss" ||
      fail "precompile of a loss failed"
    cat "$work/loss"
    # A loss over samples may meet dense or sparse data: both kernels.
    grep -q "logistic l1 float64 dense .*compiled" "$work/loss" || fail "no dense logistic l1"
    grep -q "logistic l1 float64 sparse .*compiled" "$work/loss" || fail "no sparse logistic l1"
    "$proxjit" precompile --all --cache-dir "$cache" >"$work/all" || fail "precompile --all failed"
    cat "$work/all"
    # Every kernel it names is in the cache (signatures sharing a kernel count once)...
    counts=$(sed -n 's/^[0-9]* kernels: \([0-9]*\) compiled, \([0-9]*\) from disk.*/\1 \2/p' "$work/all")
    compiled=${counts% *} loaded=${counts#* }
    [ -n "$counts" ] || fail "precompile --all printed no totals"
    [ "$(ls_lines)" = "$((compiled + loaded))" ] ||
      fail "cache ls does not show the $compiled compiled and $loaded loaded kernels"
    # ... so a second --all loads every one from disk.
    "$proxjit" precompile --all --cache-dir "$cache" >"$work/again" || fail "second --all failed"
    grep -q "kernels: 0 compiled, $((compiled + loaded)) from disk" "$work/again" ||
      fail "second --all compiled something: $(tail -1 "$work/again")"
    ;;

  no_cache)
    # A warm directory through the environment, as a deployment would set it (ctest sets
    # PROXJIT_NO_CACHE, which the environment default needs unset).
    env -u PROXJIT_NO_CACHE PROXJIT_CACHE_DIR="$cache" "$proxjit" solve --f quadratic \
      --A "$data/cli_quadratic_A.csv" --b "$data/cli_quadratic_b.csv" --r "l1(lambda=0.1)" \
      --json >"$work/1.json" || fail "solve with PROXJIT_CACHE_DIR failed"
    env -u PROXJIT_NO_CACHE PROXJIT_CACHE_DIR="$cache" "$proxjit" solve --f quadratic \
      --A "$data/cli_quadratic_A.csv" --b "$data/cli_quadratic_b.csv" --r "l1(lambda=0.1)" \
      --json >"$work/2.json" || fail "solve with PROXJIT_CACHE_DIR failed"
    cat "$work/1.json" "$work/2.json"
    expect_source disk "$work/2.json"
    env -u PROXJIT_NO_CACHE PROXJIT_CACHE_DIR="$cache" "$proxjit" solve --f quadratic \
      --A "$data/cli_quadratic_A.csv" --b "$data/cli_quadratic_b.csv" --r "l1(lambda=0.1)" \
      --json --no-cache >"$work/3.json" || fail "solve --no-cache failed"
    cat "$work/3.json"
    expect_source compiled "$work/3.json"
    [ "$(field cache.dir "$work/3.json")" = null ] || fail "--no-cache: cache.dir is not null"
    ;;

  *)
    echo "disk_cache.sh: unknown case '$case_name'" >&2
    exit 1
    ;;
esac

[ "$failed" -eq 0 ] && echo "PASS: $case_name"
exit "$failed"
