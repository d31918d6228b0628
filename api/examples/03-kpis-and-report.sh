#!/usr/bin/env bash
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:8000}"
curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/projects/1/kpis?period_id=1" | python3 -m json.tool | head -60
curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/reports"; echo
curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/reports/1/checklist" | python3 -m json.tool | head -40
curl -s -o report.xlsx -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/reports/1/export.xlsx" && echo "saved report.xlsx"
