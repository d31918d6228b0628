#!/usr/bin/env bash
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:8000}"
HERE="$(cd "$(dirname "$0")/../.." && pwd)"
MAP=$(python3 -c "import json,sys,yaml; print(json.dumps({'value_map': yaml.safe_load(open('$HERE/docs/examples/value-map-case-a.yaml'))}))" 2>/dev/null \
  || "$HERE/.venv/bin/python" -c "import json,yaml; print(json.dumps({'value_map': yaml.safe_load(open('$HERE/docs/examples/value-map-case-a.yaml'))}))")
for what in compute sensitivity simulate; do
  echo "== $what"
  curl -s -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' "$BASE/api/v1/sroi/$what" -d "$MAP" | head -c 600; echo
done
