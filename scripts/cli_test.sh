#!/usr/bin/env bash
# Command-line checks of the tthc binary: help texts, exit codes, migrate, import, and serve
# started and stopped like an operator would. Usage: scripts/cli_test.sh [path/to/tthc]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tthc=$(realpath "${1:-build/tthc}")
dir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
server=""
cd "$dir"
pass=0
fail=0
check() { # check NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: expected '$2', got '$3'"; fi
}

"$tthc" --help >out 2>&1; check "tthc --help exits 0" 0 $?
grep -q "import" out; check "tthc --help lists import" 0 $?
version=$(sed -n "s/^  version : '\(.*\)',$/\1/p" "$root/meson.build")
check "tthc --version" "tthc $version" "$("$tthc" --version)"
check "tthc version" "tthc $version" "$("$tthc" version)"
# Each command's help lists the settings it reads: serve every one that config/tthc.conf lists,
# import db and the unit tree's depth, the others only db.
"$tthc" serve --help >out 2>&1; check "tthc serve --help exits 0" 0 $?
check "tthc serve --help lists every setting" "$(grep -cE '^#? ?[a-z_]+ ?=' "$root/config/tthc.conf")" \
    "$(sed -n '/^Settings/,/^$/p' out | grep -c '^  [a-z_]* ')"
"$tthc" import --help >out 2>&1; check "tthc import --help exits 0" 0 $?
check "tthc import --help lists db and max_unit_depth" "db max_unit_depth" \
    "$(sed -n '/^Settings/,/^$/p' out | sed -n 's/^  \([a-z_]*\) .*/\1/p' | tr '\n' ' ' | sed 's/ $//')"
for cmd in migrate demo verify backup; do
    "$tthc" "$cmd" --help >out 2>&1; check "tthc $cmd --help exits 0" 0 $?
    check "tthc $cmd --help lists only db" "  db                     path of the SQLite database file (default tthc.db)" \
        "$(sed -n '/^Settings/,/^$/p' out | grep '^  [a-z_]* ')"
done
"$tthc" key --help >out 2>&1; check "tthc key --help exits 0" 0 $?
grep -q -- "--db PATH (the database; its only setting)" out; check "tthc key --help names --db" 0 $?
"$tthc" import --threads 4 --kind units x.ndjson >out 2>&1; check "a serve setting on import exits 2" 2 $?
check "a serve setting on import is named" "tthc import: --threads is a setting of tthc serve, not of tthc import (see tthc import --help)" "$(cat out)"
"$tthc" migrate --kind units >out 2>&1; check "--kind on migrate exits 2" 2 $?
check "--kind on migrate is unknown" "tthc migrate: unknown setting 'kind' (see tthc migrate --help)" "$(cat out)"

# The config file: # inside a value, quotes, a relative db from the file's folder.
schema=$(ls "$root"/migrations/*.sql | wc -l)
printf 'db = a#b.db  # a comment\n' >hash.conf
"$tthc" migrate --config hash.conf >out 2>/dev/null; check "a # inside a value is kept" "database a#b.db is at schema version $schema" "$(cat out)"
printf 'db = "x y.db"\n' >quoted.conf
"$tthc" migrate --config quoted.conf >out 2>/dev/null; check "quotes are removed" "database x y.db is at schema version $schema" "$(cat out)"
mkdir -p sub && printf "db = 'd.db'\n" >sub/rel.conf
"$tthc" migrate --config sub/rel.conf >out 2>/dev/null; check "a relative db is from the file's folder" "database sub/d.db is at schema version $schema" "$(cat out)"
printf 'db = "open.db\n' >open.conf
"$tthc" migrate --config open.conf >out 2>&1; check "an unclosed quote exits 2" 2 $?
check "an unclosed quote names the line" "tthc migrate: open.conf:1: the value's opening \" is never closed" "$(cat out)"
# Where the config file is found: --config, else TTHC_CONFIG, else /etc/tthc/tthc.conf, else
# the built-in defaults; never the working directory, nor a file beside the binary.
mkdir -p inst/bin inst/config elsewhere/config
cp "$tthc" inst/bin/tthc
printf 'db = ../var/inst.db\n' >inst/config/tthc.conf
printf 'db = cwd.db\n' >elsewhere/config/tthc.conf
printf 'db = cwd.db\n' >elsewhere/tthc.conf
if [ -e /etc/tthc/tthc.conf ]; then want="Here: /etc/tthc/tthc.conf."; else want="Here: none."; fi
if [ ! -e /etc/tthc/tthc.conf ]; then
    (cd elsewhere && ../inst/bin/tthc migrate >../out 2>/dev/null)
    check "without a config file: the built-in defaults" "database tthc.db is at schema version $schema" "$(cat out)"
fi
check "never the working directory's config" "no" "$([ -e elsewhere/cwd.db ] && echo yes || echo no)"
check "never a config beside the binary" "no" "$([ -e inst/var/inst.db ] && echo yes || echo no)"
(cd elsewhere && ../inst/bin/tthc serve --help >../out 2>&1); grep -q "$want" out; check "help names the config file found (/etc/tthc/tthc.conf or none)" 0 $?
(cd elsewhere && TTHC_CONFIG=../hash.conf ../inst/bin/tthc migrate >../out 2>&1); check "TTHC_CONFIG before it" "database ../a#b.db is at schema version $schema" "$(cat out)"
(cd elsewhere && TTHC_CONFIG=../hash.conf ../inst/bin/tthc serve --help >../out 2>&1); grep -q "Here: ../hash.conf (TTHC_CONFIG)." out; check "help names TTHC_CONFIG's file" 0 $?
(cd elsewhere && TTHC_CONFIG=../hash.conf ../inst/bin/tthc migrate --config ../quoted.conf >../out 2>&1); check "--config before TTHC_CONFIG" "database ../x y.db is at schema version $schema" "$(cat out)"
TTHC_CONFIG=missing.conf "$tthc" migrate >out 2>&1; check "a missing TTHC_CONFIG exits 2" 2 $?
check "a missing TTHC_CONFIG is named" "tthc migrate: cannot read config file missing.conf" "$(cat out)"
"$tthc" frobnicate >out 2>&1; check "unknown command exits 2" 2 $?
grep -q "unknown command" out; check "unknown command says so" 0 $?
"$tthc" serve --threads 0 >out 2>&1; check "bad setting exits 2" 2 $?
grep -q "threads must be" out; check "bad setting is named" 0 $?

"$tthc" migrate --db m.db >out 2>&1; check "migrate exits 0" 0 $?
check "migrate records the schema" "$schema" "$(sqlite3 m.db 'select count(*) from schema_migrations')"

cat >units.ndjson <<'J'
{"code":"P","name":"Tỉnh","level":"province","parent_code":null}
{"code":"C","name":"Xã","level":"commune","parent_code":"P"}
J
cat >dossiers.ndjson <<'J'
{"code":"A","procedure_code":"1","unit_code":"C","channel":"online","status":"new","received_at":"2024-03-01"}
{"code":"B","procedure_code":"1","unit_code":"NOPE","channel":"online","status":"new","received_at":"2024-03-01"}
J
"$tthc" import --db m.db --kind units units.ndjson >out 2>&1; check "import units exits 0" 0 $?
grep -q "units: 2 stored, 0 rejected" out; check "import units reports counts" 0 $?
"$tthc" import --db m.db --kind dossiers dossiers.ndjson >out 2>err; check "import with a reject exits 3" 3 $?
grep -q "line 2 B: unit_code" err; check "import names the rejected line and code" 0 $?
"$tthc" import --db m.db --kind dossiers - <dossiers.ndjson >out 2>&1; check "import from stdin" 3 $?
"$tthc" import --db m.db --kind bogus units.ndjson >out 2>&1; check "unknown kind exits 2" 2 $?
# Progress on stderr: the share of the input read when its size is known (a file, or standard
# input redirected from one), the bytes read when not (a pipe); one line at the end, and one
# every 100,000 records. The time and rate vary: norm writes them T and R.
norm() { sed -E 's/ in [0-9]+\.[0-9] s, [0-9]+ records\/s$/ in T s, R records\/s/'; }
"$tthc" import --db m.db --kind units units.ndjson >out 2>err
check "import progress, size known" "tthc import: 100% of $(stat -c %s units.ndjson) B read, 2 records (2 stored, 0 rejected) in T s, R records/s" "$(norm <err)"
"$tthc" import --db m.db --kind units - <units.ndjson >out 2>err
check "import progress, standard input from a file" "tthc import: 100% of $(stat -c %s units.ndjson) B read, 2 records (2 stored, 0 rejected) in T s, R records/s" "$(norm <err)"
cat units.ndjson | "$tthc" import --db m.db --kind units - >out 2>err
check "import progress, a pipe" "tthc import: 2 records (2 stored, 0 rejected), $(stat -c %s units.ndjson) B read in T s, R records/s" "$(norm <err)"
awk 'BEGIN { for (i = 0; i < 250000; i++) printf "{\"code\":\"N%d\",\"procedure_code\":\"1\",\"unit_code\":\"C\",\"channel\":\"online\",\"status\":\"new\",\"received_at\":\"2024-03-01\"}\n", i }' >many.ndjson
"$tthc" import --db m.db --kind dossiers many.ndjson >out 2>err; check "a large import exits 0" 0 $?
check "a large import's progress: every 100000 records, then the end" \
    "tthc import: 40% of 27.8 MiB read, 100000 records (100000 stored, 0 rejected)|tthc import: 80% of 27.8 MiB read, 200000 records (200000 stored, 0 rejected)|tthc import: 100% of 27.8 MiB read, 250000 records (250000 stored, 0 rejected) in T s, R records/s" \
    "$(norm <err | sed -E 's/, [0-9]+ records\/s, [0-9]+:[0-9]{2} left$//' | paste -sd'|')"
# gzip, told by its first bytes whatever the name, from a file or a pipe; the progress of a
# file is the share of its compressed bytes.
gzip -c dossiers.ndjson >dossiers.data
"$tthc" import --db m.db --kind dossiers dossiers.data >out 2>err; check "a gzip file exits 3 like the plain one" 3 $?
check "a gzip file's records" "dossiers: 1 stored, 1 rejected" "$(cat out)"
grep -q "line 2 B: unit_code" err; check "a gzip file's reject names the line" 0 $?
check "a gzip file's progress" "tthc import: 100% of $(stat -c %s dossiers.data) B read, 2 records (1 stored, 1 rejected) in T s, R records/s" "$(grep '^tthc import' err | norm)"
gzip -c dossiers.ndjson | "$tthc" import --db m.db --kind dossiers - >out 2>err; check "gzip from a pipe" "dossiers: 1 stored, 1 rejected" "$(cat out)"
gzip -c many.ndjson | head -c 200000 >cut.ndjson.gz
"$tthc" import --db m.db --kind dossiers cut.ndjson.gz >out 2>err; check "a cut gzip file exits 1" 1 $?
check "a cut gzip file says so" "tthc import: cannot read cut.ndjson.gz: the gzip data stops short: the file is incomplete; the records before it are stored" "$(grep 'cannot read' err)"
check "a cut gzip file's broken line is not a reject" 0 "$(grep -c '^rejected' err)"

# NDJSON is one object a line: an object spread over lines is refused line by line (it could be
# cut between two batches), and the object on the next line is still stored.
printf '{"code":"M1","procedure_code":"1","unit_code":"C",\n"channel":"online","status":"new","received_at":"2024-03-01"}\n{"code":"M2","procedure_code":"1","unit_code":"C","channel":"online","status":"new","received_at":"2024-03-01"}\n' >multi.ndjson
"$tthc" import --db m.db --kind dossiers multi.ndjson >out 2>err; check "multi-line ndjson exits 3" 3 $?
grep -q "dossiers: 1 stored, 2 rejected" out; check "multi-line object refused by line" 0 $?
grep -q "rejected line 1: the line is not valid JSON" err; check "multi-line reject names line 1" 0 $?

# CSV with a quoted cell over two lines: the reject names its physical line (5).
printf 'code,procedure_code,unit_code,channel,status,received_at,fee\nK1,1,C,online,new,2024-03-01,0\nK2,1,C,"in_person",new,2024-03-02,"1000"\nK3,1,"C\nX",online,new,2024-03-03,0\nK4,1,C,fax,new,2024-03-04,0\n' >d.csv
"$tthc" import --db m.db --kind dossiers --format csv d.csv >out 2>err; check "csv import with rejects exits 3" 3 $?
grep -q "dossiers: 2 stored, 2 rejected" out; check "csv import counts" 0 $?
grep -q "rejected line 6 K4: channel" err; check "csv reject names the file line" 0 $?
# The national index's facts from a file: flags and supplements in NDJSON (a bad entry rejects
# its record, naming the entry), flags in CSV, a decision's procedure_list in JSON.
cat >facts.ndjson <<'J'
{"code":"F1","procedure_code":"1","unit_code":"C","channel":"online","status":"waiting","received_at":"2024-03-01","synced":true,"vneid":true,"supplements":[{"requested_at":"2024-03-04","completed_at":"2024-03-06"},{"requested_at":"2024-03-08T10:00:00+07:00"}]}
{"code":"F2","procedure_code":"1","unit_code":"C","channel":"online","status":"waiting","received_at":"2024-03-01","supplements":[{"completed_at":"2024-03-06"}]}
J
"$tthc" import --db m.db --kind dossiers facts.ndjson >out 2>err; check "import of the index's facts exits 3" 3 $?
grep -q "dossiers: 1 stored, 1 rejected" out; check "import of the index's facts counts" 0 $?
grep -q "rejected line 2 F2: supplements\[0\].requested_at is required" err; check "import names the bad supplement" 0 $?
check "import stores the flags" "1|0|1" "$(sqlite3 m.db "select synced || '|' || digitised || '|' || vneid from dossiers where code = 'F1'")"
check "import stores the supplements in order" "0|2024-03-04|2024-03-06;1|2024-03-08T10:00:00+07:00|;" \
    "$(sqlite3 m.db "select group_concat(seq || '|' || requested_at || '|' || coalesce(completed_at, '') || ';', '') from (select s.* from supplements s join dossiers d on d.id = s.dossier_id where d.code = 'F1' order by s.seq)")"
printf 'code,procedure_code,unit_code,channel,status,received_at,digitised,electronic_result\nF3,1,C,online,new,2024-03-02,1,true\n' >facts.csv
"$tthc" import --db m.db --kind dossiers --format csv facts.csv >out 2>&1; check "csv import of the flags exits 0" 0 $?
check "csv import stores the flags" "1|1|0" "$(sqlite3 m.db "select digitised || '|' || electronic_result || '|' || synced from dossiers where code = 'F3'")"
printf 'code,procedure_code,unit_code,channel,status,received_at,supplements\nF4,1,C,online,new,2024-03-02,2024-03-03\n' >lists.csv
"$tthc" import --db m.db --kind dossiers --format csv lists.csv >out 2>&1; check "csv import refuses a list column" 1 $?
grep -q "column supplements, a list that a CSV cell cannot hold" out; check "csv import says why" 0 $?
cat >decisions.json <<'J'
[{"code":"1/QĐ","unit_code":"P","signed_at":"2024-03-01","procedure_list":[{"procedure_code":"1","effective_on":"2024-03-15","published_on":"2024-03-05"},{"procedure_code":"9.9","effective_on":"2024-04-01"}]}]
J
"$tthc" import --db m.db --kind announcements --format json decisions.json >out 2>&1; check "import of a decision's list exits 0" 0 $?
gzip -c decisions.json >decisions.json.gz
"$tthc" import --db m.db --kind announcements --format json decisions.json.gz >out 2>err; check "a gzip JSON document exits 0" 0 $?
check "a gzip JSON document's progress" "tthc import: 100% of $(stat -c %s decisions.json.gz) B read, 1 records (1 stored, 0 rejected) in T s, R records/s" "$(norm <err)"
check "import stores the decision's list" "2|1:2024-03-15:2024-03-05;9.9:2024-04-01:;" \
    "$(sqlite3 m.db "select (select procedures from announcements where code = '1/QĐ') || '|' || group_concat(e, '') from (select p.code || ':' || x.effective_on || ':' || coalesce(x.published_on, '') || ';' as e from announcements a join announcement_procedures x on x.announcement_id = a.id join procedures p on p.id = x.procedure_id where a.code = '1/QĐ' order by x.seq)")"

# The portal's format from a file; personal fields are not stored.
cat >p.json <<'J'
[{"MaHoSo":"C-240305-0001","MaTTHC":"1.001612","TenTTHC":"Cấp phép","KenhThucHien":"2","TrangThaiHoSo":"4","NgayTiepNhan":"20240305091000","ChuHoSo":"Trần Thị Bình","SoDienThoai":"0987654321"}]
J
"$tthc" import --db m.db --format dvcqg p.json >out 2>&1; check "dvcqg import exits 0" 0 $?
grep -q "dossiers: 1 stored, 0 rejected" out; check "dvcqg import counts" 0 $?
check "dvcqg personal data not stored" 0 "$(cat m.db m.db-wal 2>/dev/null | grep -c -a -e 0987654321 -e 'Trần Thị Bình')"
check "a dvcqg dossier is synced" 1 "$(sqlite3 m.db "select synced from dossiers where code = 'C-240305-0001'")"

# verify: the fast path agrees with a recount on what was loaded above.
"$tthc" verify --db m.db >out 2>&1; check "verify exits 0" 0 $?
grep -q ", 0 differ" out; check "verify finds no difference" 0 $?

# A database written by a newer tthc is refused, untouched.
cp m.db new.db
sqlite3 new.db "insert into schema_migrations(version, name) values (999, '0999_x.sql')" 2>/dev/null &&
{
    sum=$(md5sum <new.db)
    "$tthc" migrate --db new.db >out 2>&1; check "newer database refused" 1 $?
    grep -q "newer tthc" out; check "newer database message" 0 $?
    check "newer database untouched" "$sum" "$(md5sum <new.db)"
}

# Keys: a token printed once, listed by name and prefix only, revoked.
"$tthc" key --db m.db create --name loader --scope write >token 2>err; check "key create exits 0" 0 $?
token=$(cat token)
check "key create prints a token" 48 "${#token}"
"$tthc" key --db m.db list >out 2>&1; check "key list exits 0" 0 $?
grep -q "loader" out; check "key list names the key" 0 $?
check "key list never shows the token" 0 "$(grep -c -- "$token" out)"
"$tthc" key --db m.db create --name loader --scope write >/dev/null 2>&1; check "duplicate key name refused" 1 $?
"$tthc" key --db m.db create --name x --scope god >/dev/null 2>&1; check "bad scope is a usage error" 2 $?
"$tthc" key --db m.db create --name x1 --scope write --unit NOWHERE >out 2>err; check "a key of an unknown unit is refused" 1 $?
grep -q "there is no unit 'NOWHERE'" err; check "an unknown unit is named" 0 $?
check "a refused key prints no token" "" "$(cat out)"
"$tthc" key --db m.db create --name x1 --scope admin --unit NOWHERE >/dev/null 2>&1; check "a unit on an admin key is a usage error" 2 $?

# --check-config validates and exits.
"$tthc" serve --db m.db --check-config >out 2>&1; check "check-config exits 0" 0 $?
grep -q "configuration OK" out; check "check-config says OK" 0 $?
conf=/etc/tthc/tthc.conf
[ -e "$conf" ] || conf=none
check "check-config names the config file" "configuration OK: database m.db, listen 127.0.0.1:8080, config file $conf" "$(cat out)"
printf 'listen = 127.0.0.1:0\n' >c0.conf
"$tthc" serve --db m.db --config c0.conf --check-config >out 2>&1
check "check-config names a --config file" "configuration OK: database m.db, listen 127.0.0.1:0, config file c0.conf" "$(cat out)"
"$tthc" serve --db m.db --listen nowhere --check-config >out 2>&1; check "check-config refuses a bad listen" 1 $?

# served_port LOG: the port a server started with --listen 127.0.0.1:0 says it serves on (its
# start-up line in LOG), once it says so; empty after 10 s. Port 0 lets the kernel pick a free
# port, so no run collides with another program's.
served_port() {
    for _ in $(seq 100); do
        p=$(sed -n 's|.*serving http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$1" 2>/dev/null | head -1)
        [ -n "$p" ] && { echo "$p"; return; }
        sleep 0.1
    done
}

# serve: flag beats environment beats config file; /healthz answers; SIGTERM stops it.
printf 'listen = 127.0.0.1:1\n' >c.conf
TTHC_LISTEN=127.0.0.1:2 "$tthc" serve --config c.conf --db m.db --listen 127.0.0.1:0 2>serve.log &
server=$!
port=$(served_port serve.log)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >health 2>/dev/null && break; sleep 0.1; done
check "serve answers /healthz on the flag's port" '{"status":"ok"}' "$(cat health 2>/dev/null)"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"code":"Z","name":"Z","level":"province","parent_code":null}' "http://127.0.0.1:$port/api/v1/units")
check "a write without a key is 401" 401 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $token" \
    -d '{"code":"Z","name":"Z","level":"province","parent_code":null}' "http://127.0.0.1:$port/api/v1/units")
check "a write with the key is 200" 200 "$code"
grep -q '"path":"/api/v1/units","status":200' serve.log; check "access log line per request" 0 $?
check "access log never shows the token" 0 "$(grep -c -- "$token" serve.log)"
# A backup taken while the service runs is a consistent, checked copy.
"$tthc" backup --db m.db --out copy.db >out 2>&1; check "backup while serving exits 0" 0 $?
check "backup holds every dossier" "$(sqlite3 m.db 'select count(*) from dossiers')" \
    "$(sqlite3 copy.db 'select count(*) from dossiers')"
"$tthc" backup --db m.db --out copy.db >out 2>&1; check "backup refuses to overwrite" 1 $?
"$tthc" backup --db m.db >out 2>&1; check "backup without --out is a usage error" 2 $?
"$tthc" backup --db m.db --out nowhere/copy.db >out 2>&1; check "backup into a missing folder fails" 1 $?
grep -q "folder nowhere does not exist" out; check "backup names the missing folder" 0 $?
kill -TERM "$server"; wait "$server"; check "serve exits 0 on SIGTERM" 0 $?
grep -q "stopped" serve.log; check "serve says it stopped" 0 $?
server=""

# systemd's Type=notify: READY=1 once /healthz answers, STOPPING=1 on SIGTERM, through the
# datagram socket named by NOTIFY_SOCKET (what systemd gives a Type=notify service).
python3 - "$dir/notify.sock" >notify.log 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
for _ in range(2):
    try:
        print(s.recv(4096).decode().replace("\n", " "), flush=True)
    except socket.timeout:
        break
PY
listener=$!
for _ in $(seq 50); do [ -S "$dir/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET="$dir/notify.sock" "$tthc" serve --db m.db --listen 127.0.0.1:0 2>serve2.log &
server=$!
port=$(served_port serve2.log)
for _ in $(seq 100); do grep -q READY=1 notify.log && break; sleep 0.1; done
check "serve tells systemd it is ready" "READY=1 STATUS=serving http://127.0.0.1:$port/" "$(head -1 notify.log)"
check "ready means /healthz answers" '{"status":"ok"}' "$(curl -s "http://127.0.0.1:$port/healthz")"
kill -TERM "$server"; wait "$server"; check "serve exits 0 on SIGTERM (notify)" 0 $?
server=""
wait "$listener"
check "serve tells systemd it is stopping" "STOPPING=1 STATUS=finishing requests in flight (up to 10 s)" "$(sed -n 2p notify.log)"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
