//! The opt-outs tab: the numbers that may not be sent to, per channel (and sender),
//! whether a customer texted STOP or an admin listed them; add, remove, import a CSV
//! file (every line or none) and export the list as one.

use super::api::{add_opt_out, import_opt_outs, list_opt_outs, remove_opt_out};
use super::form::TextInput;
use super::list::ListTable;
use super::{context, listed, short_time, AdminContext};
use crate::api::ApiError;
use crate::domain::{opt_outs_csv, Channel, OptOut, OptOutInput, OptOutSource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn source_label(source: OptOutSource) -> &'static str {
    match source {
        OptOutSource::Admin => "Added by an admin",
        OptOutSource::Import => "Imported",
        OptOutSource::Customer => "Customer sent STOP",
    }
}

/// Offers `text` to the browser as a file download.
fn download(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(link) = document()
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The opt-outs tab.
#[component]
pub fn OptOutsTab() -> impl IntoView {
    let ctx = context();
    let filter = RwSignal::new(None::<Channel>);
    let entries = listed("the opt-out list", move |token| {
        list_opt_outs(token, filter.get())
    });
    let remove = move |o: OptOut| {
        let input = OptOutInput {
            number: o.number.to_string(),
            channel: o.channel,
            sender: o.sender.clone(),
        };
        spawn_local(async move {
            match remove_opt_out(ctx.token(), input).await {
                Ok(()) => ctx.done(format!(
                    "{} is off the opt-out list for {}.",
                    o.number,
                    o.channel.label()
                )),
                Err(e) => ctx.fail(e),
            }
        });
    };
    let import = move |ev: leptos::ev::Event| import_chosen_file(ctx, &ev);
    let export = move |_| download("opt-outs.csv", &opt_outs_csv(&entries.get()));
    view! {
        <section class="card">
            <p class="hint">
                "Numbers here are refused before anything is sent. A customer who texts STOP is added (for the sender they wrote to) and taken off again by START."
            </p>
            <AddOptOut />
            <div class="toolbar">
                <select aria-label="Show channel" on:change=move |ev| filter.set(event_target_value(&ev).parse().ok())>
                    <option value="">"Every channel"</option>
                    {channel_options()}
                </select>
                <label class="button secondary file-button">
                    "Import CSV…"
                    <input type="file" accept=".csv,text/csv" class="visually-hidden" data-testid="opt-out-import" on:change=import />
                </label>
                <button class="button secondary" type="button" on:click=export>"Export CSV"</button>
            </div>
            <ListTable
                label="Opt-outs"
                headings=&["Number", "Channel", "Sender", "How", "Since"]
                empty="No number has opted out."
                rows=entries
                row=move |o: OptOut| {
                        let gone = o.clone();
                        view! {
                            <tr data-number=o.number.to_string()>
                                <td><code>{o.number.to_string()}</code></td>
                                <td>{o.channel.label()}</td>
                                <td>{if o.sender.is_empty() { "Every sender".to_owned() } else { o.sender.clone() }}</td>
                                <td>{source_label(o.source)}</td>
                                <td><time datetime=o.at.clone() title=short_time(&o.at)>{crate::ui::local_time(&o.at, true)}</time></td>
                                <td class="row-actions">
                                    <button class="button small secondary" on:click=move |_| remove(gone.clone())>"Remove"</button>
                                </td>
                            </tr>
                        }
                    }
            />
        </section>
    }
}

/// The channels as options of a select.
fn channel_options() -> impl IntoView {
    Channel::ALL
        .into_iter()
        .map(|c| view! { <option value=c.as_str()>{c.label()}</option> })
        .collect_view()
}

/// Imports the CSV file the admin chose (every line or none); the counts, or why not.
fn import_chosen_file(ctx: AdminContext, ev: &leptos::ev::Event) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    input.set_value("");
    spawn_local(async move {
        let text = JsFuture::from(file.text())
            .await
            .ok()
            .and_then(|t| t.as_string());
        let Some(text) = text else {
            ctx.fail(ApiError::new(
                "import_failed",
                "Could not read the file; try again.",
            ));
            return;
        };
        match import_opt_outs(ctx.token(), text).await {
            Ok(i) => ctx.done(format!("Imported {} numbers ({} new).", i.read, i.added)),
            Err(e) => ctx.fail(e),
        }
    });
}

/// Adds one number to the list, for a channel and (if given) one sender.
#[component]
fn AddOptOut() -> impl IntoView {
    let ctx = context();
    let (number, channel, sender) = (
        RwSignal::new(String::new()),
        RwSignal::new(Channel::Sms),
        RwSignal::new(String::new()),
    );
    let problems = RwSignal::new(std::collections::BTreeMap::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = OptOutInput {
            number: number.get_untracked(),
            channel: channel.get_untracked(),
            sender: sender.get_untracked(),
        };
        spawn_local(async move {
            match add_opt_out(ctx.token(), input).await {
                Ok(o) => {
                    problems.set(Default::default());
                    number.set(String::new());
                    ctx.done(format!(
                        "{} may no longer be sent {} messages.",
                        o.number,
                        o.channel.label()
                    ));
                }
                Err(e) => ctx.refused(problems, e),
            }
        });
    };
    view! {
        <form class="toolbar" on:submit=add aria-label="Add an opt-out">
            <TextInput label="Number, with its country code" value=number problems key="number" placeholder="+919876543210" />
            <label class="labelled">
                <span class="field-label">"Channel"</span>
                <select on:change=move |ev| {
                    if let Ok(c) = event_target_value(&ev).parse() { channel.set(c) }
                }>
                    {channel_options()}
                </select>
            </label>
            <TextInput label="Sender (empty: every sender)" value=sender problems key="sender" placeholder="Every sender" />
            <button class="button" type="submit">"Add"</button>
        </form>
    }
}
