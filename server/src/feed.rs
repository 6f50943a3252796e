//! The status feed the SSE endpoints listen to: in-process ([`BroadcastFeed`]), or
//! shared by every process through Redis pub/sub ([`RedisFeed`]) when the queue is on
//! Redis, so a change recorded by a worker or another `serve` reaches this process's
//! streams at once.

use app::domain::NotificationView;
use app::service::StatusFeed;
use futures::stream::{BoxStream, StreamExt};
use redis::Client;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::BroadcastStream;
use uuid::Uuid;

/// Status changes announced in this process.
pub struct BroadcastFeed {
    sender: broadcast::Sender<NotificationView>,
}

impl BroadcastFeed {
    /// A feed buffering up to `capacity` changes per slow listener.
    pub fn new(capacity: usize) -> Self {
        Self {
            sender: broadcast::channel(capacity).0,
        }
    }
}

impl StatusFeed for BroadcastFeed {
    fn publish(&self, view: &NotificationView) {
        // No listener is not an error.
        let _ = self.sender.send(view.clone());
    }

    fn subscribe(&self) -> BoxStream<'static, NotificationView> {
        // A lagging listener skips changes; the streams re-read the store now and then.
        BroadcastStream::new(self.sender.subscribe())
            .filter_map(|item| std::future::ready(item.ok()))
            .boxed()
    }
}

/// One change as it travels between processes.
#[derive(Serialize, Deserialize)]
struct Announcement {
    /// The process that announced it (which hears it locally already).
    from: Uuid,
    view: NotificationView,
}

/// The longest wait before reconnecting to Redis.
const MOST_BACKOFF: Duration = Duration::from_secs(5);

/// Status changes shared by every process through Redis pub/sub (at most once: a
/// change published while Redis is away is not heard elsewhere, and the streams'
/// periodic re-read of the store catches it up).
pub struct RedisFeed {
    local: BroadcastFeed,
    outgoing: mpsc::UnboundedSender<String>,
    me: Uuid,
}

impl RedisFeed {
    /// A feed on the Redis at `url`, on the pub/sub channel named after the queue's
    /// `stream` (installations sharing a Redis on other streams do not hear each
    /// other): publishes from a background task, and listens on one pub/sub
    /// connection, reconnecting with backoff while Redis is away.
    pub fn start(url: &str, stream: &str) -> anyhow::Result<Self> {
        let client = Client::open(url)?;
        let channel = format!("{stream}:status");
        let local = BroadcastFeed::new(4096);
        let me = Uuid::new_v4();
        let (outgoing, queued) = mpsc::unbounded_channel();
        tokio::spawn(publish(client.clone(), channel.clone(), queued));
        tokio::spawn(listen(client, channel, local.sender.clone(), me));
        Ok(Self {
            local,
            outgoing,
            me,
        })
    }
}

impl StatusFeed for RedisFeed {
    fn publish(&self, view: &NotificationView) {
        self.local.publish(view);
        let announcement = Announcement {
            from: self.me,
            view: view.clone(),
        };
        if let Ok(text) = serde_json::to_string(&announcement) {
            let _ = self.outgoing.send(text);
        }
    }

    fn subscribe(&self) -> BoxStream<'static, NotificationView> {
        self.local.subscribe()
    }
}

/// Publishes the queued announcements, all those waiting in one pipeline (a busy
/// process sends one round trip for many changes), reconnecting as needed (an
/// announcement that meets a Redis outage is dropped).
async fn publish(client: Client, channel: String, mut queued: mpsc::UnboundedReceiver<String>) {
    let mut connection = None;
    let mut waiting = Vec::new();
    while queued.recv_many(&mut waiting, MOST_PER_PIPELINE).await > 0 {
        if connection.is_none() {
            connection = client.get_multiplexed_async_connection().await.ok();
        }
        let Some(c) = connection.as_mut() else {
            waiting.clear();
            continue;
        };
        let mut pipeline = redis::pipe();
        for text in waiting.drain(..) {
            pipeline.cmd("PUBLISH").arg(&channel).arg(text).ignore();
        }
        let sent: redis::RedisResult<()> = pipeline.query_async(c).await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "could not publish status changes; reconnecting");
            connection = None;
        }
    }
}

/// Most announcements published by one pipeline.
const MOST_PER_PIPELINE: usize = 256;

/// Hears other processes' announcements and passes them to this process's listeners.
async fn listen(
    client: Client,
    channel: String,
    local: broadcast::Sender<NotificationView>,
    me: Uuid,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    backoff = Duration::from_millis(100);
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        let Ok(text) = message.get_payload::<String>() else {
                            continue;
                        };
                        match serde_json::from_str::<Announcement>(&text) {
                            Ok(a) if a.from != me => {
                                let _ = local.send(a.view);
                            }
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, "an unreadable status announcement")
                            }
                        }
                    }
                    tracing::warn!("lost the status feed's Redis connection; reconnecting");
                }
                Err(e) => tracing::warn!(error = %e, "could not subscribe to the status feed"),
            },
            Err(e) => tracing::warn!(error = %e, "could not reach Redis for the status feed"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MOST_BACKOFF);
    }
}
