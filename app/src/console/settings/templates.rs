//! The templates registry: list (filter by channel, search by name), create, edit with
//! a field editor and a live preview, delete (confirming when groups use it).

use super::api::{self, list_templates, save_template};
use super::form::TextInput;
use super::{context, listed, AdminContext, Problems};
use crate::domain::{
    Channel, FieldType, ProviderRef, Template, TemplateField, TemplateId, TemplateInput,
    TemplateView,
};
use crate::ui::focus_by_id;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

const FIELD_TYPES: [(FieldType, &str); 6] = [
    (FieldType::Text, "text"),
    (FieldType::Number, "number"),
    (FieldType::Date, "date"),
    (FieldType::Currency, "currency"),
    (FieldType::Url, "url"),
    (FieldType::Phone, "phone"),
];

/// The editor's state: one signal per input, one per field row.
#[derive(Clone, Copy)]
struct Draft {
    existing: RwSignal<Option<String>>,
    id: RwSignal<String>,
    name: RwSignal<String>,
    channel: RwSignal<Channel>,
    body: RwSignal<String>,
    language: RwSignal<String>,
    provider_ref: RwSignal<ProviderRef>,
    /// `whatsapp_components` as typed (`name=header, link=button:0`).
    components: RwSignal<String>,
    fields: RwSignal<Vec<(u32, RwSignal<TemplateField>)>>,
    next_row: RwSignal<u32>,
}

impl Draft {
    fn new() -> Self {
        Self {
            existing: RwSignal::new(None),
            id: RwSignal::new(String::new()),
            name: RwSignal::new(String::new()),
            channel: RwSignal::new(Channel::Sms),
            body: RwSignal::new(String::new()),
            language: RwSignal::new(String::new()),
            provider_ref: RwSignal::new(ProviderRef::default()),
            components: RwSignal::new(String::new()),
            fields: RwSignal::new(Vec::new()),
            next_row: RwSignal::new(0),
        }
    }

    fn load(&self, t: Option<&Template>) {
        let blank = Template {
            id: TemplateId::unsaved(),
            name: String::new(),
            channel: Channel::Sms,
            body: String::new(),
            fields: Vec::new(),
            language: None,
            provider_ref: ProviderRef::default(),
        };
        let t = t.cloned().unwrap_or(blank);
        let existing = (!t.name.is_empty()).then(|| t.id.to_string());
        self.id.set(existing.clone().unwrap_or_default());
        self.existing.set(existing);
        self.name.set(t.name);
        self.channel.set(t.channel);
        self.body.set(t.body);
        self.language.set(t.language.unwrap_or_default());
        self.components.set(t.provider_ref.components_text());
        self.provider_ref.set(t.provider_ref);
        self.fields.set(Vec::new());
        for f in t.fields {
            self.add_field(f);
        }
    }

    fn add_field(&self, field: TemplateField) {
        let row = self.next_row.get_untracked();
        self.next_row.set(row + 1);
        self.fields.update(|f| f.push((row, RwSignal::new(field))));
    }

    fn input(&self) -> TemplateInput {
        let id = self.id.get_untracked();
        TemplateInput {
            id: TemplateId::parse(id.trim()).ok(),
            name: self.name.get_untracked(),
            channel: self.channel.get_untracked(),
            body: self.body.get_untracked(),
            fields: self
                .fields
                .get_untracked()
                .iter()
                .map(|(_, f)| f.get_untracked())
                .collect(),
            language: Some(self.language.get_untracked()).filter(|l| !l.trim().is_empty()),
            provider_ref: ProviderRef {
                whatsapp_components: ProviderRef::parse_components_text(
                    &self.components.get_untracked(),
                ),
                ..self.provider_ref.get_untracked()
            },
            kind: None,
        }
    }

    /// The body with sample values: each field's default, or its label in brackets.
    fn preview(&self) -> String {
        let fields: Vec<TemplateField> = self.fields.get().iter().map(|(_, f)| f.get()).collect();
        let samples: BTreeMap<String, String> = fields
            .iter()
            .filter_map(|f| f.default.clone().map(|d| (f.name.clone(), d)))
            .collect();
        let template = Template {
            id: TemplateId::unsaved(),
            name: String::new(),
            channel: self.channel.get(),
            body: self.body.get(),
            fields,
            language: None,
            provider_ref: ProviderRef::default(),
        };
        template.preview(&samples)
    }
}

/// The editor's first input, where the focus goes when it opens.
const EDITOR_FIRST: &str = "template-name";

/// The list's Kind column in an admin's words: "Fixed text", or how many fields the
/// agent fills ("2 fields").
fn kind_words(template: &Template) -> String {
    match template.fields.len() {
        0 => "Fixed text".to_owned(),
        1 => "1 field".to_owned(),
        n => format!("{n} fields"),
    }
}

/// The templates tab.
#[component]
pub fn TemplatesTab() -> impl IntoView {
    let ctx = context();
    let channel_filter = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let editing = RwSignal::new(false);
    let draft = Draft::new();
    let list = listed("the templates", list_templates);
    let shown = move || {
        let all = list.get();
        let (c, s) = (channel_filter.get(), search.get().to_lowercase());
        all.into_iter()
            .filter(|t: &TemplateView| c.is_empty() || t.template.channel.as_str() == c)
            .filter(|t| s.is_empty() || t.template.name.to_lowercase().contains(&s))
            .collect::<Vec<_>>()
    };
    let delete = move |id: String| spawn_local(delete_confirming(ctx, id));
    // The editor opens below the list: the focus goes to its first input.
    let open_editor = move |template: Option<&Template>| {
        draft.load(template);
        editing.set(true);
        gloo_timers::callback::Timeout::new(0, || focus_by_id(EDITOR_FIRST)).forget();
    };
    view! {
        <section class="card">
            <div class="toolbar">
                <select aria-label="Channel filter" on:change=move |ev| channel_filter.set(event_target_value(&ev))>
                    <option value="">"All channels"</option>
                    {Channel::ALL.map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                </select>
                <input
                    class="input"
                    type="search"
                    placeholder="Search by name"
                    aria-label="Search templates"
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
                <button
                    class="button"
                    on:click=move |_| open_editor(None)
                >
                    "New template"
                </button>
            </div>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Templates, scrollable">
                <table class="list" aria-label="Templates">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"Channel"</th>
                            <th>"Kind"</th>
                            <th>"Id"</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            shown()
                                .into_iter()
                                .map(|t| {
                                    let id = t.template.id.to_string();
                                    let (edit_t, del_id) = (t.template.clone(), id.clone());
                                    view! {
                                        <tr data-template=id.clone()>
                                            <td>{t.template.name.clone()}</td>
                                            <td>{t.template.channel.label()}</td>
                                            <td class="kind">{kind_words(&t.template)}</td>
                                            <td>
                                                <code>{id.clone()}</code>
                                            </td>
                                            <td class="row-actions">
                                                <button
                                                    class="button small secondary"
                                                    on:click=move |_| open_editor(Some(&edit_t))
                                                >
                                                    "Edit"
                                                </button>
                                                <button class="button small secondary" on:click=move |_| delete(del_id.clone())>
                                                    "Delete"
                                                </button>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </section>
        <Show when=move || editing.get()>
            <Editor draft=draft on_close=Callback::new(move |()| editing.set(false)) />
        </Show>
    }
}

/// Deletes a template; one that groups use is deleted (and removed from them) only
/// after the admin confirms.
async fn delete_confirming(ctx: AdminContext, id: String) {
    let token = ctx.token();
    let mut result = api::delete_template(token.clone(), id.clone(), false).await;
    if let Err(e) = &result {
        if e.code == "template_in_use" {
            // Cancel keeps the template: nothing went wrong, nothing to show.
            if !window().confirm_with_message(&e.message).unwrap_or(false) {
                return;
            }
            result = api::delete_template(token, id.clone(), true).await;
        }
    }
    match result {
        Ok(()) => ctx.done(format!("Deleted {id}.")),
        Err(e) => ctx.fail(e),
    }
}

#[component]
fn Editor(draft: Draft, on_close: Callback<()>) -> impl IntoView {
    let ctx = context();
    let busy = RwSignal::new(false);
    // Each save-time problem is shown at its input; the banner says only what failed.
    let problems = RwSignal::new(BTreeMap::<String, String>::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (input, existing) = (draft.input(), draft.existing.get_untracked());
        spawn_local(async move {
            match save_template(ctx.token(), input, existing).await {
                Ok(saved) => {
                    problems.set(BTreeMap::new());
                    ctx.done(format!("Saved {}.", saved.template.name));
                    on_close.run(());
                }
                Err(e) => ctx.refused(problems, e),
            }
            busy.set(false);
        });
    };
    let at = move |prefix: &'static str| view! { <Problems problems=problems prefix=prefix /> };
    let text = |signal: RwSignal<String>| move |ev| signal.set(event_target_value(&ev));
    view! {
        <form class="card editor" aria-label="Template editor" on:submit=save>
            <h2>{move || if draft.existing.get().is_some() { "Edit template" } else { "New template" }}</h2>
            <div class="grid">
                <TextInput label="Name" value=draft.name problems key="name" class="field" id=EDITOR_FIRST />
                <label class="field">
                    <span class="field-label">"Id (optional)"</span>
                    <input
                        class="input"
                        prop:value=draft.id
                        disabled=move || draft.existing.get().is_some()
                        on:input=text(draft.id)
                    />
                    {at("id")}
                </label>
                <label class="field">
                    <span class="field-label">"Channel"</span>
                    <select
                        prop:value=move || draft.channel.get().as_str()
                        on:change=move |ev| {
                            if let Ok(c) = event_target_value(&ev).parse() {
                                draft.channel.set(c);
                            }
                        }
                    >
                        {Channel::ALL.map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Language"</span>
                    <input class="input" placeholder="en" prop:value=draft.language on:input=text(draft.language) />
                </label>
            </div>
            <label class="field">
                <span class="field-label">"Body"</span>
                <textarea class="input" rows="4" prop:value=draft.body on:input=text(draft.body)></textarea>
                <span class="hint">"Placeholders: {{name}} — or DLT variables {#var#} (SMS, positional, ≤ 30 characters)."</span>
                {at("body")}
            </label>
            <fieldset class="fields-editor">
                <legend>"Fields"</legend>
                <For
                    each=move || draft.fields.get()
                    key=|(row, _)| *row
                    children=move |(row, field)| view! { <FieldRow row=row field=field draft=draft /> }
                />
                <button type="button" class="button small secondary" on:click=move |_| draft.add_field(TemplateField::blank())>
                    "Add field"
                </button>
                {at("fields")}
            </fieldset>
            <ProviderRefs draft=draft />
            {at("provider_ref")}
            {at("channel")}
            {at("language")}
            {at("kind")}
            <div class="preview-box">
                <p class="field-label">"Preview (sample values)"</p>
                <p class="preview" data-testid="template-preview">{move || draft.preview()}</p>
            </div>
            <div class="actions">
                <button type="button" class="button secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
                // Busy, it stays focusable (aria-disabled): a disabled button would drop the
                // keyboard's focus to the page; a refusal then moves it to the first problem.
                <button type="submit" class="button" aria-disabled=move || busy.get().to_string()>"Save template"</button>
            </div>
        </form>
    }
}

/// One provider reference of the template (a WhatsApp name, a DLT id, …); blank is none.
fn provider_input(
    draft: Draft,
    label: &'static str,
    get: fn(&ProviderRef) -> &Option<String>,
    set: fn(&mut ProviderRef, Option<String>),
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
            <input
                class="input"
                prop:value=move || draft.provider_ref.with(|p| get(p).clone().unwrap_or_default())
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    draft.provider_ref.update(|p| set(p, Some(v).filter(|v| !v.trim().is_empty())));
                }
            />
        </label>
    }
}

/// The template's references at the providers, folded away until needed.
#[component]
fn ProviderRefs(draft: Draft) -> impl IntoView {
    let provider_input = move |label, get, set| provider_input(draft, label, get, set);
    // Indian carriers drop an SMS without its DLT registration: the send is refused.
    let dlt_missing = move || {
        (draft.channel.get() == Channel::Sms)
            .then(|| draft.provider_ref.with(|p| p.dlt_missing_words()))
            .filter(|m| !m.is_empty())
    };
    view! {
        {move || dlt_missing().map(|missing| view! {
            <p class="hint warning" data-testid="dlt-warning">
                {format!("Without its DLT registration ({missing}), this template's SMS to Indian numbers are refused.")}
            </p>
        })}
        <details>
            <summary>"Provider references"</summary>
            <div class="grid">
                {provider_input("WhatsApp template name", |p| &p.whatsapp_name, |p, v| p.whatsapp_name = v)}
                {provider_input("WhatsApp language", |p| &p.whatsapp_language, |p, v| p.whatsapp_language = v)}
                {provider_input("Twilio Content SID", |p| &p.twilio_content_sid, |p, v| p.twilio_content_sid = v)}
                {provider_input("RCS template / rich card id", |p| &p.rcs_template_id, |p, v| p.rcs_template_id = v)}
                {provider_input("DLT content template id", |p| &p.dlt_template_id, |p, v| p.dlt_template_id = v)}
                {provider_input("DLT entity id", |p| &p.dlt_entity_id, |p, v| p.dlt_entity_id = v)}
                {provider_input("DLT header", |p| &p.dlt_header, |p, v| p.dlt_header = v)}
                <label class="field">
                    <span class="field-label">"WhatsApp header / button fields"</span>
                    <input
                        class="input"
                        placeholder="name=header, link=button:0"
                        prop:value=draft.components
                        on:input=move |ev| draft.components.set(event_target_value(&ev))
                    />
                </label>
            </div>
        </details>
    }
}

#[component]
fn FieldRow(row: u32, field: RwSignal<TemplateField>, draft: Draft) -> impl IntoView {
    let set = move |f: fn(&mut TemplateField, String)| {
        move |ev| {
            let v = event_target_value(&ev);
            field.update(|x| f(x, v));
        }
    };
    let remove = move |_| draft.fields.update(|rows| rows.retain(|(r, _)| *r != row));
    view! {
        <div class="field-row" data-row=row>
            <label class="mini"><span class="mini-label">"Field name"</span><input class="input" placeholder="name" prop:value=move || field.with(|f| f.name.clone()) on:input=set(|f, v| f.name = v) /></label>
            <label class="mini"><span class="mini-label">"Field label"</span><input class="input" placeholder="Label" prop:value=move || field.with(|f| f.label.clone()) on:input=set(|f, v| f.label = v) /></label>
            <label class="mini"><span class="mini-label">"Field type"</span>
            <select
                prop:value=move || field.with(|f| FIELD_TYPES.iter().find(|(t, _)| *t == f.field_type).map_or("text", |(_, n)| *n))
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some((t, _)) = FIELD_TYPES.iter().find(|(_, n)| *n == v) {
                        field.update(|f| f.field_type = *t);
                    }
                }
            >
                {FIELD_TYPES.map(|(_, n)| view! { <option value=n>{n}</option> }).collect_view()}
            </select>
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || field.with(|f| f.required)
                    on:change=move |ev| field.update(|f| f.required = event_target_checked(&ev))
                />
                "required"
            </label>
            <label class="mini narrow"><span class="mini-label">"Max length"</span>
            <input
                class="input"
                placeholder="max"
                inputmode="numeric"
                prop:value=move || field.with(|f| f.max_length.map(|m| m.to_string()).unwrap_or_default())
                on:input=set(|f, v| f.max_length = v.trim().parse().ok())
            />
            </label>
            <label class="mini"><span class="mini-label">"Pattern"</span><input class="input" placeholder="pattern" prop:value=move || field.with(|f| f.pattern.clone().unwrap_or_default()) on:input=set(|f, v| f.pattern = Some(v).filter(|v| !v.is_empty())) /></label>
            <label class="mini"><span class="mini-label">"Default"</span><input class="input" placeholder="default" prop:value=move || field.with(|f| f.default.clone().unwrap_or_default()) on:input=set(|f, v| f.default = Some(v).filter(|v| !v.is_empty())) /></label>
            <label class="mini"><span class="mini-label">"Field code"</span><input class="input" title="Where a workflow send (and the CRM pre-fill) finds the value: contact.<key>, agent.<key> or custom.<key>" placeholder="contact.first_name" prop:value=move || field.with(|f| f.source.clone().unwrap_or_default()) on:input=set(|f, v| f.source = Some(v.trim().to_owned()).filter(|v| !v.is_empty())) /></label>
            <button type="button" class="button small secondary" aria-label="Remove field" on:click=remove>"✕"</button>
        </div>
    }
}
