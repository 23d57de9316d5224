#!/usr/bin/env bash
# Install the Debian packages in scripts/system-packages.txt: CJK fonts for documents,
# libharfbuzz-subset0 (without it WeasyPrint is ~40x slower), poppler-utils (pdfsig,
# pdftotext, pdftoppm), NSS tools (pdfsig's trust store) and chromium (browser tests).
# As root it runs apt-get; otherwise it prints the exact command to run.
set -euo pipefail
cd "$(dirname "$0")"
mapfile -t wanted < <(grep -v '^\s*#' system-packages.txt | grep -v '^\s*$')
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "system packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  $command
else
  echo "system packages missing: ${missing[*]}"
  echo "run as root:  sudo apt-get update && sudo $command"
  exit 1
fi
