#!/usr/bin/env bash
# `make run`: the site and the task worker that sends its SMS and e-mails, stopped together.
# Without the worker every message would stay « À envoyer » (issue 18). SMS go to the console
# backend by default (PMPP_SMS_BACKEND), e-mail to the console; Ctrl+C stops both.
set -u
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
"$PY" manage.py db_worker --interval 1 --no-reload &
worker=$!
stop() {
    trap - INT TERM EXIT
    kill -TERM "$worker" 2>/dev/null
    [ -n "${server:-}" ] && kill -TERM "$server" 2>/dev/null
    wait 2>/dev/null
}
trap 'stop; exit 0' INT TERM
trap stop EXIT
"$PY" manage.py runserver --noreload "127.0.0.1:$PORT" &
server=$!
wait -n "$worker" "$server"
