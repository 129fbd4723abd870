#!/usr/bin/env bash
# Runs keyscope's own Postman collection (postman/) against a running server with newman.
# usage: scripts/run-postman.sh <baseUrl e.g. http://127.0.0.1:3000> <adminKey> [extra newman options...]
# The collection creates its own SCIM key with the admin key and removes everything it created,
# so it can run against any server, any number of times. Exit status: newman's (0 = all passed).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -lt 2 ]; then
  echo "usage: $0 <baseUrl e.g. http://127.0.0.1:3000> <adminKey> [extra newman options...]" >&2
  exit 2
fi
base_url="${1%/}"; admin_key="$2"; shift 2

set +e
npx --no-install newman run postman/keyscope.postman_collection.json \
  -e postman/keyscope.postman_environment.json \
  --env-var "baseUrl=$base_url" \
  --env-var "adminKey=$admin_key" \
  --timeout-request 30000 \
  --color off \
  "$@"
status=$?
set -e
exit "$status"
