#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing: Chromium (browser
# tests), PostgreSQL (CI), Pango (WeasyPrint PDFs), an Arabic font, gettext (catalogues).
# Installing needs root; otherwise it says what to install and fails.
set -euo pipefail
need=()
command -v "${CHROMIUM_PATH:-chromium}" >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-hosny-amiri; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${need[*]}. Install them (e.g. 'sudo apt-get install ${need[*]}') and retry." >&2
  exit 1
fi
echo "Installing system packages: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
