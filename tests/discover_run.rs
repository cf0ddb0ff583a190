//! A discovery run driven from a background task, as the dashboard will drive it: its
//! progress arrives as it goes, each newly found credential once it is in the inventory.

use std::sync::Arc;

use chrono::Utc;
use credboard::api::{Client, ClientOptions};
use credboard::demo::{DemoOptions, DemoServer};
use credboard::discover::{self, Options, Progress};
use credboard::store::Store;
use tokio::sync::mpsc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_in_a_background_task_reports_each_find_as_it_is_tracked() {
    let server = DemoServer::start(DemoOptions::default()).await.unwrap();
    let client = Client::new(ClientOptions {
        client_id: Some(server.client_id()),
        client_secret: Some(server.client_secret()),
        ..Default::default()
    })
    .unwrap();
    let store = Arc::new(Store::open_in_memory(&server.endpoint()).unwrap());
    let options = Options::new(Utc::now(), 4);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = {
        let (client, store) = (client.clone(), store.clone());
        tokio::spawn(async move {
            discover::run(&client, &store, &options, move |p| {
                let _ = tx.send(p);
            })
            .await
        })
    };
    let mut pages = 0;
    let mut verifying = Vec::new();
    let mut found = Vec::new();
    while let Some(p) = rx.recv().await {
        match p {
            Progress::Read { .. } => pages += 1,
            Progress::Verifying { done, of } => verifying.push((done, of)),
            Progress::Found {
                key,
                credential,
                tracked,
            } => {
                assert!(tracked, "not a dry run");
                assert_eq!(credential.id.as_deref(), Some(key.credential_id.as_str()));
                // Once said tracked, the inventory holds it.
                let ids: Vec<_> = store
                    .tracked()
                    .unwrap()
                    .into_iter()
                    .map(|t| t.ids)
                    .collect();
                assert!(ids.contains(&key), "{key:?} not in the inventory yet");
                found.push(key);
            }
        }
    }
    let report = task.await.unwrap().unwrap();
    assert!(pages >= 1);
    assert_eq!(report.newly_tracked, found.len());
    assert!(found.len() > 10, "{}", found.len());
    let of = verifying.last().unwrap().1;
    assert_eq!(verifying.len(), of, "one step per candidate");
    assert_eq!(verifying.last().unwrap().0, of);
    server.shutdown().await;
}
