#!/bin/sh
# scripts/figures.sh: make every figure of the book (book/figures/) from a real run.
#
#   sh scripts/figures.sh BUILD_DIR        (make figures runs: sh scripts/figures.sh build/rel)
#
# Each figure is one line below: a lab scenario run with a fixed seed by the reference
# solution's driver, then cut and drawn by `dsviz export` (visualizer/export.h). Same seed,
# same run, same figure: rerunning this script changes no file unless the code changed.
# The script stops with a non-zero status at the first figure it cannot make. A run whose
# scenario fails on purpose (a lab that shows a bug) still gives its trace, so the driver's own
# exit status is not checked; an empty or missing trace is an error.
#
# To add a figure: add a `fig` line in your lab's section; its arguments are the output file
# (under book/figures/, named NN-scenario-view.ext), the lab, the scenario, the seed, then the
# export options. Link the file from your chapter as figures/NAME.
#
# DSVIZ=path overrides the viewer binary (default BUILD_DIR/bin/dsviz).
set -eu

B=${1:-}
if [ -z "$B" ]; then
  echo "usage: sh scripts/figures.sh BUILD_DIR (e.g. build/rel)" >&2
  exit 2
fi
DSVIZ=${DSVIZ:-$B/bin/dsviz}
OUT=${FIGURES_OUT:-book/figures}
[ -x "$DSVIZ" ] || { echo "figures: no viewer at $DSVIZ (run make first)" >&2; exit 1; }
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/causeway-figures.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

fail() {
  echo "figures: $*" >&2
  exit 1
}

# trace LAB SCENARIO SEED: run it once (later figures of the same run reuse the trace) and set
# TRACE to the trace file.
trace() {
  drv=$B/solutions/$1/driver
  TRACE=$TMP/$1-$2-$3.jsonl
  [ -x "$drv" ] || fail "no driver $drv for lab $1 (run make first)"
  if [ ! -s "$TRACE" ]; then
    "$drv" --scenario "$2" --seed "$3" --trace "$TRACE" >"$TMP/run.txt" 2>&1 || true
    [ -s "$TRACE" ] || fail "lab $1 scenario $2 seed $3 wrote no trace: $(head -n 3 "$TMP/run.txt")"
  fi
}

# fig FILE LAB SCENARIO SEED EXPORT-OPTIONS...: make book/figures/FILE.
fig() {
  file=$1
  trace "$2" "$3" "$4"
  shift 4
  "$DSVIZ" export "$TRACE" "$@" -o "$OUT/$file" 2>"$TMP/err.txt" ||
    fail "cannot make $OUT/$file: $(cat "$TMP/err.txt")"
  [ -s "$OUT/$file" ] || fail "$OUT/$file is empty"
  # A warning (the export was cut) is worth seeing, but is not an error.
  [ -s "$TMP/err.txt" ] && sed "s|^|  $file: |" "$TMP/err.txt" >&2
  echo "  $OUT/$file"
}

echo "figures: writing $OUT/"

# --- Lab 00: the network is not a function call ---------------------------------------------
# The first 400ms of a lossy run: lost pings and pongs (red X), retries on the timer.
fig 00-lossy-spacetime.svg 00-messaging lossy 1 --view spacetime --to 400ms
fig 00-lossy-spacetime.png 00-messaging lossy 1 --view spacetime --to 400ms
# The same as a Mermaid sequence diagram, and as a ShiViz log to paste into ShiViz.
fig 00-lossy-sequence.md 00-messaging lossy 1 --format mermaid --to 400ms
fig 00-lossy-shiviz.log 00-messaging lossy 1 --format shiviz --to 400ms
# The server crashes at 40ms and restarts at 400ms: pings die in between, then it answers again.
fig 00-crash-restart-spacetime.svg 00-messaging crash-restart 1 --view spacetime --from 30ms --to 450ms
fig 00-crash-restart-spacetime.png 00-messaging crash-restart 1 --view spacetime --from 30ms --to 450ms
# The roles as a state diagram: the server goes down and comes back.
fig 00-crash-restart-states.svg 00-messaging crash-restart 1 --view states --key role
fig 00-crash-restart-states.png 00-messaging crash-restart 1 --view states --key role

# --- Lab 03: hybrid logical clocks ------------------------------------------------------------
# n0's clock is 200ms ahead: its first message (t=61.5ms) hands n2 an l 194ms ahead of n2's own
# clock; n2's next events keep that l and count in c.
fig 03-skewed-spacetime.svg 03-hybrid-clocks skewed 1 --view spacetime --from 61ms --to 72ms
# The same writes stamped by physical clocks and by HLC: n1 writes a=2001 after receiving n2's
# a=3001. Physical: stamped lower, last-writer-wins keeps 3001. HLC: stamped higher, 2001 wins.
fig 03-lww-physical-spacetime.svg 03-hybrid-clocks lww-physical 1 --view spacetime --from 14ms --to 19.4ms
fig 03-lww-hlc-spacetime.svg 03-hybrid-clocks lww-hlc 1 --view spacetime --from 14ms --to 19.4ms

# --- Lab 04: snapshots -------------------------------------------------------------------------
# The global state snapshot 1 recorded: balances and the transfers caught in the channels.
fig 04-bank-snapshot.svg 04-snapshots bank 1 --view snapshot --snapshot 1
fig 04-bank-snapshot.png 04-snapshots bank 1 --view snapshot --snapshot 1

# --- Lab 01: Lamport clocks --------------------------------------------------------------------
# The converse fails: n0's first send (C=1) and n1's second (C=2) are concurrent, yet ordered.
fig 01-converse-spacetime.svg 01-lamport-clocks converse 1 --view spacetime --to 40ms

# --- Lab 02: vector clocks ---------------------------------------------------------------------
# Three nodes gossip: every event with its vector clock in the state row.
fig 02-diagram-spacetime.svg 02-vector-clocks diagram 1 --view spacetime
fig 02-diagram-shiviz.log 02-vector-clocks diagram 1 --format shiviz

# --- Lab 05: failure detectors -------------------------------------------------------------
# SWIM: n3 was slow and is suspected; n2's Ping tells it so at 2.018s, it raises its incarnation
# to 1, and its Acks carry "n3 alive at 1" back to everyone.
fig 05-swim-refute-spacetime.svg 05-failure-detectors swim-refute 1 --view spacetime --from 2.012s --to 2.041s

# --- Lab 06: idempotency -----------------------------------------------------------------------
# c2's request 1 is applied, its reply is lost and n0 crashes; after the restart the retry is
# answered from the durable table (value=1, no second "apply" note).
fig 06-crashy-server-spacetime.svg 06-idempotency crashy-server 1 --view spacetime --to 101ms --nodes 0,2
# The same seed with the table in memory only: after the restart the retry is applied again.
fig 06-no-persist-spacetime.svg 06-idempotency no-persist 1 --view spacetime --to 99ms --nodes 0,2

# --- Lab 07: consistency -----------------------------------------------------------------------
# No session layer: c3's write is acknowledged at 28ms, its read at 54.5ms is served by r1,
# which has not applied it yet (read-your-writes broken).
fig 07-ryw-plain-spacetime.svg 07-consistency ryw-plain 1 --view spacetime --from 24ms --to 56ms --nodes p0,r1,c3

# --- Lab 08: quorums ---------------------------------------------------------------------------
# R=1 W=1 on N=3: c5's write of 5020 completes at 376.3ms on n0 alone; c4 reads n1 at 376.5ms,
# before c5's Write reaches it, and gets the older 4019 (a stale read).
fig 08-stale-read-spacetime.svg 08-quorums weak 1 --view spacetime --from 373.5ms --to 382.3ms --nodes 0,1,4,5
# n2 misses the write (its link is cut); the next read sees its old reply and repairs it.
fig 08-read-repair-spacetime.svg 08-quorums read-repair 1 --view spacetime --from 70ms --to 200ms

# --- Lab 09: CAP and PACELC -------------------------------------------------------------------
# CP under the partition: n0's phases over the whole run. From query it falls back to idle on its
# deadline 4 times (REFUSED), from store once (a write caught by the cut: UNKNOWN).
fig 09-partition-cp-states.svg 09-cap partition-cp 1 --view states --key phase --nodes 0
# AP under the same partition: c4 writes k1=4010 at n1, whose Update to n0 is lost in the
# partition; 36 ms later c3 reads k1 from n0 and gets the older 5004.
fig 09-partition-ap-spacetime.svg 09-cap partition-ap 1 --view spacetime --from 410ms --to 456ms --nodes 0,1,3,4

# --- Lab 10: two-phase and three-phase commit ------------------------------------------------
# 2PC: n0 logs commit, sends Commit to n1 and crashes (crash point 6); n2 and n3 ask in vain
# until n0 restarts with "committed" in its log and tells them again.
fig 10-crash-coordinator-spacetime.svg 10-two-phase-commit 2pc-crash-coordinator 6 --view spacetime --from 9ms --to 240ms
# 3PC, n0 and then the backup n1 crash; the states of t1 at every node.
fig 10-3pc-crash-backup-states.svg 10-two-phase-commit 3pc-crash-backup 3 --view states --key t1
# 3PC under a partition, seed 9: PreCommit reaches n1 and n2 only; n0 commits at its ack timeout.
fig 10-3pc-partition-spacetime.svg 10-two-phase-commit 3pc-partition 9 --view spacetime --from 28ms --to 160ms
# ... while n3, leading round 3 with n4, finds both uncertain and aborts.
fig 10-3pc-partition-abort-spacetime.svg 10-two-phase-commit 3pc-partition 9 --view spacetime --from 610ms --nodes 1,2,3,4

# --- Lab 11: sagas and the outbox -------------------------------------------------------------
# Inventory commits saga 1's step (and its Done, in the outbox) and crashes; at its restart the
# relay publishes the Done at once, and saga 2 runs on until shipping refuses it.
fig 11-crash-point-spacetime.svg 11-sagas crash-point 73 --view spacetime --from 173ms --to 191ms
# Saga 2 at every node: forward to shipping's refusal, then compensated backward to the start.
fig 11-crash-point-states.svg 11-sagas crash-point 73 --view states --key s2
# Without an outbox: payment commits and crashes before sending its Done; the retried Do finds
# the step done, is acknowledged, and nothing else ever comes.
fig 11-dual-write-spacetime.svg 11-sagas dual-write 1 --view spacetime --from 9ms --to 220ms --nodes 0,1

# --- Lab 12: Paxos -----------------------------------------------------------------------------
# Dueling proposers without backoff, seed 2: 125 times idle -> preparing -> accepting -> idle (the
# 16ms attempt timer), and never decided.
fig 12-duel-states.svg 12-paxos duel 2 --view states --key phase
# The same duel with randomized backoff: two attempts each, then decided.
fig 12-duel-backoff-states.svg 12-paxos duel-backoff 2 --view states --key phase
# The first 30ms of the duel: p4's Prepare reaches the acceptors between p3's promises and p3's
# Accepts (refused: promised (1,4)), then p3's (2,3) does the same to p4.
fig 12-duel-spacetime.svg 12-paxos duel 2 --view spacetime --to 30ms
# Forgetful acceptors, seed 65: a1 accepts 3001 (chosen with a2), crashes at 37.3ms and comes back
# empty, promises p4 with nothing to report, and accepts 4001 with a0: two values chosen.
fig 12-forgetful-spacetime.svg 12-paxos forgetful 65 --view spacetime --from 18.7ms --to 54.3ms --nodes a0,a1,a2,p4
# Multi-Paxos, seed 18, the three replicas' roles added up: two elections (n0, then n1 after n0
# fails at 250ms), each won by one phase 1; one crash and restart. (Merged: graphviz orders the
# per-node clusters of this diagram differently from run to run.)
fig 12-multi-states.svg 12-paxos multi 18 --view states --key role --merged

# --- Lab 13: Raft -----------------------------------------------------------------------------
# Two candidates in term 1 (n1 at 159.3ms, n2 at 160.4ms): n0 votes for n1 first and refuses n2;
# n1 leads and its first AppendEntries make n2 a follower.
fig 13-initial-election-spacetime.svg 13-raft initial-election 1 --view spacetime --from 155ms --to 235ms
# Roles through re-elections: cut-off leaders, rejoins, a minority that cannot elect anyone (a
# candidate that times out again draws no edge: a role is recorded only when it changes).
fig 13-re-election-states.svg 13-raft re-election 1 --view states --key role

# --- Lab 14: leases and fencing ---------------------------------------------------------------
# gc-pause, seed 1: w2 writes w2#9 under token 2; w1, paused since 300ms with a write checked
# under token 1, wakes and sends it; storage fences it off.
fig 14-gc-pause-spacetime.svg 14-leases-and-fencing gc-pause 1 --view spacetime --from 694ms --to 716ms --nodes w1,w2,store
# drift-beyond-bound, seed 1: the lock grants token 2 to w2, which writes w2#1; w1, whose clock
# runs at half speed, still answers the client with w1#7: the stale read stops the run.
fig 14-drift-beyond-bound-spacetime.svg 14-leases-and-fencing drift-beyond-bound 1 --view spacetime --from 397ms --to 424ms --nodes lock,w1,w2,store,client

# --- Lab 15: Byzantine generals ----------------------------------------------------------------
# Three generals, n1 a traitor: n0 orders ATTACK, n1 tells n2 "n0 said RETREAT"; n2 holds a tie
# and takes the default, RETREAT: IC2 breaks (n = 3m).
fig 15-three-generals-spacetime.svg 15-byzantine three-generals 5 --view spacetime
# Four generals, the commander a traitor telling n1 and n3 ATTACK, n2 RETREAT: the relays of
# round 1 give every loyal lieutenant the same three values, and all three decide ATTACK.
fig 15-om1-traitor-commander-spacetime.svg 15-byzantine om1 12 --view spacetime

echo "figures: done"
