#!/usr/bin/env bash
# Builds the Gambit images from the repository root: REGISTRY/gambit/NAME:TAG for NAME in
# gateway game-engine finalizer room-reaper accounts id-provider web (or the names given).
#   scripts/build-images.sh [--tag TAG] [--registry REGISTRY] [--push] [--revision SHA] [--dry-run] [NAME...]
# (--dry-run prints the build commands, one a line, and runs nothing.)
# Engine: podman when installed, else docker (CONTAINER_ENGINE=docker to choose).
# The services come from ./Containerfile (--target NAME, --build-arg WORKSPACE and BUILD_ALSO
# from the tables below), the browser client from web/Containerfile.
# BASE: the build base (see the Containerfiles). Default: docker.io/library/node:24-bookworm-slim;
# on machines that cannot pull it, localhost/gambit-node-base:24 when that image exists
# (scripts/build-base-image.sh). With podman the build isolation is chroot (BUILD_ISOLATION to
# change it): no container runtime needed, as on the test machines. Behind a TLS-intercepting proxy the CA bundle in
# NODE_EXTRA_CA_CERTS is passed to npm as a build secret.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL=(gateway game-engine finalizer room-reaper accounts id-provider web)
# The service images: the workspace each compiles and installs (its stage in Containerfile, of the
# image's name, holds the labels, port and command that run it)...
declare -A WORKSPACE=(
  [gateway]=services/gateway
  [game-engine]=services/game-engine
  [finalizer]=services/finalizer
  [room-reaper]=controllers/room-reaper
  [accounts]=services/accounts
  [id-provider]=services/id-provider
)
# ...and the workspaces whose own build script runs after tsc (@gambit/rooms puts commit.lua next
# to its compiled store).
declare -A BUILD_ALSO=(
  [game-engine]=packages/rooms
  [room-reaper]=packages/rooms
)
TAG="$(node -p "require('./services/gateway/package.json').version")"
REGISTRY=localhost
PUSH=0
DRY_RUN=0
REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
names=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tag) TAG="$2"; shift 2 ;;
    --registry) REGISTRY="$2"; shift 2 ;;
    --push) PUSH=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    --revision) REVISION="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) [[ " ${ALL[*]} " == *" $1 "* ]] || { echo "unknown image $1 (one of: ${ALL[*]})" >&2; exit 2; }; names+=("$1"); shift ;;
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
  if [[ "$name" == web ]]; then
    per=(-f web/Containerfile)
  else
    per=(-f Containerfile --target "$name" --build-arg "WORKSPACE=${WORKSPACE[$name]}" --build-arg "BUILD_ALSO=${BUILD_ALSO[$name]:-}")
  fi
  if [[ "$DRY_RUN" == 1 ]]; then printf '%q ' "$ENGINE" "${args[@]}" "${per[@]}" -t "$image"; echo .; continue; fi
  echo "== $image (${per[*]}, base $BASE)"
  "$ENGINE" "${args[@]}" "${per[@]}" -t "$image" .
  if [[ "$PUSH" == 1 ]]; then "$ENGINE" push "$image"; fi
done
