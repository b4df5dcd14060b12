#!/usr/bin/env bash
# Exercises .pre-commit-hooks.yaml with the real pre-commit tool: `pre-commit try-repo`
# builds agentsec from this repository's HEAD as a `language: rust` hook and runs it on
# a throwaway repository holding fixture files. The hook must fail on a bad MCP config
# and pass on a good one. Everything it installs stays under target/.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$repo/target/precommit"
mkdir -p "$work"
venv="$work/venv"
if [[ ! -x "$venv/bin/pre-commit" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pre-commit==4.3.0"
fi
export PRE_COMMIT_HOME="$work/home"
# Reuse the repository's build directory so the hook's build shares compiled crates.
export CARGO_TARGET_DIR="$repo/target/precommit-build"

passed=0
failed=0
run_case() {
  local name="$1" config="$2" expect="$3"
  local sample="$work/sample-$name"
  rm -rf "$sample"
  mkdir -p "$sample"
  printf '%s\n' "$config" > "$sample/.mcp.json"
  printf '# sample\n' > "$sample/README.md"
  git -C "$sample" init -q
  git -C "$sample" add -A
  set +e
  (cd "$sample" && "$venv/bin/pre-commit" try-repo "$repo" agentsec --all-files --color never) > "$work/$name.log" 2>&1
  local rc=$?
  set -e
  if [[ "$expect" == fail && $rc -ne 0 ]] && grep -q "AS-" "$work/$name.log"; then
    echo "ok: $name (hook failed with findings, as expected)"; passed=$((passed + 1))
  elif [[ "$expect" == pass && $rc -eq 0 ]]; then
    echo "ok: $name (hook passed)"; passed=$((passed + 1))
  else
    echo "FAILED: $name (exit $rc, expected $expect)"; cat "$work/$name.log"; failed=$((failed + 1))
  fi
}
run_case bad '{"mcpServers": {"fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}}}' fail
run_case good '{"mcpServers": {"fetch": {"command": "uvx", "args": ["mcp-server-fetch==2025.4.7"]}}}' pass
echo "pre-commit hook: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
