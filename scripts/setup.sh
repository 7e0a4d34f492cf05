#!/usr/bin/env bash
# Installs every Debian package Wooly needs to build and test. Idempotent and quiet when
# everything is already there. Runs as root (or through sudo when available).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache git pkg-config python3
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22 libclang-rt-22-dev
  clang-format-22
  libzmq3-dev cppzmq-dev nlohmann-json3-dev catch2 libzstd-dev liblz4-dev libcpp-httplib-dev
  libssl-dev zlib1g-dev libedit-dev libxml2-dev libcurl4-openssl-dev curl
)
# Browser tests of the controller dashboard.
if [[ "${WOOLY_NO_BROWSER:-0}" != 1 ]]; then
  PACKAGES+=(chromium chromium-driver python3-selenium)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO="sudo"; fi
echo "wooly setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
