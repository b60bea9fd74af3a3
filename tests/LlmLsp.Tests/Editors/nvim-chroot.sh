#!/usr/bin/env bash
# Neovim 0.12 for the editor tests: Debian forky ships it, but it needs a newer glibc than the host may have,
# so it runs in a cached debootstrap chroot. The host's .NET install, /tmp and the given folders are
# bind-mounted at the same paths, so `llmlsp serve` runs inside the chroot exactly as it would on the host.
#
#   nvim-chroot.sh prepare            build the chroot once (root, debootstrap, a Debian mirror in apt sources)
#   nvim-chroot.sh run DIR... -- ARGS  run `nvim ARGS` in the chroot with DIRs bind-mounted
#
# Exit code 3 with a "cannot run here: ..." line means this machine cannot host the chroot.
set -euo pipefail

suite=forky
cache="${LLMLSP_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmlsp-e2e}"
root="$cache/$suite"

cannot() { echo "cannot run here: $*" >&2; exit 3; }

# The first plain Debian archive the host's apt sources name (deb822 or one-line format).
mirror() {
  local files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
  local f
  for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    awk '
      /^[ \t]*URIs:/ { for (i = 2; i <= NF; i++) print $i }
      /^[ \t]*deb[ \t]/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }
    ' "$f"
  done | grep -E '^https?://[^ ]*/debian/?$' | head -n 1
}

prepare() {
  [ -x "$root/usr/bin/nvim" ] && return 0
  [ "$(id -u)" -eq 0 ] || cannot "building the $suite chroot needs root"
  command -v debootstrap >/dev/null || cannot "debootstrap is not installed (apt-get install debootstrap)"
  command -v unshare >/dev/null || cannot "unshare (util-linux) is not installed"
  local url script
  url="$(mirror)"
  [ -n "$url" ] || cannot "no Debian mirror in the apt sources"
  script=/usr/share/debootstrap/scripts/sid   # forky is testing; its bootstrap is the same as sid's
  mkdir -p "$cache"
  exec 9>"$cache/$suite.lock"
  flock 9
  [ -x "$root/usr/bin/nvim" ] && return 0
  rm -rf "$root.partial"
  echo "building the $suite chroot from $url (once; cached in $root)" >&2
  if ! debootstrap --variant=minbase --include=neovim,libstdc++6,libgomp1,ca-certificates \
      "$suite" "$root.partial" "$url" "$script" >"$cache/$suite.log" 2>&1; then
    tail -n 20 "$cache/$suite.log" >&2
    cannot "debootstrap $suite failed (log: $cache/$suite.log)"
  fi
  mv "$root.partial" "$root"
}

run() {
  local mounts=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do mounts+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  prepare
  local dotnet_root
  dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
  mounts+=("$dotnet_root" /tmp)
  # A private mount namespace: the bind mounts vanish with the process.
  exec unshare -m -- bash -c '
    set -e
    root="$1"; shift
    mount --make-rprivate /
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    while [ "$1" != "--" ]; do
      mkdir -p "$root$1"; mount --bind "$1" "$root$1"; shift
    done
    shift
    exec chroot "$root" /usr/bin/env PATH="$DOTNET_BIN:/usr/local/bin:/usr/bin:/bin" HOME=/tmp \
      DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$@"
  ' bash "$root" "${mounts[@]}" -- nvim "$@"
}

case "${1:-}" in
  prepare) prepare ;;
  run) shift; export DOTNET_BIN; DOTNET_BIN="$(dirname "$(readlink -f "$(command -v dotnet)")")"; run "$@" ;;
  *) echo "usage: $0 prepare | run DIR... -- NVIM-ARGS" >&2; exit 2 ;;
esac
