//! The message history: what a caller asks for, narrowed to what they may read (an
//! agent their own messages, a supervisor their group's, an admin every one), one page
//! at a time or every matching message in batches (the CSV export).

use super::{Caller, NotificationFilter, Role, ServiceError, Services};
use crate::domain::{
    Choice, Cursor, HistoryChoices, HistoryFilter, HistoryPage, HistoryQuery, NotificationView,
    Reader,
};
use futures::stream::{self, BoxStream, StreamExt};

/// Messages per batch of an export: memory stays bounded whatever the total.
const EXPORT_BATCH: u32 = 500;

/// One page of the caller's history matching `query`, newest first.
pub async fn read_history(
    services: &Services,
    caller: &Caller,
    query: &HistoryQuery,
) -> Result<HistoryPage, ServiceError> {
    let filter = parse(services, query)?;
    page_of(services, caller, filter).await
}

/// One page of the caller's history matching `filter`, newest first.
pub async fn page_of(
    services: &Services,
    caller: &Caller,
    filter: HistoryFilter,
) -> Result<HistoryPage, ServiceError> {
    let mut matching = scoped(caller, filter)?;
    let limit = usize::try_from(matching.limit).unwrap_or(usize::MAX);
    // One more than the page: whether there is a next page, without counting.
    matching.limit += 1;
    let mut records = services
        .status
        .list(&NotificationFilter {
            matching,
            with_history: true,
        })
        .await?;
    let next_cursor = (records.len() > limit).then(|| {
        records.truncate(limit);
        records
            .last()
            .map(|r| Cursor::at(r.created_at, r.uuid).to_string())
            .unwrap_or_default()
    });
    let mut notifications: Vec<_> = records.iter().map(|r| caller.shown(r.view())).collect();
    super::contacts::attach_replies(services, &mut notifications).await?;
    Ok(HistoryPage {
        notifications,
        next_cursor,
    })
}

/// Every message of the caller's history matching `query` (its `limit` aside), newest
/// first, in batches read one after the other as the consumer asks: for a CSV export of
/// any size. The first batch's problems (a bad query, no right to read) come back before
/// anything is streamed.
pub async fn export(
    services: &Services,
    caller: &Caller,
    query: &HistoryQuery,
) -> Result<BoxStream<'static, Result<Vec<NotificationView>, ServiceError>>, ServiceError> {
    let mut matching = scoped(caller, parse(services, query)?)?;
    matching.limit = EXPORT_BATCH;
    let first = batch(services, caller, &matching).await?;
    let (services, caller) = (services.clone(), caller.clone());
    let rest = stream::unfold(Some((matching, first.1)), move |state| {
        let (services, caller) = (services.clone(), caller.clone());
        async move {
            let (mut matching, after) = state?;
            matching.after = Some(after?);
            Some(match batch(&services, &caller, &matching).await {
                Ok((views, next)) => (Ok(views), Some((matching, next))),
                Err(e) => (Err(e), None),
            })
        }
    });
    Ok(stream::once(async move { Ok(first.0) })
        .chain(rest)
        .filter(|b| std::future::ready(b.as_ref().map_or(true, |v| !v.is_empty())))
        .boxed())
}

/// One batch of an export (no status histories) and where the next starts, if it may
/// hold anything.
async fn batch(
    services: &Services,
    caller: &Caller,
    matching: &HistoryFilter,
) -> Result<(Vec<NotificationView>, Option<Cursor>), ServiceError> {
    let records = services
        .status
        .list(&NotificationFilter {
            matching: matching.clone(),
            with_history: false,
        })
        .await?;
    let full = records.len() == usize::try_from(matching.limit).unwrap_or(usize::MAX);
    let next = records
        .last()
        .filter(|_| full)
        .map(|r| Cursor::at(r.created_at, r.uuid));
    Ok((
        records.iter().map(|r| caller.shown(r.view())).collect(),
        next,
    ))
}

fn parse(services: &Services, query: &HistoryQuery) -> Result<HistoryFilter, ServiceError> {
    query
        .parse(services.settings.default_country)
        .map_err(|errors| {
            // One problem keeps the code it has always had; several share one.
            let code = match errors.0.keys().map(String::as_str).collect::<Vec<_>>()[..] {
                ["limit"] => "invalid_limit",
                ["call_id"] => "invalid_call_id",
                ["number"] => "invalid_phone",
                ["cursor"] => "invalid_cursor",
                _ => "invalid_filter",
            };
            let message = errors
                .0
                .iter()
                .map(|(name, problem)| format!("{name}: {problem}"))
                .collect::<Vec<_>>()
                .join("; ");
            ServiceError::invalid_fields(code, format!("Check the filter: {message}."), "", errors)
        })
}

/// `filter` narrowed to what `caller` may read: 403 when it names another agent (for
/// an agent or an API key) or another group (for a supervisor).
fn scoped(caller: &Caller, mut filter: HistoryFilter) -> Result<HistoryFilter, ServiceError> {
    let refuse = |message: &str| ServiceError::Forbidden {
        code: "not_yours",
        message: message.into(),
    };
    let group = caller.reading_group()?.cloned();
    if let (Some(own), Some(asked)) = (&group, &filter.group_id) {
        if own != asked {
            return Err(refuse("You can read only your own group's messages."));
        }
    }
    if matches!(caller.role, Role::Agent | Role::Integrator) {
        if filter.agent_id.as_ref().is_some_and(|a| a != &caller.id) {
            return Err(refuse("You can read only the messages you sent."));
        }
        filter.agent_id = Some(caller.id.clone());
    }
    filter.group_id = filter.group_id.or(group);
    Ok(filter)
}

/// What the history page offers `caller` to filter by: every template; the agents
/// whose messages they may read (a supervisor their group's, an admin everyone); the
/// groups (an admin).
pub async fn history_filters(
    services: &Services,
    caller: &Caller,
) -> Result<HistoryChoices, ServiceError> {
    let group = caller.reading_group()?.cloned();
    let reader = match caller.role {
        Role::Admin => Reader::Admin,
        Role::Supervisor => Reader::Supervisor,
        Role::Agent | Role::Integrator => Reader::Agent,
    };
    let choice = |id: &str, label: &str| Choice {
        id: id.to_owned(),
        label: label.to_owned(),
    };
    let templates = services.admin.templates(None).await?;
    let agents = match reader {
        Reader::Agent => Vec::new(),
        _ => services
            .admin
            .agents()
            .await?
            .iter()
            .filter(|a| group.as_ref().is_none_or(|g| g == &a.group_id))
            .map(|a| choice(a.id.as_str(), &a.name))
            .collect(),
    };
    let groups = match reader {
        Reader::Admin => services
            .admin
            .groups()
            .await?
            .iter()
            .map(|g| choice(g.id.as_str(), &g.name))
            .collect(),
        _ => Vec::new(),
    };
    Ok(HistoryChoices {
        reader,
        reader_id: caller.id.as_str().to_owned(),
        templates: templates
            .iter()
            .map(|t| {
                choice(
                    t.id.as_str(),
                    &format!("{} ({})", t.name, t.channel.label()),
                )
            })
            .collect(),
        agents,
        groups,
    })
}
