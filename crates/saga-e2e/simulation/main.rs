//! The deterministic simulation in `make test`: 200 seeds of a dozen orders
//! each, in memory, under every kind of fault (see `saga::sim`). A failing
//! seed is named with the command that reruns it.

use emulator::Fault;
use saga::sim::{self, SagaPath, SimConfig};
use saga_e2e::project_saga;
use std::sync::Arc;

const SEEDS: u64 = 200;

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_seeds_of_faults_keep_every_invariant_and_reach_every_path() {
    let summary = sim::run_seeds(
        Arc::new(project_saga()),
        0..SEEDS,
        SimConfig::default(),
        |_| {},
    )
    .await;
    let mut text = Vec::new();
    summary.print(&mut text).expect("summary");
    let text = String::from_utf8_lossy(&text);
    println!("{text}");
    assert!(summary.passed(), "{text}");
    assert_eq!(summary.seeds, SEEDS);
    for path in SagaPath::ALL {
        assert!(
            summary.path(path).seeds >= SEEDS / 10,
            "{} reached by too few seeds:\n{text}",
            path.name()
        );
    }
    for kind in Fault::ALL {
        assert!(
            summary.fault(kind.name()).seeds >= SEEDS / 4,
            "{} injected in too few seeds:\n{text}",
            kind.name()
        );
    }
    assert_eq!(summary.fault("poison message").seeds, SEEDS);
    assert!(
        summary.fault("crash and restart of the runtime").seeds >= SEEDS / 10,
        "{text}"
    );
}
