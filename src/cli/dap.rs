//! `qirvo dap`: the debug adapter editors start. The protocol owns stdout; logs go to stderr
//! (or `--log FILE`) through `tracing`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Args)]
pub struct DapArgs {
    /// Listen on this TCP port instead of using stdio.
    #[arg(long)]
    pub port: Option<u16>,
    /// Address to listen on with --port (loopback unless you ask otherwise).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// With --port: every client's `launch` must carry `"token": TOKEN` (a web page or another
    /// local user cannot start plugins through the port).
    #[arg(long, requires = "port", value_name = "TOKEN")]
    pub token: Option<String>,
    /// With --port: exit after this many sessions (default: serve forever).
    #[arg(long)]
    pub sessions: Option<usize>,
    /// Write logs to this file instead of stderr. Level from QIRVO_LOG (default `info`).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
}

pub fn init_logging(log: Option<&PathBuf>) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("QIRVO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false);
    let file = log.and_then(|path| std::fs::OpenOptions::new().create(true).append(true).open(path).ok());
    let _ = match file {
        Some(file) => builder.with_writer(std::sync::Mutex::new(file)).try_init(),
        None => builder.with_writer(std::io::stderr).try_init(),
    };
}

pub fn run(args: &DapArgs) -> ExitCode {
    init_logging(args.log.as_ref());
    let runtime = match super::async_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let code = runtime.block_on(async {
        match args.port {
            None => qirvo_dap::serve_stdio().await,
            Some(port) => {
                let address = SocketAddr::new(args.host, port);
                let listener = match tokio::net::TcpListener::bind(address).await {
                    Ok(listener) => listener,
                    Err(error) => {
                        eprintln!("error: cannot listen on {address}: {error}");
                        return 2;
                    }
                };
                eprintln!(
                    "qirvo dap: listening on {}",
                    listener.local_addr().map_or(address, |a| a)
                );
                match qirvo_dap::serve_tcp(listener, args.sessions, args.token.clone()).await {
                    Ok(code) => code,
                    Err(error) => {
                        eprintln!("error: {error}");
                        2
                    }
                }
            }
        }
    });
    // Plugins may still be parked in tasks; do not wait for them.
    runtime.shutdown_background();
    ExitCode::from(code.clamp(0, 255) as u8)
}
