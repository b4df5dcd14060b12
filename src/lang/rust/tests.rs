use super::analyse;
use crate::lang::Sink;

fn flows(src: &str) -> Vec<(Sink, String)> {
    let a = analyse(src).expect("parses");
    a.flows
        .iter()
        .map(|f| (f.sink, src[f.span.clone()].to_string()))
        .collect()
}

const RMCP: &str = r#"
use rmcp::{tool, tool_router, handler::server::wrapper::Parameters};
struct S;
#[tool_router]
impl S {
    #[tool(description = "Run a command")]
    async fn run(&self, Parameters(RunArgs { cmd, .. }): Parameters<RunArgs>) -> String {
        let line = format!("ls {cmd}");
        let out = std::process::Command::new("sh").arg("-c").arg(&line).output();
        String::new()
    }
    #[tool(description = "Read")]
    fn read(&self, Parameters(req): Parameters<ReadReq>) -> String {
        std::fs::read_to_string(&req.path).unwrap_or_default()
    }
    fn helper(&self, p: String) { std::fs::remove_file(p); }
}
"#;

#[test]
fn rmcp_tools_and_flows() {
    let a = analyse(RMCP).unwrap();
    let names: Vec<_> = a.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["run", "read"]);
    assert_eq!(a.tools[0].description.as_ref().unwrap().0, "Run a command");
    assert_eq!(a.tools[0].params[0].0, "cmd");
    let f = flows(RMCP);
    assert_eq!(
        f,
        [
            (Sink::Shell, "&line".to_string()),
            (Sink::File, "&req.path".to_string())
        ]
    );
    let shell = &a.flows[0];
    let labels: Vec<_> = shell.steps.iter().map(|s| &RMCP[s.span.clone()]).collect();
    assert_eq!(labels, ["cmd", "cmd", "line"]);
}

#[test]
fn rig_tool_call() {
    let src = r#"
impl Tool for Fetch {
    const NAME: &'static str = "fetch";
    type Args = FetchArgs;
    async fn call(&self, args: Self::Args) -> Result<String, E> {
        let body = reqwest::get(&args.url).await?.text().await?;
        let ok = reqwest::get(format!("https://api.example.com/v1?q={}", args.q)).await?;
        Ok(body)
    }
}
"#;
    let a = analyse(src).unwrap();
    assert_eq!(a.tools[0].name, "fetch");
    assert_eq!(flows(src), [(Sink::Network, "&args.url".to_string())]);
}

#[test]
fn guards_stop_flows() {
    let src = r#"
impl S {
    #[tool(description = "x")]
    async fn t(&self, Parameters(a): Parameters<A>) -> String {
        let p = std::path::Path::new(&self.root).join(&a.path).canonicalize().unwrap();
        if !p.starts_with(&self.root) { return String::new(); }
        let s = std::fs::read_to_string(&p);
        let u = url::Url::parse(&a.url).unwrap();
        if !ALLOWED.contains(&u.host_str().unwrap_or("")) { return String::new(); }
        let r = self.client.get(u).send().await;
        let rows = sqlx::query("SELECT * FROM t WHERE id = ?").bind(&a.id).fetch_all(&self.db).await;
        std::process::Command::new("git").arg("log").arg(&a.rev).output();
        String::new()
    }
}
"#;
    // Without a shell the revision is one argv entry: only an option (AS-INJ-003).
    assert_eq!(flows(src), [(Sink::Argv, "&a.rev".to_string())]);
}

#[test]
fn sql_and_prefix_only() {
    let src = r#"
impl S {
    #[tool(description = "x")]
    async fn t(&self, Parameters(a): Parameters<A>) {
        let q = format!("SELECT * FROM users WHERE name = '{}'", a.name);
        sqlx::query(&q).fetch_all(&self.db).await;
        if a.path.starts_with("/srv") { std::fs::write(&a.path, "x"); }
    }
}
"#;
    let a = analyse(src).unwrap();
    let f = flows(src);
    assert_eq!(
        f,
        [
            (Sink::Sql, "&q".to_string()),
            (Sink::File, "&a.path".to_string())
        ]
    );
    assert!(a.flows[1].note.is_some());
}

#[test]
fn spans_are_bytes_after_non_ascii_and_bom() {
    let src = "\u{feff}// é ü\nimpl S {\n    #[tool(description = \"ü\")]\n    fn t(&self, #[tool(param)] p: String) { std::fs::remove_file(&p); }\n}\n";
    assert_eq!(flows(src), [(Sink::File, "&p".to_string())]);
    let src = "#!/usr/bin/env run-cargo-script é\nimpl S {\n #[tool] fn t(&self, Parameters(p): Parameters<String>) { std::fs::remove_file(p); }\n}\n";
    assert_eq!(flows(src), [(Sink::File, "p".to_string())]);
}

#[test]
fn unparsable_and_odd_files_are_skipped() {
    for s in [
        "fn (",
        "impl {",
        "macro_rules! m { ($x:expr) => {} } m!(",
        "\0",
        "",
    ] {
        let _ = analyse(s);
    }
    assert!(analyse("fn (").is_none());
    let deep = format!("fn f() {{ {}1{} }}", "(".repeat(3000), ")".repeat(3000));
    assert!(analyse(&deep).is_none());
    // The deepest file still parsed, on a thread with the default 2 MiB stack.
    let n = super::MAX_NESTING - 2;
    let src = format!(
        "impl S {{ #[tool] fn t(&self, #[tool(param)] p: String) {{ std::fs::remove_file({}p{}); }} }}",
        "(".repeat(n - 3),
        ")".repeat(n - 3)
    );
    let ok = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || analyse(&src).map(|a| a.flows.len()))
        .expect("thread")
        .join()
        .expect("no overflow");
    assert_eq!(ok, Some(1));
}

#[test]
fn fixed_hosts_stay_fixed() {
    let src = r#"
impl Tool for H {
    async fn call(&self, args: Self::Args) {
        let client = reqwest::Client::new();
        let mut url = format!("https://echo.example/api/rooms/{}/history", args.room);
        if let Some(limit) = args.limit { url = format!("{url}?limit={limit}"); }
        client.get(&url).send().await;
        client.get(format!("{}/v1/{}", BASE, args.q)).send().await;
        client.get(format!("{}{}", args.host, "/x")).send().await;
    }
}
"#;
    assert_eq!(
        flows(src),
        [(
            Sink::Network,
            "format!(\"{}{}\", args.host, \"/x\")".to_string()
        )]
    );
}

#[test]
fn older_rmcp_forms_and_server_extractors() {
    let src = r#"
#[tool(tool_box)]
impl S {
    /// Runs a query.
    #[tool(name = "run_query")]
    async fn q(&self, #[tool(aggr)] req: QueryReq, peer: Peer<RoleServer>, ctx: RequestContext<RoleServer>) {
        let mut sql = String::from("SELECT * FROM t WHERE a = ");
        sql.push_str(&req.a);
        sqlx::query(&sql).execute(&self.db).await;
        std::fs::remove_file(&ctx.path);
        let sh = std::process::Command::new("bash").args(vec!["-c".to_string(), req.cmd.clone()]);
    }
}
"#;
    let a = analyse(src).unwrap();
    assert_eq!(a.tools[0].name, "run_query");
    assert_eq!(a.tools[0].description.as_ref().unwrap().0, "Runs a query.");
    let params: Vec<_> = a.tools[0].params.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(params, ["req"]);
    assert_eq!(
        flows(src),
        [
            (Sink::Sql, "&sql".to_string()),
            (Sink::Shell, "req.cmd.clone()".to_string())
        ]
    );
}

#[test]
fn argv_options() {
    let body = |b: &str| {
        format!(
            "impl S {{\n    #[tool(description = \"x\")]\n    fn t(&self, Parameters(a): Parameters<A>) -> String {{\n        {b}\n        String::new()\n    }}\n}}\n"
        )
    };
    let bad = body("let mut c = Command::new(\"git\"); c.arg(\"log\"); c.arg(&a.rev); c.output();");
    assert_eq!(flows(&bad), [(Sink::Argv, "&a.rev".to_string())]);
    assert_eq!(
        flows(&body(
            "Command::new(\"curl\").args([\"-s\", &a.url]).output();"
        )),
        [(Sink::Argv, "&a.url".to_string())]
    );
    for ok in [
        "Command::new(\"git\").args([\"log\", \"--\", &a.rev]).output();",
        "Command::new(\"git\").arg(\"-C\").arg(&a.repo).arg(\"status\").output();",
        "Command::new(\"git\").arg(format!(\"--grep={}\", a.q)).output();",
        "if a.rev.starts_with('-') { return String::new(); } Command::new(\"git\").arg(&a.rev).output();",
    ] {
        assert!(
            !flows(&body(ok)).iter().any(|f| f.0 == Sink::Argv),
            "{ok}"
        );
    }
}
