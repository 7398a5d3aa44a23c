#!/bin/sh
# viz-tmux.sh: the terminal viewer tested as a person sees it, through tmux.
#
# Each test starts dsviz in a detached tmux window of a known size (on a private tmux server,
# so nothing else is disturbed), types keys with send-keys, and reads the screen back with
# capture-pane: the lanes, an arrow labelled with its message type, the state panel after
# stepping, the help overlay, the too-small message, filters, going to a time, ASCII mode, live
# reading from a pipe, and quitting. Errors and the summary mode need no terminal. TAP output;
# without tmux (or without a built dsviz) the whole file is skipped with the reason.
#
# Finds dsviz as $DSVIZ, else $CAUSEWAY_BUILD/bin/dsviz (make test sets CAUSEWAY_BUILD), else
# build/rel/bin/dsviz. Run from the top of the repository.
set -u

if ! command -v tmux >/dev/null 2>&1; then
  echo "1..0 # SKIP no tmux"
  exit 0
fi
DSVIZ=${DSVIZ:-${CAUSEWAY_BUILD:-build/rel}/bin/dsviz}
if [ ! -x "$DSVIZ" ]; then
  echo "1..0 # SKIP $DSVIZ is not built"
  exit 0
fi
case $DSVIZ in /*) ;; *) DSVIZ=$(pwd)/$DSVIZ ;; esac
CORPUS=$(pwd)/tests/corpus/trace
SMALL=$CORPUS/valid-small.jsonl
SOCK=dsviz-test-$$
TMP=${TMPDIR:-/tmp}/viz-tmux-$$
mkdir -p "$TMP"
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
# The terminal type inside a tmux pane (so that keys like Home decode as tmux sends them).
TERMNAME=screen-256color
infocmp tmux-256color >/dev/null 2>&1 && TERMNAME=tmux-256color
cleanup() { T kill-server >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM

n=0
failed=0
ok() { # ok COND-STATUS NAME
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
screen() { T capture-pane -p -t viz; }
# wait_for TEXT [SECONDS]: poll the screen until it shows TEXT.
wait_for() {
  i=0
  limit=$(( ${2:-5} * 10 ))
  while [ $i -lt $limit ]; do
    if screen 2>/dev/null | grep -F -q -- "$1"; then return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  echo "# timed out waiting for: $1" >&2
  screen 2>/dev/null | sed 's/^/# | /'
  return 1
}
# start W H COMMAND: a fresh window running COMMAND, then "EXIT=status" when it ends. A second,
# idle session keeps the private server alive between tests: killing the only session makes the
# server exit, and a new-session racing with that exit fails with "server exited unexpectedly".
start() {
  T has-session -t keep >/dev/null 2>&1 || T new-session -d -s keep "sleep 3600"
  T kill-session -t viz >/dev/null 2>&1
  T new-session -d -s viz -x "$1" -y "$2" "env TERM=$TERMNAME LANG=C.UTF-8 $3; echo EXIT=\$?; sleep 60"
}

echo "1..20"

# 1-3: lanes, an arrow labelled with its type, the title.
start 120 40 "$DSVIZ $SMALL"
wait_for "State at cursor"
ok $? "the viewer opens a trace"
screen | grep -E -q '^ +n0 +n1 +n2 '
ok $? "one lane per node, named in the header"
screen | grep -F -q "●──Ping──╮"
ok $? "the first message is an arrow labelled Ping"

# 4-5: step right eleven times: the state panel shows n0's acked=1.
for i in 1 2 3 4 5 6 7 8 9 10 11; do T send-keys -t viz Right; done
wait_for "event 12/31"
ok $? "Right steps one event at a time (event 12/31)"
screen | grep -E -q '│   acked=1 *$'
ok $? "after stepping, the state panel shows acked=1"
screen > "$TMP/stepped.txt"

# 6: Left steps back instantly.
T send-keys -t viz Left
wait_for "event 11/31"
ok $? "Left steps back (event 11/31)"

# 7: the help overlay lists the keys; any key closes it.
T send-keys -t viz '?'
wait_for "Keys (press any key to close)" && screen | grep -F -q "play / pause"
ok $? "? opens the help overlay listing the keys"
T send-keys -t viz x
sleep 0.2
! screen | grep -F -q "Keys (press any key"
ok $? "any key closes the help"

# 9: a filter by message type.
T send-keys -t viz / P o n g Enter
wait_for "filter: type Pong"
ok $? "/ Pong filters to the Pong messages"
T send-keys -t viz / Enter

# 10: go to a virtual time.
T send-keys -t viz g 3 m s Enter
wait_for "t=3ms"
ok $? "g 3ms moves the cursor to t=3ms"

# 11-13: n jumps to the selected node's next event; Enter opens the details; space plays.
T send-keys -t viz Home n
wait_for "event 4/31 "
ok $? "n jumps to the next event of n0 (event 4)"
T send-keys -t viz Enter
wait_for "Event details (Enter or Esc to close)"
ok $? "Enter opens the details of the selected event"
T send-keys -t viz Escape + + + + + ' '
wait_for "event 31/31 " 5 && wait_for "end of the trace" 2
ok $? "space plays to the end of the trace"

# 14: too small a terminal says so, and a bigger one draws again.
T resize-window -t viz -x 50 -y 10
wait_for "Terminal too small: 50x10"
ok $? "a 50x10 terminal is too small, and the viewer says so"
T resize-window -t viz -x 120 -y 40
wait_for "State at cursor"
ok $? "resizing back draws the viewer again"

# 13: q quits with status 0.
T send-keys -t viz q
wait_for "EXIT=0"
ok $? "q quits with exit status 0"

# 14: ASCII fallback.
start 120 40 "DSVIZ_ASCII=1 NO_COLOR=1 $DSVIZ $SMALL"
wait_for "State at cursor" && screen | grep -F -q "o--Ping--+"
ok $? "DSVIZ_ASCII=1 draws the arrow in ASCII (o--Ping--+)"
T send-keys -t viz q

# 15: live mode: half the trace, a pause, then the rest, through a pipe.
head -n 12 "$SMALL" > "$TMP/first.jsonl"
tail -n +13 "$SMALL" > "$TMP/rest.jsonl"
start 120 40 "sh -c 'cat $TMP/first.jsonl; sleep 2; cat $TMP/rest.jsonl' | $DSVIZ -"
wait_for "event 1/11 " 4 && T send-keys -t viz End && wait_for "event 11/11 " 2 &&
  wait_for "live(following)" 2 && wait_for "event 31/31 " 6 && wait_for "live(ended)" 3
ok $? "dsviz - shows a trace as it arrives; End follows it (11 events, then 31)"
T send-keys -t viz q

# 16: a malformed trace: one line with the line number, exit 2 (no terminal needed).
out=$("$DSVIZ" "$CORPUS/bad-json.jsonl" 2>&1 >/dev/null)
status=$?
[ $status -eq 2 ] && [ "$out" = "dsviz: trace $CORPUS/bad-json.jsonl:3: bad JSON at column 23: string or '}' expected near 'node'" ]
ok $? "a malformed trace exits 2 with FILE:LINE: reason"

# 17: without a terminal, dsviz prints the summary.
"$DSVIZ" "$SMALL" | grep -F -q "messages by type:"
ok $? "stdout not a terminal: the text summary"

echo "# captured screen after stepping to event 12:"
sed 's/^/# /' "$TMP/stepped.txt"
[ $failed -eq 0 ]
