#!/bin/sh
# Backfill one held-out set into a scratch database and score its alerts.
set -e
SET=${1:-a}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DB=$(mktemp -d)/heldout.db
AW="$ROOT/.venv/bin/audit-worker"
"$AW" --db "$DB" backfill "$HERE/$SET/docs" >/dev/null 2>&1
"$AW" --db "$DB" alerts export --format jsonl > "$DB.jsonl"
python3 "$ROOT/../shared/tools/score_claims.py" "$DB.jsonl" --claims "$HERE/$SET/claims.jsonl" --quiet
