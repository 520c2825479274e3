#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 (Django 6 needs it): PATH first, then pyenv builds.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for candidate in python3.13 python3.12 python3 python; do
  if path=$(command -v "$candidate" 2>/dev/null) && ok "$path"; then echo "$path"; exit 0; fi
done
roots=()
if command -v pyenv >/dev/null 2>&1; then roots+=("$(pyenv root)"); fi
roots+=("${PYENV_ROOT:-$HOME/.pyenv}" /root/.pyenv /opt/pyenv)
for root in "${roots[@]}"; do
  for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
    if ok "$path"; then echo "$path"; exit 0; fi
  done
done
echo "No Python >= 3.12 found (looked on PATH and in pyenv builds). Install Python 3.13 or 3.12, e.g. 'apt-get install python3.13' or 'pyenv install 3.13'." >&2
exit 1
