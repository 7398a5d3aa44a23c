#!/bin/sh
# scripts/check.sh: run lab test programs and judge their TAP output.
#
#   check.sh --score LAB TEST       run one lab's test against the learner's exercise and print
#                                   "lab NN: P/T passed, D TODO, F failed" (exit 1 if any failed)
#   check.sh --expect-todo TEST...  untouched exercises: every case must be TODO, none may pass,
#                                   fail or crash (exit 1 otherwise). Used by `make test`. A lab
#                                   whose exercises/NN-name/ differs from git HEAD is the learner's
#                                   work in progress: it is skipped (make check scores it).
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

# exercise_edited DIR: true when DIR differs from the committed version (outside a git checkout,
# or when git is missing, nothing counts as edited).
exercise_edited() {
  command -v git >/dev/null 2>&1 && git rev-parse --git-dir >/dev/null 2>&1 || return 1
  ! git diff --quiet HEAD -- "$1" 2>/dev/null
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
    # build/MODE/exercises/NN-name/test -> exercises/NN-name: a learner who has started a lab
    # has edited it, and then its cases may pass; `make check LAB=NN` scores it instead.
    lab_dir=exercises/$(basename "$(dirname "$test")")
    if exercise_edited "$lab_dir"; then
      echo "skip $test: $lab_dir is edited (yours now): make check LAB=$(basename "$lab_dir" | cut -c1-2) scores it"
      continue
    fi
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
