//! Call queues: per channel, the templates their calls may use (each an existing
//! template of that channel).

use super::{found, json, Admin, Entity};
use crate::domain::{CallQueue, CallQueueInput, FieldErrors, QueueId};
use crate::service::ServiceError;

impl Admin<'_> {
    /// Every queue, by id.
    pub async fn list_queues(&self) -> Result<Vec<CallQueue>, ServiceError> {
        Ok(self.store().queues().await?)
    }

    /// One queue.
    pub async fn get_queue(&self, id: &QueueId) -> Result<CallQueue, ServiceError> {
        found(self.store().queue(id).await?, Entity::Queue)
    }

    /// Creates or replaces queue `id`.
    pub async fn save_queue(
        &self,
        id: QueueId,
        input: CallQueueInput,
    ) -> Result<CallQueue, ServiceError> {
        let invalid =
            |errors| ServiceError::invalid_fields("invalid_queue", "Check the queue.", "", errors);
        let queue = input.into_queue(id).map_err(invalid)?;
        let templates = self.store().templates(None).await?;
        let mut errors = FieldErrors::default();
        for (channel, list) in &queue.templates {
            for id in list {
                match templates.iter().find(|t| &t.id == id) {
                    None => errors.add(
                        format!("templates.{}", channel.as_str()),
                        format!("there is no template {id}"),
                    ),
                    Some(t) if t.channel != *channel => errors.add(
                        format!("templates.{}", channel.as_str()),
                        format!("{id} is a {} template", t.channel.label()),
                    ),
                    Some(_) => {}
                }
            }
        }
        let queue = errors.into_result(queue).map_err(invalid)?;
        let before = self.store().queue(&queue.id).await?;
        let audit = self.record(
            Entity::Queue,
            queue.id.as_str(),
            before.as_ref().and_then(json),
            json(&queue),
        );
        self.store().save_queue(&queue, &audit).await?;
        Ok(queue)
    }

    /// Deletes a queue (its calls are offered the group's templates again).
    pub async fn delete_queue(&self, id: &QueueId) -> Result<(), ServiceError> {
        let before = self.get_queue(id).await?;
        let audit = self.record(Entity::Queue, id.as_str(), json(&before), None);
        Ok(self.store().delete_queue(id, &audit).await?)
    }
}
