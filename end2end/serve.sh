#!/usr/bin/env bash
# Starts the real inkwarden binary for the end-to-end run: a fresh database in E2E_DATA_DIR and
# one account per role made with the CLI, all with the run's random E2E_PASSWORD.
set -euo pipefail
bin="${INKWARDEN_BIN:?set INKWARDEN_BIN to the inkwarden binary (cargo xtask test does)}"
export DATABASE_URL="sqlite://${E2E_DATA_DIR:?}/e2e.db"
for account in admin:admin editor:editor author:author writer:author; do
  printf '%s\n' "${E2E_PASSWORD:?}" | "$bin" user create --username "${account%%:*}" --role "${account##*:}" --password-stdin
done
# Loopback is the trusted proxy, so tests can speak for many reader addresses via X-Forwarded-For.
# Every browser signs in from 127.0.0.1: the address lockout is raised so the journeys' deliberate
# wrong passwords cannot lock each other out (the username lockout keeps its default).
exec "$bin" serve --insecure-cookies --addr "127.0.0.1:${PORT:?}" --trusted-proxy 127.0.0.1 \
  --secret-key-file "$E2E_DATA_DIR/secret.key" --lockout-ip-failures 200
