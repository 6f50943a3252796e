//! The settings page: sign-in, then the templates registry, agent groups with their
//! Notification Type tab, agents, provider accounts, the opt-out list, integrators' API
//! keys and the audit log.

mod agents;
mod api;
mod api_keys;
mod audit;
mod form;
mod groups;
mod list;
mod notification_types;
mod opt_outs;
mod providers;
mod queues;
mod templates;

use super::session::{ends_session, storage, TOKEN_KEY};
use crate::api::ApiError;
use crate::domain::SignIn;
use api::{sign_in, sign_out};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// What every part of the page shares.
#[derive(Clone, Copy)]
pub(crate) struct AdminContext {
    /// The admin's token; `None` shows the sign-in form.
    pub token: RwSignal<Option<String>>,
    /// The last error, shown in a banner.
    pub error: RwSignal<Option<ApiError>>,
    /// A short confirmation, shown in a banner.
    pub notice: RwSignal<Option<String>>,
    /// Bumped after every change, so lists reload.
    pub version: RwSignal<u32>,
    /// The error is a list that did not load: the banner offers to try again.
    pub retry: RwSignal<bool>,
}

impl AdminContext {
    /// The token (empty when signed out).
    pub fn token(&self) -> String {
        self.token.get_untracked().unwrap_or_default()
    }

    /// Shows an error; an ended session goes back to the sign-in form.
    pub fn fail(&self, e: ApiError) {
        if ends_session(&e) {
            self.sign_out_locally();
            let message = format!(
                "{} Sign in again.",
                e.message.trim_end_matches(" Sign in again.")
            );
            return self.error.set(Some(ApiError { message, ..e }));
        }
        self.notice.set(None);
        self.retry.set(false);
        self.error.set(Some(e));
    }

    /// Shows a refused save: each field's problem at its input (`problems`), the
    /// banner only what failed; the keyboard's focus goes to the first input with a
    /// problem.
    pub fn refused(&self, problems: RwSignal<BTreeMap<String, String>>, mut e: ApiError) {
        let at_inputs = !e.fields.is_empty();
        problems.set(std::mem::take(&mut e.fields));
        self.fail(e);
        if at_inputs {
            // Once the problems are on the page.
            gloo_timers::callback::Timeout::new(0, crate::ui::focus_first_problem).forget();
        }
    }

    /// An input with problems under `key` was changed: they go, and the banner with
    /// them once no problem is left.
    pub fn fixing(&self, problems: RwSignal<BTreeMap<String, String>>, key: &str) {
        if problems.with_untracked(|p| !p.keys().any(|k| under(k, key))) {
            return;
        }
        problems.update(|p| p.retain(|k, _| !under(k, key)));
        if problems.with_untracked(BTreeMap::is_empty) {
            self.error.set(None);
        }
    }

    /// Shows that `what` did not load, and why; the banner offers to try again (an
    /// ended session goes back to the sign-in form, which says so).
    pub fn load_failed(&self, what: &str, e: ApiError) {
        if ends_session(&e) {
            return self.fail(e);
        }
        let message = format!("Could not load {what}: {}", e.message);
        self.fail(ApiError { message, ..e });
        self.retry.set(true);
    }

    /// Clears the error and loads every list again.
    pub fn reload(&self) {
        self.error.set(None);
        self.retry.set(false);
        self.version.update(|v| *v += 1);
    }

    /// Records a successful change.
    pub fn done(&self, notice: impl Into<String>) {
        self.error.set(None);
        self.notice.set(Some(notice.into()));
        self.version.update(|v| *v += 1);
    }

    fn sign_out_locally(&self) {
        if let Some(s) = storage() {
            let _ = s.remove_item(TOKEN_KEY);
        }
        self.token.set(None);
    }
}

/// `2026-12-02 12:15 UTC` from an RFC 3339 UTC time: for a tooltip beside the local
/// time a page shows.
pub(crate) fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}

/// A list loaded from the server (`what` it is, for people), its failure shown as the
/// page's error with a way to try again (an ended session back to the sign-in) instead
/// of as an empty list; the rows meanwhile.
fn rows_or_error<T: Clone + Send + Sync + 'static>(
    ctx: AdminContext,
    what: &'static str,
    list: LocalResource<Result<Vec<T>, ApiError>>,
) -> Signal<Vec<T>> {
    Effect::new(move |_| {
        if let Some(Err(e)) = list.get() {
            ctx.load_failed(what, e);
        }
    });
    Signal::derive(move || list.get().and_then(Result::ok).unwrap_or_default())
}

/// A list the server gives for the admin's token (`fetch`), loaded again after every
/// change (and whenever a signal `fetch` reads changes); `what` it is, for people, when
/// it does not load (see [`rows_or_error`]).
pub(crate) fn listed<T, F, Fut>(what: &'static str, fetch: F) -> Signal<Vec<T>>
where
    T: Clone + Send + Sync + 'static,
    F: Fn(String) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<Vec<T>, ApiError>> + 'static,
{
    let ctx = context();
    let list = LocalResource::new(move || {
        ctx.version.track();
        fetch(ctx.token())
    });
    rows_or_error(ctx, what, list)
}

/// The admin's view of the shared context.
pub(crate) fn context() -> AdminContext {
    expect_context::<AdminContext>()
}

/// The settings tabs: key and label.
const TABS: [(&str, &str); 8] = [
    ("templates", "Templates"),
    ("groups", "Agent groups"),
    ("agents", "Agents"),
    ("queues", "Call queues"),
    ("providers", "Providers"),
    ("opt-outs", "Opt-outs"),
    ("api-keys", "API keys"),
    ("audit", "Audit log"),
];

/// The settings page.
#[component]
pub fn AdminPage() -> impl IntoView {
    let ctx = AdminContext {
        token: RwSignal::new(storage().and_then(|s| s.get_item(TOKEN_KEY).ok().flatten())),
        error: RwSignal::new(None),
        notice: RwSignal::new(None),
        version: RwSignal::new(0),
        retry: RwSignal::new(false),
    };
    provide_context(ctx);
    let tab = RwSignal::new("templates");
    let choose = move |key: &'static str| {
        ctx.error.set(None);
        ctx.notice.set(None);
        tab.set(key);
    };
    // Arrow keys (and Home, End) move between the tabs and open the one they reach.
    let on_tab_key = move |ev: web_sys::KeyboardEvent| {
        let at = TABS
            .iter()
            .position(|(k, _)| *k == tab.get_untracked())
            .unwrap_or(0);
        let Some(next) = crate::ui::roving_step(&ev.key(), at, TABS.len()) else {
            return;
        };
        ev.prevent_default();
        choose(TABS[next].0);
        crate::ui::focus_by_id(&format!("settings-tab-{}", TABS[next].0));
    };
    let sign_out = move |_| {
        let token = ctx.token();
        spawn_local(async move {
            let _ = sign_out(token).await;
        });
        ctx.sign_out_locally();
    };
    view! {
        <main class="admin">
            <header class="admin-head">
                <h1>"Agent Notify settings"</h1>
                <Show when=move || ctx.token.get().is_some()>
                    <nav class="row-actions" aria-label="Pages">
                        <a class="button secondary small" href="/history">"Message history"</a>
                        <a class="button secondary small" href="/dashboard">"Dashboard"</a>
                        <button class="button secondary small" on:click=sign_out>"Sign out"</button>
                    </nav>
                </Show>
            </header>
            {move || ctx.error.get().map(|e| view! { <Problem error=e /> })}
            {move || ctx.notice.get().map(|n| view! { <p class="banner" role="status">{n}</p> })}
            <Show when=move || ctx.token.get().is_some() fallback=|| view! { <SignInForm /> }>
                <nav class="tabs" role="tablist" aria-label="Settings" on:keydown=on_tab_key>
                    {TABS
                        .into_iter()
                        .map(|(key, label)| {
                            view! {
                                <button
                                    role="tab"
                                    id=format!("settings-tab-{key}")
                                    aria-selected=move || (tab.get() == key).to_string()
                                    tabindex=move || if tab.get() == key { "0" } else { "-1" }
                                    on:click=move |_| choose(key)
                                >
                                    {label}
                                </button>
                            }
                        })
                        .collect_view()}
                </nav>
                {move || match tab.get() {
                    "templates" => view! { <templates::TemplatesTab /> }.into_any(),
                    "groups" => view! { <groups::GroupsTab /> }.into_any(),
                    "agents" => view! { <agents::AgentsTab /> }.into_any(),
                    "queues" => view! { <queues::QueuesTab /> }.into_any(),
                    "providers" => view! { <providers::ProvidersTab /> }.into_any(),
                    "opt-outs" => view! { <opt_outs::OptOutsTab /> }.into_any(),
                    "api-keys" => view! { <api_keys::ApiKeysTab /> }.into_any(),
                    _ => view! { <audit::AuditTab /> }.into_any(),
                }}
            </Show>
        </main>
    }
}

/// An error banner with each field's problem, and Try again for a list that did not
/// load.
#[component]
fn Problem(error: ApiError) -> impl IntoView {
    let ctx = context();
    view! {
        <div class="banner error" role="alert">
            <p>{error.message}</p>
            <ul>
                {error.fields.into_iter().map(|(f, p)| view! { <li data-field=f.clone()>{format!("{}: {p}", readable_key(&f))}</li> }).collect_view()}
            </ul>
            <Show when=move || ctx.retry.get()>
                <button class="button small" type="button" on:click=move |_| ctx.reload()>"Try again"</button>
            </Show>
        </div>
    }
}

#[component]
fn SignInForm() -> impl IntoView {
    let ctx = context();
    let id = RwSignal::new("admin".to_owned());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let request = SignIn {
            id: id.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match sign_in(request).await {
                Ok(signed) => {
                    if let Some(s) = storage() {
                        let _ = s.set_item(TOKEN_KEY, &signed.token);
                    }
                    ctx.error.set(None);
                    ctx.token.set(Some(signed.token));
                }
                Err(e) => ctx.fail(e),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card sign-in" on:submit=submit>
            <h2>"Sign in"</h2>
            <label class="field">
                <span class="field-label">"Admin id"</span>
                <input class="input" autocomplete="username" prop:value=id on:input=move |ev| id.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span class="field-label">"Password"</span>
                <input
                    class="input"
                    type="password"
                    autocomplete="current-password"
                    prop:value=password
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
            </label>
            <button class="button" type="submit" disabled=move || busy.get()>"Sign in"</button>
        </form>
    }
}

/// The save-time problems of the fields whose key starts with `prefix`, in words
/// (`fields[1].pattern` reads "Field 2, pattern"), each with its key as `data-field`.
#[component]
pub(crate) fn Problems(
    problems: RwSignal<BTreeMap<String, String>>,
    #[prop(into)] prefix: String,
) -> impl IntoView {
    move || {
        problems.with(|all| {
            all.iter()
                .filter(|(key, _)| under(key, &prefix))
                .map(|(key, problem)| {
                    let text = format!("{}: {problem}", readable_key(key));
                    view! { <p class="hint error" data-field=key.clone()>{text}</p> }
                })
                .collect_view()
        })
    }
}

/// Whether the problem `key` is about `prefix` (itself, `prefix[…]` or `prefix.…`).
pub(crate) fn under(key: &str, prefix: &str) -> bool {
    key.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('[') || rest.starts_with('.'))
}

/// `fields[1].pattern` → "Field 2, pattern"; `provider_ref.dlt_header` → "DLT header".
fn readable_key(key: &str) -> String {
    if let Some(rest) = key.strip_prefix("fields[") {
        let (index, part) = rest.split_once(']').unwrap_or((rest, ""));
        let n = index.parse::<usize>().map_or(0, |i| i + 1);
        let part = part.trim_start_matches('.').replace('_', " ");
        return if part.is_empty() {
            format!("Field {n}")
        } else {
            format!("Field {n}, {part}")
        };
    }
    // A CSV line's problem: `line 3.number` → "Line 3, number".
    if let Some((line, part)) = key
        .strip_prefix("line ")
        .map(|r| r.split_once('.').unwrap_or((r, "")))
    {
        return match part {
            "" => format!("Line {line}"),
            part => format!("Line {line}, {}", part.replace('_', " ")),
        };
    }
    let mut segments = key.rsplit('.');
    let last = segments.next().unwrap_or(key);
    // A list's entry: `allowed_ips.0` → "Allowed IPs, entry 1".
    let mut words = match last.parse::<usize>() {
        Ok(i) => format!(
            "{}, entry {}",
            spoken(segments.next().unwrap_or("list")),
            i + 1
        ),
        Err(_) => spoken(last),
    };
    if let Some(first) = words.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    words
}

/// `allowed_ips` → "allowed IPs": words, with initialisms as people write them.
fn spoken(key: &str) -> String {
    key.split('_')
        .map(|word| match word {
            "dlt" => "DLT",
            "ips" => "IPs",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::readable_key;

    #[test]
    fn a_problems_key_reads_as_words() {
        assert_eq!(readable_key("display_name"), "Display name");
        assert_eq!(readable_key("fields[1].pattern"), "Field 2, pattern");
        assert_eq!(readable_key("provider_ref.dlt_header"), "DLT header");
        assert_eq!(readable_key("line 3.number"), "Line 3, number");
        assert_eq!(readable_key("line 2"), "Line 2");
        assert_eq!(readable_key("allowed_ips.0"), "Allowed IPs, entry 1");
    }
}
