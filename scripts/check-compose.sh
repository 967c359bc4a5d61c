#!/usr/bin/env bash
# Validates docker-compose.yml with docker-compose (v1 parses offline; no engine needed).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing docker-compose to validate docker-compose.yml..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  else
    echo "docker-compose is needed to validate docker-compose.yml: sudo apt-get install docker-compose" >&2
    exit 1
  fi
fi
docker-compose -f docker-compose.yml config -q
services=$(docker-compose -f docker-compose.yml config --services | sort | tr '\n' ' ')
expected="postgres redis replay silo1 silo2 silo3 "
if [ "$services" != "$expected" ]; then
  echo "docker-compose.yml services are '$services', expected '$expected'" >&2
  exit 1
fi
echo "docker-compose.yml is valid: $services"
