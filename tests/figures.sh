#!/bin/sh
# tests/figures.sh: the book's figures can be made, and every figure a chapter links exists.
#
# Runs scripts/figures.sh (what `make figures` runs) into a scratch folder, so that a change that
# breaks a figure (a renamed scenario, a removed export option, a run that no longer writes a
# trace) fails `make test`, not only `make figures`. Then checks that each `figures/NAME` link in
# book/*.md is a file the script makes and a file committed in book/figures/. A figure that differs
# from the committed one is reported as a diagnostic (run `make figures` and commit), not a
# failure: a change to the exporter's drawing should not have to be a test change too.
set -u
build=${CAUSEWAY_BUILD:-build/rel}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/causeway-figtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

links=$(grep -ho 'figures/[A-Za-z0-9._-]*' book/[0-9][0-9]-*.md | sort -u)
count=$(printf '%s\n' "$links" | grep -c .)
echo "1..$((count + 1))"

n=1
if FIGURES_OUT="$tmp/figures" sh scripts/figures.sh "$build" >"$tmp/log" 2>&1; then
  echo "ok 1 - scripts/figures.sh makes every figure ($(ls "$tmp/figures" | wc -l) files)"
else
  echo "not ok 1 - scripts/figures.sh failed: make figures would fail"
  sed 's/^/# /' "$tmp/log" | tail -n 5
fi

stale=0
for link in $links; do
  n=$((n + 1))
  name=${link#figures/}
  if [ -s "$tmp/figures/$name" ] && [ -s "book/figures/$name" ]; then
    echo "ok $n - $link is made by scripts/figures.sh and committed"
    cmp -s "$tmp/figures/$name" "book/figures/$name" || stale=$((stale + 1))
  elif [ -s "book/figures/$name" ]; then
    echo "not ok $n - $link is committed, but no line of scripts/figures.sh makes it"
  else
    echo "not ok $n - $link is linked from a chapter but missing from book/figures (run make figures)"
  fi
done
[ "$stale" -gt 0 ] && echo "# $stale committed figures differ from a fresh run: run make figures and commit"
exit 0
