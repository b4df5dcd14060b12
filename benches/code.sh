#!/usr/bin/env bash
# Code-scan benchmark (not a test): times `agentsec scan` on source trees and prints
# wall time, CPU time, peak memory and MB/s of Python/TypeScript/JavaScript source,
# next to bandit (Python only) and semgrep with a small local rule file when they are
# installed, and a bare parallel parse of the same files (benches/parse.rs). The trees
# are yours to provide, e.g. checkouts of the MCP SDKs:
#   benches/code.sh ~/src/python-sdk ~/src/typescript-sdk
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ "$#" -gt 0 ] || { echo "usage: $0 DIR..." >&2; exit 2; }
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$repo/target}/release/agentsec"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/semgrep.yml" <<'YML'
rules:
  - {id: shell-true, languages: [python], severity: ERROR, message: shell, pattern: "subprocess.$F(..., shell=True, ...)"}
  - {id: os-system, languages: [python], severity: ERROR, message: system, pattern: os.system(...)}
  - {id: child-exec, languages: [typescript, javascript], severity: ERROR, message: exec, pattern: exec(...)}
YML

timed() { # label, command...
  local label="$1"; shift
  /usr/bin/time -f "%e %U %M" -o "$work/t" "$@" > /dev/null 2>&1 || true
  read -r wall user kb < <(tail -n 1 "$work/t")
  printf '  %-9s %6.2f s wall %6.2f s cpu %5d MB peak' "$label" "$wall" "$user" $((kb / 1024))
  if [ -n "${mb:-}" ]; then python3 -c "print(f'  {$mb/max($wall,0.01):6.1f} MB/s')"; else echo; fi
}

for dir in "$@"; do
  mb=$(find "$dir" -type f \( -name '*.py' -o -name '*.ts' -o -name '*.tsx' -o -name '*.js' \
        -o -name '*.jsx' -o -name '*.mjs' -o -name '*.cjs' \) -not -path '*/node_modules/*' \
        -printf '%s\n' | awk '{s += $1} END {printf "%.2f", s / 1e6}')
  echo "$dir: $mb MB of code; load $(cut -d' ' -f1-3 /proc/loadavg)"
  for _ in 1 2 3; do timed agentsec "$bin" scan "$dir" --format json --fail-on never; done
  # The floor: the same files parsed in parallel with nothing else done.
  for _ in 1 2; do
    cargo bench --quiet --manifest-path "$repo/Cargo.toml" --bench parse -- "$dir" 2> /dev/null | sed 's/^/  parse only: /'
  done
  if command -v bandit > /dev/null; then timed bandit bandit -q -r "$dir" -f json; fi
  if command -v semgrep > /dev/null; then
    timed semgrep semgrep scan --metrics=off --disable-version-check --config "$work/semgrep.yml" --json -q "$dir"
  fi
done
