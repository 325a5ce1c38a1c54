#!/usr/bin/env bash
# Post-deploy smoke check: calls every route with and without the trailing
# slash and fails unless each answers 200 with the expected body.
#   scripts/smoke.sh BASE_URL [CLIENT_ID] [BRAND_ID]
# Deployed routes need a token: export SMOKE_TOKEN (without "Bearer ").
# Works against make dev too: scripts/smoke.sh http://127.0.0.1:9000
set -euo pipefail
base=${1:?usage: smoke.sh BASE_URL [CLIENT_ID] [BRAND_ID]}
base=${base%/}
client=${2:-demo}
brand=${3:-brand-0001}
auth=()
if [ -n "${SMOKE_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer $SMOKE_TOKEN"); fi
failed=0
check() { # path expect
  local url="$base$1" out status body
  out=$(curl -sS --max-time 10 "${auth[@]}" -w $'\n%{http_code}' "$url") || { echo "FAIL $1: no answer"; failed=1; return; }
  status=${out##*$'\n'}
  body=${out%$'\n'*}
  if [ "$status" = 200 ] && [[ "$body" == $2* ]]; then
    echo "ok   $status $1"
  else
    echo "FAIL $status $1: ${body:0:200}"
    failed=1
  fi
}
for route in competitors website-scrapes social-scrapes; do
  for slash in "" "/"; do
    check "/brands/$route$slash?client_id=$client&brand_id=$brand" "["
  done
done
check "/health" '{"status":"ok"'
exit $failed
