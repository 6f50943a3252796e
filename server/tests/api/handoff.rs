//! At most one hand-off per message to a provider that cannot drop duplicates
//! (Twilio, Meta, Exotel): a hand-off whose answer was lost — a timeout, or a worker
//! killed while the provider was answering — is settled by looking the message up at
//! the provider, or failed as `outcome_unknown`; it is never sent again.

use crate::fake_providers::TWILIO_SLOW_ANSWER;
use crate::helpers::static_sms_to;
use crate::processes::WorkerProcess;
use crate::providers::{world_in_mode, world_with, World};
use server::startup::WorkerMode;
use std::time::Duration;

/// Twilio's POSTs for `number` (each one a message on the customer's phone).
fn twilio_posts(world: &World, number: &str) -> usize {
    world
        .fake
        .requests("twilio")
        .iter()
        .filter(|r| r.form.iter().any(|(k, v)| k == "To" && v == number))
        .count()
}

/// A world whose provider calls give up after 1 s: Twilio's slow answers come too late.
async fn impatient_world() -> World {
    let world = world_with(|s| s.providers.request_timeout_ms = 1000).await;
    world.twilio("sms", "+15005550006").await;
    world
}

#[tokio::test]
async fn a_message_twilio_took_but_answered_too_late_for_is_found_there_and_not_sent_again() {
    let world = impatient_world().await;
    let number = "+919876540408";
    let uuid = world.app.send_ok(&static_sms_to(number)).await;
    let sent = world.app.wait_for_status(&uuid, "sent").await;
    let history = world.history(&uuid).await;
    assert!(
        history
            .iter()
            .any(|h| h == "sent: Found at twilio after its answer was lost"),
        "the history says how it was settled: {history:?}"
    );
    assert_eq!(sent["error"], serde_json::Value::Null);
    // Long enough for a retry (20 ms base delay) to have gone out.
    tokio::time::sleep(TWILIO_SLOW_ANSWER).await;
    assert_eq!(twilio_posts(&world, number), 1, "one hand-off only");
    assert_eq!(
        world.fake.requests("twilio-list").len(),
        1,
        "looked up once"
    );
}

#[tokio::test]
async fn a_message_whose_fate_cannot_be_learnt_fails_as_outcome_unknown_and_is_not_sent_again() {
    let world = impatient_world().await;
    let number = "+919876540409";
    let uuid = world.app.send_ok(&static_sms_to(number)).await;
    let failed = world.app.wait_for_status(&uuid, "failed").await;
    assert_eq!(failed["error"]["code"], "outcome_unknown");
    assert_eq!(
        failed["error"]["message"],
        "The provider may have sent this message. Check with the customer before you resend."
    );
    tokio::time::sleep(TWILIO_SLOW_ANSWER).await;
    assert_eq!(twilio_posts(&world, number), 1, "never sent again");
}

#[tokio::test]
async fn a_worker_killed_while_twilio_answers_leaves_one_message_on_the_phone_and_none_stuck() {
    // The app only accepts; a separate worker process delivers, with a 5 s provider
    // timeout (a job invisible for 7 s), so Twilio's 3 s answer is still coming when
    // the worker dies.
    let (world, settings) = world_in_mode(
        |s| {
            s.providers.request_timeout_ms = 5000;
            s.queue.visibility_timeout_secs = 7;
        },
        WorkerMode::None,
    )
    .await;
    world.twilio("sms", "+15005550006").await;
    let number = "+919876540408";
    let uuid = world.app.send_ok(&static_sms_to(number)).await;
    let mut doomed = WorkerProcess::start(&settings, world.app.dir.path());
    world.fake.wait_for_number("twilio", number).await;
    doomed.kill_9();
    let _survivor = WorkerProcess::start(&settings, world.app.dir.path());
    let sent = world
        .app
        .wait_for_status_within(&uuid, "sent", Duration::from_secs(30))
        .await;
    assert_eq!(sent["error"], serde_json::Value::Null);
    assert_eq!(
        twilio_posts(&world, number),
        1,
        "the customer got the message once"
    );
}
