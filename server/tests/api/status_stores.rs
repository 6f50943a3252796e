//! The status store's promises, checked the same way on every implementation: the SQL
//! store (SQLite, or MariaDB with `NOTIFY_TEST_DATABASE=mariadb`) and MongoDB (the
//! test process's FerretDB, or the server `NOTIFY_TEST_MONGODB_URL` names). Status
//! changes go through the service's `StatusRecorder`, the one place the forward-only
//! rule lives, over each store's compare-and-set.

use crate::helpers::{static_sms, test_settings, TestApp};
use crate::services::{database_url, mongodb_url, mongodb_url_for};
use app::domain::rfc3339;
use app::domain::{CallId, Channel, FailureReason, GroupId, HistoryEntry, NotificationStatus};
use app::domain::{Cursor, HistoryFilter, UserId, UuidText, E164};
use app::service::status::{Applied, StatusRecorder};
use app::service::{
    AlsoWrite, Handoff, MessageKey, NotificationFilter, NotificationRecord, StatusStore,
    StatusUpdate,
};
use app::service::{CompareAndSet, HandoffClaim, Note, ProviderReceipt, ReplyOrigin, StuckCutoffs};
use mongodb::bson::{doc, Document};
use server::config::StatusBackend;
use server::feed::BroadcastFeed;
use server::startup::WorkerMode;
use server::store::{MongoCollections, MongoStatusStore, SqlStore};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;
use NotificationStatus::{Delivered, Failed, Queued, Read, Sending, Sent};

/// Records status changes in `store` by the service's forward-only rule.
fn recorder(store: &Arc<dyn StatusStore>) -> StatusRecorder {
    StatusRecorder::new(store.clone(), Arc::new(BroadcastFeed::new(16)))
}

/// Applies `status` to message `uuid` the way every caller does.
async fn apply(store: &Arc<dyn StatusStore>, uuid: Uuid, status: NotificationStatus) -> Applied {
    recorder(store)
        .record(uuid, &update(status))
        .await
        .expect("applied")
}

fn collections() -> MongoCollections {
    MongoCollections {
        sms: "sms".into(),
        whatsapp: "whatsapp".into(),
        rcs: "rcs".into(),
    }
}

/// A fresh MongoDB store in a database of its own; its url.
async fn mongo_store() -> (MongoStatusStore, String) {
    let url = mongodb_url(&format!("notify_test_{}", Uuid::new_v4().simple()));
    let store = MongoStatusStore::open(&url, &collections())
        .await
        .expect("MongoDB store opens");
    (store, url)
}

/// A fresh SQL store (its data directory is returned to keep it alive).
async fn sql_store() -> (SqlStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqlStore::open(&database_url(dir.path()), 4)
        .await
        .expect("SQL store opens");
    (store, dir)
}

/// Runs one promise against the SQL store and against MongoDB.
macro_rules! on_every_store {
    ($($promise:ident),* $(,)?) => {$(
        mod $promise {
            #[tokio::test]
            async fn on_the_sql_store() {
                let (store, _dir) = super::sql_store().await;
                super::$promise(std::sync::Arc::new(store)).await;
            }

            #[tokio::test]
            async fn on_mongodb() {
                let (store, _) = super::mongo_store().await;
                super::$promise(std::sync::Arc::new(store)).await;
            }
        }
    )*};
}

on_every_store!(
    compare_and_set_changes_a_status_only_from_the_one_expected,
    out_of_order_updates_never_move_a_status_back,
    concurrent_updates_end_at_the_furthest_status_with_an_ordered_history,
    a_uuid_recorded_twice_keeps_the_first_record,
    a_failure_keeps_its_reason_and_a_later_delivery_wins,
    messages_are_listed_newest_first_by_call_and_by_agent,
    the_history_filters_by_every_field_and_pages_without_gaps_or_repeats,
    a_message_left_queued_is_swept_once_and_only_queued_ones_are_withdrawn,
    a_note_joins_the_history_at_the_current_status_and_provider_ids_find_messages,
    one_hand_off_opens_at_a_time_and_only_its_attempt_closes_or_replaces_it,
    a_message_sending_with_nothing_happening_is_swept_unless_the_provider_took_it,
    a_status_change_writes_its_hand_off_or_provider_id_in_the_same_write,
    retention_erases_old_numbers_bodies_and_fields_and_keeps_the_rest,
    a_reply_finds_the_newest_message_to_its_number_that_expects_one_within_the_window,
    the_figures_count_statuses_failures_and_templates_and_rank_delivery_times,
);

/// `message` taken by provider account `provider`, at `at`.
fn taken(
    mut message: NotificationRecord,
    provider: &str,
    at: OffsetDateTime,
) -> NotificationRecord {
    message.provider = Some(provider.to_owned());
    message.provider_message_id = Some(format!("p-{}", message.uuid.simple()));
    message.created_at = at;
    message.updated_at = at;
    message
}

async fn a_reply_finds_the_newest_message_to_its_number_that_expects_one_within_the_window(
    store: Arc<dyn StatusStore>,
) {
    let now = app::service::now();
    let hours = |h: u64| now - Duration::from_secs(h * 3600);
    let older = taken(queued_now(Channel::Whatsapp), "meta-1", hours(5));
    let newer = taken(queued_now(Channel::Whatsapp), "meta-1", hours(2));
    let mut no_reply_wanted = taken(queued_now(Channel::Whatsapp), "meta-1", hours(1));
    no_reply_wanted.expects_reply = false;
    let other_account = taken(queued_now(Channel::Whatsapp), "meta-2", hours(1));
    let by_sms = taken(queued_now(Channel::Sms), "meta-1", hours(1));
    for m in [&older, &newer, &no_reply_wanted, &other_account, &by_sms] {
        store.create(m).await.expect("created");
    }
    let customer = E164::parse("+919876543210").expect("e164");
    let latest = |since| {
        store.latest_to(ReplyOrigin {
            to: &customer,
            channel: Channel::Whatsapp,
            provider: "meta-1",
            since,
        })
    };
    assert_eq!(
        latest(hours(24)).await.expect("read"),
        Some(newer.uuid),
        "the newest message expecting a reply, on that channel and account"
    );
    assert_eq!(
        latest(hours(3) + Duration::from_secs(1))
            .await
            .expect("read"),
        Some(newer.uuid)
    );
    assert_eq!(
        latest(hours(2) + Duration::from_secs(1))
            .await
            .expect("read"),
        None,
        "nothing sent since the window opened"
    );
    let stranger = E164::parse("+919876500000").expect("e164");
    assert_eq!(
        store
            .latest_to(ReplyOrigin {
                to: &stranger,
                channel: Channel::Whatsapp,
                provider: "meta-1",
                since: hours(24)
            })
            .await
            .expect("read"),
        None
    );
}

/// Moves `message` on to `status` at `at`.
async fn apply_at(
    store: &Arc<dyn StatusStore>,
    message: &NotificationRecord,
    status: NotificationStatus,
    at: OffsetDateTime,
) {
    let step = StatusUpdate {
        at,
        ..update(status)
    };
    recorder(store)
        .record(message.uuid, &step)
        .await
        .expect("applied");
}

async fn the_figures_count_statuses_failures_and_templates_and_rank_delivery_times(
    store: Arc<dyn StatusStore>,
) {
    let start = app::service::now() - Duration::from_secs(3600);
    let at = |s: u64| start + Duration::from_secs(s);
    // Five SMS delivered 1..5 s after acceptance, one WhatsApp failed, one RCS queued,
    // and one SMS before the period.
    let mut delivered = Vec::new();
    for s in 1..=5 {
        let m = taken(queued_now(Channel::Sms), "twilio-1", at(10 * s));
        store.create(&m).await.expect("created");
        apply_at(&store, &m, Sent, at(10 * s)).await;
        apply_at(&store, &m, Delivered, at(10 * s + s)).await;
        delivered.push(m);
    }
    let mut failed = taken(queued_now(Channel::Whatsapp), "meta-1", at(100));
    failed.template_id = app::domain::TemplateId::parse("t_wa_order").expect("id");
    failed.template_name = "Order update".into();
    store.create(&failed).await.expect("created");
    apply_at(&store, &failed, Failed, at(101)).await;
    let queued = record(Channel::Rcs, "call-f", "agent-f", at(200));
    store.create(&queued).await.expect("created");
    let before = taken(
        queued_now(Channel::Sms),
        "twilio-1",
        start - Duration::from_secs(60),
    );
    store.create(&before).await.expect("created");
    apply_at(&store, &before, Delivered, start).await;

    let filter = app::domain::StatsFilter {
        from: start,
        until: app::service::now(),
        group_id: None,
    };
    let mut rows = store.stats(&filter).await.expect("counted");
    rows.counts.sort_by_key(|c| (c.0.as_str(), c.1.as_str()));
    rows.templates.sort();
    assert_eq!(
        rows.counts,
        [
            (Channel::Rcs, Queued, None, 1),
            (Channel::Sms, Delivered, Some("twilio-1".to_owned()), 5),
            (Channel::Whatsapp, Failed, Some("meta-1".to_owned()), 1),
        ]
    );
    assert_eq!(rows.failures, [("undeliverable".to_owned(), 1)]);
    assert_eq!(
        rows.templates,
        [
            ("t_sms_thanks".to_owned(), "Thanks".to_owned(), 6),
            ("t_wa_order".to_owned(), "Order update".to_owned(), 1),
        ]
    );
    let times = rows.delivery.expect("delivery times");
    assert_eq!((times.count, times.p50_ms, times.p95_ms), (5, 3000, 4000));
    let other_group = app::domain::StatsFilter {
        group_id: Some(GroupId::parse("other").expect("group")),
        ..filter
    };
    let none = store.stats(&other_group).await.expect("counted");
    assert!(none.counts.is_empty() && none.delivery.is_none());
}

async fn retention_erases_old_numbers_bodies_and_fields_and_keeps_the_rest(
    store: Arc<dyn StatusStore>,
) {
    let old = record(
        Channel::Sms,
        "call-old",
        "agent-1",
        app::service::now() - Duration::from_secs(100 * 86_400),
    );
    let recent = queued_now(Channel::Sms);
    store.create(&old).await.expect("created");
    store.create(&recent).await.expect("created");
    apply(&store, old.uuid, Sending).await;
    let cutoff = app::service::now() - Duration::from_secs(90 * 86_400);
    assert_eq!(store.erase_before(cutoff).await.expect("erased"), 1);
    let erased = current(store.as_ref(), old.uuid).await;
    assert_eq!(
        (
            erased.to.clone(),
            erased.body.as_str(),
            erased.parameters.len()
        ),
        (None, "", 0),
        "number, body and field values are gone"
    );
    assert_eq!(
        (erased.status, steps(&erased)),
        (Sending, vec![Queued, Sending]),
        "status and history stay"
    );
    assert_eq!(erased.view().to, "");
    assert_eq!(current(store.as_ref(), recent.uuid).await, recent);
    assert_eq!(
        store.erase_before(cutoff).await.expect("erased"),
        0,
        "erasing again finds nothing left"
    );
}

async fn a_status_change_writes_its_hand_off_or_provider_id_in_the_same_write(
    store: Arc<dyn StatusStore>,
) {
    let handoff = |attempt| Handoff {
        attempt,
        at: app::service::now(),
        channel: Channel::Sms,
    };
    let claim = AlsoWrite::OpenHandoff(handoff(1));
    let message = queued_now(Channel::Sms);
    store.create(&message).await.expect("created");
    assert!(store
        .compare_and_set(CompareAndSet {
            message: message.key(),
            expected: Queued,
            update: &update(Sending),
            also: &claim
        })
        .await
        .expect("compared"));
    let now = current(store.as_ref(), message.uuid).await;
    assert_eq!(
        (now.status, now.handoff.map(|h| h.attempt)),
        (Sending, Some(1))
    );

    let other = queued_now(Channel::Sms);
    store.create(&other).await.expect("created");
    assert!(store
        .open_handoff(
            other.key(),
            HandoffClaim {
                handoff: &handoff(7),
                replacing: None
            }
        )
        .await
        .expect("opened"));
    assert!(
        !store
            .compare_and_set(CompareAndSet {
                message: other.key(),
                expected: Queued,
                update: &update(Sending),
                also: &claim
            })
            .await
            .expect("compared"),
        "no claim while another hand-off is open"
    );
    assert_eq!(current(store.as_ref(), other.uuid).await.status, Queued);

    let taken = AlsoWrite::ProviderRef(app::service::ProviderReceipt {
        provider: "http".into(),
        provider_message_id: "gw-1".into(),
        sent: None,
    });
    assert!(store
        .compare_and_set(CompareAndSet {
            message: message.key(),
            expected: Sending,
            update: &update(Sent),
            also: &taken
        })
        .await
        .expect("compared"));
    let now = current(store.as_ref(), message.uuid).await;
    assert_eq!(
        (
            now.status,
            now.provider.as_deref(),
            now.provider_message_id.as_deref()
        ),
        (Sent, Some("http"), Some("gw-1"))
    );
}

async fn one_hand_off_opens_at_a_time_and_only_its_attempt_closes_or_replaces_it(
    store: Arc<dyn StatusStore>,
) {
    let message = queued_now(Channel::Rcs);
    store.create(&message).await.expect("created");
    let handoff = |attempt| Handoff {
        attempt,
        at: app::service::now(),
        channel: Channel::Sms,
    };
    let key = message.key();
    let open = |h: Handoff, replacing: Option<u32>| {
        let store = store.clone();
        async move {
            store
                .open_handoff(
                    key,
                    HandoffClaim {
                        handoff: &h,
                        replacing,
                    },
                )
                .await
                .expect("opened")
        }
    };
    assert!(open(handoff(1), None).await, "the first hand-off opens");
    assert!(!open(handoff(1), None).await, "a second worker's does not");
    let first = current(store.as_ref(), message.uuid).await.handoff;
    assert_eq!(
        first.map(|h| (h.attempt, h.channel)),
        Some((1, Channel::Sms)),
        "the record shows the open hand-off"
    );
    assert!(
        !open(handoff(3), Some(2)).await,
        "only the open one is replaced"
    );
    assert!(
        open(handoff(2), Some(1)).await,
        "a later attempt takes it over"
    );
    store.close_handoff(message.key(), 1).await.expect("closed");
    assert!(
        current(store.as_ref(), message.uuid)
            .await
            .handoff
            .is_some(),
        "an earlier attempt does not close a later one's"
    );
    store.close_handoff(message.key(), 2).await.expect("closed");
    assert_eq!(current(store.as_ref(), message.uuid).await.handoff, None);
    assert!(open(handoff(3), None).await, "a closed hand-off makes room");
    store
        .set_provider_ref(
            message.key(),
            &ProviderReceipt {
                provider: "rbm".into(),
                provider_message_id: "m-1".into(),
                sent: None,
            },
        )
        .await
        .expect("set");
    assert!(
        !open(handoff(4), Some(3)).await,
        "nothing opens once the provider took the message"
    );
}

async fn a_message_sending_with_nothing_happening_is_swept_unless_the_provider_took_it(
    store: Arc<dyn StatusStore>,
) {
    let long_ago = app::service::now() - Duration::from_secs(3600);
    let mut stuck = record(Channel::Sms, "call-h", "agent-h", long_ago);
    stuck.status = Sending;
    stuck.updated_at = long_ago;
    let taken = NotificationRecord {
        uuid: Uuid::new_v4(),
        provider: Some("twilio".into()),
        provider_message_id: Some("SM1".into()),
        ..stuck.clone()
    };
    let handed_over_just_now = NotificationRecord {
        uuid: Uuid::new_v4(),
        ..stuck.clone()
    };
    for r in [&stuck, &taken, &handed_over_just_now] {
        store.create(r).await.expect("created");
    }
    let now = Handoff {
        attempt: 2,
        at: app::service::now(),
        channel: Channel::Sms,
    };
    assert!(store
        .open_handoff(
            handed_over_just_now.key(),
            HandoffClaim {
                handoff: &now,
                replacing: None
            }
        )
        .await
        .expect("opened"));
    let cutoff = app::service::now() - Duration::from_secs(600);
    let swept = store
        .sweep_stuck(stuck_before(cutoff))
        .await
        .expect("swept");
    assert_eq!(swept, [(stuck.uuid, Channel::Sms)]);
}

fn record(
    channel: Channel,
    call: &str,
    agent: &str,
    created_at: OffsetDateTime,
) -> NotificationRecord {
    NotificationRecord {
        uuid: Uuid::new_v4(),
        channel,
        status: Queued,
        to: Some(E164::parse("+919876543210").expect("e164")),
        template_id: app::domain::TemplateId::parse("t_sms_thanks").expect("id"),
        template_name: "Thanks".into(),
        call_id: Some(CallId::parse(call).expect("call id")),
        agent_id: UserId::parse(agent).expect("agent id"),
        group_id: GroupId::parse("demo").expect("group"),
        body: "Thank you for calling.".into(),
        parameters: vec![("name".into(), "Asha".into())],
        resend_of: None,
        provider: None,
        provider_message_id: None,
        created_at,
        updated_at: created_at,
        history: vec![HistoryEntry {
            status: Queued,
            at: rfc3339(created_at),
            detail: None,
        }],
        error: None,
        handoff: None,
        expects_reply: true,
    }
}

fn queued_now(channel: Channel) -> NotificationRecord {
    record(channel, "call-1", "agent-1", app::service::now())
}

fn update(status: NotificationStatus) -> StatusUpdate {
    StatusUpdate {
        status,
        at: app::service::now(),
        detail: None,
        error: (status == Failed).then(|| FailureReason {
            code: "undeliverable".into(),
            message: "The handset could not be reached.".into(),
        }),
    }
}

fn steps(record: &NotificationRecord) -> Vec<NotificationStatus> {
    record.history.iter().map(|h| h.status).collect()
}

async fn current(store: &dyn StatusStore, uuid: Uuid) -> NotificationRecord {
    store.get(uuid).await.expect("read").expect("recorded")
}

async fn a_note_joins_the_history_at_the_current_status_and_provider_ids_find_messages(
    store: Arc<dyn StatusStore>,
) {
    let message = queued_now(Channel::Rcs);
    store.create(&message).await.expect("created");
    apply(&store, message.uuid, Sending).await;
    let noted = store
        .note(
            message.uuid,
            Note {
                at: app::service::now(),
                detail: "Sending by SMS instead.",
            },
        )
        .await
        .expect("noted")
        .expect("the message");
    assert_eq!(noted.status, Sending, "a note changes no status");
    let last = noted.history.last().expect("history");
    assert_eq!(
        (last.status, last.detail.as_deref()),
        (Sending, Some("Sending by SMS instead."))
    );
    assert_eq!(steps(&noted), [Queued, Sending, Sending]);
    let nobody = store
        .note(
            Uuid::new_v4(),
            Note {
                at: app::service::now(),
                detail: "x",
            },
        )
        .await
        .expect("noted");
    assert!(
        nobody.is_none(),
        "no note for a message that does not exist"
    );

    store
        .set_provider_ref(
            message.key(),
            &ProviderReceipt {
                provider: "twilio".into(),
                provider_message_id: "SM0001".into(),
                sent: None,
            },
        )
        .await
        .expect("set");
    let found = store
        .find_by_provider_id("twilio", "SM0001")
        .await
        .expect("found");
    assert_eq!(found, Some(message.uuid));
    // The same id at another provider is another message.
    assert_eq!(
        store
            .find_by_provider_id("meta", "SM0001")
            .await
            .expect("read"),
        None
    );
}

async fn compare_and_set_changes_a_status_only_from_the_one_expected(store: Arc<dyn StatusStore>) {
    let message = queued_now(Channel::Sms);
    store.create(&message).await.expect("created");
    let stale = store
        .compare_and_set(CompareAndSet {
            message: message.key(),
            expected: Sending,
            update: &update(Sent),
            also: &AlsoWrite::Nothing,
        })
        .await
        .expect("compared");
    assert!(
        !stale,
        "the message is queued, not sending: nothing changes"
    );
    assert_eq!(
        steps(&current(store.as_ref(), message.uuid).await),
        [Queued]
    );
    let moved = store
        .compare_and_set(CompareAndSet {
            message: message.key(),
            expected: Queued,
            update: &update(Sending),
            also: &AlsoWrite::Nothing,
        })
        .await
        .expect("compared");
    assert!(moved);
    let now = current(store.as_ref(), message.uuid).await;
    assert_eq!((now.status, steps(&now)), (Sending, vec![Queued, Sending]));
    let nobody = store
        .compare_and_set(CompareAndSet {
            message: MessageKey {
                uuid: Uuid::new_v4(),
                channel: Channel::Sms,
            },
            expected: Queued,
            update: &update(Sending),
            also: &AlsoWrite::Nothing,
        })
        .await
        .expect("compared");
    assert!(!nobody, "no such message");
}

async fn out_of_order_updates_never_move_a_status_back(store: Arc<dyn StatusStore>) {
    let message = queued_now(Channel::Whatsapp);
    store.create(&message).await.expect("created");
    let applied = apply(&store, message.uuid, Delivered).await;
    assert!(matches!(applied, Applied::Advanced(ref r) if r.status == Delivered));
    for late in [Sent, Sending, Queued, Delivered, Failed] {
        let applied = apply(&store, message.uuid, late).await;
        assert!(
            matches!(applied, Applied::Ignored(ref r) if r.status == Delivered),
            "a late {late:?} was not ignored"
        );
    }
    apply(&store, message.uuid, Read).await;
    let now = current(store.as_ref(), message.uuid).await;
    assert_eq!(now.status, Read);
    assert_eq!(steps(&now), [Queued, Delivered, Read]);
    assert!(now.error.is_none());
    assert_eq!(apply(&store, Uuid::new_v4(), Sent).await, Applied::NotFound);
}

async fn concurrent_updates_end_at_the_furthest_status_with_an_ordered_history(
    store: Arc<dyn StatusStore>,
) {
    let message = queued_now(Channel::Sms);
    store.create(&message).await.expect("created");
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let recorder = recorder(&store);
            let status = [Sending, Sent, Delivered][i % 3];
            tokio::spawn(async move { recorder.record(message.uuid, &update(status)).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("joined").expect("applied");
    }
    let now = current(store.as_ref(), message.uuid).await;
    assert_eq!(now.status, Delivered);
    let history = steps(&now);
    assert_eq!(history.first(), Some(&Queued));
    assert_eq!(history.last(), Some(&Delivered));
    let mut sorted = history.clone();
    sorted.sort_by_key(|s| NotificationStatus::ALL.iter().position(|x| x == s));
    sorted.dedup();
    assert_eq!(history, sorted, "each status once, in order");
}

async fn a_uuid_recorded_twice_keeps_the_first_record(store: Arc<dyn StatusStore>) {
    let first = queued_now(Channel::Rcs);
    store.create(&first).await.expect("created");
    let mut again = first.clone();
    again.body = "Another text".into();
    store
        .create(&again)
        .await
        .expect("a repeat is not an error");
    let kept = current(store.as_ref(), first.uuid).await;
    assert_eq!(kept.body, first.body);
    assert_eq!(steps(&kept), [Queued]);
}

async fn a_failure_keeps_its_reason_and_a_later_delivery_wins(store: Arc<dyn StatusStore>) {
    let message = queued_now(Channel::Sms);
    store.create(&message).await.expect("created");
    apply(&store, message.uuid, Sent).await;
    apply(&store, message.uuid, Failed).await;
    let failed = current(store.as_ref(), message.uuid).await;
    assert_eq!(failed.status, Failed);
    assert_eq!(
        failed.error.as_ref().map(|e| e.code.as_str()),
        Some("undeliverable")
    );
    apply(&store, message.uuid, Delivered).await;
    let delivered = current(store.as_ref(), message.uuid).await;
    assert_eq!(delivered.status, Delivered);
    assert!(delivered.error.is_none(), "the failure was proved wrong");
    assert_eq!(steps(&delivered), [Queued, Sent, Failed, Delivered]);
}

async fn messages_are_listed_newest_first_by_call_and_by_agent(store: Arc<dyn StatusStore>) {
    let start = app::service::now() - Duration::from_secs(60);
    let at = |s: u64| start + Duration::from_secs(s);
    let older = record(Channel::Sms, "call-a", "agent-a", at(1));
    let newer = record(Channel::Whatsapp, "call-a", "agent-a", at(2));
    let other_call = record(Channel::Rcs, "call-b", "agent-a", at(3));
    let other_agent = record(Channel::Sms, "call-c", "agent-b", at(4));
    for r in [&older, &newer, &other_call, &other_agent] {
        store.create(r).await.expect("created");
    }
    let uuids =
        |records: Vec<NotificationRecord>| records.iter().map(|r| r.uuid).collect::<Vec<_>>();
    let by_call = store
        .list(&listing(HistoryFilter {
            call_id: Some(CallId::parse("call-a").expect("call")),
            limit: 10,
            ..HistoryFilter::default()
        }))
        .await
        .expect("listed");
    assert_eq!(uuids(by_call), [newer.uuid, older.uuid]);
    let by_agent = store
        .list(&listing(HistoryFilter {
            agent_id: Some(UserId::parse("agent-a").expect("agent id")),
            limit: 2,
            ..HistoryFilter::default()
        }))
        .await
        .expect("listed");
    assert_eq!(uuids(by_agent), [other_call.uuid, newer.uuid]);
}

/// A listing of `matching`, with each message's status history.
fn listing(matching: HistoryFilter) -> NotificationFilter {
    NotificationFilter {
        matching,
        with_history: true,
    }
}

async fn the_history_filters_by_every_field_and_pages_without_gaps_or_repeats(
    store: Arc<dyn StatusStore>,
) {
    // A group of its own: the stores are shared with other tests.
    let group = GroupId::parse(&format!(
        "hist-{}",
        &Uuid::new_v4().simple().to_string()[..8]
    ))
    .expect("group");
    let start = app::service::now() - Duration::from_secs(3_600);
    let at = |s: u64| start + Duration::from_secs(s);
    let mut made = Vec::new();
    // Seven messages, five of them in the same millisecond (the UUID orders those).
    for (i, channel) in [
        Channel::Sms,
        Channel::Whatsapp,
        Channel::Rcs,
        Channel::Sms,
        Channel::Sms,
        Channel::Whatsapp,
        Channel::Sms,
    ]
    .into_iter()
    .enumerate()
    {
        let when = if i < 5 { at(10) } else { at(20 + i as u64) };
        let mut r = record(channel, &format!("call-{i}"), "agent-h", when);
        r.group_id = group.clone();
        if i == 3 {
            r.to = Some(E164::parse("+14155550123").expect("e164"));
            r.template_id = app::domain::TemplateId::parse("t_sms_otp").expect("id");
        }
        store.create(&r).await.expect("created");
        made.push(r);
    }
    apply(&store, made[4].uuid, Sent).await;
    apply(&store, made[4].uuid, Failed).await;
    let mut newest_first: Vec<_> = made.iter().map(|r| (r.created_at, r.uuid)).collect();
    newest_first.sort_by(|a, b| b.cmp(a));
    let newest_first: Vec<Uuid> = newest_first.into_iter().map(|(_, u)| u).collect();
    let in_group = |set: &dyn Fn(&mut HistoryFilter)| {
        let mut filter = HistoryFilter {
            group_id: Some(group.clone()),
            limit: 50,
            ..HistoryFilter::default()
        };
        set(&mut filter);
        filter
    };
    let found = async |filter: HistoryFilter| -> Vec<Uuid> {
        let listed = store.list(&listing(filter)).await.expect("listed");
        listed.iter().map(|r| r.uuid).collect()
    };

    // Two at a time, each page after the last one's final message: every message once,
    // in order, across the five that share a millisecond.
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list(&listing(in_group(&|f| {
                f.limit = 2;
                f.after = after;
            })))
            .await
            .expect("listed");
        paged.extend(page.iter().map(|r| r.uuid));
        match page.last() {
            Some(last) if page.len() == 2 => after = Some(Cursor::at(last.created_at, last.uuid)),
            _ => break,
        }
    }
    assert_eq!(paged, newest_first);

    let on = |channel: Channel| {
        newest_first
            .iter()
            .copied()
            .filter(|u| made.iter().any(|r| r.uuid == *u && r.channel == channel))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        found(in_group(&|f| f.channel = Some(Channel::Whatsapp))).await,
        on(Channel::Whatsapp)
    );
    assert_eq!(
        found(in_group(&|f| f.status = Some(Failed))).await,
        [made[4].uuid]
    );
    assert_eq!(
        found(in_group(&|f| f.template_id = Some(
            app::domain::TemplateId::parse("t_sms_otp").expect("id")
        )))
        .await,
        [made[3].uuid]
    );
    assert_eq!(
        found(in_group(
            &|f| f.number = Some(E164::parse("+14155550123").expect("e164"))
        ))
        .await,
        [made[3].uuid]
    );
    let middle = &made[2].uuid.to_string()[9..18];
    assert_eq!(
        found(in_group(
            &|f| f.uuid_text = Some(UuidText::parse(middle).expect("part"))
        ))
        .await,
        [made[2].uuid]
    );
    assert_eq!(
        found(in_group(&|f| {
            f.from = Some(at(10));
            f.until = Some(at(26));
        }))
        .await,
        newest_first[1..].to_vec(),
        "from is included, until is not"
    );

    // An export reads no status history.
    let bare = store
        .list(&NotificationFilter {
            matching: in_group(&|_| {}),
            with_history: false,
        })
        .await
        .expect("listed");
    assert_eq!(bare.len(), 7);
    assert!(bare.iter().all(|r| r.history.is_empty()));
    let failed = store
        .list(&listing(in_group(&|f| f.status = Some(Failed))))
        .await
        .expect("listed");
    assert_eq!(steps(&failed[0]), [Queued, Sent, Failed]);
}

async fn a_message_left_queued_is_swept_once_and_only_queued_ones_are_withdrawn(
    store: Arc<dyn StatusStore>,
) {
    let long_ago = app::service::now() - Duration::from_secs(600);
    let stuck = record(Channel::Whatsapp, "call-s", "agent-s", long_ago);
    let moving = record(Channel::Sms, "call-s", "agent-s", long_ago);
    let fresh = queued_now(Channel::Sms);
    for r in [&stuck, &moving, &fresh] {
        store.create(r).await.expect("created");
    }
    apply(&store, moving.uuid, Sending).await;
    let cutoff = app::service::now() - Duration::from_secs(60);
    let swept = store
        .sweep_stuck(stuck_before(cutoff))
        .await
        .expect("swept");
    assert_eq!(
        swept,
        [(stuck.uuid, Channel::Whatsapp)],
        "a message moving since is not stuck"
    );
    assert!(
        store
            .sweep_stuck(StuckCutoffs {
                queued_before: cutoff,
                sending_before: cutoff,
                limit: 10
            })
            .await
            .expect("swept")
            .is_empty(),
        "swept once per period"
    );
    store.withdraw(moving.key()).await.expect("withdrawn");
    store.withdraw(fresh.key()).await.expect("withdrawn");
    assert!(
        store.get(moving.uuid).await.expect("read").is_some(),
        "a message on its way stays"
    );
    assert!(
        store.get(fresh.uuid).await.expect("read").is_none(),
        "a queued one is withdrawn"
    );
}

#[tokio::test]
async fn mongodb_keeps_one_document_per_message_in_its_channels_collection() {
    let (store, url) = mongo_store().await;
    let store: Arc<dyn StatusStore> = Arc::new(store);
    let message = queued_now(Channel::Whatsapp);
    store.create(&message).await.expect("created");
    apply(&store, message.uuid, Sent).await;
    let client = mongodb::Client::with_uri_str(&url).await.expect("client");
    let db = client.default_database().expect("database in the url");
    let whatsapp = db.collection::<Document>("whatsapp");
    let stored = whatsapp
        .find_one(doc! {"_id": message.uuid.to_string()})
        .await
        .expect("read")
        .expect("in the whatsapp collection");
    assert_eq!(stored.get_str("status").expect("status"), "sent");
    assert_eq!(stored.get_array("history").expect("history").len(), 2);
    let sms = db.collection::<Document>("sms");
    assert_eq!(sms.count_documents(doc! {}).await.expect("counted"), 0);
    let indexes = whatsapp.list_index_names().await.expect("indexes");
    for name in ["by_call", "by_agent", "by_provider_id", "by_status"] {
        assert!(indexes.iter().any(|i| i == name), "index {name}");
    }
}

#[tokio::test]
async fn a_message_sent_with_mongodb_as_the_status_store_is_delivered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = test_settings(dir.path());
    settings.status.backend = StatusBackend::Mongo {
        url: mongodb_url_for(dir.path()),
    };
    let app = TestApp::spawn_with(dir, settings, WorkerMode::InProcess).await;
    let uuid = app.send_ok(&static_sms("call-mongo")).await;
    let delivered = app.wait_for_status(&uuid, "delivered").await;
    assert_eq!(delivered["history"].as_array().map(Vec::len), Some(4));
    let ready: serde_json::Value = app.get_json("/readyz", &app.agent).await;
    assert_eq!(ready["backends"]["status_store"], "mongodb");
    assert_eq!(ready["checks"]["status_store"], "ok");
}

/// What the hot paths ask of a channel's collection (the adapter's own filters): each
/// filter with its sort.
fn hot_path_queries() -> Vec<(&'static str, Document, Document)> {
    let (uuid, at) = (Uuid::new_v4().to_string(), mongodb::bson::DateTime::now());
    vec![
        ("a message by UUID", doc! {"_id": &uuid}, doc! {}),
        (
            "a status change (compare-and-set)",
            doc! {"_id": &uuid, "status": "sending"},
            doc! {},
        ),
        (
            "a call's messages, newest first",
            doc! {"call_id": "call-1"},
            doc! {"created_at": -1, "_id": -1},
        ),
        (
            "an agent's messages",
            doc! {"agent_id": "agent-1"},
            doc! {"created_at": -1, "_id": -1},
        ),
        (
            "a group's history page",
            doc! {"group_id": "demo", "created_at": {"$lt": at}},
            doc! {"created_at": -1, "_id": -1},
        ),
        (
            "a webhook's message by provider id",
            doc! {"provider": "twilio", "provider_message_id": "SM1"},
            doc! {},
        ),
        (
            "the message a reply answers",
            doc! {"to": "+919876543210", "provider": "meta-1", "expects_reply": {"$ne": false},
            "created_at": {"$gte": at}},
            doc! {"created_at": -1},
        ),
        (
            "the sweeper's queued messages",
            doc! {"status": "queued", "created_at": {"$lt": at}},
            doc! {"created_at": 1},
        ),
        (
            "retention's old messages",
            doc! {"created_at": {"$lt": at}, "to": {"$ne": ""}},
            doc! {},
        ),
    ]
}

/// The adapter's index (or `_id`'s) whose first key `filter` constrains.
fn index_for(filter: &Document) -> Option<&'static str> {
    if filter.contains_key("_id") {
        return Some("_id_");
    }
    MongoStatusStore::INDEXES
        .iter()
        .find(|(_, keys)| filter.contains_key(keys[0].0))
        .map(|(name, _)| *name)
}

#[tokio::test]
async fn every_hot_path_query_is_served_by_an_index_the_store_creates() {
    let (_store, url) = mongo_store().await;
    let client = mongodb::Client::with_uri_str(&url).await.expect("client");
    let db = client.default_database().expect("database in the url");
    let build: Document = db
        .run_command(doc! {"buildInfo": 1})
        .await
        .expect("build info");
    let ferretdb = build.contains_key("ferretdbVersion");
    let indexes = db
        .collection::<Document>("sms")
        .list_index_names()
        .await
        .expect("indexes");
    for (name, filter, sort) in hot_path_queries() {
        let index = index_for(&filter).unwrap_or_else(|| panic!("no index serves {name}"));
        assert!(indexes.iter().any(|i| i == index), "{name}: {index} exists");
        let mut find = doc! {"find": "sms", "filter": filter.clone()};
        if !sort.is_empty() {
            find.insert("sort", sort);
        }
        let plan = db
            .run_command(doc! {"explain": find, "verbosity": "queryPlanner"})
            .await
            .unwrap_or_else(|e| panic!("{name}: explain: {e}"));
        if ferretdb {
            // FerretDB on SQLite pushes down a lookup by `_id` alone, and scans for the
            // rest (its plan says so): only the UUID lookup can be checked here.
            if filter.len() == 1 && filter.contains_key("_id") {
                assert_eq!(plan.get_bool("filterPushdown"), Ok(true), "{name}: {plan}");
            }
        } else {
            let text = plan.to_string();
            assert!(
                !text.contains("COLLSCAN"),
                "{name} scans the collection: {text}"
            );
        }
    }
}

/// Stuck before `cutoff`, both ways; ten at a time.
fn stuck_before(cutoff: OffsetDateTime) -> StuckCutoffs {
    StuckCutoffs {
        queued_before: cutoff,
        sending_before: cutoff,
        limit: 10,
    }
}
