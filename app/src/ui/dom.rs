//! Small helpers on the page's elements.

use leptos::prelude::document;

/// Moves the keyboard's focus to the element with `id`.
pub fn focus_by_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Moves the focus to the input of the first problem shown under an input (a
/// `.hint.error` inside the input's label or field).
pub fn focus_first_problem() {
    use wasm_bindgen::JsCast;
    let input = document()
        .query_selector("label .hint.error, .field .hint.error")
        .ok()
        .flatten()
        .and_then(|problem| problem.closest("label, .field").ok().flatten())
        .and_then(|field| {
            field
                .query_selector("input, select, textarea")
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(input) = input {
        let _ = input.focus();
    }
}

/// Where an arrow key (or Home, End) moves in a list of `len` items from item `at`, as
/// in every tab list and radio group: round the ends; `None` for any other key.
pub fn roving_step(key: &str, at: usize, len: usize) -> Option<usize> {
    if len == 0 {
        return None;
    }
    match key {
        "ArrowRight" | "ArrowDown" => Some((at + 1) % len),
        "ArrowLeft" | "ArrowUp" => Some((at + len - 1) % len),
        "Home" => Some(0),
        "End" => Some(len - 1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::roving_step;

    #[test]
    fn arrows_go_round_the_ends_and_home_and_end_jump() {
        assert_eq!(roving_step("ArrowRight", 2, 3), Some(0));
        assert_eq!(roving_step("ArrowUp", 0, 3), Some(2));
        assert_eq!(roving_step("ArrowDown", 0, 3), Some(1));
        assert_eq!(roving_step("End", 0, 3), Some(2));
        assert_eq!(roving_step("Home", 2, 3), Some(0));
        assert_eq!(roving_step("Enter", 1, 3), None);
        assert_eq!(roving_step("ArrowRight", 0, 0), None);
    }
}
