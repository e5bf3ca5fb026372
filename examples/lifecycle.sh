#!/usr/bin/env bash
# The whole registration from a script, against `tendlc sandbox` (or Plivo: drop API).
# Needs PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN (the ones `tendlc sandbox` printed) and jq.
set -euo pipefail
API=(--api-url "${TENDLC_API_URL:-http://127.0.0.1:8766}")
HERE=$(dirname "$0")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "== profile"
PROFILE=$(tendlc profile create --from-file "$HERE/profile.json" "${API[@]}" --json | jq -r .profile_uuid)
tendlc profile get "$PROFILE" "${API[@]}" | grep -E '^(company_name|entity_type|profile_alias):'

echo "== brand"
BRAND=$(tendlc brand create --profile-uuid "$PROFILE" --brand-alias acme --wait "${API[@]}" --json \
        | jq -r .brand_id)

echo "== campaign (the sandbox rejects a description containing reject-1004)"
if tendlc campaign create --from-file "$HERE/campaign.json" --brand-id "$BRAND" \
     --description "Acme Retail order updates and login codes (reject-1004 for the demo)." \
     --wait "${API[@]}" > "$WORK/campaign.out"; then
  echo "unexpected: registered"; exit 1
fi
cat "$WORK/campaign.out"
CAMPAIGN=$(tendlc campaign list --brand-id "$BRAND" "${API[@]}" --json | jq -r '.[0].campaign_id')

echo "== fix and resubmit"
tendlc campaign update "$CAMPAIGN" --wait "${API[@]}" \
  --description "Acme Retail order updates and login codes for customers who opted in." \
  --message-flow "Customers opt in by ticking an unticked SMS box at checkout on acme.example/checkout."

echo "== numbers: three free ones from the inventory, bulk link from stdin"
tendlc number list --free "${API[@]}" --json | jq -r '.[:3][].number' > "$WORK/numbers.txt"
echo "+1 415 555 0000" >> "$WORK/numbers.txt"   # the sandbox fails numbers ending 0000
if tendlc number link "$CAMPAIGN" - --wait "${API[@]}" < "$WORK/numbers.txt"; then
  echo "unexpected: every link succeeded"; exit 1
fi
echo "(one link failed, as asked)"

echo "== unlink one"
tendlc number unlink "$CAMPAIGN" "$(head -1 "$WORK/numbers.txt")" --wait "${API[@]}"
tendlc number list --campaign "$CAMPAIGN" "${API[@]}"

echo "== delete"
tendlc campaign delete "$CAMPAIGN" "${API[@]}"
tendlc brand delete "$BRAND" "${API[@]}"
tendlc profile delete "$PROFILE" "${API[@]}"
tendlc status --json | jq -r '.[] | "\(.type) \(.id) \(.badge)"'
