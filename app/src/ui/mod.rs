//! The browser pieces the widget and the console pages both use: the Copy button, local
//! times, the reader's token and the page's elements.

mod clipboard;
mod dom;
mod session;
mod time;

pub use clipboard::CopyButton;
pub use dom::focus_by_id;
pub use dom::{focus_first_problem, roving_step};
pub use session::{initial_token, keep_token, query_param};
pub use time::local_time;
