#!/usr/bin/env bash
# Installs Debian's chromium when it is missing, for ReportIT, which opens the report in headless
# Chromium. Run by the build before the integration tests. It never fails the build by itself: when
# Chromium cannot be installed (not root, no apt), it says why and ReportIT fails with the reason.
set -uo pipefail

find_chromium() {
  command -v chromium || command -v chromium-browser
}

if find_chromium >/dev/null; then
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-chromium: chromium is not installed and cannot be installed here (needs root and" \
    "apt-get); install it with: apt-get install -y --no-install-recommends chromium" >&2
  exit 0
fi

install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
}

log="$(mktemp)"
echo "ensure-chromium: installing Debian's chromium for ReportIT..." >&2
# The package lists may be missing or stale on a fresh machine: update them when the install fails.
if ! install >"$log" 2>&1; then
  apt-get update -q >>"$log" 2>&1
  install >>"$log" 2>&1
fi

if found="$(find_chromium)"; then
  echo "ensure-chromium: installed $found ($("$found" --version 2>/dev/null))" >&2
else
  echo "ensure-chromium: installing chromium failed; the last lines of apt-get:" >&2
  tail -n 15 "$log" >&2
fi
exit 0
