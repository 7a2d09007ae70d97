//! `kiln-difftest`: generates programs and runs each on every backend.
//!
//! ```text
//! kiln-difftest [--count N] [--seed S] [--jobs J] [--kiln PATH] [--out DIR]
//!               [--timeout SECS] [--no-shrink]
//! kiln-difftest --show SEED        # print the program of one seed
//! ```
//!
//! Program `i` is made from seed `S + i`, so any finding is reproduced by its
//! seed alone. A failing program is saved in DIR as `seed-N.kl`, with the runs'
//! output in `seed-N.txt` and a shrunk version in `seed-N.min.kl`. The exit
//! status is 1 when anything failed.

use kiln_fuzzgen::gen::{generate, Config};
use kiln_fuzzgen::rng::SplitMix;
use kiln_fuzzgen::{check, shrink, Outcome, Verdict, BACKENDS};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Args {
    count: u64,
    seed: u64,
    jobs: usize,
    kiln: PathBuf,
    out: PathBuf,
    timeout: Duration,
    shrink: bool,
    show: Option<u64>,
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: kiln-difftest [--count N] [--seed S] [--jobs J] [--kiln PATH] [--out DIR] \
         [--timeout SECS] [--no-shrink]\n       kiln-difftest --show SEED"
    );
    ExitCode::from(2)
}

fn parse_args() -> Option<Args> {
    // The `kiln` next to this executable: the same build of the same workspace.
    let default_kiln = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("kiln")))
        .unwrap_or_else(|| PathBuf::from("kiln"));
    let mut args = Args {
        count: 100,
        seed: 0,
        jobs: 2,
        kiln: default_kiln,
        out: PathBuf::from("difftest-out"),
        timeout: Duration::from_secs(20),
        shrink: true,
        show: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next();
        match a.as_str() {
            "--count" => args.count = value()?.parse().ok()?,
            "--seed" => args.seed = value()?.parse().ok()?,
            "--jobs" => args.jobs = value()?.parse().ok().filter(|&j| j > 0)?,
            "--kiln" => args.kiln = PathBuf::from(value()?),
            "--out" => args.out = PathBuf::from(value()?),
            "--timeout" => args.timeout = Duration::from_secs(value()?.parse().ok()?),
            "--no-shrink" => args.shrink = false,
            "--show" => args.show = Some(value()?.parse().ok()?),
            _ => return None,
        }
    }
    Some(args)
}

/// Counts of each verdict, for the summary.
#[derive(Default)]
struct Tally {
    ran_to_end: u64,
    panicked: u64,
    failures: Vec<(u64, Verdict)>,
}

fn main() -> ExitCode {
    let Some(args) = parse_args() else {
        return usage();
    };
    if let Some(seed) = args.show {
        print!("{}", generate(&mut SplitMix(seed), Config::default()));
        return ExitCode::SUCCESS;
    }
    if !args.kiln.exists() {
        eprintln!(
            "kiln-difftest: no kiln at {} (build it, or pass --kiln)",
            args.kiln.display()
        );
        return ExitCode::from(2);
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("kiln-difftest: cannot create {}: {e}", args.out.display());
        return ExitCode::from(2);
    }
    let started = Instant::now();
    let next = AtomicU64::new(0);
    let tally = Mutex::new(Tally::default());
    std::thread::scope(|s| {
        for job in 0..args.jobs {
            let (args, next, tally) = (&args, &next, &tally);
            s.spawn(move || worker(args, job, next, tally, started));
        }
    });
    let tally = tally.into_inner().unwrap_or_else(|e| e.into_inner());
    println!(
        "{} programs (seeds {}..{}) in {:.1} s: {} ran to the end, {} panicked the same way on every backend, {} failed",
        args.count,
        args.seed,
        args.seed + args.count,
        started.elapsed().as_secs_f64(),
        tally.ran_to_end,
        tally.panicked,
        tally.failures.len()
    );
    for (seed, verdict) in &tally.failures {
        println!("  seed {seed}: {verdict:?} (see {})", args.out.display());
    }
    if tally.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn worker(args: &Args, job: usize, next: &AtomicU64, tally: &Mutex<Tally>, started: Instant) {
    let file = std::env::temp_dir().join(format!("kiln-difftest-{}-{job}.kl", std::process::id()));
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= args.count {
            break;
        }
        let seed = args.seed + i;
        let source = generate(&mut SplitMix(seed), Config::default());
        if std::fs::write(&file, &source).is_err() {
            eprintln!("kiln-difftest: cannot write {}", file.display());
            break;
        }
        let (verdict, outcomes) = check(&args.kiln, &file, args.timeout);
        if (i + 1).is_multiple_of(1000) {
            eprintln!(
                "kiln-difftest: {} programs, {:.0} s",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
        let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
        match verdict {
            Verdict::Agree { status: 0 } => t.ran_to_end += 1,
            Verdict::Agree { .. } => t.panicked += 1,
            _ => {
                eprintln!("kiln-difftest: seed {seed}: {verdict:?}");
                t.failures.push((seed, verdict.clone()));
                drop(t);
                save(args, &file, seed, &source, &outcomes, &verdict);
            }
        }
    }
    let _ = std::fs::remove_file(&file);
}

/// Saves a failing program, the runs' output and (for a mismatch or a
/// breakage) a shrunk version.
fn save(
    args: &Args,
    file: &Path,
    seed: u64,
    source: &str,
    outcomes: &[Outcome],
    verdict: &Verdict,
) {
    let base = args.out.join(format!("seed-{seed}"));
    let _ = std::fs::write(base.with_extension("kl"), source);
    let mut report = format!("seed {seed}: {verdict:?}\n");
    for ((name, _), o) in BACKENDS.iter().zip(outcomes) {
        report.push_str(&format!(
            "\n== {name}: status {:?}{}\n-- stdout\n{}-- stderr\n{}",
            o.status,
            if o.timed_out { " (timed out)" } else { "" },
            o.stdout,
            o.stderr
        ));
    }
    let _ = std::fs::write(base.with_extension("txt"), report);
    if args.shrink && matches!(verdict, Verdict::Mismatch | Verdict::Broken { .. }) {
        let small = shrink(&args.kiln, file, source, args.timeout);
        let _ = std::fs::write(base.with_extension("min.kl"), small);
    }
}
