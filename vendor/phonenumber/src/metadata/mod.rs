// Copyright (C) 2017 1aim GmbH
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
// http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

mod format;
pub use self::pattern::CachedRegex;
mod pattern;
pub use self::format::Format;

mod descriptor;
pub use self::descriptor::Descriptor;

#[allow(clippy::module_inception)]
mod metadata;
pub use self::metadata::{Descriptors, Metadata};

mod database;
pub use self::database::{DEFAULT as DATABASE, Database, Undecodable};
#[cfg(not(feature = "on-demand"))]
pub use self::database::export_code;
#[cfg(feature = "on-demand")]
pub use self::database::{load_code, Loaded};

// Patch 11 (PATCHES.md): `DATA_VERSION` and the regions' tables, written by the build
// script from the metadata file, in every build (one without the numbering data too).
include!(concat!(env!("OUT_DIR"), "/regions.rs"));

/// Every region of the metadata: its id (`"GB"`, `"001"` for a non-geographic entity),
/// its calling code, and whether it is the code's main region (patch 11).
pub fn regions() -> impl Iterator<Item = (&'static str, u16, bool)> + Clone {
    let ids = REGION_IDS.as_bytes().chunks(2);
    ids.zip(REGION_CODES).map(|(id, code)| {
        let id = match id {
            b"00" => "001",
            // Built from ASCII ids, two bytes each.
            _ => std::str::from_utf8(id).unwrap_or_default(),
        };
        (id, code & 0x7fff, code & 0x8000 != 0)
    })
}

/// XML loading helpers.
pub mod loader;
