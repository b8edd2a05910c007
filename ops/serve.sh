#!/usr/bin/env bash
# `make serve`: the README's "Deploying" steps on this machine, for trying the product
# out or developing it: a local Prefect server, the work pool, every deployment of
# prefect.yaml, a process worker (and the review page when the command exists), then the
# URLs. Ctrl-C stops everything it started.
#
#   PREFECT_PORT (4200)  REVIEW_PORT (8765)  SERVE_DIR (.serve: the server's database and logs)
#   REPLENISH_SOURCE (default: demo/data, written with sample data if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${PREFECT_PORT:-4200}
REVIEW_PORT=${REVIEW_PORT:-8765}
STATE=$(mkdir -p "${SERVE_DIR:-.serve}" && cd "${SERVE_DIR:-.serve}" && pwd)

export PREFECT_HOME="$STATE/prefect"            # this server's own database
export PREFECT_API_URL="http://127.0.0.1:$PORT/api"
export PREFECT_UI_URL="http://127.0.0.1:$PORT"  # the link in alert e-mails
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false
# What the worker's runs read: a folder of CSV files and the embedded defaults (SQLite,
# outbox, ERP drop folder) in this checkout. Set REPLENISH_CONFIG for your own.
export REPLENISH_SOURCE=${REPLENISH_SOURCE:-$PWD/demo/data}
export REPLENISH_DATABASE_URL=${REPLENISH_DATABASE_URL:-sqlite:///$PWD/replenish.db}
if [ ! -d "$REPLENISH_SOURCE" ]; then
  "$BIN/replenish" sample-data --out "$REPLENISH_SOURCE"
fi

started=()
stop() { for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop EXIT INT TERM

"$BIN/prefect" server start --host 127.0.0.1 --port "$PORT" >"$STATE/server.log" 2>&1 &
started+=($!)
echo "Starting the Prefect server on port $PORT (log: $STATE/server.log) ..."
"$BIN/python" - "$PREFECT_API_URL/health" <<'PY'
import sys, time, urllib.request
for _ in range(180):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2)
        sys.exit(0)
    except OSError:
        time.sleep(1)
sys.exit("the Prefect server did not answer within 3 minutes: see the server log")
PY

"$BIN/prefect" work-pool create replenish --type process --overwrite
"$BIN/prefect" --no-prompt deploy --all
"$BIN/python" -m flows.automations   # a run whose heartbeats stop is marked Crashed
"$BIN/prefect" worker start --pool replenish >"$STATE/worker.log" 2>&1 &
started+=($!)

review=""
if usage=$("$BIN/replenish" review-server --help 2>/dev/null); then
  port_args=()
  if grep -q -- "--port" <<<"$usage"; then port_args=(--port "$REVIEW_PORT"); fi
  "$BIN/replenish" review-server "${port_args[@]}" >"$STATE/review.log" 2>&1 &
  started+=($!)
  review="http://127.0.0.1:$REVIEW_PORT"
fi

cat <<TXT

replenish is served:
  Prefect UI:        http://127.0.0.1:$PORT   (runs, artifacts, deployments)
  Prefect API:       $PREFECT_API_URL
  Review page:       ${review:-not available (no 'replenish review-server' command yet)}
  Worker log:        $STATE/worker.log
Start a night now:   PREFECT_API_URL=$PREFECT_API_URL $BIN/prefect deployment run nightly-replenishment/nightly
Ctrl-C stops the server, the worker and the review page.
TXT
wait
