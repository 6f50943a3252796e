//! The opt-out list: numbers that may not be sent to, per channel (and per sender).
//! Customers' STOP and START keep it current by themselves; an admin adds, removes,
//! imports and exports entries, each change in the audit log.

use super::{json, Admin, Entity};
use crate::domain::{parse_opt_out_csv, Imported, OptOut, OptOutInput, OptOutKey, OptOutSource};
use crate::service::{OptOutFilter, ServiceError};

fn checked(input: &OptOutInput) -> Result<OptOutKey, ServiceError> {
    input.parse().map_err(|fields| ServiceError::Invalid {
        code: "invalid_opt_out",
        message: "The opt-out needs a valid number in international form and a channel.".into(),
        fields,
    })
}

/// What the audit log calls an entry.
fn entry_id(key: &OptOutKey) -> String {
    match key.sender.as_str() {
        "" => format!("{}:{}", key.channel, key.number),
        sender => format!("{}:{sender}:{}", key.channel, key.number),
    }
}

impl Admin<'_> {
    /// The opt-out list, newest first.
    pub async fn list_opt_outs(&self, filter: &OptOutFilter) -> Result<Vec<OptOut>, ServiceError> {
        Ok(self.services.contacts.opt_outs(filter).await?)
    }

    /// Adds a number (already listed: the entry stays as it was); the entry as listed.
    pub async fn add_opt_out(&self, input: &OptOutInput) -> Result<OptOut, ServiceError> {
        let key = checked(input)?;
        let audit = self.record(Entity::OptOut, &entry_id(&key), None, json(input));
        self.services
            .contacts
            .add_opt_outs(
                std::slice::from_ref(&key),
                OptOutSource::Admin,
                Some(&audit),
            )
            .await?;
        let filter = OptOutFilter {
            channel: Some(key.channel),
            number: Some(key.number.clone()),
        };
        let listed = self.services.contacts.opt_outs(&filter).await?;
        listed
            .into_iter()
            .find(|o| o.sender == key.sender)
            .ok_or_else(|| {
                ServiceError::Internal(anyhow::anyhow!("an added opt-out is not listed"))
            })
    }

    /// Takes a number off the list (404 when it is not on it).
    pub async fn remove_opt_out(&self, input: &OptOutInput) -> Result<(), ServiceError> {
        let key = checked(input)?;
        let audit = self.record(Entity::OptOut, &entry_id(&key), json(input), None);
        if self
            .services
            .contacts
            .remove_opt_out(&key, Some(&audit))
            .await?
        {
            Ok(())
        } else {
            Err(ServiceError::NotFound {
                code: "not_found",
                message: "That number is not on the opt-out list for this channel and sender."
                    .into(),
            })
        }
    }

    /// Adds every entry of a CSV file (`number,channel[,sender]` with a header line), or
    /// none when any line is wrong (422 naming the lines).
    pub async fn import_opt_outs(&self, csv: &str) -> Result<Imported, ServiceError> {
        let keys = parse_opt_out_csv(csv).map_err(|fields| ServiceError::Invalid {
            code: "invalid_csv",
            message: "The file has lines that are not opt-outs; nothing was imported.".into(),
            fields,
        })?;
        let read = keys.len() as u64;
        let audit = self.record(
            Entity::OptOut,
            "import",
            None,
            Some(serde_json::json!({"entries": read})),
        );
        let added = self
            .services
            .contacts
            .add_opt_outs(&keys, OptOutSource::Import, Some(&audit))
            .await?;
        Ok(Imported { read, added })
    }
}
