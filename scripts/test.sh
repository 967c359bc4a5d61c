#!/usr/bin/env bash
# Runs the whole suite and ends with one plain summary line ("N passed, N failed").
set -uo pipefail
cd "$(dirname "$0")/.."
config="${1:-Release}"
log=$(mktemp)
dotnet test Ingestion.sln -c "$config" --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
