//! What the settings page asks the server: the public admin REST API
//! (`/api/v1/admin/…`), the very one integrators use, with the admin's session token.
//! Each admin use case is written once, as a REST handler; this is its caller. An
//! error answer is the API's error body; a failure in the browser itself (the server
//! not reached, an answer not read) is an error of the same shape.

use crate::api::{ApiError, ErrorBody};
use crate::domain::{
    Agent, ApiKey, ApiKeyInput, AuditEntry, CallQueue, CallQueueInput, Channel, ChannelSetup,
    CreatedApiKey, Group, GroupInput, Imported, NotificationTypes, OptOut, OptOutInput,
    ProviderAccount, ProviderAccountInput, SavedTypes, SignIn, SignedIn, TemplateInput,
    TemplateView,
};
use leptos::prelude::window;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

const ADMIN: &str = "/api/v1/admin";

/// A request's body.
enum Body {
    None,
    Json(String),
    Csv(String),
}

impl Body {
    fn json(value: &impl Serialize) -> Result<Self, ApiError> {
        serde_json::to_string(value)
            .map(Body::Json)
            .map_err(|_| local_error("prepare the request"))
    }
}

/// What went wrong in the browser itself.
fn local_error(what: &str) -> ApiError {
    ApiError::new("request_failed", format!("Could not {what}; try again."))
}

/// Sends one request to `path` as `token`'s holder (none: signing in); the answer's
/// text, or the API's error.
async fn send(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Body,
) -> Result<String, ApiError> {
    let headers = web_sys::Headers::new().map_err(|_| local_error("prepare the request"))?;
    if let Some(token) = token {
        let _ = headers.set("authorization", &format!("Bearer {token}"));
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    match body {
        Body::None => {}
        Body::Json(text) => {
            let _ = headers.set("content-type", "application/json");
            init.set_body(&JsValue::from_str(&text));
        }
        Body::Csv(text) => {
            let _ = headers.set("content-type", "text/csv");
            init.set_body(&JsValue::from_str(&text));
        }
    }
    init.set_headers(&headers);
    let answer = JsFuture::from(window().fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| local_error("reach the server"))?;
    let response: web_sys::Response = answer.unchecked_into();
    let read = response
        .text()
        .map_err(|_| local_error("read the answer"))?;
    let text = JsFuture::from(read)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default();
    if response.ok() {
        return Ok(text);
    }
    Err(serde_json::from_str::<ErrorBody>(&text)
        .map(|b| b.error)
        .unwrap_or_else(|_| {
            ApiError::new(
                "request_failed",
                format!("The server answered {}; try again.", response.status()),
            )
        }))
}

/// Sends one request and reads its JSON answer.
async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    token: &str,
    body: Body,
) -> Result<T, ApiError> {
    read(&send(method, path, Some(token), body).await?)
}

/// A JSON answer, read.
fn read<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|_| local_error("read the answer"))
}

/// Sends one request whose answer has no body.
async fn call_empty(method: &str, path: &str, token: &str, body: Body) -> Result<(), ApiError> {
    send(method, path, Some(token), body).await.map(drop)
}

/// `path` under `collection`, or the collection itself for a new item: the method and
/// the path that save it.
fn save_target(collection: &str, existing: Option<&str>) -> (&'static str, String) {
    match existing {
        Some(id) => ("PUT", format!("{ADMIN}/{collection}/{}", encode(id))),
        None => ("POST", format!("{ADMIN}/{collection}")),
    }
}

/// A path segment or query value, percent-encoded.
fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// Signs an admin in.
pub(crate) async fn sign_in(request: SignIn) -> Result<SignedIn, ApiError> {
    let body = Body::json(&request)?;
    read(&send("POST", &format!("{ADMIN}/login"), None, body).await?)
}

/// Ends the admin's session.
pub(crate) async fn sign_out(token: String) -> Result<(), ApiError> {
    call_empty("POST", &format!("{ADMIN}/logout"), &token, Body::None).await
}

/// Every template.
pub(crate) async fn list_templates(token: String) -> Result<Vec<TemplateView>, ApiError> {
    call("GET", &format!("{ADMIN}/templates"), &token, Body::None).await
}

/// Creates (`existing` none) or replaces a template.
pub(crate) async fn save_template(
    token: String,
    input: TemplateInput,
    existing: Option<String>,
) -> Result<TemplateView, ApiError> {
    let (method, path) = save_target("templates", existing.as_deref());
    call(method, &path, &token, Body::json(&input)?).await
}

/// Deletes a template (`confirm` when groups use it).
pub(crate) async fn delete_template(
    token: String,
    id: String,
    confirm: bool,
) -> Result<(), ApiError> {
    let path = format!("{ADMIN}/templates/{}?confirm={confirm}", encode(&id));
    call_empty("DELETE", &path, &token, Body::None).await
}

/// Every group.
pub(crate) async fn list_groups(token: String) -> Result<Vec<Group>, ApiError> {
    call("GET", &format!("{ADMIN}/groups"), &token, Body::None).await
}

/// Creates (`existing` none) or changes a group.
pub(crate) async fn save_group(
    token: String,
    input: GroupInput,
    existing: Option<String>,
) -> Result<Group, ApiError> {
    let (method, path) = save_target("groups", existing.as_deref());
    call(method, &path, &token, Body::json(&input)?).await
}

/// Deletes a group without agents.
pub(crate) async fn delete_group(token: String, id: String) -> Result<(), ApiError> {
    let path = format!("{ADMIN}/groups/{}", encode(&id));
    call_empty("DELETE", &path, &token, Body::None).await
}

/// A group's Notification Type tab.
pub(crate) async fn get_notification_types(
    token: String,
    group: String,
) -> Result<NotificationTypes, ApiError> {
    let path = format!("{ADMIN}/groups/{}/notification-types", encode(&group));
    call("GET", &path, &token, Body::None).await
}

/// Replaces a group's Notification Type tab; what the admin should know about it.
pub(crate) async fn save_notification_types(
    token: String,
    group: String,
    types: NotificationTypes,
) -> Result<SavedTypes, ApiError> {
    let path = format!("{ADMIN}/groups/{}/notification-types", encode(&group));
    call("PUT", &path, &token, Body::json(&types)?).await
}

/// Every agent.
pub(crate) async fn list_agents(token: String) -> Result<Vec<Agent>, ApiError> {
    call("GET", &format!("{ADMIN}/agents"), &token, Body::None).await
}

/// Creates (`existing` none) or changes an agent.
pub(crate) async fn save_agent(
    token: String,
    agent: Agent,
    existing: Option<String>,
) -> Result<Agent, ApiError> {
    let (method, path) = save_target("agents", existing.as_deref());
    call(method, &path, &token, Body::json(&agent)?).await
}

/// Deletes an agent.
pub(crate) async fn delete_agent(token: String, id: String) -> Result<(), ApiError> {
    let path = format!("{ADMIN}/agents/{}", encode(&id));
    call_empty("DELETE", &path, &token, Body::None).await
}

/// Every call queue.
pub(crate) async fn list_queues(token: String) -> Result<Vec<CallQueue>, ApiError> {
    call("GET", &format!("{ADMIN}/queues"), &token, Body::None).await
}

/// Creates or replaces call queue `id`.
pub(crate) async fn save_queue(
    token: String,
    id: String,
    queue: CallQueueInput,
) -> Result<CallQueue, ApiError> {
    let path = format!("{ADMIN}/queues/{}", encode(&id));
    call("PUT", &path, &token, Body::json(&queue)?).await
}

/// Deletes a call queue.
pub(crate) async fn delete_queue(token: String, id: String) -> Result<(), ApiError> {
    let path = format!("{ADMIN}/queues/{}", encode(&id));
    call_empty("DELETE", &path, &token, Body::None).await
}

/// Each channel's default account and how its messages go out when no account applies.
pub(crate) async fn channel_setups(token: String) -> Result<Vec<ChannelSetup>, ApiError> {
    call("GET", &format!("{ADMIN}/channels"), &token, Body::None).await
}

/// Every provider account (credentials hidden).
pub(crate) async fn list_provider_accounts(
    token: String,
) -> Result<Vec<ProviderAccount>, ApiError> {
    call("GET", &format!("{ADMIN}/providers"), &token, Body::None).await
}

/// Creates (`existing` none) or changes a provider account.
pub(crate) async fn save_provider_account(
    token: String,
    input: ProviderAccountInput,
    existing: Option<String>,
) -> Result<ProviderAccount, ApiError> {
    let (method, path) = save_target("providers", existing.as_deref());
    call(method, &path, &token, Body::json(&input)?).await
}

/// Deletes a provider account.
pub(crate) async fn delete_provider_account(token: String, id: String) -> Result<(), ApiError> {
    let path = format!("{ADMIN}/providers/{}", encode(&id));
    call_empty("DELETE", &path, &token, Body::None).await
}

/// Every API key (never their secrets).
pub(crate) async fn list_api_keys(token: String) -> Result<Vec<ApiKey>, ApiError> {
    call("GET", &format!("{ADMIN}/api-keys"), &token, Body::None).await
}

/// Creates an API key; its secret is in this answer only.
pub(crate) async fn create_api_key(
    token: String,
    input: ApiKeyInput,
) -> Result<CreatedApiKey, ApiError> {
    call(
        "POST",
        &format!("{ADMIN}/api-keys"),
        &token,
        Body::json(&input)?,
    )
    .await
}

/// Revokes an API key.
pub(crate) async fn revoke_api_key(token: String, id: String) -> Result<(), ApiError> {
    let path = format!("{ADMIN}/api-keys/{}", encode(&id));
    call_empty("DELETE", &path, &token, Body::None).await
}

/// The opt-out list, newest first, optionally of one channel.
pub(crate) async fn list_opt_outs(
    token: String,
    channel: Option<Channel>,
) -> Result<Vec<OptOut>, ApiError> {
    let path = match channel {
        Some(channel) => format!("{ADMIN}/opt-outs?channel={}", channel.as_str()),
        None => format!("{ADMIN}/opt-outs"),
    };
    call("GET", &path, &token, Body::None).await
}

/// Adds a number to the opt-out list.
pub(crate) async fn add_opt_out(token: String, input: OptOutInput) -> Result<OptOut, ApiError> {
    call(
        "POST",
        &format!("{ADMIN}/opt-outs"),
        &token,
        Body::json(&input)?,
    )
    .await
}

/// Imports a CSV file of numbers (every line or none): how many were read and added.
pub(crate) async fn import_opt_outs(token: String, csv: String) -> Result<Imported, ApiError> {
    call(
        "POST",
        &format!("{ADMIN}/opt-outs/import"),
        &token,
        Body::Csv(csv),
    )
    .await
}

/// Takes a number off the opt-out list.
pub(crate) async fn remove_opt_out(token: String, input: OptOutInput) -> Result<(), ApiError> {
    call_empty(
        "DELETE",
        &format!("{ADMIN}/opt-outs"),
        &token,
        Body::json(&input)?,
    )
    .await
}

/// The newest 200 entries of the audit log, optionally of one kind of thing.
pub(crate) async fn audit_log(
    token: String,
    entity: Option<String>,
) -> Result<Vec<AuditEntry>, ApiError> {
    let path = match entity.filter(|e| !e.is_empty()) {
        Some(entity) => format!("{ADMIN}/audit?limit=200&entity={}", encode(&entity)),
        None => format!("{ADMIN}/audit?limit=200"),
    };
    call("GET", &path, &token, Body::None).await
}
