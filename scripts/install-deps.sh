#!/usr/bin/env bash
# Installs every Debian package proxjit needs to build, test and benchmark.
# Idempotent: packages already present are not downloaded again.
set -euo pipefail

packages=(
  build-essential cmake make git
  llvm-19-dev libzstd-dev zlib1g-dev libxml2-dev libcurl4-openssl-dev libedit-dev libffi-dev
  libeigen3-dev libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  libreadline-dev clang-format tmux clang
  python3  # the CLI tests parse JSON output with it
  liblinear-tools  # heart_scale, a real LIBSVM file for the loader tests
  liblinear-dev  # bench/bench_vs_liblinear.cpp times liblinear's train() in process
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
