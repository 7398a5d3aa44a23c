#!/bin/sh
# scripts/check.sh: run lab test programs and judge their TAP output.
#
#   check.sh --score LAB TEST       run one lab's test against the learner's exercise and print
#                                   "lab NN: P/T passed, D TODO, F failed" (exit 1 if any failed)
#   check.sh --expect-todo TEST...  untouched exercises: every case must be TODO, none may pass,
#                                   fail or crash (exit 1 otherwise). Used by `make test`.
set -u
mode=${1:-}
shift || true

# score FILE: count ok / not ok / TODO lines of a TAP file into $passed $todo $failed $total.
score() {
  passed=$(grep -c '^ok ' "$1")
  todo=$(grep -c '^not ok .* # TODO' "$1")
  failed=$(grep '^not ok ' "$1" | grep -vc ' # TODO')
  total=$((passed + todo + failed))
}

case "$mode" in
--score)
  lab=$1
  test=$2
  out=$(mktemp)
  "$test" | tee "$out"
  score "$out"
  rm -f "$out"
  echo
  echo "lab ${lab%%-*} (${lab#*-}): $passed/$total passed, $todo TODO, $failed failed"
  [ "$failed" -eq 0 ]
  ;;
--expect-todo)
  status=0
  for test in "$@"; do
    out=$(mktemp)
    "$test" >"$out" 2>/dev/null
    rc=$?
    score "$out"
    if [ "$total" -eq 0 ] || [ "$todo" -ne "$total" ]; then
      echo "FAIL $test: untouched exercises must be all TODO: $passed passed, $todo TODO, $failed failed (exit $rc)"
      grep -v ' # TODO' "$out" | grep '^not ok\|^ok\|^#' | head -20
      status=1
    else
      echo "ok   $test: $todo/$total cases TODO, none crashed"
    fi
    rm -f "$out"
  done
  exit $status
  ;;
*)
  echo "usage: check.sh --score LAB TEST | --expect-todo TEST..." >&2
  exit 2
  ;;
esac
