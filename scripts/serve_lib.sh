# Shared by the scripts that check tthc with outside tools (tools_test.sh, xlsx_test.sh,
# openapi_test.sh); sourced, not run. Gives:
#   check NAME STATUS OUTPUT   counts a check in $pass or $fail and prints it (OUTPUT, indented,
#                              when STATUS is not 0)
#   serve_on_free_port TTHC DB LOG [FLAGS...]
#                              starts `TTHC serve --db DB --listen 127.0.0.1:0 FLAGS` in the
#                              background with stderr to LOG; sets $server (its pid) and $port
#                              (read from its start-up line); returns 1 if it never said it
#                              serves (within 30 s, or when it exits first)
pass=0
fail=0
check() {
    if [ "$2" -eq 0 ]; then
        pass=$((pass + 1)); echo "ok   $1"
    else
        fail=$((fail + 1)); echo "FAIL $1:"; printf '%s\n' "$3" | sed 's/^/     /'
    fi
}

serve_on_free_port() {
    local tthc=$1 db=$2 log=$3
    shift 3
    # Port 0: the kernel picks a free one, which the start-up line names.
    TTHC_ACCESS_LOG=0 "$tthc" serve --db "$db" --listen 127.0.0.1:0 "$@" 2>"$log" &
    server=$!
    port=""
    for _ in $(seq 300); do
        port=$(sed -n 's|.*serving http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log" | head -1)
        [ -n "$port" ] && return 0
        kill -0 "$server" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
