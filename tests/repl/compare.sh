#!/bin/sh
# Runs a scripted REPL session and checks its transcript (stdout and stderr, merged).
#
#   compare.sh PROXJIT SESSION.pjx EXPECTED EXIT_STATUS DATA_DIR [stdin|file]
#
# The session runs in a fresh temporary directory holding `data` (a link to DATA_DIR), as
# `proxjit repl < SESSION` (stdin, the default) or `proxjit repl SESSION` (file). Timings, that
# is numbers followed by ms, us or s, read as <T> on both sides, and ratios ("6.2x") as <R>.
# A line of EXPECTED is compared literally, or, when it starts with "re:", as an extended
# regular expression that must match the whole (masked) line. Exit 0 when the exit status and
# every line match; otherwise the transcript and the first difference are printed.
set -u
# The transcripts assume no disk cache (a kernel from an earlier run would read "kernel cached").
PROXJIT_NO_CACHE=1
export PROXJIT_NO_CACHE
proxjit=$1 session=$2 expected=$3 want_status=$4 data=$5 mode=${6:-stdin}

# Absolute paths: the session runs elsewhere.
absolute() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
case $proxjit in */*) proxjit=$(absolute "$proxjit") ;; esac
session=$(absolute "$session") expected=$(absolute "$expected") data=$(absolute "$data")

work=$(mktemp -d "${TMPDIR:-/tmp}/proxjit-repl-test.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
ln -s "$data" "$work/data"
cd "$work" || exit 1

if [ "$mode" = file ]; then
  "$proxjit" repl "$session" >transcript 2>&1 </dev/null
else
  "$proxjit" repl <"$session" >transcript 2>&1
fi
status=$?

mask() {
  sed -E -e 's/-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)? ?(ms|us|s)\b/<T>/g' \
         -e 's/\b[0-9]+(\.[0-9]+)?x\b/<R>/g' "$1"
}
mask transcript >actual
mask "$expected" >wanted

if awk '
  NR == FNR { want[FNR] = $0; wanted = FNR; next }
  {
    got = FNR
    line = want[FNR]
    if (FNR > wanted) { print "unexpected line " FNR ": " $0; bad = 1; exit }
    if (substr(line, 1, 3) == "re:") {
      if ($0 !~ ("^" substr(line, 4) "$")) {
        print "line " FNR " does not match\n  want /" substr(line, 4) "/\n  got  " $0; bad = 1; exit
      }
    } else if ($0 != line) {
      print "line " FNR " differs\n  want " line "\n  got  " $0; bad = 1; exit
    }
  }
  END {
    if (bad) exit 1
    if (got < wanted) { print "missing line " got + 1 ": " want[got + 1]; exit 1 }
  }' wanted actual; then
  lines_ok=1
else
  lines_ok=0
fi

if [ "$status" -ne "$want_status" ] || [ "$lines_ok" -ne 1 ]; then
  echo "exit status $status (want $want_status)"
  echo "---- transcript ----"
  cat transcript
  exit 1
fi
echo "ok: $(wc -l <transcript) lines, exit status $status"
