#!/bin/sh
# Outputs never replace inputs: --x-out, --trace and --plot naming an input file (by the same
# path, another path, a symbolic or a hard link) or each other are refused before the solve,
# with the input left as it was; and a normal write leaves no temporary file behind.
#
#   output_files.sh PROXJIT WORKDIR DATADIR

proxjit=$1
work=$2
data=$3

rm -rf "$work" && mkdir -p "$work/sub" || exit 1
cp "$data/cli_quadratic_A.csv" "$work/A.csv" && cp "$data/cli_quadratic_b.csv" "$work/b.csv" &&
  cp "$data/my_components.pjd" "$work/my.pjd" || exit 1
printf '1\n1\n1\n' >"$work/w.csv"
ln "$work/A.csv" "$work/A_hard.csv"
ln -s A.csv "$work/A_link.csv"
failed=0
fail() {
  echo "FAIL: $*"
  failed=1
}

# refused EXPECTED_MESSAGE FLAGS...: exit 2, the message on stderr, every input unchanged.
refused() {
  message=$1
  shift
  sums_before=$(cat "$work/A.csv" "$work/b.csv" "$work/my.pjd" "$work/w.csv" | cksum)
  "$proxjit" solve --f quadratic --A "$work/A.csv" --b "$work/b.csv" --r "l1(lambda=0.1)" \
    "$@" >"$work/out" 2>"$work/err"
  status=$?
  echo "--- solve $*: exit $status"
  cat "$work/err"
  [ "$status" -eq 2 ] || fail "exit status $status for $*, expected 2"
  grep -q -- "$message" "$work/err" || fail "stderr lacks '$message' for $*"
  [ "$(cat "$work/A.csv" "$work/b.csv" "$work/my.pjd" "$work/w.csv" | cksum)" = "$sums_before" ] ||
    fail "an input changed for $*"
  [ -s "$work/out" ] && fail "a report on stdout for $*"
}

refused "--x-out $work/A.csv is the input --A; choose another file" --x-out "$work/A.csv"
refused "--x-out $work/sub/../b.csv is the input --b" --x-out "$work/sub/../b.csv"
refused "--trace $work/A_hard.csv is the input --A" --trace "$work/A_hard.csv"
refused "--plot $work/A_link.csv is the input --A" --plot "$work/A_link.csv"
refused "--x-out $work/w.csv is the input --weights" --weights "$work/w.csv" \
  --x-out "$work/w.csv"
refused "--trace $work/my.pjd is the input --define" --define "$work/my.pjd" \
  --trace "$work/my.pjd"
refused "--plot $work/out.csv is also the file of --trace; give each output its own file" \
  --trace "$work/out.csv" --plot "$work/out.csv"
refused "--trace $work/./x.csv is also the file of --x-out" --x-out "$work/x.csv" \
  --trace "$work/./x.csv"
[ -e "$work/x.csv" ] && fail "a refused solve wrote --x-out"

# Distinct files: written, replacing an old x, with nothing else left in the directory.
echo old >"$work/sub/x.csv"
"$proxjit" solve --f quadratic --A "$work/A.csv" --b "$work/b.csv" --r "l1(lambda=0.1)" \
  --x-out "$work/sub/x.csv" --trace "$work/sub/t.csv" --plot "$work/sub/p.svg" \
  >"$work/out" 2>&1 || fail "solve with distinct outputs exited with $?"
[ "$(head -n 1 "$work/sub/x.csv")" != old ] || fail "--x-out was not replaced"
[ "$(ls -A "$work/sub" | tr '\n' ' ')" = "p.svg t.csv x.csv " ] ||
  fail "left in the directory: $(ls -A "$work/sub" | tr '\n' ' ')"
exit "$failed"
