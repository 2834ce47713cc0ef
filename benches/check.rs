//! `cargo bench --bench check`: the cost of `qirvo check` on a typical manifest whose module is
//! 2 MB (code plus DWARF-sized custom sections), in-process and as a process, each against a
//! baseline measured in the same run (the machine is noisy; ratios are what to compare).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use qirvo_manifest::rules::{self, CheckContext};

mod support;

use support::{TYPICAL_MANIFEST as MANIFEST, plugin_module};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<F: FnMut()>(runs: usize, mut work: F) -> Duration {
    for _ in 0..runs.min(10) {
        work();
    }
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                work();
                start.elapsed()
            })
            .collect(),
    )
}

fn ms(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1e3)
}

fn main() {
    let dir = std::env::temp_dir().join(format!("qirvo-bench-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let module = plugin_module(2 << 20);
    std::fs::write(dir.join("plugin.wasm"), &module).expect("write module");
    let manifest = dir.join("manifest.json");
    std::fs::write(&manifest, MANIFEST).expect("write manifest");

    let context = CheckContext::for_file(&manifest);
    let probe = rules::check(MANIFEST, &context);
    assert!(
        !probe.has_errors(),
        "the benchmark manifest must be valid: {:?}",
        probe.diagnostics
    );

    let read_only = time(200, || {
        std::hint::black_box(std::fs::read(dir.join("plugin.wasm")).expect("read"));
    });
    let check = time(200, || {
        std::hint::black_box(rules::check(MANIFEST, &context));
    });
    let check_text_only = time(200, || {
        let no_module = CheckContext {
            manifest_dir: None,
            ..CheckContext::for_file(&manifest)
        };
        std::hint::black_box(rules::check(MANIFEST, &no_module));
    });

    let binary = Path::new(env!("CARGO_BIN_EXE_qirvo"));
    let run = |args: &[&std::ffi::OsStr]| {
        let status = Command::new(binary).args(args).output().expect("qirvo runs").status;
        assert!(status.success());
    };
    let startup = time(60, || run(&["--version".as_ref()]));
    let process = time(60, || run(&["check".as_ref(), manifest.as_os_str()]));

    println!("module: {} bytes; manifest: {} bytes", module.len(), MANIFEST.len());
    println!();
    println!("| measurement (median) | time |");
    println!("|---|---|");
    println!("| baseline: read the 2 MB module file | {} |", ms(read_only));
    println!(
        "| `rules::check`, manifest only (no module) | {} |",
        ms(check_text_only)
    );
    println!("| `rules::check` with the 2 MB module | {} |", ms(check));
    println!("| baseline: process `qirvo --version` | {} |", ms(startup));
    println!("| process `qirvo check manifest.json` | {} |", ms(process));
    println!(
        "| work beyond start-up (check − version) | {} |",
        ms(process.saturating_sub(startup))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
