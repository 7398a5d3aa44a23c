#!/bin/sh
# scripts/deps.sh: make sure the system packages Causeway builds against are present.
#
# Called by the Makefile before any build. For each library we need, ask pkg-config; if one is
# missing and this is Debian or Ubuntu, install the missing -dev packages with apt-get (as root,
# or through sudo when it is available). Elsewhere, print what to install and fail.
# Exit status: 0 when everything is present afterwards, 1 otherwise.
set -u

missing_pkgs=""
need() { # need PKGCONFIG-NAME DEBIAN-PACKAGE
  pkg-config --exists "$1" 2>/dev/null || missing_pkgs="$missing_pkgs $2"
}
command -v pkg-config >/dev/null 2>&1 || missing_pkgs="$missing_pkgs pkg-config"
need ncursesw libncurses-dev
need libcgraph libgraphviz-dev
need libgvc libgraphviz-dev
need jansson libjansson-dev
command -v prove >/dev/null 2>&1 || missing_pkgs="$missing_pkgs perl"
command -v cc >/dev/null 2>&1 || missing_pkgs="$missing_pkgs gcc"

[ -z "$missing_pkgs" ] && exit 0
# Deduplicate the list.
missing_pkgs=$(printf '%s\n' $missing_pkgs | sort -u | tr '\n' ' ')

if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: missing packages:$missing_pkgs" >&2
  echo "deps: this is not a Debian or Ubuntu system; install the equivalents of:$missing_pkgs" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "deps: need root to install:$missing_pkgs (run: apt-get install$missing_pkgs)" >&2
    exit 1
  fi
fi
echo "deps: installing$missing_pkgs" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2 || { echo "deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing_pkgs >&2 ||
  { echo "deps: apt-get install failed for:$missing_pkgs" >&2; exit 1; }
exit 0
