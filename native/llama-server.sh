#!/usr/bin/env bash
# Builds llama.cpp's llama-server once, from the source of the release our prebuilt libraries come from (the git bundle
# in the node-llama-cpp npm tarball), linked against those same prebuilt shared libraries (native/node_modules, from
# `npm ci` in native/; run here when missing). Tests and benchmarks use it as a real OpenAI-compatible server.
#
#   bash native/llama-server.sh            builds if needed (a few minutes on 2 cores, once); prints the executable's path
#   bash native/llama-server.sh --source   fetches the llama.cpp source if needed; prints its folder
#
# Only the path goes to stdout; logs go to stderr, and a failure ends with a line "[llama-server] error: <reason>".
# Cache root: $LLMLSP_TOOLS_CACHE, else $XDG_CACHE_HOME/llmlsp-tools, else ~/.cache/llmlsp-tools. In it:
#   llama-src-3.22.1/      the llama.cpp source
#   llama-server-build/    object files (kept, so an interrupted build resumes)
#   llama-server-3.22.1/   llama-server next to copies of the prebuilt .so files (rpath $ORIGIN: ggml looks for its
#                          CPU variants beside the executable); rebuilt when the prebuilt libllama is newer
# Parallel jobs: $LLMLSP_BUILD_JOBS, else nproc.
set -euo pipefail

VERSION=3.22.1
# `npm view node-llama-cpp@3.22.1 dist.integrity`: the tarball is checked against it before its bundle is used.
INTEGRITY="sha512-bltIipuWmc123H7tMIgDGKSsSrhmhlQYeVUC48XTjVW7XGJJiJJyCdlTMzQ/LiWoPkGDpcL4FviDpgw7qfTiDw=="

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prebuilt="$repo/native/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
root="${LLMLSP_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmlsp-tools}"
src="$root/llama-src-$VERSION"
build="$root/llama-server-build"
out="$root/llama-server-$VERSION"
jobs="${LLMLSP_BUILD_JOBS:-$(nproc)}"

log() { echo "[llama-server] $*" >&2; }
die() { log "error: $*"; step=""; exit 1; }
step=""
on_exit() {
  local status=$?
  rm -rf "${scratch:-}"
  # set -e stopped the script in a command that printed its own error; say in one line what was being done.
  if [ "$status" -ne 0 ] && [ -n "$step" ]; then log "error: $step failed (exit $status)"; fi
}
trap on_exit EXIT
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM
scratch=""

case "${1:-}" in
  "" | --source) ;;
  -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
  *) die "unknown argument '$1' (usage: bash native/llama-server.sh [--source])" ;;
esac

for tool in git npm tar; do command -v "$tool" >/dev/null || die "$tool is required"; done
mkdir -p "$root"
# One build at a time per cache (CI and a test run may both ask).
if command -v flock >/dev/null; then
  exec 9>"$root/.llama-server.lock"
  flock 9
fi

sha512_base64() {
  if command -v openssl >/dev/null; then openssl dgst -sha512 -binary "$1" | base64 | tr -d '\n'
  elif command -v python3 >/dev/null; then python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode(), end="")' "$1"
  else die "openssl or python3 is required to verify the npm tarball"
  fi
}

fetch_source() {
  [ -f "$src/include/llama.h" ] && return 0
  log "fetching the llama.cpp source (node-llama-cpp@$VERSION) into $src"
  step="fetching the llama.cpp source"
  scratch="$(mktemp -d "$root/.fetch-XXXXXX")"
  npm pack "node-llama-cpp@$VERSION" --pack-destination "$scratch" --silent >/dev/null
  local tgz="$scratch/node-llama-cpp-$VERSION.tgz" actual
  [ -f "$tgz" ] || die "npm pack node-llama-cpp@$VERSION produced no $tgz"
  actual="sha512-$(sha512_base64 "$tgz")"
  [ "$actual" = "$INTEGRITY" ] || die "node-llama-cpp-$VERSION.tgz does not match the pinned integrity: expected $INTEGRITY, got $actual"
  tar xzf "$tgz" -C "$scratch" package/llama/gitRelease.bundle
  git -c advice.detachedHead=false clone --quiet "$scratch/package/llama/gitRelease.bundle" "$scratch/src"
  [ -f "$scratch/src/include/llama.h" ] || die "the git bundle in node-llama-cpp-$VERSION.tgz has no include/llama.h"
  rm -rf "$src" && mv "$scratch/src" "$src"
  rm -rf "$scratch" && scratch=""
  step=""
}

fetch_source
if [ "${1:-}" = --source ]; then echo "$src"; exit 0; fi

if [ ! -f "$prebuilt/libllama.v0.5.0.so" ]; then
  log "installing the prebuilt llama.cpp libraries (npm ci in native/)"
  step="npm ci in native/"
  npm ci --prefix "$repo/native" --silent --no-audit --no-fund >&2
  [ -f "$prebuilt/libllama.v0.5.0.so" ] || die "npm ci in native/ did not produce $prebuilt/libllama.v0.5.0.so"
  step=""
fi

if [ -x "$out/llama-server" ] && [ ! "$prebuilt/libllama.v0.5.0.so" -nt "$out/llama-server" ]; then
  echo "$out/llama-server"
  exit 0
fi

for tool in g++ gcc cmake; do command -v "$tool" >/dev/null || die "$tool is required to build llama-server"; done
log "building llama-server against the prebuilt libraries into $out (a few minutes on 2 cores, once)"
start=$(date +%s)

# Its parts are compiled here: the server sources, libmtmd (the server links it; text-only use never calls it, so it
# is built at -O1) and an empty web UI (scripts/ui-assets.cmake with no assets). cpp-httplib and the common helpers
# come from the prebuilt libllama-common.so.
step="generating the (empty) web UI sources"
mkdir -p "$build/ui" "$build/obj"
rm -f "$build"/obj/*.tmp.*
cmake -DUI_SOURCE_DIR="$src/tools/ui" -DUI_BINARY_DIR="$build/ui" -DLLAMA_SOURCE_DIR="$src" -DHF_ENABLED=OFF \
  -DBUILD_UI=OFF -DLLAMA_UI_GZIP=OFF -P "$src/scripts/ui-assets.cmake" >"$build/ui-assets.log" 2>&1 \
  || { cat "$build/ui-assets.log" >&2; die "scripts/ui-assets.cmake failed"; }

step="compiling llama-server"
inc=(-I "$src/include" -I "$src/ggml/include" -I "$src/common" -I "$src/vendor" -I "$src/tools/mtmd"
  -I "$src/tools/server" -I "$src" -I "$build/ui")
flags=(-std=c++17 -DNDEBUG -fPIC -pthread "${inc[@]}")
object() { local rel="${1#"$src"/}"; rel="${rel#"$build"/}"; echo "$build/obj/${rel//\//_}.o"; }
compile() { # opt file: one object, written atomically; up to date when newer than its source
  local obj cc
  obj="$(object "$2")"
  [ -f "$obj" ] && [ "$obj" -nt "$2" ] && return 0
  cc=(g++ "${flags[@]}")
  case "$2" in
    */xxhash.c | */sha256.c) cc=(gcc -fPIC -w -I "$src/vendor/hash") ;;
    */sha1.c) cc=(g++ -x c++ -fPIC -w -I "$src/vendor/hash") ;;
  esac
  nice -n 10 "${cc[@]}" "$1" -c "$2" -o "$obj.tmp.$BASHPID" && mv "$obj.tmp.$BASHPID" "$obj"
}
sources=()
for f in "$src"/tools/server/server*.cpp "$src/tools/server/main.cpp" "$build/ui/ui.cpp"; do sources+=("-O2:$f"); done
for f in "$src"/tools/mtmd/{mtmd,mtmd-audio,mtmd-image,mtmd-helper,mtmd-helper-gen,clip}.cpp "$src"/tools/mtmd/models/*.cpp \
  "$src"/vendor/hash/{hash.cpp,xxhash/xxhash.c,sha1/sha1.c,sha256/sha256.c}; do
  sources+=("-O1:$f")
done
rm -f "$build/failed"
running=0
for f in "${sources[@]}"; do
  { compile "${f%%:*}" "${f#*:}" || echo "${f#*:}" >>"$build/failed"; } &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait
if [ -f "$build/failed" ]; then
  sed "s|^$src/||" "$build/failed" | sed 's/^/  failed: /' >&2
  die "compiling $(wc -l <"$build/failed") of ${#sources[@]} sources failed (first: $(sed "s|^$src/||; 1q" "$build/failed"))"
fi

# Link into a fresh folder beside the output, then swap it in: a killed build never leaves a half binary.
step="linking llama-server"
rm -rf "$out".tmp.*
tmp="$out.tmp.$$"
scratch="$tmp"
mkdir -p "$tmp"
cp "$prebuilt"/*.so "$tmp/"
objs=()
for f in "${sources[@]}"; do objs+=("$(object "${f#*:}")"); done
g++ -pthread "${objs[@]}" -L "$tmp" -l:libllama-common.so -l:libllama.v0.5.0.so -l:libggml.v0.5.0.so \
  -l:libggml-base.so -Wl,-rpath,'$ORIGIN' -o "$tmp/llama-server"
"$tmp/llama-server" --version >/dev/null 2>&1 || die "the linked llama-server does not run ($tmp/llama-server --version)"
rm -rf "$out.old" && { [ ! -e "$out" ] || mv "$out" "$out.old"; } && mv "$tmp" "$out" && rm -rf "$out.old"
scratch=""
step=""
log "built $out/llama-server in $(( $(date +%s) - start )) s"
echo "$out/llama-server"
