//! What every settings tab shows under its form: the list of what it holds, one row
//! each with the row's actions.

use leptos::prelude::*;

/// A settings list: a table that scrolls sideways on its own (never the page), its
/// column headings (and an "Actions" one for screen readers), a line saying so when it
/// is empty, and a row per item drawn by `row`.
#[component]
pub(crate) fn ListTable<T, R, V>(
    /// What the list holds, for people ("API keys").
    label: &'static str,
    /// The column headings, the actions' column apart.
    headings: &'static [&'static str],
    /// What an empty list says.
    empty: &'static str,
    /// The items.
    rows: Signal<Vec<T>>,
    /// One item's row (`<tr>`), its actions in the last cell.
    row: R,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    R: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let columns = (headings.len() + 1).to_string();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=format!("{label}, scrollable")>
            <table class="list" aria-label=label>
                <thead><tr>
                    {headings.iter().map(|h| view! { <th>{*h}</th> }).collect_view()}
                    <th><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {move || {
                        let items = rows.get();
                        if items.is_empty() {
                            return view! { <tr><td colspan=columns.clone() class="hint">{empty}</td></tr> }.into_any();
                        }
                        items.into_iter().map(&row).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </div>
    }
}
