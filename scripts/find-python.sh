#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (Django 6.1 needs it), or explain and fail.
# Looks at $PYTHON, then python3.13, python3.12, python3, then pyenv-installed versions.
set -u

is_new_enough() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.14 python3.13 python3.12 python3)
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
if [ -d "$pyenv_root/versions" ]; then
  while IFS= read -r dir; do
    [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
  done < <(ls -d "$pyenv_root"/versions/3.* 2>/dev/null | sort -rV)
fi

for candidate in "${candidates[@]}"; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if is_new_enough "$path"; then
    echo "$path"
    exit 0
  fi
done

cat >&2 <<'MSG'
Creator Platform needs Python 3.12 or newer (Django 6.1 requires it), and none was found.
Looked for: $PYTHON, python3.14, python3.13, python3.12, python3, and pyenv's versions.
Install one (for example `pyenv install 3.13` or your system's python3.13 package),
or point PYTHON at it: PYTHON=/path/to/python3.13 make run
MSG
exit 1
