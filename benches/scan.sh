#!/usr/bin/env bash
# Throughput benchmark (not a test): generates a repository of 27,000 files of which
# few are code (2 % Python/TypeScript tool files, a few hundred MCP configs, the rest
# documents, data and images), and the same tree without any agent files, then times
# `agentsec scan` on both and prints files/s and MB/s. Only files a rule needs are
# read, so most of the tree costs a directory entry. For code throughput on real
# trees see benches/code.sh.
# Usage: benches/scan.sh [FILES] [RUNS]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
files="${1:-27000}"
runs="${2:-5}"
work="$repo/target/bench"
rm -rf "$work"
mkdir -p "$work"
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
bin="$repo/target/release/agentsec"

python3 - "$work" "$files" <<'PY'
import json, os, random, sys
root, total = sys.argv[1], int(sys.argv[2])
random.seed(7)
configs = [
    (".mcp.json", lambda i: json.dumps({"mcpServers": {f"s{i}": {"command": "npx", "args": ["-y", f"@acme/server-{i}"], "env": {"API_KEY": "${API_KEY}"}},
                                                       f"r{i}": {"type": "http", "url": f"https://mcp{i}.example.com/mcp", "headers": {"Authorization": "Bearer ${T}"}}}}, indent=2)),
    (".cursor/mcp.json", lambda i: json.dumps({"mcpServers": {f"fs{i}": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "./docs"]}}}, indent=2)),
    (".vscode/mcp.json", lambda i: "// settings\n" + json.dumps({"servers": {f"gh{i}": {"type": "stdio", "command": "docker", "args": ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server:v1"]}}, "inputs": []}, indent=2)),
    (".codex/config.toml", lambda i: f'[mcp_servers.docs{i}]\ncommand = "uvx"\nargs = ["mcp-server-fetch==2025.4.7"]\n'),
    (".continue/config.yaml", lambda i: f"mcpServers:\n  - name: s{i}\n    command: npx\n    args: [\"-y\", \"pkg{i}@1.0.0\"]\n"),
]
n_configs = 300
PY = """from mcp.server.fastmcp import FastMCP
import subprocess

mcp = FastMCP("s{i}")


@mcp.tool()
def search(pattern: str) -> str:
    \"\"\"Search the notes.\"\"\"
    return subprocess.run(["grep", "-r", "--", pattern, "notes"], capture_output=True, text=True).stdout

"""
PY_FN = """def helper_{j}(items: list[str], limit: int = 10) -> dict[str, int]:
    counts: dict[str, int] = {{}}
    for item in items[:limit]:
        counts[item] = counts.get(item, 0) + len(item.strip())
    return counts

"""
TS = """import {{ McpServer }} from "@modelcontextprotocol/sdk/server/mcp.js";
import {{ z }} from "zod";

const server = new McpServer({{ name: "s{i}", version: "1.0.0" }});
server.tool("echo", {{ text: z.string() }}, async ({{ text }}) => ({{ content: [{{ type: "text", text }}] }}));

"""
TS_FN = """export function helper{j}(items: string[], limit = 10): Record<string, number> {{
  const counts: Record<string, number> = {{}};
  for (const item of items.slice(0, limit)) {{
    counts[item] = (counts[item] ?? 0) + item.trim().length;
  }}
  return counts;
}}

"""
for tree, with_configs in (("agent", True), ("plain", False)):
    base = os.path.join(root, tree)
    for i in range(total):
        d = os.path.join(base, f"pkg{i % 100}", f"mod{i % 7}")
        if with_configs and i < n_configs:
            rel, make = configs[i % len(configs)]
            path = os.path.join(base, f"proj{i}", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").write(make(i))
            continue
        os.makedirs(d, exist_ok=True)
        ext = random.choices([".py", ".ts", ".md", ".txt", ".json", ".yaml", ".png", ".csv", ".html"],
                             weights=[1, 1, 20, 10, 15, 3, 20, 15, 15])[0]
        n = random.randint(20, 400)
        if ext == ".py":
            body = PY.format(i=i) + "".join(PY_FN.format(j=j) for j in range(n // 10))
        elif ext == ".ts":
            body = TS.format(i=i) + "".join(TS_FN.format(j=j) for j in range(n // 10))
        elif ext == ".png":
            body = None
            open(os.path.join(d, f"f{i}{ext}"), "wb").write(bytes(random.getrandbits(8) for _ in range(4 * n)))
        else:
            body = "word " * 4 * n
        if body is not None:
            open(os.path.join(d, f"f{i}{ext}"), "w").write(body)
PY

measure() {
  local tree="$1" best=999999 t0 t1 ms
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N)
    "$bin" scan "$work/$tree" --format json --fail-on never > "$work/$tree.json"
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    (( ms < best )) && best=$ms
  done
  python3 - "$work/$tree.json" "$work/$tree" "$best" <<'PY'
import json, os, sys
report, tree, ms = json.load(open(sys.argv[1])), sys.argv[2], max(int(sys.argv[3]), 1)
size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(tree) for f in fs)
s = report["summary"]
print(f"{os.path.basename(tree):6} {s['files_visited']:6} files ({size/1e6:.1f} MB) walked, "
      f"{s['files_scanned']:4} analysed, {s['findings']:4} findings: best of runs {ms} ms = "
      f"{s['files_visited']/ms*1000:,.0f} files/s, {size/1e6/ms*1000:.1f} MB/s walked")
PY
}
echo "agentsec $("$bin" --version | cut -d' ' -f2), $(nproc) cores, best of $runs runs"
measure agent
measure plain
