//! The in-process status feed: a broadcast channel the SSE endpoint listens to.

use app::domain::NotificationView;
use app::service::StatusFeed;
use futures::stream::{BoxStream, StreamExt};
use tokio::sync::broadcast;
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

    fn subscribe(&self, uuid: Uuid) -> BoxStream<'static, NotificationView> {
        let wanted = uuid.to_string();
        BroadcastStream::new(self.sender.subscribe())
            .filter_map(move |item| {
                // A lagging listener skips changes; the SSE loop re-reads the store.
                let keep = item.ok().filter(|v| v.uuid == wanted);
                async move { keep }
            })
            .boxed()
    }
}
