#!/usr/bin/env bash
# make kind-up: a kind cluster (infra/kind/cluster.yaml), the images built and loaded into it,
# `helm upgrade --install` with charts/gambit/values-kind.yaml, `helm test`, then the URL to play.
# Needs Docker (or podman: KIND_EXPERIMENTAL_PROVIDER=podman), kind and kubectl. helm: the one on
# PATH, else .tools/helm/helm from the npm package (Linux x86-64). Run it again after a change:
# images are rebuilt with a new tag and the release is upgraded in place. docs/kind.md.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER="${KIND_CLUSTER:-gambit}"
NAMESPACE="${NAMESPACE:-gambit}"
RELEASE="${RELEASE:-gambit}"
HOST_PORT=8080   # infra/kind/cluster.yaml maps the gateway's NodePort 30080 here

for tool in kind kubectl; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (docs/kind.md lists what kind-up needs)" >&2; exit 1; }
done
if command -v helm >/dev/null; then HELM=helm; else HELM="$(node scripts/helm-tools.mjs --print)"; fi
if [[ "${KIND_EXPERIMENTAL_PROVIDER:-docker}" == podman ]]; then ENGINE=podman; else ENGINE=docker; fi
command -v "$ENGINE" >/dev/null || { echo "$ENGINE is not installed: kind needs a container engine" >&2; exit 1; }

# 1. the cluster
if ! kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  kind create cluster --name "$CLUSTER" --config infra/kind/cluster.yaml --wait 120s
fi
kubectl config use-context "kind-$CLUSTER" >/dev/null

# 2. the images: a tag per run so the pods roll to the new build
TAG="dev-$(git rev-parse --short HEAD 2>/dev/null || echo local)-$(date +%s)"
CONTAINER_ENGINE="$ENGINE" BUILD_ISOLATION="${BUILD_ISOLATION:-oci}" bash scripts/build-images.sh --tag "$TAG"
for name in gateway game-engine finalizer room-reaper accounts id-provider web; do
  image="localhost/gambit/$name:$TAG"
  if [[ "$ENGINE" == podman ]]; then
    archive="$(mktemp -t gambit-image.XXXXXX.tar)"
    podman save -o "$archive" "$image" && kind load image-archive "$archive" --name "$CLUSTER"; rm -f "$archive"
  else
    kind load docker-image "$image" --name "$CLUSTER"
  fi
done

# 3. the release (the CRD comes from the chart's crds/ folder on first install)
"$HELM" upgrade --install "$RELEASE" charts/gambit --namespace "$NAMESPACE" --create-namespace \
  -f charts/gambit/values-kind.yaml --set "image.tag=$TAG" --wait --timeout 5m
"$HELM" test "$RELEASE" --namespace "$NAMESPACE" --logs --timeout 2m

# 4. the URL: the port mapping of the cluster, else a port-forward
URL="http://localhost:$HOST_PORT/"
if ! curl -fsS -o /dev/null "http://localhost:$HOST_PORT/healthz" 2>/dev/null; then
  URL="http://localhost:8081/"
  echo "the host port mapping does not answer; port-forwarding 8081 -> gateway instead (Ctrl-C stops it)"
  echo
  echo "Play at $URL (open it in two tabs)"
  svc="$(kubectl --namespace "$NAMESPACE" get service -l "app.kubernetes.io/instance=$RELEASE,app.kubernetes.io/component=gateway" -o name)"
  exec kubectl --namespace "$NAMESPACE" port-forward "$svc" 8081:80
fi
echo
echo "Play at $URL (open it in two tabs: create a game in one, join with its code in the other)"
echo "Logs:     kubectl -n $NAMESPACE logs -l app.kubernetes.io/instance=$RELEASE --all-containers -f"
echo "Tear down: make kind-down"
