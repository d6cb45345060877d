#!/usr/bin/env bash
# make kind-down: deletes the kind cluster of make kind-up (and everything in it).
set -euo pipefail
CLUSTER="${KIND_CLUSTER:-gambit}"
command -v kind >/dev/null || { echo "kind is not installed" >&2; exit 1; }
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  kind delete cluster --name "$CLUSTER"
else
  echo "no kind cluster named $CLUSTER"
fi
