//! What must hold in a database after any run, read with the runtime's own
//! stores (no workers, so nothing is delivered while checking).

use std::collections::BTreeSet;
use std::path::Path;

/// The saga's invariants hold, the stored orders are exactly `accepted`
/// (none lost, none duplicated), and no saga event was dead-lettered.
pub fn check(db: &Path, accepted: &BTreeSet<String>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    runtime.block_on(async {
        let saga = open(db).await;
        let seed = inventory::catalogue::parse(inventory::catalogue::SEED).expect("seed catalogue");
        let report = saga.invariants(&seed).expect("invariants readable");
        assert!(report.holds(), "invariants violated: {report:#?}");
        let stored: BTreeSet<String> = saga
            .services
            .db
            .transaction(|tx| {
                let mut stmt = tx.prepare("SELECT order_id FROM orders")?;
                let ids = stmt
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                Ok::<_, platform::StoreError>(ids)
            })
            .expect("orders");
        assert_eq!(
            &stored, accepted,
            "stored orders are exactly the accepted ones"
        );
        let letters = dlq::DlqStore::pending(&saga.services.dead_letters, None)
            .await
            .expect("dlq");
        assert!(
            letters.is_empty(),
            "no saga event was dead-lettered: {letters:?}"
        );
        saga.shutdown().await;
    });
}

/// The database opened without workers: it may be read while a `saga run`
/// serves it.
pub async fn open(db: &Path) -> runtime::Runtime {
    let template =
        wiring::template::Template::from_path(&super::server::template()).expect("template");
    let saga = runtime::load(&template).expect("wiring");
    let options = runtime::Options {
        database: Some(db.to_path_buf()),
        workers: false,
        ..runtime::Options::default()
    };
    runtime::Runtime::start(saga, options)
        .await
        .expect("opens the database")
}
