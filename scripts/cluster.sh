#!/usr/bin/env bash
# make cluster: the cluster topology of docker-compose.yml as local processes.
#   private PostgreSQL + Redis (`Ingestion.Silo servers`, data in .data/cluster, migrations applied)
#   -> the replay server on http://127.0.0.1:9100
#   -> three silos, Ingestion:Profile=cluster: Redis membership, grain state in PostgreSQL, Redis reminders,
#      durable Redis Streams; silo1 serves the dashboard on http://127.0.0.1:8080.
# Ctrl-C (or SIGTERM) stops the silos one by one (each drains its streams), then the replay, then Redis and PostgreSQL.
#
#   scripts/cluster.sh [Release|Debug]   build once, start everything, wait for Ctrl-C
#   scripts/cluster.sh silo N            start silo N (1-3) again, in the foreground, against the running cluster
#                                        (e.g. after `kill -9` of its process)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data="$root/.data/cluster"
env_file="$data/servers.env"
config_file="$data/config"
replay_port=9100

silo_bin() { echo "$root/src/Silo/bin/$1/net10.0"; }

# Silo n: SiloPort 11110+n, GatewayPort 29999+n; only silo1 has a known HTTP port (the dashboard).
silo_args() {
  local n=$1
  local dashboard="http://127.0.0.1:0"
  [ "$n" = 1 ] && dashboard="http://127.0.0.1:8080"
  args=(--contentRoot "$SILO_BIN" \
    --Ingestion:Profile=cluster \
    --Ingestion:SiloPort=$((11110 + n)) --Ingestion:GatewayPort=$((29999 + n)) \
    --Dashboard:Urls="$dashboard" \
    --Sources:Polygon:WebSocketUrl="ws://127.0.0.1:$replay_port" \
    --Sources:Polygon:RestBaseUrl="http://127.0.0.1:$replay_port" \
    --Sources:Polygon:ApiKey=replay-key \
    --Sources:Polygon:RespectMarketHours=false \
    --Sources:UnusualWhales:Enabled=false)
  # Unusual Whales stays off against the replay; with a real token in Sources__UnusualWhales__Token
  # (environment), run with Sources__UnusualWhales__Enabled=true to ingest it on the cluster.
}

# Each child gets its own session (setsid): a Ctrl-C in the terminal reaches only this script, which
# then stops the children in order, so Redis and PostgreSQL outlive the silos that drain into them.
start() {
  local name=$1; shift
  # The log prefixer ignores Ctrl-C too, or the children's last words (their shutdown) would be lost.
  setsid "$@" > >(trap '' INT; exec sed -u "s/^/[$name] /") 2>&1 &
  pids[$name]=$!
  echo "[cluster] $name started (pid ${pids[$name]})"
}

if [ "${1:-}" = silo ]; then
  n=${2:?usage: scripts/cluster.sh silo N}
  [ -f "$env_file" ] && [ -f "$config_file" ] || { echo "No running cluster (start it with make cluster)." >&2; exit 1; }
  SILO_BIN=$(silo_bin "$(cat "$config_file")")
  set -a; . "$env_file"; set +a
  silo_args "$n"
  # The pid file lets the Ctrl-C of `make cluster` stop this silo too.
  echo $$ > "$data/silo$n.pid"
  exec dotnet "$SILO_BIN/Ingestion.Silo.dll" "${args[@]}"
fi

config="${1:-Release}"
SILO_BIN=$(silo_bin "$config")
REPLAY_BIN="$root/src/Replay/bin/$config/net10.0"
echo "[cluster] building ($config)"
dotnet build src/Silo/Ingestion.Silo.csproj -c "$config" --nologo -v q -clp:ErrorsOnly
dotnet build src/Replay/Ingestion.Replay.csproj -c "$config" --nologo -v q -clp:ErrorsOnly
mkdir -p "$data"
echo "$config" > "$config_file"
rm -f "$env_file"

declare -A pids=()
stopping=0
stop() {
  [ "$stopping" = 1 ] && return
  stopping=1
  trap '' INT TERM
  # One at a time: a silo drains its connections into streams whose queues and writers live on the silos still
  # running; stopping all at once leaves the drain chasing queues that are moving between departing silos.
  for name in silo3 silo2 silo1; do
    local pid="${pids[$name]:-}"
    # A silo restarted by hand (scripts/cluster.sh silo N) is not a child of this script: its pid file names it.
    if [ -f "$data/$name.pid" ]; then
      pid=$(cat "$data/$name.pid")
      rm -f "$data/$name.pid"
    fi
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
    echo "[cluster] stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    wait "$pid" 2>/dev/null || true
  done
  echo "[cluster] stopping the replay server"
  [ -n "${pids[replay]:-}" ] && { kill -TERM "${pids[replay]}" 2>/dev/null || true; wait "${pids[replay]}" 2>/dev/null || true; }
  echo "[cluster] stopping Redis and PostgreSQL"
  [ -n "${pids[servers]:-}" ] && { kill -TERM "${pids[servers]}" 2>/dev/null || true; wait "${pids[servers]}" 2>/dev/null || true; }
  rm -f "$config_file"
  echo "[cluster] stopped"
  exit 0
}
trap stop INT TERM

start servers dotnet "$SILO_BIN/Ingestion.Silo.dll" servers --Ingestion:DataDirectory="$data" --EnvFile="$env_file"
for _ in $(seq 1 120); do
  [ -f "$env_file" ] && break
  kill -0 "${pids[servers]}" 2>/dev/null || { echo "[cluster] the private servers did not start" >&2; exit 1; }
  sleep 0.5
done
[ -f "$env_file" ] || { echo "[cluster] the private servers did not start within 60 s" >&2; stop; }
set -a; . "$env_file"; set +a

start replay dotnet "$REPLAY_BIN/Ingestion.Replay.dll" --Replay:Urls="http://127.0.0.1:$replay_port" --Replay:Speed=1 --Replay:Dataset=synthetic
rm -f "$data"/silo?.pid
for n in 1 2 3; do
  silo_args "$n"
  start "silo$n" dotnet "$SILO_BIN/Ingestion.Silo.dll" "${args[@]}"
done
echo "[cluster] dashboard: http://127.0.0.1:8080  status: http://127.0.0.1:8080/api/status  replay: http://127.0.0.1:$replay_port/replay/stats"
echo "[cluster] PostgreSQL: $ConnectionStrings__Postgres"
echo "[cluster] Redis: $ConnectionStrings__Redis"
echo "[cluster] Ctrl-C stops everything"

# Wait until interrupted; a child that exits on its own (a silo killed by hand) does not end the cluster.
while true; do
  wait -n 2>/dev/null || true
  sleep 1
done
