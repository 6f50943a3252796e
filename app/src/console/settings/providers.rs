//! The providers tab: accounts per channel; secrets are typed in, never shown back; the
//! webhook URL to paste into the provider's console. The account is checked here with the
//! same domain rules the server applies, before anything is sent.

use super::api::{
    channel_setups, delete_provider_account, list_provider_accounts, list_templates,
    save_provider_account,
};
use super::form::TextInput;
use super::list::ListTable;
use super::{context, listed, Problems};
use crate::domain::{
    credential_label, Channel, ProviderAccountInput, ProviderKind, TemplateId, PROVIDER_KINDS,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// The providers tab: accounts per channel; secrets are typed in, never shown back.
#[component]
pub fn ProvidersTab() -> impl IntoView {
    let ctx = context();
    let accounts = listed("the provider accounts", list_provider_accounts);
    let setups = listed("how each channel sends", channel_setups);
    let templates = listed("the templates", list_templates);
    let whatsapp_templates = Signal::derive(move || {
        templates
            .get()
            .into_iter()
            .filter(|t| t.template.channel == Channel::Whatsapp)
            .map(|t| (t.template.id, t.template.name))
            .collect::<Vec<_>>()
    });
    let draft = AccountDraft::new();
    let problems = RwSignal::new(BTreeMap::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = draft.input();
        // A new account: its credentials are all there will be.
        let kind = draft.kind.get_untracked();
        let checked = input
            .check(kind)
            .and_then(|()| kind.check_account(&input.credentials, &input.sender));
        if let Err(problem) = checked {
            ctx.refused(problems, problem.into());
            return;
        }
        spawn_local(async move {
            match save_provider_account(ctx.token(), input, None).await {
                Ok(a) => {
                    problems.set(BTreeMap::new());
                    draft.saved();
                    ctx.done(format!("Added provider account {}.", a.display_name));
                }
                Err(e) => ctx.refused(problems, e),
            }
        });
    };
    let delete = move |account: String| {
        spawn_local(async move {
            match delete_provider_account(ctx.token(), account.clone()).await {
                Ok(()) => ctx.done(format!("Deleted provider account {account}.")),
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <section class="card">
            <ChannelSetups setups=setups />
            <AccountForm draft problems whatsapp_templates on_submit=save />
            <AccountList accounts=accounts on_delete=Callback::new(delete) />
        </section>
    }
}

/// The new account as typed (the provider type decides the channels and credentials
/// offered).
#[derive(Clone, Copy)]
struct AccountDraft {
    kind: RwSignal<&'static ProviderKind>,
    channel: RwSignal<Channel>,
    display_name: RwSignal<String>,
    key: RwSignal<String>,
    sender: RwSignal<String>,
    credentials: RwSignal<BTreeMap<String, String>>,
    description: RwSignal<String>,
    recontact: RwSignal<String>,
    allow_list: RwSignal<String>,
    default: RwSignal<bool>,
}

impl AccountDraft {
    fn new() -> Self {
        Self {
            kind: RwSignal::new(&PROVIDER_KINDS[0]),
            channel: RwSignal::new(Channel::Sms),
            display_name: RwSignal::new(String::new()),
            key: RwSignal::new(String::new()),
            sender: RwSignal::new(String::new()),
            credentials: RwSignal::new(BTreeMap::new()),
            description: RwSignal::new(String::new()),
            recontact: RwSignal::new(String::new()),
            allow_list: RwSignal::new(String::new()),
            default: RwSignal::new(true),
        }
    }

    /// Another provider type: its credentials start empty, on a channel it offers.
    fn choose_kind(self, name: &str) {
        if let Some(k) = ProviderKind::named(name) {
            self.kind.set(k);
            self.credentials.set(BTreeMap::new());
            if !k.channels.contains(&self.channel.get_untracked()) {
                self.channel.set(k.channels[0]);
            }
        }
    }

    /// What the form sends.
    fn input(self) -> ProviderAccountInput {
        ProviderAccountInput {
            id: None,
            channel: self.channel.get_untracked(),
            provider: self.kind.get_untracked().name.to_owned(),
            display_name: self.display_name.get_untracked(),
            sender: self.sender.get_untracked(),
            credentials: self
                .credentials
                .get_untracked()
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect(),
            default: self.default.get_untracked(),
            allow_list: Some(self.allow_list.get_untracked())
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    l.split([',', ' ', '\n'])
                        .filter(|n| !n.trim().is_empty())
                        .map(str::to_owned)
                        .collect()
                }),
            key: Some(self.key.get_untracked()).filter(|k| !k.trim().is_empty()),
            description: Some(self.description.get_untracked()).filter(|d| !d.trim().is_empty()),
            recontact_template: TemplateId::parse(&self.recontact.get_untracked())
                .ok()
                .filter(|_| self.channel.get_untracked() == Channel::Whatsapp),
        }
    }

    /// The account was added: its secrets and what identifies it are cleared.
    fn saved(self) {
        self.credentials.set(BTreeMap::new());
        self.key.set(String::new());
        self.description.set(String::new());
    }
}

/// The new account's form.
#[component]
fn AccountForm(
    draft: AccountDraft,
    problems: RwSignal<BTreeMap<String, String>>,
    whatsapp_templates: Signal<Vec<(TemplateId, String)>>,
    on_submit: impl Fn(leptos::ev::SubmitEvent) + 'static,
) -> impl IntoView {
    view! {
        <form class="toolbar" on:submit=on_submit aria-label="Provider account">
            // The type's and the sender's texts are long: each gets a whole row.
            <label class="labelled wide">
                <span class="field-label">"Provider type"</span>
                <select on:change=move |ev| draft.choose_kind(&event_target_value(&ev))>
                    {PROVIDER_KINDS.iter().map(|k| view! { <option value=k.name>{k.label}</option> }).collect_view()}
                </select>
            </label>
            <label class="labelled">
                <span class="field-label">"Provider channel"</span>
                <select prop:value=move || draft.channel.get().as_str() on:change=move |ev| if let Ok(c) = event_target_value(&ev).parse() { draft.channel.set(c) }>
                    {move || draft.kind.get().channels.iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                </select>
            </label>
            <TextInput label="Display name" value=draft.display_name problems key="display_name" placeholder="SMS India" />
            <label class="labelled">
                <span class="field-label">"Key"</span>
                <input class="input" maxlength="5" placeholder="KAL" aria-label="Key" aria-describedby="key-hint" prop:value=draft.key on:input=move |ev| draft.key.set(event_target_value(&ev)) />
                <span class="hint" id="key-hint">"Up to 5 letters/digits; empty: from the type"</span>
                <Problems problems prefix="key" />
            </label>
            <label class="labelled wide">
                <span class="field-label">"Sender"</span>
                <input class="input" aria-label="Sender" aria-describedby="sender-hint" prop:value=draft.sender on:input=move |ev| draft.sender.set(event_target_value(&ev)) />
                <span class="hint" id="sender-hint">{move || draft.kind.get().sender}</span>
                <Problems problems prefix="sender" />
            </label>
            {move || draft.kind.get().credentials.iter().map(|name| {
                let name = (*name).to_owned();
                let credential = name.clone();
                let at = credential_key(&name);
                view! {
                    <label class="labelled">
                        <span class="field-label">{credential_label(&name).to_owned()}</span>
                        <input class="input" type="password" autocomplete="off"
                            placeholder="write-only"
                            prop:value=move || draft.credentials.get().get(&name).cloned().unwrap_or_default()
                            on:input=move |ev| { let v = event_target_value(&ev); draft.credentials.update(|c| { c.insert(credential.clone(), v); }); } />
                        <Problems problems prefix=at />
                    </label>
                }
            }).collect_view()}
            <TextInput label="Description" value=draft.description problems key="description" placeholder="What this account is for (e.g. India transactional, DLT entity ACME)" class="labelled wide" />
            <Show when=move || draft.channel.get() == Channel::Whatsapp>
                <label class="labelled">
                    <span class="field-label">"Recontact template (after the 24-hour window)"</span>
                    <select prop:value=draft.recontact on:change=move |ev| draft.recontact.set(event_target_value(&ev))>
                        <option value="">"None"</option>
                        {move || whatsapp_templates.get().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                    <Problems problems prefix="recontact_template" />
                </label>
            </Show>
            <TextInput label="Allow list: only these numbers may receive" value=draft.allow_list problems key="allow_list" placeholder="Trial accounts: +91…, +44…; empty: everyone" class="labelled wide" />
            <label class="check"><input type="checkbox" prop:checked=draft.default on:change=move |ev| draft.default.set(event_target_checked(&ev)) />"Default for the channel"</label>
            <button class="button" type="submit">"Add account"</button>
        </form>
    }
}

/// How each channel sends: its default account, or what happens without one (the
/// sandbox, which sends nothing; the gateway; not offered).
#[component]
fn ChannelSetups(setups: Signal<Vec<crate::domain::ChannelSetup>>) -> impl IntoView {
    view! {
        <ul class="channel-setups" aria-label="How each channel sends">
            {move || setups.get().into_iter().map(|s| {
                let account = s.account.map_or_else(|| "no default account".to_owned(), |a| format!("{a} (default)"));
                let class = match s.sends {
                    crate::domain::Sending::Account | crate::domain::Sending::Gateway => "",
                    _ => "warning",
                };
                view! {
                    <li data-channel=s.channel.as_str() class=class>
                        <strong>{s.channel.label()}</strong>
                        {format!(": {account} — {}", s.sends.describe())}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The accounts, each with its credentials' names (never values) and the webhook URL
/// to copy into the provider's console.
#[component]
fn AccountList(
    accounts: Signal<Vec<crate::domain::ProviderAccount>>,
    on_delete: Callback<String>,
) -> impl IntoView {
    view! {
        <ListTable
            label="Provider accounts"
            headings=&["Name", "Key", "Provider", "Channel", "Sender", "Credentials", "Webhook URL"]
            empty="No provider account yet: messages go to the default provider the server is configured with."
            rows=accounts
            row=move |a: crate::domain::ProviderAccount| {
                let del = a.id.to_string();
                let set = if a.credentials_set.is_empty() { "none".to_owned() } else { format!("{} set", a.credentials_set.iter().map(|c| credential_label(c)).collect::<Vec<_>>().join(", ")) };
                view! {
                    <tr data-account=a.id.to_string()>
                        <td>
                            {a.display_name.clone()}{a.default.then_some(" (default)")}
                            {(!a.description.is_empty()).then(|| view! { <span class="hint block">{a.description.clone()}</span> })}
                            {a.recontact_template.as_ref().map(|t| view! { <span class="hint block">{format!("Recontact: {t}")}</span> })}
                        </td>
                        <td><code>{a.key.to_string()}</code></td>
                        <td>{ProviderKind::named(&a.provider).map_or(a.provider.clone(), |k| k.label.to_owned())}</td>
                        <td>{a.channel.label()}</td>
                        <td>
                            {a.sender.clone()}
                            {a.allow_list.as_ref().map(|l| view! { <span class="hint" data-testid="allow-list">{format!(" · only {} listed numbers", l.len())}</span> })}
                        </td>
                        <td>{set}</td>
                        <td>
                            <code class="webhook">{a.webhook_url.clone()}</code>
                            <button class="button small secondary" aria-label="Copy the webhook URL" on:click={
                                let url = a.webhook_url.clone();
                                move |_| {
                                    let _ = window().navigator().clipboard().write_text(&url);
                                }
                            }>"Copy"</button>
                        </td>
                        <td><button class="button small secondary" on:click=move |_| on_delete.run(del.clone())>"Delete"</button></td>
                    </tr>
                }
            }
        />
    }
}

/// Where a credential's save-time problem is reported.
fn credential_key(name: &str) -> String {
    format!("credentials.{name}")
}
