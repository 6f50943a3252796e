//! Demo data for a first run on an empty database: group `demo`, agent `demo-agent`,
//! and static and dynamic templates on every channel, mapped to the group — so the
//! widget works the moment `make run` finishes.

use super::admin::insert_template_row;
use super::{to_ms, RowExt, SqlStore};
use anyhow::Context;
use app::domain::{Channel, FieldType, ProviderRef, Template, TemplateField, TemplateId};

/// The demo group's id.
pub const DEMO_GROUP: &str = "demo";
/// The demo agent's id.
pub const DEMO_AGENT: &str = "demo-agent";

fn field(
    name: &str,
    label: &str,
    field_type: FieldType,
    max_length: Option<usize>,
) -> TemplateField {
    TemplateField {
        name: name.into(),
        label: label.into(),
        field_type,
        required: true,
        max_length,
        pattern: None,
        default: None,
        source: None,
    }
}

fn template(
    id: &str,
    name: &str,
    channel: Channel,
    body: &str,
    fields: Vec<TemplateField>,
) -> anyhow::Result<Template> {
    Ok(Template {
        id: TemplateId::parse(id)?,
        name: name.into(),
        channel,
        body: body.into(),
        fields,
        language: (channel == Channel::Whatsapp).then(|| "en".to_owned()),
        provider_ref: demo_registration(id, channel),
    })
}

/// SMS to India must carry DLT ids: the demo's SMS templates have demo ones (a real
/// deployment replaces them with its own registration on the Templates tab).
fn demo_registration(id: &str, channel: Channel) -> ProviderRef {
    if channel != Channel::Sms {
        return ProviderRef::default();
    }
    let serial = 1 + DEMO_SMS.iter().position(|t| *t == id).unwrap_or(0);
    ProviderRef {
        dlt_entity_id: Some("1101000000000000001".into()),
        dlt_template_id: Some(format!("110700000000000000{serial}")),
        dlt_header: Some("ACMEIN".into()),
        ..ProviderRef::default()
    }
}

/// The demo's SMS templates, in the order of their demo DLT template ids.
const DEMO_SMS: [&str; 3] = ["t_sms_thanks", "t_otp", "t_sms_payment"];

/// The demo templates, in the order they are mapped.
pub fn demo_templates() -> anyhow::Result<Vec<Template>> {
    let mut otp = field("code", "One-time code", FieldType::Text, Some(8));
    otp.pattern = Some("[0-9]{4,8}".into());
    let dlt_name = field("name", "Customer name", FieldType::Text, Some(30));
    let templates = vec![
        template("t_sms_thanks", "Thanks for calling", Channel::Sms,
            "Thank you for calling Acme Support. Reply HELP for help or visit https://acme.example.com/help", vec![])?,
        template("t_otp", "One-time code", Channel::Sms,
            "Your Acme verification code is {{code}}. It expires in 10 minutes. Never share it.", vec![otp])?,
        template("t_sms_payment", "Payment link (DLT)", Channel::Sms,
            "Dear {#var#}, your payment of Rs {#var#} is due. Pay securely at {#var#} -ACME",
            vec![dlt_name, field("amount", "Amount (Rs)", FieldType::Currency, Some(12)),
                 field("link", "Payment link", FieldType::Url, Some(30))])?,
        template("t_wa_order", "Order update", Channel::Whatsapp,
            "Hi {{name}}, your order {{order_id}} has shipped and should arrive on {{date}}. Track it at {{link}}.",
            vec![field("name", "Customer name", FieldType::Text, Some(60)),
                 field("order_id", "Order number", FieldType::Text, Some(20)),
                 field("date", "Delivery date", FieldType::Date, None),
                 field("link", "Tracking link", FieldType::Url, None)])?,
        template("t_wa_thanks", "Thanks for calling", Channel::Whatsapp,
            "Thank you for calling Acme Support. Reply to this message any time if you need more help.", vec![])?,
        template("t_rcs_appointment", "Appointment confirmation", Channel::Rcs,
            "Hi {{name}}, your appointment is confirmed for {{date}}. Reply R to reschedule.",
            vec![field("name", "Customer name", FieldType::Text, Some(60)),
                 field("date", "Appointment date", FieldType::Date, None)])?,
        template("t_rcs_welcome", "Welcome", Channel::Rcs,
            "Welcome to Acme! Save this chat to reach our support team any time.", vec![])?,
    ];
    for t in &templates {
        t.check()
            .map_err(|e| anyhow::anyhow!("demo template {} is invalid: {:?}", t.id, e.0))?;
    }
    Ok(templates)
}

/// Seeds the demo data if the database has no group yet; returns whether it did.
pub async fn seed_demo_if_empty(store: &SqlStore) -> anyhow::Result<bool> {
    // The write lock is taken at once: two processes starting together cannot both
    // find the database empty and both seed it.
    let mut tx = store.write().await?;
    let groups = sqlx::query("SELECT COUNT(*) AS n FROM agent_groups")
        .fetch_one(&mut *tx)
        .await?
        .int("n")?;
    if groups > 0 {
        tx.commit().await?;
        return Ok(false);
    }
    let now = to_ms(app::service::now());
    sqlx::query("INSERT INTO agent_groups (id, name, created_at) VALUES (?, ?, ?)")
        .bind(DEMO_GROUP)
        .bind("Demo agents")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO agents (id, name, group_id) VALUES (?, ?, ?)")
        .bind(DEMO_AGENT)
        .bind("Demo Agent")
        .bind(DEMO_GROUP)
        .execute(&mut *tx)
        .await?;
    for channel in Channel::ALL {
        sqlx::query("INSERT INTO group_channels (group_id, channel, enabled) VALUES (?, ?, 1)")
            .bind(DEMO_GROUP)
            .bind(channel.as_str())
            .execute(&mut *tx)
            .await?;
    }
    let templates = demo_templates()?;
    for t in &templates {
        insert_template_row(t, now)?
            .execute(&mut *tx)
            .await
            .with_context(|| format!("seeding template {}", t.id))?;
    }
    for channel in Channel::ALL {
        let mapped = templates.iter().filter(|t| t.channel == channel);
        for (position, t) in (1i64..).zip(mapped) {
            sqlx::query("INSERT INTO group_templates (group_id, channel, position, template_id) VALUES (?, ?, ?, ?)")
                .bind(DEMO_GROUP)
                .bind(channel.as_str())
                .bind(position)
                .bind(t.id.as_str())
                .execute(&mut *tx)
                .await?;
        }
    }
    // Processes that read the (empty) settings before read them again.
    sqlx::query("UPDATE config_version SET version = version + 1 WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_demo_template_passes_the_save_checks() {
        let templates = super::demo_templates().expect("valid demo templates");
        assert!(templates.len() >= 6);
    }
}
