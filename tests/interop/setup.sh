#!/usr/bin/env bash
# Installs the interop tools used by tests/sign_interop.rs into tests/interop/.work/
# (gitignored): the sigstore JavaScript libraries and @sigstore/mock (npm, pinned by
# package-lock.json, Node.js >= 20.17) and a Python venv with model-signing.
# Idempotent: does nothing when the installed versions already match.
# Usage: tests/interop/setup.sh   then run the tests with AGENTSEC_INTEROP=1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$here/.work"
mkdir -p "$work"


# --- npm ---
stamp="$work/npm.stamp"
want="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" || ! -d "$work/node_modules" ]]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi

# --- Python: model-signing and pyopenssl, pinned with their dependencies in requirements.txt ---
venv="$work/venv"
pystamp="$work/pip.stamp"
want="$(sha256sum < "$here/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/model_signing" || ! -f "$pystamp" || "$(cat "$pystamp")" != "$want" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" > "$pystamp"
fi

echo "interop tools ready in $work"
echo "  node: $(node --version)  model_signing: $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("model-signing"))')"
