#!/usr/bin/env bash
# The REST API's contract, run by `cargo xtask test` (and so by .ci/run): schemathesis (PyPI, in
# a venv in the CI cache) reads /api/v1/openapi.json from the real binary and sends it generated
# requests, valid and invalid, with a token holding every scope. It fails on any 5xx, on a status
# code the document does not list, on a response that does not match its schema (body, content
# type, headers), and on the other checks named below.
#
#   end2end/contract.sh          INKWARDEN_BIN (default target/release/inkwarden) is the binary
#
# Not checked, and why: `positive_data_acceptance` and `negative_data_rejection` need a schema
# that states every rule exactly, and some rules span fields or other rows (a slug made from the
# title must not come out empty; a category id must exist): the API answers 422 on the field
# for those, which the document lists.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(readlink -f "${INKWARDEN_BIN:-target/release/inkwarden}")
cache=${INKWARDEN_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/inkwarden-ci}
version=4.32.5
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance
checks=$checks,response_schema_conformance,missing_required_header,unsupported_method,ignored_auth
checks=$checks,use_after_free,ensure_resource_availability

tmp=$(mktemp -d)
app_pid=""
cleanup() {
  set +e
  if [ -n "$app_pid" ]; then kill "$app_pid" 2> /dev/null && wait "$app_pid" 2> /dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { printf 'FAIL %s\n' "$1" >&2; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/     /' >&2; exit 1; }

venv="$cache/schemathesis-$version"
mkdir -p "$cache" 2> /dev/null || venv="$tmp/schemathesis-venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -c 'import ensurepip, venv' 2> /dev/null || fail "python3's venv module is missing (Debian: python3-venv)"
  rm -rf "$venv"
  python3 -m venv "$venv" > /dev/null
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version" > "$tmp/pip.log" 2>&1 ||
    { rm -rf "$venv"; fail "cannot install schemathesis $version" "$(tail -20 "$tmp/pip.log")"; }
fi

# A fresh database, an admin, and one token with every scope, made with the real CLI.
export DATABASE_URL="sqlite://$tmp/contract.db"
head -c 24 /dev/urandom | base64 | "$bin" user create --username owner --role admin --password-stdin > /dev/null
token=$("$bin" token create --name contract --owner owner \
  --scope posts:read --scope posts:write --scope posts:publish --scope comments:moderate)

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The rate limit is raised: schemathesis sends far more than 600 requests a minute.
"$bin" serve --insecure-cookies --addr "127.0.0.1:$port" --secret-key-file "$tmp/secret.key" \
  --api-rate-limit 1000000 > "$tmp/server.log" 2>&1 &
app_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do
  python3 -c "import urllib.request as u; u.urlopen('$base/api/v1/openapi.json', timeout=1)" 2> /dev/null && break
  kill -0 "$app_pid" 2> /dev/null || fail "the server did not start" "$(cat "$tmp/server.log")"
  sleep 0.2
done

# Something to read and moderate: a published post with comments from readers.
python3 - "$base" "$token" << 'EOF' || fail "cannot seed the contract database" "$(tail -20 "$tmp/server.log")"
import json, sys, urllib.parse, urllib.request as u
base, token = sys.argv[1], sys.argv[2]
def call(method, path, body=None):
    req = u.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                    headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(u.urlopen(req))
post = call("POST", "/api/v1/posts", {"title": "Contract", "body": "Checked by schemathesis."})
call("POST", f"/api/v1/posts/{post['id']}/publish")
for n in range(3):
    form = urllib.parse.urlencode({"name": f"Reader {n}", "email": "", "body": "Nice.", "website": ""}).encode()
    u.urlopen(u.Request(f"{base}/posts/{post['slug']}/comments", data=form,
                        headers={"X-Forwarded-For": f"192.0.2.{n}"}))
EOF

started=$(date +%s)
"$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" --checks "$checks" \
  --max-examples "${CONTRACT_EXAMPLES:-60}" --seed 20261201 --workers 2 --no-color --generation-database none \
  --report junit --report-dir "$tmp/report" ||
  fail "schemathesis found failures (above); server log:" "$(tail -40 "$tmp/server.log")"
if grep -qi 'panicked' "$tmp/server.log"; then fail "the server panicked" "$(grep -i -A5 panicked "$tmp/server.log")"; fi
python3 - "$tmp/report"/*.xml "$(($(date +%s) - started))" << 'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
count = lambda key: sum(int(s.get(key, 0)) for s in suites)
print(f"contract: {count('tests')} operations, {count('failures')} failures, {count('errors')} errors, "
      f"{count('skipped')} skipped, {sys.argv[2]} s")
EOF
