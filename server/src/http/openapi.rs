//! The OpenAPI document, generated from the handlers' annotations and the wire types
//! they take and return, served at `/api/v1/openapi.json` and shown to people at
//! `/api/docs` (Swagger UI, served from the binary: no CDN).

use super::AppState;
use super::{admin, agent, health, keys, notifications, opt_outs, queues, streams, webhooks};
use app::api::ErrorBody;
use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr, ResponseBuilder};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

/// The public API's description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Agent Notify API",
        version = "1.0.0",
        description = "Send SMS, WhatsApp and RCS notifications from pre-registered templates, and follow their status. Errors always have the shape {\"error\": {\"code\", \"message\", \"fields\"}}."
    ),
    paths(
        agent::countries,
        agent::check_recipient,
        agent::agent_templates,
        agent::widget_bootstrap,
        agent::my_preferences,
        agent::save_my_preferences,
        notifications::send_notification,
        notifications::read_history,
        notifications::get_notification,
        notifications::call_comments,
        notifications::history_filters,
        notifications::delivery_stats,
        streams::new_stream_ticket,
        streams::message_events,
        streams::call_events,
        admin::sign_in,
        admin::sign_out,
        admin::revoke_token,
        admin::get_notification_types,
        admin::save_notification_types,
        admin::audit_log,
        admin::channel_setups,
        queues::list_queues,
        queues::get_queue,
        queues::save_queue,
        queues::delete_queue,
        opt_outs::list_opt_outs,
        opt_outs::add_opt_out,
        opt_outs::import_opt_outs,
        opt_outs::remove_opt_out,
        keys::list_api_keys,
        keys::create_api_key,
        keys::revoke_api_key,
        webhooks::verify_webhook,
        webhooks::receive_webhook,
        health::healthz,
        health::readyz,
        health::metrics,
    ),
    components(schemas(ErrorBody)),
    modifiers(&Collections, &Security, &Errors),
    tags(
        (name = "agent", description = "What the widget reads: countries, number checks, templates"),
        (name = "notifications", description = "Sending, reading and following messages"),
        (name = "admin", description = "The settings (an admin's sign-in session)"),
        (name = "webhooks", description = "Providers' callbacks (signed per provider)"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

/// The docs page's policy: its own scripts only; Swagger UI sets inline styles.
const DOCS_POLICY: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// `/api/v1/openapi.json` and the page that shows it, `/api/docs`.
pub fn router() -> Router<AppState> {
    Router::from(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", ApiDoc::openapi())).layer(
        SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_POLICY),
        ),
    )
}

/// The admin collections read and written alike, described from their wording.
struct Collections;

impl utoipa::Modify for Collections {
    fn modify(&self, doc: &mut Document) {
        admin::describe::<admin::Templates>(doc);
        admin::describe::<admin::Groups>(doc);
        admin::describe::<admin::Agents>(doc);
        admin::describe::<admin::ProviderAccounts>(doc);
    }
}

/// The two ways to authenticate.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some(
            "An agent's or supervisor's host token (an HS256 JWT signed with auth.token_secret: \
             sub, role agent|supervisor, grp, exp, jti), an integrator's API key (ank_…), or an \
             admin session token (ans_…) from POST /api/v1/admin/login."
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        let mut ops = Http::new(HttpAuthScheme::Bearer);
        ops.description = Some("ops.token (unset: loopback clients only)".into());
        components.add_security_scheme("ops", SecurityScheme::Http(ops));
    }
}

/// The errors every API operation may answer, in the one error shape: a malformed
/// request (400), no or a refused credential (401, 403), nothing there (404), a conflict
/// (409, on writes), a body too large or not JSON (413, 415), invalid input (422), too
/// many requests (429) and a backend that does not answer (503).
struct Errors;

impl utoipa::Modify for Errors {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.responses.insert(
            "Error".into(),
            RefOr::T(
                ResponseBuilder::new()
                    .description("An error: {\"error\": {\"code\", \"message\", \"fields\"}}")
                    .content(
                        "application/json",
                        Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                    )
                    .build(),
            ),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            if !path.starts_with("/api/") {
                continue;
            }
            for method in [
                HttpMethod::Get,
                HttpMethod::Post,
                HttpMethod::Put,
                HttpMethod::Delete,
            ] {
                if let Some(operation) = operation_mut(item, &method) {
                    add_errors(operation, method != HttpMethod::Get);
                    describe_events(operation);
                }
            }
        }
    }
}

fn operation_mut<'a>(
    item: &'a mut utoipa::openapi::PathItem,
    method: &HttpMethod,
) -> Option<&'a mut Operation> {
    match method {
        HttpMethod::Get => item.get.as_mut(),
        HttpMethod::Post => item.post.as_mut(),
        HttpMethod::Put => item.put.as_mut(),
        HttpMethod::Delete => item.delete.as_mut(),
        _ => None,
    }
}

/// An event stream's schema is that of one event as read off the wire: its name and
/// its data (the message, a `NotificationView`, as JSON text for `status` and `reply`).
fn describe_events(operation: &mut Operation) {
    for response in operation.responses.responses.values_mut() {
        if let RefOr::T(response) = response {
            if let Some(RefOr::T(content)) = response.content.get_mut("text/event-stream") {
                content.schema = Some(RefOr::T(event_schema()));
            }
        }
    }
}

fn event_schema() -> Schema {
    let text = |description: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
    };
    ObjectBuilder::new()
        .property(
            "event",
            text("status, reply or end").enum_values(Some(["status", "reply", "end"])),
        )
        .property(
            "data",
            text("status and reply: the message (a NotificationView) as JSON; end: settled"),
        )
        .property("id", text("The event's id"))
        .required("data")
        .into()
}

fn add_errors(operation: &mut Operation, writes: bool) {
    let mut codes = vec!["400", "401", "403", "404", "422", "429", "503"];
    if writes {
        codes.extend(["409", "413", "415"]);
    }
    for code in codes {
        operation
            .responses
            .responses
            .entry(code.into())
            .or_insert_with(|| RefOr::Ref(Ref::new("#/components/responses/Error")));
    }
}
