//! The pop-up for a dynamic template: one input per field, a live preview, the SMS
//! segment counter, and a Send that stays disabled until every field is valid. A native
//! modal `<dialog>`: focus stays inside, Escape closes it.

use super::numbering::Numbering;
use crate::domain::{
    sms_length, AgentTemplate, Channel, CountryCode, FieldType, SmsEncoding, Template,
    TemplateField,
};
use leptos::html;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The input type that fits a field.
fn input_type(field: &TemplateField) -> &'static str {
    match field.field_type {
        FieldType::Text | FieldType::Currency => "text",
        FieldType::Number => "number",
        FieldType::Date => "date",
        FieldType::Url => "url",
        FieldType::Phone => "tel",
    }
}

/// The agent's template as the domain's `Template`, to reuse its checks and rendering.
pub fn as_template(t: &AgentTemplate) -> Template {
    Template {
        id: t.id.clone(),
        name: t.name.clone(),
        channel: t.channel,
        body: t.body.clone(),
        fields: t.fields.clone(),
        language: None,
        provider_ref: Default::default(),
    }
}

/// The counter line under an SMS preview, in an agent's words:
/// `187 of 306 characters · 2 SMS`; a character outside the plain SMS alphabet (an
/// Indian script, an emoji) says why the room shrank.
pub fn sms_counter(text: &str) -> String {
    let m = sms_length(text);
    let room = m.per_segment * m.segments.max(1);
    let count = format!(
        "{} of {room} characters · {} SMS",
        m.units,
        m.segments.max(1)
    );
    match m.encoding {
        SmsEncoding::Gsm7 => count,
        SmsEncoding::Ucs2 => format!("{count} (special characters leave less room)"),
    }
}

/// The fields pop-up. `on_send` gets the values when the agent presses Send.
#[component]
pub fn FieldsDialog(
    template: Signal<Option<AgentTemplate>>,
    defaults: Signal<BTreeMap<String, String>>,
    open: RwSignal<bool>,
    busy: Signal<bool>,
    on_send: Callback<BTreeMap<String, String>>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let values = RwSignal::new(BTreeMap::<String, String>::new());
    let numbering = use_context::<Numbering>();
    open_with_defaults(dialog, open, template, defaults, values);
    let errors = Memo::new(move |_| {
        let Some(t) = template.get() else {
            return BTreeMap::new();
        };
        let t = as_template(&t);
        let mut errors = match t.render(&values.get()) {
            Ok(_) => BTreeMap::new(),
            Err(e) => e.0,
        };
        // A phone field is read once its numbering data is here (widget::numbering).
        if let Some(numbering) = numbering {
            for field in t.fields.iter().filter(|f| f.field_type == FieldType::Phone) {
                let value = values.with(|v| v.get(&field.name).cloned().unwrap_or_default());
                if !numbering.ready(&value, CountryCode::default()) {
                    errors.insert(field.name.clone(), "the number is being checked".to_owned());
                }
            }
        }
        errors
    });
    let preview = Memo::new(move |_| {
        template
            .get()
            .map(|t| as_template(&t).preview(&values.get()))
            .unwrap_or_default()
    });
    let is_sms = move || template.get().is_some_and(|t| t.channel == Channel::Sms);
    let valid = move || template.get().is_some() && errors.with(BTreeMap::is_empty);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if valid() && !busy.get_untracked() {
            on_send.run(values.get_untracked());
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="fields-dialog"
            aria-labelledby="an-dialog-title"
            on:close=move |_| open.set(false)
            on:keydown=move |ev| trap_tab(&ev, dialog)
        >
            <form on:submit=submit novalidate>
                <h2 id="an-dialog-title">{move || template.get().map(|t| t.name).unwrap_or_default()}</h2>
                <For
                    each=move || template.get().map(|t| t.fields).unwrap_or_default()
                    key=|f| f.name.clone()
                    children=move |field| view! { <FieldInput field=field values=values errors=errors /> }
                />
                <div class="preview-box">
                    <p class="field-label">"Preview"</p>
                    <p class="preview" data-testid="preview">{preview}</p>
                    <Show when=is_sms>
                        <p class="hint" data-testid="sms-counter">{move || sms_counter(&preview.get())}</p>
                    </Show>
                </div>
                <div class="actions">
                    <button type="button" class="button secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="button" disabled=move || !valid() || busy.get()>
                        {move || if busy.get() { "Sending…" } else { "Send" }}
                    </button>
                </div>
            </form>
        </dialog>
    }
}

/// Keeps Tab and Shift+Tab inside the open pop-up: from its last control back to its
/// first and the other way round (a modal alone lets Tab leave for the browser's bar).
fn trap_tab(ev: &web_sys::KeyboardEvent, dialog: NodeRef<html::Dialog>) {
    use wasm_bindgen::JsCast;
    if ev.key() != "Tab" {
        return;
    }
    let Some(el) = dialog.get() else { return };
    let Ok(found) = el.query_selector_all("input:not([disabled]), button:not([disabled])") else {
        return;
    };
    let controls: Vec<web_sys::HtmlElement> = (0..found.length())
        .filter_map(|i| found.item(i)?.dyn_into().ok())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let active = document().active_element();
    let at = |c: &web_sys::HtmlElement| active.as_ref() == Some(c.unchecked_ref());
    let wrap_to = if ev.shift_key() && at(first) {
        last
    } else if !ev.shift_key() && at(last) {
        first
    } else {
        return;
    };
    ev.prevent_default();
    let _ = wrap_to.focus();
}

/// Opening the pop-up (re)fills the values from the defaults (the customer's data, else
/// the field's default) and shows it as a modal, which traps focus; closing hides it.
fn open_with_defaults(
    dialog: NodeRef<html::Dialog>,
    open: RwSignal<bool>,
    template: Signal<Option<AgentTemplate>>,
    defaults: Signal<BTreeMap<String, String>>,
    values: RwSignal<BTreeMap<String, String>>,
) {
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        if !open.get() {
            if el.open() {
                el.close();
            }
            return;
        }
        let d = defaults.get_untracked();
        let start: BTreeMap<String, String> = template
            .get_untracked()
            .iter()
            .flat_map(|t| t.fields.iter())
            .map(|f| {
                let v = d.get(&f.name).cloned().or_else(|| f.default.clone());
                (f.name.clone(), v.unwrap_or_default())
            })
            .collect();
        values.set(start);
        if !el.open() {
            let _ = el.show_modal();
        }
    });
}

/// One field of the pop-up: its label, the input, and its problem once touched.
#[component]
fn FieldInput(
    field: TemplateField,
    values: RwSignal<BTreeMap<String, String>>,
    errors: Memo<BTreeMap<String, String>>,
) -> impl IntoView {
    let name = field.name.clone();
    let id = format!("an-field-{name}");
    let error_id = format!("{id}-error");
    let touched = RwSignal::new(false);
    let error = {
        let name = name.clone();
        move || {
            errors
                .with(|e| e.get(&name).cloned())
                .filter(|_| touched.get())
        }
    };
    let value = {
        let name = name.clone();
        move || values.with(|v| v.get(&name).cloned().unwrap_or_default())
    };
    let set = {
        let name = name.clone();
        move |ev| {
            touched.set(true);
            values.update(|v| {
                v.insert(name.clone(), event_target_value(&ev));
            });
        }
    };
    let error_shown = error.clone();
    view! {
        <div class="field">
            <label class="field-label" for=id.clone()>
                {field.label.clone()}
                {field.required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            <input
                id=id
                class="input"
                name=name
                type=input_type(&field)
                required=field.required
                aria-describedby=error_id.clone()
                aria-invalid=move || error_shown().is_some().to_string()
                prop:value=value
                on:input=set
                on:blur=move |_| touched.set(true)
            />
            <p id=error_id class="hint error" aria-live="polite">{error}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_says_characters_and_messages_in_words() {
        assert_eq!(sms_counter("Hello"), "5 of 160 characters · 1 SMS");
        assert_eq!(
            sms_counter("₹"),
            "1 of 70 characters · 1 SMS (special characters leave less room)"
        );
        assert_eq!(
            sms_counter(&"a".repeat(161)),
            "161 of 306 characters · 2 SMS"
        );
    }
}
