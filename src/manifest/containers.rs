//! One "container spec" for every place a project declares how a container runs:
//! compose services, Kubernetes pod specs (see `kube`), devcontainers and
//! `docker|podman|nerdctl run` command lines of MCP servers. The deployment rules
//! (AS-DEP-*) and image pinning (AS-SUP-002) are written once against it; every
//! field keeps the span of the key or value that set it.

use super::mcp::{Field, McpServer};
use super::{Node, Route, Span, Value};

/// A value as written, where it is and its logical route.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub value: String,
    pub span: Span,
    pub route: Route,
}

impl Text {
    pub fn new(value: impl Into<String>, span: Span, route: Route) -> Self {
        Text {
            value: value.into(),
            span,
            route,
        }
    }

    pub fn of(node: &Node, route: Route) -> Option<Self> {
        node.scalar_text()
            .map(|v| Text::new(v, node.span.clone(), route))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Compose,
    Kubernetes,
    Devcontainer,
    Mcp,
}

/// A host path or socket made visible inside the container.
#[derive(Debug, Clone, PartialEq)]
pub struct Mount {
    /// The host side as written (`/var/run/docker.sock`, `~/.ssh`, `${HOME}`).
    pub host: String,
    /// The whole declaration, for messages (`/a:/b:ro`, `type=bind,source=/a,...`).
    pub raw: String,
    pub span: Span,
    pub route: Route,
    pub read_only: bool,
}

/// A host namespace the container joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    Network,
    Pid,
    Ipc,
    Uts,
    User,
    Cgroup,
}

impl Namespace {
    pub fn as_str(self) -> &'static str {
        match self {
            Namespace::Network => "network",
            Namespace::Pid => "PID",
            Namespace::Ipc => "IPC",
            Namespace::Uts => "UTS",
            Namespace::User => "user",
            Namespace::Cgroup => "cgroup",
        }
    }
}

/// Resource limits that are set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub memory: bool,
    pub cpu: bool,
    pub pids: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub origin: Origin,
    /// For messages: "service 'api'", "container 'agent' of Deployment 'web'".
    pub owner: String,
    /// Where findings about the container as a whole point (its name or key).
    pub anchor: Text,
    pub image: Option<Text>,
    /// Set only when privileged mode is turned on.
    pub privileged: Option<Text>,
    /// Added capabilities as written (`SYS_ADMIN`, `CAP_NET_ADMIN`, `all`).
    pub caps: Vec<Text>,
    /// Confinement turned off: what (`seccomp`, `AppArmor`, ...) and where.
    pub unconfined: Vec<(&'static str, Text)>,
    /// Host devices passed through.
    pub devices: Vec<Text>,
    pub host_ns: Vec<(Namespace, Text)>,
    pub mounts: Vec<Mount>,
    /// The user the process runs as, when set (`root`, `1000:1000`, `0`).
    pub user: Option<Text>,
    /// Kubernetes `runAsNonRoot`.
    pub non_root: Option<bool>,
    pub read_only_root: bool,
    /// Networking turned off (`--network none`, `network_mode: none`).
    pub no_network: bool,
    /// The image is built or provided locally, never pulled: compose `build:` (the
    /// `image:` then names the build's tag), Kubernetes `imagePullPolicy: Never`.
    pub local_image: bool,
    pub limits: Limits,
    /// Name, image, command and labels, lower-cased: what `is_agent` reads.
    pub words: String,
}

impl Container {
    pub fn new(origin: Origin, owner: String, anchor: Text) -> Self {
        Container {
            origin,
            owner,
            anchor,
            image: None,
            privileged: None,
            caps: Vec::new(),
            unconfined: Vec::new(),
            devices: Vec::new(),
            host_ns: Vec::new(),
            mounts: Vec::new(),
            user: None,
            non_root: None,
            read_only_root: false,
            no_network: false,
            local_image: false,
            limits: Limits::default(),
            words: String::new(),
        }
    }

    /// Runs agent or MCP software, by its words (see `is_agent_words`).
    pub fn is_agent(&self) -> bool {
        self.origin == Origin::Mcp || is_agent_words(&self.words)
    }

    /// Runs as root by explicit choice (`user: root`, `runAsUser: 0`).
    pub fn explicit_root(&self) -> Option<&Text> {
        self.user.as_ref().filter(|u| is_root_user(&u.value))
    }
}

/// Words that mark agent or MCP software in an image, service, command or label.
///
/// A container counts as "agent-related" when one of these appears as a word (split
/// on anything that is not a letter or digit): the catalog scopes the hardening
/// rules (AS-DEP-005, AS-DEP-006, Dockerfile base images) to such containers so that
/// the databases, caches and proxies of a stack are not reported. Monitoring and CI
/// agents (`datadog-agent`, `jenkins/agent`, ...) are not agent software in this sense.
pub fn is_agent_words(words: &str) -> bool {
    const MARKERS: &[&str] = &[
        "mcp",
        "modelcontextprotocol",
        "agent",
        "agents",
        "claude",
        "anthropic",
        "codex",
        "gemini",
        "openai",
        "llm",
        "crewai",
        "autogen",
        "langchain",
        "langgraph",
        "smolagents",
        "fastmcp",
        "openhands",
        "aider",
        "opencode",
        "copilot",
    ];
    const NOT_AI: &[&str] = &[
        "datadog",
        "newrelic",
        "dynatrace",
        "elastic",
        "grafana",
        "otel",
        "opentelemetry",
        "jenkins",
        "buildkite",
        "gitlab",
        "teamcity",
        "bamboo",
        "azure",
        "vsts",
        "consul",
        "portainer",
        "zabbix",
        "sysdig",
        "instana",
        "fluent",
        "fluentd",
        "splunk",
        "nomad",
        "puppet",
        "wazuh",
        "ossec",
        "kiali",
        "spire",
        "drone",
        "woodpecker",
        "gocd",
        "bamboo",
    ];
    let mut lower = words.to_ascii_lowercase();
    // Programs named "agent" that have nothing to do with AI.
    for not_ai in [
        "ssh-agent",
        "gpg-agent",
        "user-agent",
        "user_agent",
        "useragent",
    ] {
        lower = lower.replace(not_ai, " ");
    }
    let tokens: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let marked = tokens.iter().any(|t| {
        MARKERS.contains(t) || t.ends_with("mcp") || (t.starts_with("mcp") && t.len() <= 10)
    });
    marked && !tokens.iter().any(|t| NOT_AI.contains(t))
}

/// A Dockerfile that builds agent or MCP software: its instructions or its
/// directory (`servers/github-mcp/Dockerfile` in a monorepo) name such software.
pub fn is_agent_dockerfile(path: &str, text: &str, ins: &[super::dockerfile::Instruction]) -> bool {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    is_agent_words(&format!("{dir} {}", super::dockerfile::words(text, ins)))
}

/// `root`, `0`, `0:0`, `root:root`.
pub fn is_root_user(u: &str) -> bool {
    let user = u.trim().split(':').next().unwrap_or("").trim();
    user == "root" || user == "0"
}

/// The container runtime sockets whose holder controls the host.
pub fn is_runtime_socket(host: &str) -> bool {
    let h = host.trim().trim_end_matches('/');
    const SOCKETS: &[&str] = &[
        "/var/run/docker.sock",
        "/run/docker.sock",
        "//./pipe/docker_engine",
        "\\\\.\\pipe\\docker_engine",
        "/run/containerd/containerd.sock",
        "/var/run/containerd/containerd.sock",
        "/var/run/crio/crio.sock",
        "/run/crio/crio.sock",
        "/run/podman/podman.sock",
        "/var/run/podman/podman.sock",
        "/var/run/cri-dockerd.sock",
        "/run/k3s/containerd/containerd.sock",
    ];
    if SOCKETS.contains(&h) {
        return true;
    }
    // Rootless daemons: $XDG_RUNTIME_DIR/docker.sock, /run/user/1000/podman/podman.sock.
    let rootless_dir = h.starts_with("$XDG_RUNTIME_DIR/")
        || h.starts_with("${XDG_RUNTIME_DIR}/")
        || h.starts_with("/run/user/");
    rootless_dir && (h.ends_with("/docker.sock") || h.ends_with("/podman.sock"))
}

/// The host side of `-v`/`--volume` (`SRC:DST[:opts]`), keeping a Windows drive
/// letter with its path. `None` for anonymous volumes (`/data`).
pub fn volume_host(spec: &str) -> Option<(&str, bool)> {
    let b = spec.as_bytes();
    let skip = if b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        2
    } else {
        0
    };
    let rest = spec.get(skip..)?;
    // Windows named pipes: `//./pipe/docker_engine://./pipe/docker_engine`.
    let end = if rest.starts_with("//./pipe/") || rest.starts_with("\\\\.\\pipe\\") {
        rest.find(":/").or_else(|| rest.find(":\\"))?
    } else {
        colon_outside_braces(rest)?
    };
    let host = spec.get(..skip + end)?;
    let opts = spec.get(skip + end + 1..)?.rsplit_once(':').map(|(_, o)| o);
    let ro = opts.is_some_and(|o| o.split(',').any(|x| x == "ro" || x == "readonly"));
    Some((host, ro))
}

/// The first `:` that is not inside a `${VAR:-default}` reference.
fn colon_outside_braces(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// The source of `--mount type=bind,source=X,...` (also `src=`), and its read-only flag.
pub fn mount_source(spec: &str) -> Option<(&str, bool)> {
    let mut source = None;
    let mut ro = false;
    let mut bind = true;
    for kv in spec.split(',') {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k.trim() {
            "source" | "src" => source = Some(v),
            "readonly" | "ro" => ro = v.is_empty() || v == "true" || v == "1",
            "type" => bind = v == "bind",
            _ => {}
        }
    }
    source.filter(|_| bind).map(|s| (s, ro))
}

/// One word of a command line with where it is.
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    pub span: Span,
    pub route: Route,
}

impl Word {
    pub fn of(f: &Field<'_>) -> Self {
        Word {
            text: f.text(),
            span: f.node.span.clone(),
            route: f.route.clone(),
        }
    }
}

/// Applies `docker run` options to `c`: `--privileged`, `--cap-add`, `--security-opt`,
/// `--device`, `--network/--pid/--ipc/--uts/--userns/--cgroupns host`, `-v`,
/// `--mount`, `-u`, `--read-only`, `--memory`, `--cpus`, `--pids-limit`. Both the
/// `--flag value` and `--flag=value` forms; the span is the word holding the value.
pub fn apply_run_options(c: &mut Container, words: &[Word]) {
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let (flag, inline) = match w.text.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v)),
            _ => (w.text.as_str(), None),
        };
        let takes_value = matches!(
            flag,
            "-v" | "--volume"
                | "--mount"
                | "--cap-add"
                | "--security-opt"
                | "--device"
                | "--network"
                | "--net"
                | "--pid"
                | "--ipc"
                | "--uts"
                | "--userns"
                | "--cgroupns"
                | "-u"
                | "--user"
                | "-m"
                | "--memory"
                | "--cpus"
                | "--pids-limit"
        );
        let (value, at) = match (inline, takes_value) {
            (Some(v), _) => (Some(v.to_string()), w),
            (None, true) => match words.get(i + 1) {
                Some(next) => {
                    i += 1;
                    (Some(next.text.clone()), next)
                }
                None => (None, w),
            },
            (None, false) => (None, w),
        };
        let text = |v: &str| Text::new(v, at.span.clone(), at.route.clone());
        match (flag, value.as_deref()) {
            ("--privileged", None | Some("true")) => c.privileged = Some(text(&w.text)),
            ("--read-only", None | Some("true")) => c.read_only_root = true,
            ("--cap-add", Some(v)) => c.caps.push(text(v)),
            ("--security-opt", Some(v)) => {
                if let Some(what) = unconfined_opt(v) {
                    c.unconfined.push((what, text(v)));
                }
            }
            ("--device", Some(v)) => c.devices.push(text(v)),
            ("--network" | "--net", Some("host")) => {
                c.host_ns.push((Namespace::Network, text(&at.text)))
            }
            ("--network" | "--net", Some("none")) => c.no_network = true,
            ("--pid", Some("host")) => c.host_ns.push((Namespace::Pid, text(&at.text))),
            ("--ipc", Some("host")) => c.host_ns.push((Namespace::Ipc, text(&at.text))),
            ("--uts", Some("host")) => c.host_ns.push((Namespace::Uts, text(&at.text))),
            ("--userns", Some("host")) => c.host_ns.push((Namespace::User, text(&at.text))),
            ("--cgroupns", Some("host")) => c.host_ns.push((Namespace::Cgroup, text(&at.text))),
            ("-v" | "--volume", Some(v)) => {
                if let Some((host, ro)) = volume_host(v) {
                    c.mounts.push(mount(host, &at.text, at, ro));
                }
            }
            ("--mount", Some(v)) => {
                if let Some((host, ro)) = mount_source(v) {
                    c.mounts.push(mount(host, &at.text, at, ro));
                }
            }
            ("-u" | "--user", Some(v)) => c.user = Some(text(v)),
            ("-m" | "--memory", Some(_)) => c.limits.memory = true,
            ("--cpus", Some(_)) => c.limits.cpu = true,
            ("--pids-limit", Some(v)) => c.limits.pids = !matches!(v, "0" | "-1"),
            _ => {}
        }
        i += 1;
    }
}

fn mount(host: &str, raw: &str, at: &Word, read_only: bool) -> Mount {
    Mount {
        host: host.to_string(),
        raw: raw.to_string(),
        span: at.span.clone(),
        route: at.route.clone(),
        read_only,
    }
}

/// Which confinement a security option turns off: `seccomp=unconfined`,
/// `apparmor=unconfined`, `label=disable`, Docker's `systempaths=unconfined` and
/// Podman's `unmask=<paths>`. Docker also accepts `:` as the separator.
pub fn unconfined_opt(opt: &str) -> Option<&'static str> {
    let o = opt.trim().to_ascii_lowercase();
    let (k, v) = o.split_once(['=', ':']).unwrap_or((o.as_str(), ""));
    match (k, v) {
        ("seccomp", "unconfined") => Some("seccomp"),
        ("apparmor", "unconfined") => Some("AppArmor"),
        ("label", "disable") => Some("SELinux labelling"),
        ("systempaths", "unconfined") => Some("masked /proc and /sys paths"),
        ("unmask", v) if !v.is_empty() => Some("masked /proc and /sys paths"),
        _ => None,
    }
}

/// The containers a compose file, Kubernetes stream or devcontainer declares.
pub fn of_document(kind: crate::classify::FileKind, roots: &[Node]) -> Vec<Container> {
    use crate::classify::FileKind;
    let mut out = Vec::new();
    for root in roots {
        match kind {
            FileKind::Compose => out.extend(super::compose::services(root)),
            FileKind::Kubernetes => out.extend(
                super::kube::objects(std::slice::from_ref(root))
                    .into_iter()
                    .filter_map(super::kube::pod)
                    .flat_map(|p| p.containers),
            ),
            FileKind::Devcontainer => out.extend(super::devcontainer::container(root)),
            _ => {}
        }
    }
    out
}

/// Every container a file starts: those of its MCP servers' `docker run` lines, then
/// those its document declares.
pub fn of_file(
    servers: &[McpServer<'_>],
    kind: crate::classify::FileKind,
    roots: &[Node],
) -> Vec<Container> {
    let mut all: Vec<Container> = servers.iter().filter_map(from_mcp).collect();
    all.extend(of_document(kind, roots));
    all
}

/// The container an MCP server's `docker|podman|nerdctl run` command line starts.
pub fn from_mcp(s: &McpServer<'_>) -> Option<Container> {
    let argv = s.argv();
    let img = crate::rules::values::container_image(&argv)?;
    let fields: Vec<&Field<'_>> = s.command.iter().chain(s.args.iter()).collect();
    let run = argv.iter().position(|a| a == "run")?;
    let image = fields.get(img)?;
    let anchor = Text::new(s.name.clone(), s.name_span.clone(), s.route.clone());
    let mut c = Container::new(Origin::Mcp, format!("MCP server '{}'", s.name), anchor);
    c.image = Text::of(image.node, image.route.clone());
    let words: Vec<Word> = fields
        .get(run + 1..img)
        .unwrap_or(&[])
        .iter()
        .map(|f| Word::of(f))
        .collect();
    apply_run_options(&mut c, &words);
    c.words = format!("{} {}", s.name, argv.join(" "));
    Some(c)
}

/// A `key: value` entry from its key to the end of its value.
pub fn entry_span(e: &super::Entry) -> Span {
    e.key_span.start..e.value.span.end
}

/// Scalars of a list (or a single scalar).
pub fn scalars(node: Option<&Node>, route: &Route) -> Vec<Text> {
    let Some(n) = node else { return Vec::new() };
    match &n.value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, x)| Text::of(x, route.index(i)))
            .collect(),
        _ => Text::of(n, route.clone()).into_iter().collect(),
    }
}

/// Every scalar below a node, for word heuristics.
pub fn all_text(node: Option<&Node>) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(n: &Node, out: &mut Vec<String>, depth: usize) {
        if depth > 16 || out.len() > 256 {
            return;
        }
        match &n.value {
            Value::Array(items) => items.iter().for_each(|x| walk(x, out, depth + 1)),
            Value::Object(es) => es.iter().for_each(|e| walk(&e.value, out, depth + 1)),
            _ => out.extend(n.scalar_text()),
        }
    }
    if let Some(n) = node {
        walk(n, &mut out, 0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_words() {
        assert!(is_agent_words("ghcr.io/github/github-mcp-server"));
        assert!(is_agent_words("my-agent python -m agent"));
        assert!(is_agent_words("mcp/fetch"));
        assert!(is_agent_words("claude --dangerously-skip-permissions"));
        assert!(!is_agent_words("datadog/agent:7"));
        assert!(!is_agent_words("jenkins/inbound-agent"));
        assert!(!is_agent_words("postgres:16 redis"));
        assert!(!is_agent_words("useragent-parser"));
        assert!(!is_agent_words(""));
        // pressly/goose is a database migration tool.
        assert!(!is_agent_words(
            "go install github.com/pressly/goose/v3/cmd/goose"
        ));
    }

    #[test]
    fn volume_and_mount_forms() {
        assert_eq!(volume_host("/a:/b:ro"), Some(("/a", true)));
        assert_eq!(volume_host("/a:/b"), Some(("/a", false)));
        assert_eq!(
            volume_host("C:\\Users\\a:/data"),
            Some(("C:\\Users\\a", false))
        );
        assert_eq!(
            volume_host("//./pipe/docker_engine://./pipe/docker_engine"),
            Some(("//./pipe/docker_engine", false))
        );
        assert_eq!(volume_host("/data"), None);
        assert_eq!(
            volume_host("${HOME:-/root}/.ssh:/x:ro"),
            Some(("${HOME:-/root}/.ssh", true))
        );
        assert_eq!(volume_host(""), None);
        assert_eq!(volume_host("é:ü"), Some(("é", false)));
        assert_eq!(
            mount_source("type=bind,source=/run/docker.sock,target=/x,readonly"),
            Some(("/run/docker.sock", true))
        );
        assert_eq!(mount_source("type=volume,source=data,target=/x"), None);
        assert_eq!(mount_source("target=/x"), None);
    }

    #[test]
    fn sockets_and_users() {
        assert!(is_runtime_socket("/var/run/docker.sock"));
        assert!(is_runtime_socket("$XDG_RUNTIME_DIR/docker.sock"));
        assert!(is_runtime_socket("/run/user/1000/podman/podman.sock"));
        assert!(!is_runtime_socket("/srv/agent/empty"));
        assert!(is_root_user("root") && is_root_user("0:0") && !is_root_user("1000"));
    }

    #[test]
    fn run_options_both_forms() {
        let w = |t: &str, i: usize| Word {
            text: t.into(),
            span: i..i + 1,
            route: Route::root().index(i),
        };
        let words = vec![
            w("--privileged", 0),
            w("--cap-add=SYS_PTRACE", 1),
            w("--security-opt", 2),
            w("apparmor=unconfined", 3),
            w("--network", 4),
            w("host", 5),
            w("-v", 6),
            w("/:/host:ro", 7),
            w("--user=0", 8),
            w("--cap-add", 9),
        ];
        let mut c = Container::new(
            Origin::Devcontainer,
            "x".into(),
            Text::new("", 0..0, Route::root()),
        );
        apply_run_options(&mut c, &words);
        assert!(c.privileged.is_some());
        assert_eq!(c.caps.len(), 1);
        assert_eq!(c.unconfined[0].1.span, 3..4);
        assert_eq!(c.host_ns[0].1.span, 5..6);
        assert!(c.mounts[0].read_only && c.mounts[0].host == "/");
        assert!(c.explicit_root().is_some());
    }

    #[test]
    fn security_options() {
        assert_eq!(unconfined_opt("seccomp:unconfined"), Some("seccomp"));
        assert_eq!(unconfined_opt("APPARMOR=unconfined"), Some("AppArmor"));
        assert_eq!(unconfined_opt("label=disable"), Some("SELinux labelling"));
        assert!(unconfined_opt("unmask=ALL").is_some());
        assert_eq!(unconfined_opt("seccomp=./profile.json"), None);
        assert_eq!(unconfined_opt("no-new-privileges:true"), None);
        assert_eq!(unconfined_opt(""), None);
        assert_eq!(unconfined_opt("é:ü"), None);
    }
}
