#!/usr/bin/env bash
# Builds the Gambit images from the repository root: REGISTRY/gambit/NAME:TAG for NAME in
# gateway game-engine finalizer room-reaper web (or the names given).
#   scripts/build-images.sh [--tag TAG] [--registry REGISTRY] [--push] [--revision SHA] [NAME...]
# Engine: podman when installed, else docker (CONTAINER_ENGINE=docker to choose).
# BASE: the build base (see the Containerfiles). Default: docker.io/library/node:24-bookworm-slim;
# on machines that cannot pull it, localhost/gambit-node-base:24 when that image exists
# (scripts/build-base-image.sh). With podman the build isolation is chroot (BUILD_ISOLATION to
# change it): no container runtime needed, as on the test machines. Behind a TLS-intercepting proxy the CA bundle in
# NODE_EXTRA_CA_CERTS is passed to npm as a build secret.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL=(gateway game-engine finalizer room-reaper web)
declare -A FILE=(
  [gateway]=services/gateway/Containerfile
  [game-engine]=services/game-engine/Containerfile
  [finalizer]=services/finalizer/Containerfile
  [room-reaper]=controllers/room-reaper/Containerfile
  [web]=web/Containerfile
)
TAG="$(node -p "require('./services/gateway/package.json').version")"
REGISTRY=localhost
PUSH=0
REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
names=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tag) TAG="$2"; shift 2 ;;
    --registry) REGISTRY="$2"; shift 2 ;;
    --push) PUSH=1; shift ;;
    --revision) REVISION="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) [[ -n "${FILE[$1]:-}" ]] || { echo "unknown image $1 (one of: ${ALL[*]})" >&2; exit 2; }; names+=("$1"); shift ;;
  esac
done
[[ ${#names[@]} -gt 0 ]] || names=("${ALL[@]}")
[[ "$TAG" != latest ]] || { echo "refusing the tag latest: use a version or a commit" >&2; exit 2; }

ENGINE="${CONTAINER_ENGINE:-}"
if [[ -z "$ENGINE" ]]; then
  if command -v podman >/dev/null; then ENGINE=podman; elif command -v docker >/dev/null; then ENGINE=docker; else
    echo "neither podman nor docker is installed" >&2; exit 1; fi
fi
if [[ -z "${BASE:-}" ]]; then
  BASE=docker.io/library/node:24-bookworm-slim
  if [[ "$ENGINE" == podman ]] && podman image exists localhost/gambit-node-base:24; then BASE=localhost/gambit-node-base:24; fi
fi

args=(build --build-arg "BASE=$BASE" --build-arg "VERSION=$TAG" --build-arg "REVISION=$REVISION")
[[ -n "${NPM_REGISTRY:-}" ]] && args+=(--build-arg "NPM_REGISTRY=$NPM_REGISTRY")
[[ -n "${NODE_EXTRA_CA_CERTS:-}" && -s "${NODE_EXTRA_CA_CERTS}" ]] && args+=(--secret "id=npm_ca,src=$NODE_EXTRA_CA_CERTS")
# chroot isolation needs no container runtime (builds work where `podman run` does not)
[[ "$ENGINE" == podman ]] && args+=("--isolation=${BUILD_ISOLATION:-chroot}")

for name in "${names[@]}"; do
  image="$REGISTRY/gambit/$name:$TAG"
  echo "== $image (from ${FILE[$name]}, base $BASE)"
  "$ENGINE" "${args[@]}" -f "${FILE[$name]}" -t "$image" .
  if [[ "$PUSH" == 1 ]]; then "$ENGINE" push "$image"; fi
done
