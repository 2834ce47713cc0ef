//! `qirvo debug`: a headless debugging run for CI and quick looks. It drives a real DAP session
//! in-process (the same code editors talk to), prints every stop with its stack, steps or
//! continues, and returns the plugins' exit status.

use std::io::Write;

use serde_json::{Value, json};
use tokio::io::{AsyncWriteExt, BufReader};

use crate::protocol::{read_message, write_message};

/// What to do.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Manifests of the plugins to debug.
    pub manifests: Vec<String>,
    /// A WASI program to debug instead of plugins.
    pub program: Option<String>,
    /// Its arguments.
    pub program_args: Vec<String>,
    /// Breakpoints as `FILE:LINE`.
    pub breakpoints: Vec<String>,
    /// Function breakpoints.
    pub functions: Vec<String>,
    /// Expressions to print at each stop.
    pub evaluate: Vec<String>,
    /// `next` steps after each breakpoint stop before continuing.
    pub steps: usize,
    /// Events to publish after start (`topic=payload`).
    pub events: Vec<String>,
    /// Stop on entry.
    pub stop_on_entry: bool,
    /// Most stops before giving up (a loop with a breakpoint would never end).
    pub max_stops: usize,
}

struct Client {
    writer: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    reader: BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>,
    seq: i64,
    backlog: Vec<Value>,
}

impl Client {
    async fn send(&mut self, command: &str, arguments: Value) -> Result<i64, String> {
        self.seq += 1;
        let message = json!({ "seq": self.seq, "type": "request", "command": command, "arguments": arguments });
        write_message(&mut self.writer, &message)
            .await
            .map_err(|e| e.to_string())?;
        Ok(self.seq)
    }

    async fn next(&mut self) -> Result<Value, String> {
        if !self.backlog.is_empty() {
            return Ok(self.backlog.remove(0));
        }
        read_message(&mut self.reader).await.map_err(|e| e.to_string())
    }

    async fn request(&mut self, command: &str, arguments: Value) -> Result<Value, String> {
        let seq = self.send(command, arguments).await?;
        let mut kept = Vec::new();
        loop {
            let message = self.next().await?;
            if message["type"] == "response" && message["request_seq"] == seq {
                self.backlog.splice(0..0, kept);
                return if message["success"] == true {
                    Ok(message["body"].clone())
                } else {
                    Err(message["message"].as_str().unwrap_or("request failed").to_string())
                };
            }
            kept.push(message);
        }
    }
}

fn frame_line(frame: &Value) -> String {
    let path = frame["source"]["path"].as_str().unwrap_or("?");
    format!(
        "{} at {}:{}",
        frame["name"].as_str().unwrap_or("?"),
        path,
        frame["line"]
    )
}

/// Runs the batch session, printing to `out`. Returns the exit code.
pub async fn run(options: BatchOptions, out: &mut (dyn Write + Send)) -> i32 {
    let (client_side, server_side) = tokio::io::duplex(1 << 20);
    let (server_read, server_write) = tokio::io::split(server_side);
    let server = tokio::spawn(crate::serve(server_read, server_write));
    let (read, write) = tokio::io::split(client_side);
    let mut client = Client {
        writer: write,
        reader: BufReader::new(read),
        seq: 0,
        backlog: Vec::new(),
    };
    let result = session(&mut client, &options, out).await;
    let _ = client.send("disconnect", json!({})).await;
    let _ = client.writer.shutdown().await;
    let served = server.await.unwrap_or(1);
    match result {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(out, "error: {message}");
            if served == 0 { 1 } else { served }
        }
    }
}

async fn session(client: &mut Client, options: &BatchOptions, out: &mut (dyn Write + Send)) -> Result<i32, String> {
    client
        .request("initialize", json!({ "clientID": "qirvo-debug", "adapterID": "qirvo" }))
        .await?;
    let launch = match &options.program {
        Some(program) => {
            json!({ "program": program, "args": options.program_args, "stopOnEntry": options.stop_on_entry })
        }
        None => {
            json!({ "manifests": options.manifests, "stopOnEntry": options.stop_on_entry, "events": options.events })
        }
    };
    client.request("launch", launch).await?;
    let mut by_file: Vec<(String, Vec<u32>)> = Vec::new();
    for breakpoint in &options.breakpoints {
        let (file, line) = breakpoint
            .rsplit_once(':')
            .and_then(|(f, l)| Some((f, l.parse::<u32>().ok()?)))
            .ok_or_else(|| format!("`{breakpoint}` is not FILE:LINE"))?;
        let path = std::fs::canonicalize(file).map_or_else(|_| file.to_string(), |p| p.to_string_lossy().into_owned());
        match by_file.iter_mut().find(|(f, _)| *f == path) {
            Some((_, lines)) => lines.push(line),
            None => by_file.push((path, vec![line])),
        }
    }
    for (path, lines) in &by_file {
        let body = client
            .request(
                "setBreakpoints",
                json!({ "source": { "path": path }, "breakpoints": lines.iter().map(|l| json!({ "line": l })).collect::<Vec<_>>() }),
            )
            .await?;
        for (requested, result) in lines.iter().zip(body["breakpoints"].as_array().into_iter().flatten()) {
            if result["verified"] == true {
                let _ = writeln!(out, "breakpoint {path}:{requested} → line {}", result["line"]);
            } else {
                let _ = writeln!(
                    out,
                    "breakpoint {path}:{requested} not set: {}",
                    result["message"].as_str().unwrap_or("")
                );
            }
        }
    }
    if !options.functions.is_empty() {
        let names: Vec<Value> = options.functions.iter().map(|n| json!({ "name": n })).collect();
        client
            .request("setFunctionBreakpoints", json!({ "breakpoints": names }))
            .await?;
    }
    client.request("configurationDone", json!({})).await?;
    let mut stops = 0;
    let mut steps_left = 0;
    loop {
        let message = client.next().await?;
        if message["type"] != "event" {
            continue;
        }
        let body = &message["body"];
        match message["event"].as_str().unwrap_or_default() {
            "output" => {
                let _ = write!(out, "{}", body["output"].as_str().unwrap_or_default());
            }
            "stopped" => {
                stops += 1;
                let thread = body["threadId"].as_i64().unwrap_or(1);
                let reason = body["reason"].as_str().unwrap_or("?");
                let trace = client.request("stackTrace", json!({ "threadId": thread })).await?;
                let frames = trace["stackFrames"].as_array().cloned().unwrap_or_default();
                let top = frames.first().map(frame_line).unwrap_or_else(|| "?".into());
                let _ = writeln!(out, "stopped ({reason}) in {top}");
                if let Some(text) = body["text"].as_str() {
                    let _ = writeln!(out, "  {text}");
                }
                for (n, frame) in frames.iter().enumerate() {
                    let _ = writeln!(out, "  #{n} {}", frame_line(frame));
                }
                if !options.evaluate.is_empty() {
                    print_expressions(client, &frames, &options.evaluate, out).await?;
                }
                if reason == "breakpoint" || reason == "entry" {
                    steps_left = options.steps;
                }
                if stops >= options.max_stops.max(1) {
                    let _ = writeln!(out, "error: stopped {stops} times; giving up");
                    return Ok(1);
                }
                let command = if steps_left > 0 && reason != "exception" {
                    steps_left -= 1;
                    "next"
                } else {
                    "continue"
                };
                client.request(command, json!({ "threadId": thread })).await?;
            }
            "exited" => return Ok(body["exitCode"].as_i64().unwrap_or(1) as i32),
            _ => {}
        }
    }
}

async fn print_expressions(
    client: &mut Client,
    frames: &[Value],
    expressions: &[String],
    out: &mut (dyn Write + Send),
) -> Result<(), String> {
    let Some(frame) = frames.first() else { return Ok(()) };
    for expression in expressions {
        let arguments = json!({ "expression": expression, "frameId": frame["id"], "context": "repl" });
        match client.request("evaluate", arguments).await {
            Ok(body) => {
                let result = body["result"].as_str().unwrap_or("?");
                match body["type"].as_str().filter(|t| !t.is_empty()) {
                    Some(ty) => writeln!(out, "  {expression} = {result} ({ty})"),
                    None => writeln!(out, "  {expression} = {result}"),
                }
            }
            Err(error) => writeln!(out, "  {expression}: {error}"),
        }
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}
