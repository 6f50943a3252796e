//! Instants as people read them.

/// An RFC 3339 instant as the person reads it, in their own time zone: `14:05`, or
/// with the day (`Thu 3 Dec, 14:05`) when it matters.
pub fn local_time(rfc3339: &str, with_day: bool) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let options = js_sys::Object::new();
    let day: &[(&str, &str)] = if with_day {
        &[("weekday", "short"), ("day", "numeric"), ("month", "short")]
    } else {
        &[]
    };
    for (key, value) in day
        .iter()
        .chain(&[("hour", "2-digit"), ("minute", "2-digit")])
    {
        let _ = js_sys::Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    date.to_locale_string("default", &options)
        .as_string()
        .unwrap_or_else(|| rfc3339.to_owned())
}
