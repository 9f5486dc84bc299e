#!/usr/bin/env bash
# Installs Debian's nginx and squid for the proxy tests, which start their own processes with their own configs:
# the packages' system services are kept from starting. Needs root (or sudo); does nothing when both are there.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 && command -v squid >/dev/null 2>&1; then exit 0; fi
sudo=''
if [ "$(id -u)" != 0 ]; then sudo='sudo'; fi
# A policy-rc.d that exits 101 tells invoke-rc.d not to start services during the install; one already there stays.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nginx squid >/dev/null
