#!/usr/bin/env bash
# Installs the named Debian packages when their command is missing (apt-get, as root or with sudo).
set -euo pipefail
missing=()
for pkg in "$@"; do
  cmd=$pkg
  [ "$pkg" = chromium ] && cmd=chromium
  [ "$pkg" = prometheus-alertmanager ] && cmd=amtool
  [ "$pkg" = coturn ] && cmd=turnserver
  # nginx is in /usr/sbin, which a normal user's PATH lacks.
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Missing: ${missing[*]}. Install them with your package manager (this script knows apt-get only)." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing ${missing[*]} with apt-get"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
