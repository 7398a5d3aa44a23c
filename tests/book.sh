#!/bin/sh
# tests/book.sh: run every command the book shows, so the book cannot drift from the code.
#
# Every line "$ build/..." inside a ```console block of book/*.md is one TAP test. It runs from a
# scratch directory (so files it writes do not litter the tree) with the build directory of the
# mode under test (CAUSEWAY_BUILD, default build/rel) in place of build/rel, and against the
# reference solutions in place of the learner's exercises. It must exit 0, or 1 when the line
# ends with "# exits 1" (a command meant to show a failure).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CAUSEWAY_BUILD:-build/rel}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/build"
ln -s "$root/$build" "$scratch/build/rel"

n=0
fail=0
list=$(mktemp)
for chapter in "$root"/book/*.md; do
  awk -v file="$(basename "$chapter")" '
    /^```console/ { inside = 1; next }
    /^```/ { inside = 0; next }
    inside && /^\$ build\// { sub(/^\$ /, ""); print file "\t" $0 }
  ' "$chapter"
done >"$list"

total=$(wc -l <"$list")
echo "1..$total"
while IFS="$(printf '\t')" read -r file cmd; do
  n=$((n + 1))
  want=0
  case "$cmd" in *"# exits 1") want=1 ;; esac
  run=$(printf '%s' "$cmd" | sed -e 's|/exercises/|/solutions/|g' -e 's|[[:space:]]*# exits 1$||')
  out=$(cd "$scratch" && sh -c "$run" </dev/null 2>&1)
  rc=$?
  if [ "$rc" -eq "$want" ]; then
    echo "ok $n - $file: $cmd"
  else
    echo "not ok $n - $file: $cmd"
    echo "# exited $rc, expected $want; output:"
    printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
    fail=1
  fi
done <"$list"
rm -f "$list"
exit $fail
