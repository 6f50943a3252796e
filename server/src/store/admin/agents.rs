//! Agents on SQL, and each user's own preferences.

use super::*;

fn agent_from_row(row: &AnyRow) -> anyhow::Result<Agent> {
    Ok(Agent {
        id: UserId::parse(&row.text("id")?)?,
        name: row.text("name")?,
        group_id: GroupId::parse(&row.text("group_id")?)?,
        active: row.int("active")? != 0,
    })
}

#[async_trait]
impl AgentStore for SqlStore {
    async fn agents(&self) -> StoreResult<Vec<Agent>> {
        self.rows(
            sqlx::query("SELECT id, name, group_id, active FROM agents ORDER BY name, id"),
            agent_from_row,
        )
        .await
    }

    async fn agent(&self, id: &UserId) -> StoreResult<Option<Agent>> {
        self.row(
            sqlx::query("SELECT id, name, group_id, active FROM agents WHERE id = ?")
                .bind(id.as_str()),
            agent_from_row,
        )
        .await
    }

    async fn insert_agent(&self, agent: &Agent, audit: &AuditRecord) -> StoreResult<()> {
        let query =
            sqlx::query("INSERT INTO agents (id, name, group_id, active) VALUES (?, ?, ?, ?)")
                .bind(agent.id.as_str())
                .bind(&agent.name)
                .bind(agent.group_id.as_str())
                .bind(i64::from(agent.active));
        self.change_one(query, "the agent", audit).await
    }

    async fn update_agent(&self, agent: &Agent, audit: &AuditRecord) -> StoreResult<()> {
        let query =
            sqlx::query("UPDATE agents SET name = ?, group_id = ?, active = ? WHERE id = ?")
                .bind(&agent.name)
                .bind(agent.group_id.as_str())
                .bind(i64::from(agent.active))
                .bind(agent.id.as_str());
        self.change_one(query, "the agent", audit).await
    }

    async fn delete_agent(&self, id: &UserId, audit: &AuditRecord) -> StoreResult<()> {
        let query = sqlx::query("DELETE FROM agents WHERE id = ?").bind(id.as_str());
        self.change_one(query, "the agent", audit).await
    }
}

#[async_trait]
impl PreferenceStore for SqlStore {
    async fn preferences(&self, user: &UserId) -> StoreResult<Option<Preferences>> {
        let query = sqlx::query("SELECT alerts, sound FROM user_preferences WHERE user_id = ?")
            .bind(user.as_str());
        self.row(query, |row| {
            Ok(Preferences {
                alerts: AlertLevel::from_name(&row.text("alerts")?),
                sound: row.int("sound")? != 0,
            })
        })
        .await
    }

    async fn save_preferences(&self, user: &UserId, preferences: &Preferences) -> StoreResult<()> {
        let mut tx = self.write().await.map_err(store_error)?;
        sqlx::query("DELETE FROM user_preferences WHERE user_id = ?")
            .bind(user.as_str())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        sqlx::query("INSERT INTO user_preferences (user_id, alerts, sound) VALUES (?, ?, ?)")
            .bind(user.as_str())
            .bind(preferences.alerts.as_str())
            .bind(i64::from(preferences.sound))
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)
    }
}
