#!/usr/bin/env bash
# Deployment checks, run by `cargo xtask test` (and so by .ci/run):
#
#   gixy     deploy/nginx/inkwarden.conf passes gixy (PyPI package gixy-ng, in a venv in the CI
#            cache) with no findings.
#   nginx    the production config passes `nginx -t`; then a real nginx runs a plain-HTTP variant
#            generated from it (redirect server and ssl_ lines dropped, `listen 443` moved to a
#            free high port, the upstream pointed at a fresh instance of the real binary, the
#            allowlist reduced to 127.0.0.1, a temporary password file) and curl checks the
#            /admin guard (allowlist or basic auth, path tricks included), the unguarded public
#            site, the body limits, /pkg/ caching, HSTS, and that the app records the client's
#            address (127.0.0.2) because nginx is its trusted proxy.
#   systemd  deploy/systemd/inkwarden.service passes `systemd-analyze verify` (the ExecStart path
#            swapped for the binary under test) and its `systemd-analyze security` exposure is
#            printed; skipped, with a notice, where systemd-analyze is missing.
#
#   deploy/test.sh [gixy|nginx|systemd]…        (no argument: all three)
#
# INKWARDEN_BIN (default target/release/inkwarden) and LEPTOS_SITE_ROOT (default target/site)
# name the build under test. Missing Debian packages (nginx, apache2-utils, curl, python3-venv)
# are installed when running as root; otherwise the script names the package to install.
# Everything it starts is stopped on exit, failure included. It stops at the first failed check.
set -euo pipefail
cd "$(dirname "$0")/.."

conf=deploy/nginx/inkwarden.conf
unit=deploy/systemd/inkwarden.service
bin=${INKWARDEN_BIN:-target/release/inkwarden}
site=${LEPTOS_SITE_ROOT:-target/site}
cache=${INKWARDEN_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/inkwarden-ci}
gixy_version=0.2.59
export PATH="$PATH:/usr/sbin:/sbin"   # nginx and systemd-analyze for non-root users

if [ $# -gt 0 ]; then sections=("$@"); else sections=(gixy nginx systemd); fi
for s in "${sections[@]}"; do
  case $s in gixy | nginx | systemd) ;; *) echo "usage: deploy/test.sh [gixy|nginx|systemd]…" >&2; exit 2 ;; esac
done

tmp=$(mktemp -d)
app_pid="" nginx_pid=""

stop() { # pid: SIGTERM, then SIGKILL after 5 s
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
cleanup() {
  set +e
  [ -n "$nginx_pid" ] && stop "$nginx_pid"
  [ -n "$app_pid" ] && stop "$app_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }
started=$(now_ms)
pass() { printf 'ok   %5d ms  %s\n' "$(($(now_ms) - $2))" "$1"; }
fail() { # message, then lines of detail
  printf 'FAIL %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do printf '%s\n' "$line" | sed 's/^/     /' >&2; done
  exit 1
}

# ensure COMMAND PACKAGE: install Debian's PACKAGE when COMMAND is missing (as root only).
ensure() {
  command -v "$1" > /dev/null 2>&1 && return 0
  install_package "$2" "$1 is missing"
  command -v "$1" > /dev/null 2>&1 || fail "$2 is installed but $1 is still missing"
}
install_package() { # package, why
  if [ "$(id -u)" != 0 ]; then
    fail "$2: install Debian's $1 package (apt-get install $1), or run this script as root"
  fi
  echo "$2: installing Debian package $1"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y)
  if ! "${apt[@]}" install "$1" > "$tmp/apt.log" 2>&1; then
    { "${apt[@]}" update && "${apt[@]}" install "$1"; } >> "$tmp/apt.log" 2>&1 ||
      fail "cannot install $1" "$(tail -20 "$tmp/apt.log")"
  fi
}

# ---------------------------------------------------------------------------------------- gixy
check_gixy() {
  echo "== gixy: $conf"
  local t venv
  t=$(now_ms)
  venv="$cache/gixy-ng-$gixy_version"
  mkdir -p "$cache" 2> /dev/null || venv="$tmp/gixy-venv" # no cache: a fresh venv each run
  if [ ! -x "$venv/bin/gixy" ]; then
    ensure python3 python3
    python3 -c 'import ensurepip, venv' 2> /dev/null || install_package python3-venv "python3's venv module is missing"
    rm -rf "$venv"
    python3 -m venv "$venv" > /dev/null
    "$venv/bin/pip" install -q --disable-pip-version-check "gixy-ng==$gixy_version" > "$tmp/pip.log" 2>&1 ||
      { rm -rf "$venv"; fail "cannot install gixy-ng $gixy_version" "$(tail -20 "$tmp/pip.log")"; }
    pass "gixy-ng $gixy_version installed in $venv" "$t"
    t=$(now_ms)
  fi
  # Through an http block, as nginx includes it: some checks look at the http level.
  mkdir -p "$tmp/gixy"
  printf 'events {}\nhttp {\n    include "%s";\n}\n' "$PWD/$conf" > "$tmp/gixy/nginx.conf"
  local out
  out=$("$venv/bin/gixy" "$tmp/gixy/nginx.conf" 2>&1) || fail "gixy reports findings" "$out"
  grep -q "No issues found" <<< "$out" || fail "gixy: unexpected output" "$out"
  pass "gixy: no issues found" "$t"
}

# --------------------------------------------------------------------------------------- nginx
# The test variant of the production config, on stdout. Each rewrite must apply (exactly once
# where it says so), so a reshaped production config fails here instead of testing something else.
derive_test_config() { # port app_port htpasswd
  awk -v port="$1" -v app="$2" -v htpasswd="$3" '
    function indent() { match($0, /^[ \t]*/); return substr($0, 1, RLENGTH) }
    {
      code = $0; sub(/#.*/, "", code)
      if (depth == 0) { buf = ""; redirect = 0 }
      out = $0; keep = 1
      if (code ~ /^[ \t]*listen[ \t]/ && code ~ /443/) {
        if (listen++ == 0) out = indent() "listen 127.0.0.1:" port ";"; else keep = 0
      } else if (code ~ /^[ \t]*(ssl_[a-z_]+|http2)[ \t]/) {
        ssl++; keep = 0
      } else if (code ~ /^[ \t]*server[ \t]+[^ \t{;]+[^{]*;/) {
        if (upstream++ == 0) out = indent() "server 127.0.0.1:" app ";"; else keep = 0
      } else if (code ~ /^[ \t]*allow[ \t]/) {
        allow++; keep = 0
      } else if (code ~ /^[ \t]*deny[ \t]+all[ \t]*;/) {
        deny++; out = indent() "allow 127.0.0.1;\n" $0
      } else if (code ~ /^[ \t]*auth_basic_user_file[ \t]/) {
        userfile++; out = indent() "auth_basic_user_file " htpasswd ";"
      }
      if (code ~ /return[ \t]+301[ \t]+https:/) redirect = 1
      if (keep) buf = buf out "\n"
      depth += gsub(/[{]/, "{", code) - gsub(/[}]/, "}", code)
      if (depth == 0) { if (redirect) dropped++; else printf "%s", buf }
    }
    END {
      bad = ""
      if (dropped != 1) bad = bad " one HTTP->HTTPS redirect server;"
      if (listen < 1) bad = bad " a listen 443 line;"
      if (ssl < 2) bad = bad " ssl_certificate and ssl_certificate_key;"
      if (upstream < 1) bad = bad " an upstream server line;"
      if (allow < 1 || deny != 1) bad = bad " one allow list ending in deny all;"
      if (userfile != 1) bad = bad " one auth_basic_user_file;"
      if (depth != 0) bad = bad " balanced braces;"
      if (bad != "") { print "FAIL the production config lacks what the test rewrites:" bad > "/dev/stderr"; exit 1 }
    }' "$conf"
}

free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null; then
      echo "$p"
      return
    fi
  done
  fail "no free port found"
}

# nginx.conf around a site file: everything nginx writes stays in the given directory.
nginx_main_conf() { # dir site-file
  local user=""
  # As root, workers run as nobody; the directory is readable by them (see chmod below).
  [ "$(id -u)" = 0 ] && user="user nobody $(id -gn nobody);"
  cat << EOF
worker_processes 1;
$user
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 256; }
http {
    access_log $1/access.log;
    client_body_temp_path $1/client_body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
    include "$2";
}
EOF
}

# One request. Sets $code; leaves the headers in $tmp/h and the body in $tmp/b. No curl option
# that rewrites the path: --path-as-is sends `..` segments as written.
fetch() {
  code=$(curl -s --max-time 10 --path-as-is -H 'Expect:' -o "$tmp/b" -D "$tmp/h" -w '%{http_code}' "$@") ||
    code="no answer (curl exit $?)"
}
header() { grep -i "^$1:" "$tmp/h" | tail -1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//' || true; }
answer() { printf 'HTTP %s\n%s\n%s' "$code" "$(tr -d '\r' < "$tmp/h")" "$(head -c 400 "$tmp/b")"; }

# expect DESCRIPTION STATUS SOURCE CURL-ARGS…: the answer's status matches the regex STATUS and
# comes from SOURCE: `app` (it carries the app's Permissions-Policy header), `guard` (nginx's
# 401 asking for basic auth) or `nginx` (any other answer nginx made itself).
expect() {
  local desc=$1 want=$2 source=$3 t got
  shift 3
  t=$(now_ms)
  fetch "$@"
  if [ -n "$(header permissions-policy)" ]; then
    got=app
  elif [ "$code" = 401 ] && header www-authenticate | grep -qi '^basic'; then
    got=guard
  else
    got=nginx
  fi
  if [[ $code =~ ^($want)$ ]] && [ "$got" = "$source" ]; then
    pass "$desc" "$t"
  else
    fail "$desc: wanted $want from $source, got $code from $got" "$(answer)"
  fi
}

check_nginx() {
  echo "== nginx: a test variant of $conf in front of $bin"
  local t
  t=$(now_ms)
  ensure nginx nginx
  ensure htpasswd apache2-utils
  ensure curl curl
  [ -x "$bin" ] || fail "no binary at $bin: run cargo xtask build --release, or set INKWARDEN_BIN"
  [ -d "$site/pkg" ] || fail "no site at $site (no pkg/ inside): build it, or set LEPTOS_SITE_ROOT"
  curl -s -o /dev/null --max-time 2 --interface 127.0.0.2 "http://127.0.0.1:1/" 2> /dev/null ||
    [ $? = 7 ] || fail "cannot send from 127.0.0.2 (curl --interface 127.0.0.2): loopback must cover 127.0.0.0/8"
  local n="$tmp/nginx"
  mkdir -p "$n" "$tmp/db"
  chmod 755 "$tmp" "$n" # nginx's workers (nobody, when started as root) read the password file
  chmod 700 "$tmp/db"

  # The production config itself, TLS server included: a throwaway certificate in place of the
  # placeholders and free high ports for 80 and 443 (nginx -t binds them), then nginx -t.
  if command -v openssl > /dev/null; then
    mkdir -p "$n/prod"
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=blog.example.com \
      -keyout "$n/prod/key.pem" -out "$n/prod/cert.pem" > /dev/null 2>&1 || fail "openssl cannot make a test certificate"
    local no_ipv6=""
    [ -e /proc/net/if_inet6 ] || no_ipv6='/^[ \t]*listen[ \t]*\[::\]/d'
    sed -e "s#^\([ \t]*ssl_certificate[ \t]\).*#\1$n/prod/cert.pem;#" \
      -e "s#^\([ \t]*ssl_certificate_key[ \t]\).*#\1$n/prod/key.pem;#" \
      -e "/^[ \t]*listen[ \t]/s#\([ :]\)80\([ ;]\)#\1$(free_port)\2#" \
      -e "/^[ \t]*listen[ \t]/s#\([ :]\)443\([ ;]\)#\1$(free_port)\2#" \
      -e "$no_ipv6" "$conf" > "$n/prod/inkwarden.conf"
    [ "$(grep -cE '^[[:space:]]*listen[[:space:]].*[ :](80|443)[ ;]' "$n/prod/inkwarden.conf")" = 0 ] ||
      fail "cannot move the production config's listen ports" "$(grep -E '^[[:space:]]*listen' "$n/prod/inkwarden.conf")"
    nginx_main_conf "$n/prod" "$n/prod/inkwarden.conf" > "$n/prod/nginx.conf"
    nginx -t -q -p "$n/prod/" -c "$n/prod/nginx.conf" -e "$n/prod/error.log" > "$n/prod/t.log" 2>&1 ||
      fail "nginx -t refuses the production config" "$(cat "$n/prod/t.log")"
    pass "nginx -t accepts the production config (with a throwaway certificate)" "$t"
  else
    echo "skip: nginx -t of the production config (TLS) needs openssl, which is missing"
  fi

  # The instance under test: a fresh database, an admin, nginx's address as its trusted proxy.
  t=$(now_ms)
  export DATABASE_URL="sqlite://$tmp/db/inkwarden.db"
  local admin_password="deploy-test $RANDOM$RANDOM$RANDOM"
  printf '%s\n' "$admin_password" | "$bin" user create --username deployadmin --role admin --password-stdin \
    > "$tmp/user.log" 2>&1 || fail "inkwarden user create failed" "$(cat "$tmp/user.log")"
  "$bin" serve --addr 127.0.0.1:0 --insecure-cookies --trusted-proxy 127.0.0.1 --site-root "$site" \
    --secret-key-file "$tmp/db/secret.key" > "$tmp/app.log" 2>&1 &
  app_pid=$!
  local app_port=""
  for _ in $(seq 150); do
    app_port=$(sed -n 's#^Inkwarden is listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$tmp/app.log")
    [ -n "$app_port" ] && break
    kill -0 "$app_pid" 2> /dev/null || fail "inkwarden serve exited" "$(cat "$tmp/app.log")"
    sleep 0.1
  done
  [ -n "$app_port" ] || fail "inkwarden serve did not start within 15 s" "$(cat "$tmp/app.log")"
  pass "inkwarden serve on 127.0.0.1:$app_port (admin created, --trusted-proxy 127.0.0.1)" "$t"

  # nginx with the derived config.
  t=$(now_ms)
  local htpw="basic $RANDOM$RANDOM"
  htpasswd -B -b -c "$n/htpasswd" staff "$htpw" > /dev/null 2>&1 || fail "htpasswd failed"
  chmod 644 "$n/htpasswd"
  local port
  port=$(free_port)
  derive_test_config "$port" "$app_port" "$n/htpasswd" > "$n/inkwarden.conf"
  nginx_main_conf "$n" "$n/inkwarden.conf" > "$n/nginx.conf"
  nginx -t -q -p "$n/" -c "$n/nginx.conf" -e "$n/error.log" > "$n/t.log" 2>&1 ||
    fail "nginx -t refuses the test variant" "$(cat "$n/t.log")" "$(cat "$n/inkwarden.conf")"
  nginx -p "$n/" -c "$n/nginx.conf" -e "$n/error.log" -g 'daemon off;' > "$n/stdout.log" 2>&1 &
  nginx_pid=$!
  local base="http://127.0.0.1:$port" up=""
  for _ in $(seq 100); do
    if curl -s -o /dev/null --max-time 2 "$base/"; then up=1 && break; fi
    kill -0 "$nginx_pid" 2> /dev/null || fail "nginx exited" "$(cat "$n/stdout.log" "$n/error.log")"
    sleep 0.1
  done
  [ -n "$up" ] || fail "nginx does not answer on port $port within 10 s" "$(cat "$n/error.log")"
  pass "nginx on 127.0.0.1:$port, derived from $conf" "$t"

  local allowed=(--interface 127.0.0.1) other=(--interface 127.0.0.2) auth=(-u "staff:$htpw")
  local post=(-X POST -H "Origin: http://127.0.0.1")

  echo "-- from 127.0.0.1 (on the allowlist): no password asked"
  expect "GET /admin/login: 200" 200 app "${allowed[@]}" "$base/admin/login"
  expect "GET /admin: the app's redirect to the login" 302 app "${allowed[@]}" "$base/admin"
  expect "POST /admin/api/posts/list: the app's own 401" 401 app "${allowed[@]}" "${post[@]}" "$base/admin/api/posts/list"

  echo "-- from 127.0.0.2 (not on the allowlist): basic auth"
  expect "GET /admin/login without a password: 401" 401 guard "${other[@]}" "$base/admin/login"
  [ -n "$(header strict-transport-security)" ] || fail "nginx's 401 lacks Strict-Transport-Security" "$(answer)"
  expect "GET /admin/login with a wrong password: 401" 401 guard "${other[@]}" -u "staff:wrong" "$base/admin/login"
  expect "GET /admin/login with the password: 200" 200 app "${other[@]}" "${auth[@]}" "$base/admin/login"
  expect "GET /admin (no slash) without a password: 401" 401 guard "${other[@]}" "$base/admin"
  expect "GET /admin (no slash) with the password: the app's redirect" 302 app "${other[@]}" "${auth[@]}" "$base/admin"
  expect "POST /admin/api/posts/list without a password: 401" 401 guard "${other[@]}" "${post[@]}" "$base/admin/api/posts/list"
  expect "POST /admin/api/posts/list with the password: the app's 401" 401 app "${other[@]}" "${auth[@]}" "${post[@]}" "$base/admin/api/posts/list"
  expect "GET /admin/login/../users without a password: 401" 401 guard "${other[@]}" "$base/admin/login/../users"
  expect "GET /admin/login/../users with the password: reaches the app" '[0-9]+' app "${other[@]}" "${auth[@]}" "$base/admin/login/../users"
  local path
  for path in //admin/users /posts/../admin/users /%61dmin/users /admin%2Fusers /admin/./users; do
    expect "GET $path without a password: 401" 401 guard "${other[@]}" "$base$path"
  done
  for path in /admin/../posts /admin/%2e%2e/posts /admin/api/posts/list/../../../../pkg/inkwarden.js; do
    expect "GET $path (unguarded path for nginx, /admin for the app): 400" 400 nginx "${other[@]}" "$base$path"
  done

  echo "-- the public site and /api/v1/: never guarded"
  expect "GET /: 200" 200 app "${other[@]}" "$base/"
  expect "GET /posts/no-such-post: the app's answer" '200|404' app "${other[@]}" "$base/posts/no-such-post"
  expect "GET /api/v1/posts: the app's answer" '[0-9]+' app "${other[@]}" "$base/api/v1/posts"
  expect "POST /posts/no-such-post/comments: the app's answer" '[0-9]+' app "${other[@]}" "${post[@]}" \
    -d 'name=a&body=b' "$base/posts/no-such-post/comments"
  [ "$code" != 401 ] || fail "POST /posts/…/comments answered 401" "$(answer)"
  local script
  script=$(cd "$site/pkg" && ls inkwarden-*.js) || fail "no content-named script in $site/pkg"
  expect "GET /pkg/$script (brotli accepted): 200" 200 app "${other[@]}" -H 'Accept-Encoding: gzip, br' "$base/pkg/$script"
  header cache-control | grep -q 'max-age=31536000, immutable' || fail "/pkg/ lacks the long Cache-Control" "$(answer)"
  [ "$(header content-encoding)" = br ] || fail "/pkg/ did not send the brotli form" "$(answer)"
  header vary | grep -qi 'accept-encoding' || fail "/pkg/ lacks Vary: Accept-Encoding" "$(answer)"
  [ -n "$(header strict-transport-security)" ] || fail "/pkg/ lacks Strict-Transport-Security" "$(answer)"
  pass "/pkg/: Cache-Control $(header cache-control), brotli, Vary; HSTS kept" "$(now_ms)"

  echo "-- body limits (nginx's match the app's)"
  head -c $((64 * 1024)) /dev/zero | tr '\0' a > "$tmp/64k"
  head -c $((64 * 1024 + 1)) /dev/zero | tr '\0' a > "$tmp/64k+1"
  head -c $((3 * 1024 * 1024)) /dev/zero | tr '\0' a > "$tmp/3m"
  head -c $((3 * 1024 * 1024 + 1)) /dev/zero | tr '\0' a > "$tmp/3m+1"
  expect "POST 64 KiB to /admin/api/auth/login: reaches the app" '4[0-9][0-9]' app "${allowed[@]}" "${post[@]}" --data-binary "@$tmp/64k" "$base/admin/api/auth/login"
  [ "$code" != 413 ] || fail "the app refused 64 KiB" "$(answer)"
  expect "POST 64 KiB + 1 to /admin/api/auth/login: 413 from nginx" 413 nginx "${allowed[@]}" "${post[@]}" --data-binary "@$tmp/64k+1" "$base/admin/api/auth/login"
  expect "POST 64 KiB + 1 to /posts/x/comments: 413 from nginx" 413 nginx "${other[@]}" "${post[@]}" --data-binary "@$tmp/64k+1" "$base/posts/x/comments"
  expect "POST 3 MiB to /admin/api/posts/update: reaches the app" '4[0-9][0-9]' app "${allowed[@]}" "${post[@]}" --data-binary "@$tmp/3m" "$base/admin/api/posts/update"
  [ "$code" != 413 ] || fail "the app refused 3 MiB" "$(answer)"
  expect "POST 3 MiB + 1 to /admin/api/posts/update: 413 from nginx" 413 nginx "${allowed[@]}" "${post[@]}" --data-binary "@$tmp/3m+1" "$base/admin/api/posts/update"
  expect "POST 3 MiB to /api/v1/posts: reaches the app" '4[0-9][0-9]' app "${other[@]}" "${post[@]}" --data-binary "@$tmp/3m" "$base/api/v1/posts"
  [ "$code" != 413 ] || fail "the app refused 3 MiB on /api/v1/posts" "$(answer)"
  expect "POST 3 MiB + 1 to /api/v1/posts: 413 from nginx" 413 nginx "${other[@]}" "${post[@]}" --data-binary "@$tmp/3m+1" "$base/api/v1/posts"
  expect "POST 64 KiB + 1 to /api/v1/comments/moderate: 413 from nginx" 413 nginx "${other[@]}" "${post[@]}" --data-binary "@$tmp/64k+1" "$base/api/v1/comments/moderate"

  echo "-- forwarding: Host, X-Forwarded-For"
  expect "POST /admin/api/auth/login with a foreign Origin: the app's 403 (it compares Origin with the Host nginx passes)" \
    403 app "${allowed[@]}" -X POST -H "Origin: http://evil.example" -d 'username=x&password=y' "$base/admin/api/auth/login"
  # A spoofed X-Forwarded-For: nginx replaces it with the client's address.
  expect "sign in from 127.0.0.2 through nginx (basic auth, spoofed X-Forwarded-For): 200" 200 app \
    "${other[@]}" "${auth[@]}" "${post[@]}" -H "X-Forwarded-For: 203.0.113.7" -c "$tmp/cookies" \
    --data-urlencode username=deployadmin --data-urlencode "password=$admin_password" "$base/admin/api/auth/login"
  expect "audit log through nginx: 200" 200 app "${other[@]}" "${auth[@]}" "${post[@]}" -b "$tmp/cookies" \
    -d 'action[]=auth.login' "$base/admin/api/audit/list"
  t=$(now_ms)
  local ip
  ip=$(grep -o '"client_ip":[^,}]*' "$tmp/b" | head -1 | cut -d: -f2- | tr -d '"')
  [ "$ip" = 127.0.0.2 ] || fail "the sign-in's audit row shows client_ip ${ip:-(none)}, not 127.0.0.2" "$(answer)"
  pass "the sign-in's audit row shows client_ip 127.0.0.2" "$t"
}

# ------------------------------------------------------------------------------------- systemd
check_systemd() {
  echo "== systemd: $unit"
  if ! command -v systemd-analyze > /dev/null 2>&1; then
    echo "skip: systemd-analyze is not installed here; $unit is not verified"
    return
  fi
  local t d out
  t=$(now_ms)
  [ -x "$bin" ] || fail "no binary at $bin: run cargo xtask build --release, or set INKWARDEN_BIN"
  d="$tmp/systemd"
  mkdir -p "$d/bin"
  ln -s "$(realpath "$bin")" "$d/bin/inkwarden"
  # The unit as installed, but starting the binary under test (verify checks ExecStart exists).
  sed "s#/usr/local/bin/inkwarden#$d/bin/inkwarden#g" "$unit" > "$d/inkwarden.service"
  grep -q "^ExecStart=$d/bin/inkwarden serve " "$d/inkwarden.service" ||
    fail "$unit: no ExecStart=/usr/local/bin/inkwarden serve …"
  # verify exits 0 on unknown or misspelt settings; any word about the unit is a failure.
  out=$(systemd-analyze verify "$d/inkwarden.service" 2>&1) || fail "systemd-analyze verify fails" "$out"
  if grep -q 'inkwarden' <<< "$out"; then fail "systemd-analyze verify complains" "$out"; fi
  [ -z "$out" ] || printf 'note: systemd-analyze verify, about other units:\n%s\n' "$out"
  pass "systemd-analyze verify: no complaints" "$t"
  t=$(now_ms)
  if out=$(systemd-analyze security --offline=true "$d/inkwarden.service" 2>&1); then
    pass "systemd-analyze security: $(grep -o 'Overall exposure level.*' <<< "$out" | sed 's/ for [^:]*:/:/')" "$t"
  else
    echo "note: systemd-analyze security --offline is not available here"
  fi
}

for s in "${sections[@]}"; do "check_$s"; done
printf 'all deployment checks passed in %.1f s\n' "$(($(now_ms) - started))e-3"
