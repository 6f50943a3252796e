//! A worker process keeps the settings each delivery reads in memory; a change made on
//! the settings page (by another process) still reaches it before the next message.

use crate::helpers::static_sms_to;
use crate::processes::WorkerProcess;
use crate::providers::world_in_mode;
use server::startup::WorkerMode;
use std::time::Duration;

#[tokio::test]
async fn a_provider_account_added_while_a_worker_runs_sends_that_workers_next_message() {
    let (world, settings) = world_in_mode(|_| {}, WorkerMode::None).await;
    let _worker = WorkerProcess::start(&settings, world.app.dir.path());
    let before = world.app.send_ok(&static_sms_to("+919876543210")).await;
    let delivered = world
        .app
        .wait_for_status_within(&before, "delivered", Duration::from_secs(20))
        .await;
    assert!(
        delivered["history"].to_string().contains("sandbox"),
        "no account yet: the sandbox sent it"
    );
    world.twilio("sms", "+15005550006").await;
    let after = world.app.send_ok(&static_sms_to("+919876543211")).await;
    world.fake.wait_for_number("twilio", "+919876543211").await;
    world.app.wait_for_status(&after, "sending").await;
}
