//! A fixed-seed batch of generated programs (`kiln-fuzzgen`), each run by the MIR
//! interpreter, the optimising JIT and the unoptimised JIT, which must agree on
//! standard output, standard error and exit status, with no compile error, leak or
//! internal error. `kiln-difftest` runs many more; docs/TESTING.md records them.

use kiln_fuzzgen::gen::{generate, Config};
use kiln_fuzzgen::rng::SplitMix;
use kiln_fuzzgen::{check, Verdict};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Seeds `FIRST..FIRST + COUNT`; a failure names its seed, which
/// `kiln-difftest --show SEED` prints the program of.
const FIRST: u64 = 1_000_000;
const COUNT: u64 = 300;

#[test]
fn generated_programs_agree_on_every_backend() {
    let kiln = Path::new(env!("CARGO_BIN_EXE_kiln"));
    let dir = std::env::temp_dir().join(format!("kiln-difftest-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let next = AtomicU64::new(0);
    let failures = Mutex::new(Vec::new());
    let panicked = AtomicU64::new(0);
    std::thread::scope(|s| {
        for job in 0..2 {
            let (dir, next, failures, panicked) = (&dir, &next, &failures, &panicked);
            s.spawn(move || {
                let file = dir.join(format!("p{job}.kl"));
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= COUNT {
                        break;
                    }
                    let seed = FIRST + i;
                    let source = generate(&mut SplitMix(seed), Config::default());
                    std::fs::write(&file, &source).expect("write the program");
                    let (verdict, outcomes) = check(kiln, &file, Duration::from_secs(120));
                    match verdict {
                        Verdict::Agree { status: 101 } => {
                            panicked.fetch_add(1, Ordering::Relaxed);
                        }
                        Verdict::Agree { .. } => {}
                        v => failures
                            .lock()
                            .unwrap()
                            .push(format!("seed {seed}: {v:?}\n{:#?}", outcomes)),
                    }
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {COUNT} generated programs failed (reproduce with `kiln-difftest --show SEED`):\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The generator is tuned so that most programs run to the end; if most
    // panicked, the batch would test little beyond the first few statements.
    let panicked = panicked.into_inner();
    assert!(
        panicked * 2 < COUNT,
        "{panicked} of {COUNT} programs panicked"
    );
}
