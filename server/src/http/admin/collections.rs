//! The four admin collections and their wording: the templates registry, agent groups,
//! agents (who may use the widget, in which group) and provider accounts (credentials
//! are never returned).

use super::resource::{NoQuery, Resource, Words};
use app::domain::{
    Agent, Channel, Group, GroupId, GroupInput, ProviderAccount, ProviderAccountId,
    ProviderAccountInput, TemplateId, TemplateInput, TemplateView, UserId,
};
use app::service::admin::Admin;
use app::service::ServiceError;
use serde::Deserialize;

pub(crate) struct Templates;
pub(crate) struct Groups;
pub(crate) struct Agents;
pub(crate) struct ProviderAccounts;

/// The template list's filters.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateQuery {
    /// Only this channel's templates.
    channel: Option<Channel>,
    /// Names containing this text.
    search: Option<String>,
}

/// A template delete's confirmation.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteQuery {
    /// Delete it even if groups use it (it is removed from them).
    #[serde(default)]
    confirm: bool,
}

impl Resource for Templates {
    type Id = TemplateId;
    type Input = TemplateInput;
    type View = TemplateView;
    type Filter = TemplateQuery;
    type DeleteOptions = DeleteQuery;
    const WORDS: Words = Words {
        path: "/api/v1/admin/templates",
        one: "template",
        many: "templates",
        list: "Templates (filter by channel, search by name)",
        get: "One template",
        create: "Create a template (checked: placeholders vs fields, DLT rules, WhatsApp length, unique name per channel)",
        update: "Replace a template",
        delete: "Delete a template; if groups use it, pass confirm=true to delete it and remove it from them",
        update_conflict: Some("The name is taken on the channel"),
        delete_conflict: Some("Groups use it (confirm=true deletes it anyway)"),
    };

    async fn list(admin: &Admin<'_>, q: TemplateQuery) -> Result<Vec<TemplateView>, ServiceError> {
        let list = admin.list_templates(q.channel, q.search.as_deref()).await?;
        Ok(list.into_iter().map(TemplateView::from).collect())
    }

    async fn get(admin: &Admin<'_>, id: &TemplateId) -> Result<TemplateView, ServiceError> {
        Ok(admin.get_template(id).await?.into())
    }

    async fn save(
        admin: &Admin<'_>,
        input: TemplateInput,
        id: Option<&TemplateId>,
    ) -> Result<TemplateView, ServiceError> {
        Ok(admin.save_template(input, id).await?.into())
    }

    async fn delete(
        admin: &Admin<'_>,
        id: &TemplateId,
        q: DeleteQuery,
    ) -> Result<(), ServiceError> {
        admin.delete_template(id, q.confirm).await.map(drop)
    }
}

impl Resource for Groups {
    type Id = GroupId;
    type Input = GroupInput;
    type View = Group;
    type Filter = NoQuery;
    type DeleteOptions = NoQuery;
    const WORDS: Words = Words {
        path: "/api/v1/admin/groups",
        one: "group",
        many: "groups",
        list: "Agent groups",
        get: "One group",
        create: "Create a group (id derived from the name when absent)",
        update: "Rename a group or change its default country",
        delete: "Delete a group (refused while agents belong to it)",
        update_conflict: None,
        delete_conflict: Some("Agents belong to it"),
    };

    async fn list(admin: &Admin<'_>, _: NoQuery) -> Result<Vec<Group>, ServiceError> {
        admin.list_groups().await
    }

    async fn get(admin: &Admin<'_>, id: &GroupId) -> Result<Group, ServiceError> {
        admin.get_group(id).await
    }

    async fn save(
        admin: &Admin<'_>,
        input: GroupInput,
        id: Option<&GroupId>,
    ) -> Result<Group, ServiceError> {
        admin.save_group(input, id).await
    }

    async fn delete(admin: &Admin<'_>, id: &GroupId, _: NoQuery) -> Result<(), ServiceError> {
        admin.delete_group(id).await
    }
}

impl Resource for Agents {
    type Id = UserId;
    type Input = Agent;
    type View = Agent;
    type Filter = NoQuery;
    type DeleteOptions = NoQuery;
    const WORDS: Words = Words {
        path: "/api/v1/admin/agents",
        one: "agent",
        many: "agents",
        list: "Agents",
        get: "One agent",
        create: "Create an agent in an existing group",
        update: "Change an agent",
        delete: "Delete an agent",
        update_conflict: None,
        delete_conflict: None,
    };

    async fn list(admin: &Admin<'_>, _: NoQuery) -> Result<Vec<Agent>, ServiceError> {
        admin.list_agents().await
    }

    async fn get(admin: &Admin<'_>, id: &UserId) -> Result<Agent, ServiceError> {
        admin.get_agent(id).await
    }

    async fn save(
        admin: &Admin<'_>,
        agent: Agent,
        id: Option<&UserId>,
    ) -> Result<Agent, ServiceError> {
        admin.save_agent(agent, id).await
    }

    async fn delete(admin: &Admin<'_>, id: &UserId, _: NoQuery) -> Result<(), ServiceError> {
        admin.delete_agent(id).await
    }
}

impl Resource for ProviderAccounts {
    type Id = ProviderAccountId;
    type Input = ProviderAccountInput;
    type View = ProviderAccount;
    type Filter = NoQuery;
    type DeleteOptions = NoQuery;
    const WORDS: Words = Words {
        path: "/api/v1/admin/providers",
        one: "provider_account",
        many: "provider_accounts",
        list: "Provider accounts (credentials are never returned)",
        get: "One provider account (its credentials are never returned)",
        create: "Create a provider account",
        update: "Change a provider account (absent credentials are kept; '' removes one)",
        delete: "Delete a provider account",
        update_conflict: None,
        delete_conflict: None,
    };

    async fn list(admin: &Admin<'_>, _: NoQuery) -> Result<Vec<ProviderAccount>, ServiceError> {
        admin.list_provider_accounts().await
    }

    async fn get(
        admin: &Admin<'_>,
        id: &ProviderAccountId,
    ) -> Result<ProviderAccount, ServiceError> {
        admin.get_provider_account(id).await
    }

    async fn save(
        admin: &Admin<'_>,
        input: ProviderAccountInput,
        id: Option<&ProviderAccountId>,
    ) -> Result<ProviderAccount, ServiceError> {
        admin.save_provider_account(input, id).await
    }

    async fn delete(
        admin: &Admin<'_>,
        id: &ProviderAccountId,
        _: NoQuery,
    ) -> Result<(), ServiceError> {
        admin.delete_provider_account(id).await
    }
}
