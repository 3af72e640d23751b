#!/bin/sh
# Drives `proxjit repl` through a pseudo-terminal (a private tmux server): the banner and
# prompt, tab completion of prox names and of their parameters, Ctrl-C clearing the line at the
# prompt, Ctrl-C interrupting a long solve (status interrupted, the session goes on), and
# history across sessions (Up, Ctrl-R). Exits 77 (ctest: skipped) when tmux is missing.
#
#   pty.sh PROXJIT
set -u
proxjit=$1
if ! command -v tmux >/dev/null 2>&1; then
  echo "SKIP: tmux not found (scripts/install-deps.sh installs it)"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/proxjit-repl-pty.XXXXXX") || exit 1
socket="$work/tmux.sock"
history="$work/state/history"  # PROXJIT_HISTORY: its directory is made by the REPL
T() { tmux -S "$socket" "$@"; }
cleanup() {
  T kill-server >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME: a new session (the earlier ones stay, so the server never exits in between).
start() {
  S=$1
  # INPUTRC=/dev/null: the user's key bindings must not change what the test sees.
  # trap : INT: the shell around the REPL (dash when SHELL=/bin/sh) must outlive the Ctrl-Cs
  # typed at the REPL; a trapped signal is reset to the default in the REPL itself.
  T new-session -d -s "$S" -x 150 -y 60 \
    "trap : INT; env PROXJIT_HISTORY='$history' PROXJIT_NO_CACHE=1 INPUTRC=/dev/null '$proxjit' repl; \
     echo REPL-EXITED \$?; sleep 60"
}
screen() { T capture-pane -p -J -t "$S" -S -2000 2>/dev/null; }
keys() { T send-keys -t "$S" "$@"; }
fail() {
  echo "FAIL: $1"
  echo "---- screen ----"
  screen
  return 1
}
# wait_for ERE [seconds]
wait_for() {
  limit=$(( ${2:-20} * 10 ))
  i=0
  while [ "$i" -lt "$limit" ]; do
    if screen | grep -Eq -- "$1"; then return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  fail "timed out waiting for /$1/"
}

scenario() {
  T kill-server >/dev/null 2>&1
  rm -rf "$work/state"
  start "first$1" || return 1
  wait_for 'Type `help` for commands' 30 || return 1
  wait_for '^proxjit> $' || return 1

  # Prox names: "set r l" is ambiguous (l1, l1_ball, ...); the second Tab lists the matches.
  keys "set r l" Tab Tab
  wait_for 'l1 +l1_ball' || return 1
  # Parameters: after "set r l1(la" Tab completes "lambda=" (no space after it).
  keys C-u "set r l1(la" Tab
  wait_for '^proxjit> set r l1\(lambda=$' || return 1
  keys "0.1)" Enter
  wait_for '^r = l1\(lambda=0\.1\)$' || return 1

  # Ctrl-C at the prompt clears the line, not the session.
  keys "garbage text"
  wait_for '^proxjit> garbage text$' || return 1
  keys C-c
  sleep 0.3
  keys "show" Enter
  wait_for '^  problem +quadratic \+ l1\(lambda=0\.1\)$' || return 1
  if screen | grep -q "unknown command 'garbage"; then
    fail "Ctrl-C did not clear the line" || return 1
  fi

  # Ctrl-C during a long solve interrupts the solve; the session goes on.
  keys "gen lasso n=2000 d=1000 seed=0" Enter
  wait_for '^generated lasso data' 60 || return 1
  keys "set tol 0" Enter "set max_iter 1000000000" Enter "set max_time 60" Enter
  wait_for '^max_time = 60 s$' || return 1
  keys "solve" Enter
  sleep 2
  keys C-c
  wait_for '^interrupted \(Ctrl-C\) after [0-9]+ iterations$' 40 || return 1
  keys "show" Enter
  wait_for '^  last +interrupted' || return 1

  keys "quit" Enter
  wait_for '^REPL-EXITED 0$' || return 1
  grep -qx 'set r l1(lambda=0.1)' "$history" || fail "history file $history lacks the command" ||
    return 1

  # A new session remembers: Up recalls the last command, Ctrl-R finds an older one.
  start "second$1" || return 1
  wait_for '^proxjit> $' 30 || return 1
  keys Up
  wait_for '^proxjit> quit$' || return 1
  keys C-u C-r "l1(la"
  wait_for "set r l1\\(lambda=0\\.1\\)" || return 1
  keys Enter
  wait_for '^r = l1\(lambda=0\.1\)$' || return 1
  keys C-d
  wait_for '^REPL-EXITED 0$' || return 1
  return 0
}

# Retried once: a loaded machine may miss a deadline.
for attempt in 1 2; do
  if scenario "$attempt"; then
    echo "ok (attempt $attempt)"
    exit 0
  fi
  echo "attempt $attempt failed"
done
exit 1
