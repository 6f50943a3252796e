// Copyright (C) 2017 1aim GmbH
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

//! A metadata pattern, compiled the first time it is used and then kept (patch 5 in
//! PATCHES.md: replaces regex-cache, whose syntax check at load parsed every pattern of
//! every country with a second copy of regex-syntax, and whose shared LRU cache put a
//! mutex on every match).

use once_cell::sync::OnceCell;
use crate::re::{Regex, RegexBuilder};
use std::{fmt, ops::Deref};

/// A regular expression from the metadata, compiled on first use.
#[derive(Clone)]
pub struct CachedRegex {
    source: String,
    compiled: OnceCell<Regex>,
}

impl CachedRegex {
    /// A pattern written as the metadata writes them (insignificant whitespace allowed).
    pub fn new(source: impl Into<String>) -> Self {
        CachedRegex {
            source: source.into(),
            compiled: OnceCell::new(),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The compiled expression, or why the pattern does not compile.
    pub fn try_regex(&self) -> Result<&Regex, crate::re::Error> {
        self.compiled.get_or_try_init(|| {
            RegexBuilder::new(&self.source)
                .ignore_whitespace(true)
                .build()
        })
    }

    /// The compiled expression. The metadata is built into the crate and every pattern
    /// compiles (`Database::check_patterns`, run by the tests), so a failure here is a
    /// defect in the metadata.
    pub fn regex(&self) -> &Regex {
        match self.try_regex() {
            Ok(regex) => regex,
            Err(err) => panic!("metadata pattern {:?} does not compile: {}", self.source, err),
        }
    }
}

// Patch 11 (PATCHES.md): a pattern travels as its text, and compiles on first use
// where it arrives.
#[cfg(not(feature = "on-demand"))]
impl serde::Serialize for CachedRegex {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

#[cfg(feature = "on-demand")]
impl<'de> serde::Deserialize<'de> for CachedRegex {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(deserializer).map(CachedRegex::new)
    }
}

impl Deref for CachedRegex {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.regex()
    }
}

impl fmt::Debug for CachedRegex {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(&self.source, f)
    }
}

impl fmt::Display for CachedRegex {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}
