#!/usr/bin/env bash
# Builds every function for arm64 (release) and zips it as Lambda expects:
# target/lambda/<function>/bootstrap.zip. Prints each zip's size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# The arm64 standard library; rustup fetches it once.
if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
  rustup target add aarch64-unknown-linux-gnu
fi
functions=()
for dir in functions/*/; do functions+=("$(basename "$dir")"); done
args=()
for f in "${functions[@]}"; do args+=(--bin "$f"); done
cargo lambda build --release --arm64 --output-format zip "${args[@]}"
echo "arm64 packages:"
for f in "${functions[@]}"; do
  zip="target/lambda/$f/bootstrap.zip"
  [ -f "$zip" ] || { echo "package: $zip was not produced" >&2; exit 1; }
  printf '  %-22s %8d bytes (%s MB)\n' "$f" "$(stat -c %s "$zip")" \
    "$(awk -v b="$(stat -c %s "$zip")" 'BEGIN { printf "%.2f", b / 1000000 }')"
done
