#!/usr/bin/env bash
# Installs the Debian packages MergeLab builds, tests and runs with.
# Idempotent: only packages that are missing are installed, so a machine
# that has everything costs one dpkg query. Works as root on a fresh machine
# with an old apt list (it refreshes the list only when something is missing).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config lld
  clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libeigen3-dev nlohmann-json3-dev libyaml-cpp-dev libstb-dev libicu-dev
  libimgui-dev libglfw3-dev libgl-dev libx11-dev
  xvfb xauth xdotool x11-utils imagemagick mesa-utils libgl1-mesa-dri fonts-dejavu-core
  python3 python3-numpy python3-yaml
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: not root and no sudo; please install: ${missing[*]}" >&2
    exit 1
  fi
fi

# apt may be busy right after boot: wait for the lock rather than fail.
apt_run() {
  local tries=0
  until $SUDO env DEBIAN_FRONTEND=noninteractive "$@"; do
    tries=$((tries + 1))
    if [ $tries -ge 20 ]; then return 1; fi
    echo "install-deps: apt busy, retrying in 5 s" >&2
    sleep 5
  done
}
apt_run apt-get update -qq
apt_run apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 "${missing[@]}"
