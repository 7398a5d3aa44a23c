#!/bin/sh
# scripts/cross-determinism.sh REL_BUILD SAN_BUILD: the same lab, scenario and seed must give a
# byte-identical trace from the optimized and the sanitizer build. For every lab's reference
# solution: seeds 1..100 of its first scenario and seeds 1..5 of every other one.
# Prints TAP-like lines; exit 1 on the first difference, naming the replay commands.
set -u
rel=$1
san=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
runs=0
for lab_dir in labs/[0-9][0-9]-*/; do
  lab=$(basename "$lab_dir")
  r="$rel/solutions/$lab/driver"
  s="$san/solutions/$lab/driver"
  [ -x "$r" ] && [ -x "$s" ] || { echo "cross-determinism: $lab not built in both modes" >&2; exit 1; }
  first=1
  for scenario in $("$r" --list | awk '{print $1}'); do
    last=5
    [ $first -eq 1 ] && last=100
    first=0
    seed=1
    while [ $seed -le $last ]; do
      "$r" --scenario "$scenario" --seed $seed --trace "$tmp/a" >/dev/null 2>&1
      "$s" --scenario "$scenario" --seed $seed --trace "$tmp/b" >/dev/null 2>&1
      runs=$((runs + 1))
      if ! cmp -s "$tmp/a" "$tmp/b"; then
        echo "not ok: $lab $scenario seed $seed: the rel and san traces differ"
        echo "  compare: $r --scenario $scenario --seed $seed --trace a.jsonl"
        echo "      and: $s --scenario $scenario --seed $seed --trace b.jsonl"
        status=1
        break
      fi
      seed=$((seed + 1))
    done
  done
done
[ $status -eq 0 ] && echo "cross-determinism: $runs runs, rel and san traces byte-identical"
exit $status
