#!/usr/bin/env bash
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:8000}"
curl -s "$BASE/health"; echo
curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/me"; echo
