#!/usr/bin/env bash
# Install the system programs the test suite needs, from Debian's packages, when they are missing:
#   chromium                the browser tests (Playwright's own browser download does not work offline)
#   pdftotext (poppler)     the briefing-pack PDF tests read the text of the PDF
#   soffice (LibreOffice)   the template's LibreOffice round trip
# With --proxy, only what `make loadtest-proxy` needs instead: nginx.
# Measured on the 2-core CI machine: about 25 s for chromium, 30 s for libreoffice-calc-nogui and 5 s for
# the rest, once per fresh machine; nothing when they are already there.
set -euo pipefail

needed=()
have() { command -v "$1" >/dev/null 2>&1; }
if [ "${1:-}" = "--proxy" ]; then
  # make loadtest-proxy: only nginx (Debian's package; the run starts its own, never the system service).
  have nginx || [ -x /usr/sbin/nginx ] || needed+=(nginx)
else
  have chromium || [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || needed+=(chromium)
  have pdftotext || needed+=(poppler-utils)
  have soffice || needed+=(libreoffice-calc-nogui)
fi
[ ${#needed[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing Debian packages for the tests: ${needed[*]}..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
