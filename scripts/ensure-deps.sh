#!/usr/bin/env bash
# Installs what `make run` and `make test` need and are missing, or says exactly what to install.
set -euo pipefail

missing=()
command -v dotnet >/dev/null 2>&1 || { echo "The .NET 10 SDK is required: https://dotnet.microsoft.com/download (dotnet not on PATH)." >&2; exit 1; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} (Debian packages)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    # The Debian package starts a system-wide server; ours are private, so stop it again.
    if [[ " ${missing[*]} " == *" postgresql "* ]]; then service postgresql stop >/dev/null 2>&1 || true; fi
    if [[ " ${missing[*]} " == *" redis-server "* ]]; then service redis-server stop >/dev/null 2>&1 || true; fi
  else
    echo "Missing: ${missing[*]}. Install with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
