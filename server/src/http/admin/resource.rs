//! The admin collections that are read and written alike (templates, groups, agents,
//! provider accounts): one generic handler per operation, its routes, and its OpenAPI
//! description made from each collection's wording ([`Words`]).

use super::{path_id, AdminCaller};
use crate::http::error::HttpError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::AppState;
use app::domain::IdError;
use app::service::admin::Admin;
use app::service::ServiceError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::str::FromStr;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr, Required, ResponseBuilder};
use utoipa::{IntoParams, PartialSchema, ToSchema};

/// An admin collection: `GET`/`POST` on its path, `GET`/`PUT`/`DELETE` on an item.
pub(crate) trait Resource: Send + Sync + 'static {
    /// An item's id, parsed from the URL (one that cannot exist is not found).
    type Id: FromStr<Err = IdError> + Send + Sync;
    /// What a create or a replace takes.
    type Input: DeserializeOwned + ToSchema + Send + 'static;
    /// What the collection answers.
    type View: Serialize + ToSchema + Send;
    /// The list's query parameters ([`NoQuery`] when there are none).
    type Filter: DeserializeOwned + IntoParams + Send + 'static;
    /// The delete's query parameters ([`NoQuery`] when there are none).
    type DeleteOptions: DeserializeOwned + IntoParams + Send + 'static;
    /// Its path and how its documentation speaks of it.
    const WORDS: Words;

    fn list(
        admin: &Admin<'_>,
        filter: Self::Filter,
    ) -> impl Future<Output = Result<Vec<Self::View>, ServiceError>> + Send;
    fn get(
        admin: &Admin<'_>,
        id: &Self::Id,
    ) -> impl Future<Output = Result<Self::View, ServiceError>> + Send;
    /// Creates (no `id`) or replaces the item `id`.
    fn save(
        admin: &Admin<'_>,
        input: Self::Input,
        id: Option<&Self::Id>,
    ) -> impl Future<Output = Result<Self::View, ServiceError>> + Send;
    fn delete(
        admin: &Admin<'_>,
        id: &Self::Id,
        options: Self::DeleteOptions,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;
}

/// A collection's path and wording: operation ids are `list_{many}`, `get_{one}`,
/// `create_{one}`, `update_{one}`, `delete_{one}`.
pub(crate) struct Words {
    pub path: &'static str,
    /// One item in an identifier (`provider_account`); in prose its `_` are spaces.
    pub one: &'static str,
    pub many: &'static str,
    pub list: &'static str,
    pub get: &'static str,
    pub create: &'static str,
    pub update: &'static str,
    pub delete: &'static str,
    /// Why a replace may be refused with 409, besides a taken id.
    pub update_conflict: Option<&'static str>,
    /// Why a delete may be refused with 409.
    pub delete_conflict: Option<&'static str>,
}

impl Words {
    fn noun(&self) -> String {
        self.one.replace('_', " ")
    }

    fn item_path(&self) -> String {
        format!("{}/{{id}}", self.path)
    }
}

/// No query parameters.
#[derive(Deserialize)]
pub(crate) struct NoQuery {}

impl IntoParams for NoQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<utoipa::openapi::path::Parameter> {
        Vec::new()
    }
}

/// The collection's five routes.
pub(super) fn routes<R: Resource>() -> Router<AppState> {
    Router::new()
        .route(R::WORDS.path, get(list::<R>).post(create::<R>))
        .route(
            &R::WORDS.item_path(),
            get(read::<R>).put(update::<R>).delete(delete::<R>),
        )
}

fn item_id<R: Resource>(text: &str) -> Result<R::Id, ServiceError> {
    path_id(text, &R::WORDS.noun())
}

async fn list<R: Resource>(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiQuery(filter): ApiQuery<R::Filter>,
) -> Result<Json<Vec<R::View>>, HttpError> {
    let admin = Admin::new(&state.services, &caller)?;
    Ok(Json(R::list(&admin, filter).await?))
}

async fn read<R: Resource>(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<R::View>, HttpError> {
    let admin = Admin::new(&state.services, &caller)?;
    Ok(Json(R::get(&admin, &item_id::<R>(&id)?).await?))
}

async fn create<R: Resource>(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiJson(input): ApiJson<R::Input>,
) -> Result<(StatusCode, Json<R::View>), HttpError> {
    let admin = Admin::new(&state.services, &caller)?;
    let saved = R::save(&admin, input, None).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn update<R: Resource>(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<R::Input>,
) -> Result<Json<R::View>, HttpError> {
    let id = item_id::<R>(&id)?;
    let admin = Admin::new(&state.services, &caller)?;
    Ok(Json(R::save(&admin, input, Some(&id)).await?))
}

async fn delete<R: Resource>(
    State(state): State<AppState>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(options): ApiQuery<R::DeleteOptions>,
) -> Result<StatusCode, HttpError> {
    let id = item_id::<R>(&id)?;
    let admin = Admin::new(&state.services, &caller)?;
    R::delete(&admin, &id, options).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds the collection's five operations, and the schemas they name, to `doc`.
pub(crate) fn describe<R: Resource>(doc: &mut Document) {
    let words = &R::WORDS;
    let (one, many, noun) = (words.one, words.many, words.noun());
    let view = || schema_ref::<R::View>();
    let list = with_query::<R::Filter>(operation(format!("list_{many}"), words.list)).response(
        "200",
        answer(
            &format!("The {}", many.replace('_', " ")),
            Some(array_of(view())),
        ),
    );
    let read = operation(format!("get_{one}"), words.get)
        .parameter(id_parameter(&noun))
        .response("200", answer(&format!("The {noun}"), Some(view())));
    let create = operation(format!("create_{one}"), words.create)
        .request_body(Some(json_body::<R::Input>()))
        .response("201", answer("Created", Some(view())))
        .response("409", conflict("The id is taken"));
    let mut update = operation(format!("update_{one}"), words.update)
        .parameter(id_parameter(&noun))
        .request_body(Some(json_body::<R::Input>()))
        .response("200", answer("Saved", Some(view())));
    if let Some(why) = words.update_conflict {
        update = update.response("409", conflict(why));
    }
    let delete = operation(format!("delete_{one}"), words.delete).parameter(id_parameter(&noun));
    let mut delete =
        with_query::<R::DeleteOptions>(delete).response("204", answer("Deleted", None));
    if let Some(why) = words.delete_conflict {
        delete = delete.response("409", conflict(why));
    }
    let paths = &mut doc.paths;
    paths.add_path_operation(words.path, vec![HttpMethod::Get], list);
    paths.add_path_operation(words.path, vec![HttpMethod::Post], create);
    let item = words.item_path();
    paths.add_path_operation(&item, vec![HttpMethod::Get], read);
    paths.add_path_operation(&item, vec![HttpMethod::Put], update);
    paths.add_path_operation(&item, vec![HttpMethod::Delete], delete);
    let components = doc.components.get_or_insert_with(Default::default);
    let mut schemas = vec![
        (R::Input::name().into(), R::Input::schema()),
        (R::View::name().into(), R::View::schema()),
    ];
    R::Input::schemas(&mut schemas);
    R::View::schemas(&mut schemas);
    components.schemas.extend(schemas);
}

/// An admin operation: tagged `admin`, with an admin's session token.
fn operation(id: String, summary: &str) -> OperationBuilder {
    OperationBuilder::new()
        .operation_id(Some(id))
        .summary(Some(summary))
        .tag("admin")
        .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
}

/// The operation with the query's parameters after those it has.
fn with_query<Q: IntoParams>(operation: OperationBuilder) -> OperationBuilder {
    Q::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .fold(operation, OperationBuilder::parameter)
}

fn id_parameter(noun: &str) -> ParameterBuilder {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(format!("The {noun}'s id")))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
}

fn schema_ref<T: ToSchema>() -> RefOr<utoipa::openapi::Schema> {
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

fn array_of(items: RefOr<utoipa::openapi::Schema>) -> RefOr<utoipa::openapi::Schema> {
    ArrayBuilder::new().items(items).into()
}

fn json_body<T: ToSchema>() -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .content("application/json", Content::new(Some(schema_ref::<T>())))
        .required(Some(Required::True))
        .build()
}

fn answer(
    description: &str,
    body: Option<RefOr<utoipa::openapi::Schema>>,
) -> RefOr<utoipa::openapi::Response> {
    let mut response = ResponseBuilder::new().description(description);
    if let Some(schema) = body {
        response = response.content("application/json", Content::new(Some(schema)));
    }
    RefOr::T(response.build())
}

fn conflict(why: &str) -> RefOr<utoipa::openapi::Response> {
    answer(why, Some(RefOr::Ref(Ref::from_schema_name("ErrorBody"))))
}
