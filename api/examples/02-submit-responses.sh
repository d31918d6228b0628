#!/usr/bin/env bash
# Use the token of owner@coop-aurora.demo (project 1, period 1 belong to Cooperativa Aurora).
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:8000}"
ID=$(python3 -c 'import uuid; print(uuid.uuid4())')
body() {
  cat <<JSON
{"instance_id": "$ID", "form_id": "beneficiary_outcomes", "form_version": "2026.1",
 "project_id": 1, "period_id": 1, "wave": "baseline",
 "answers": {"consent": "yes", "respondent_code": "AUR-900", "gender": "female", "age": $1,
             "territory_type": "mountain", "vulnerable_conditions": ["unemployment"],
             "employment_status": "unemployed", "months_unemployed": 8, "wellbeing": "2", "autonomy": "3",
             "social_connections": "2", "satisfaction": "4", "would_recommend": "yes"}}
JSON
}
post() { curl -s -w ' -> %{http_code}\n' -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' "$BASE/api/v1/responses" -d "$1"; }
post "$(body 27)"   # 201 stored
post "$(body 27)"   # 200 already stored
post "$(body 28)"   # 409 same id, different answers
post "$(body 9)"   # 409 too: the id is taken; a new response needs a new instance id
