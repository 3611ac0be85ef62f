#!/usr/bin/env bash
# Installs Debian's Chromium for the one test that needs a browser
# (tests/e2e/html_report.sh draws the HTML report headless). Optional: where
# it cannot be installed (no network, another distribution) that test says
# so and skips; nothing else needs it, so scripts/setup.sh does not install it.
set -uo pipefail
if command -v chromium >/dev/null; then
  echo "install-browser: chromium present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
install() { $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
if install || { $sudo apt-get update -qq && install; }; then
  echo "install-browser: installed $(chromium --version 2>/dev/null)"
else
  echo "install-browser: could not install chromium: the HTML report's browser test will skip"
fi
exit 0
