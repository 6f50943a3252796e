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

use crate::error;
use crate::metadata::loader;
use crate::Metadata;
use fnv::FnvHashMap;
use once_cell::sync::Lazy;
use crate::metadata::CachedRegex;
use std::borrow::Borrow;
use std::fs::File;
use std::hash::Hash;
use std::io::{BufReader, Cursor};
use std::path::Path;
use std::sync::Arc;

#[cfg(not(feature = "on-demand"))]
const DATABASE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/database.bin"));

/// The Google provided metadata database, used as default.
///
/// The build script wrote it and the tests load it, so it always loads; a failure is a
/// defect of the build. It is not formatted (patch 9): that kept the XML reader's and
/// I/O's error texts in every binary, the browser's too.
#[cfg(not(feature = "on-demand"))]
pub static DEFAULT: Lazy<Database> = Lazy::new(|| {
    let metadata = postcard::from_bytes(DATABASE)
        .unwrap_or_else(|_| panic!("the built-in metadata database does not decode"));
    Database::from(metadata)
        .unwrap_or_else(|_| panic!("the built-in metadata database does not load"))
});

/// One calling code's regions (`1`: the United States, Canada and the other NANP
/// regions), encoded for [`load_code`] in a build with the `on-demand` feature
/// (patch 11): as [`DEFAULT`] holds them, converted (patterns anchored, general lengths
/// derived, so the loading build carries no conversion code), the code's main region
/// first, without their example numbers; `None` for a code no region has.
#[cfg(not(feature = "on-demand"))]
pub fn export_code(code: u16) -> Option<Vec<u8>> {
    postcard::to_allocvec(&DEFAULT.by_code(&code)?).ok()
}

/// With the `on-demand` feature (patch 11), the numbering data loaded so far: the
/// binary embeds none, and [`load_code`] adds one calling code's regions at a time.
/// Everything that reads `DATABASE` reads this; a code not loaded yet is unknown.
#[cfg(feature = "on-demand")]
pub static DEFAULT: Loaded = Loaded;

/// The database of the codes loaded so far (see [`DEFAULT`]).
#[cfg(feature = "on-demand")]
#[derive(Debug)]
pub struct Loaded;

#[cfg(feature = "on-demand")]
static LOADED: std::sync::RwLock<Option<&'static Database>> = std::sync::RwLock::new(None);

#[cfg(feature = "on-demand")]
static EMPTY: Lazy<Database> = Lazy::new(|| Database {
    by_id: FnvHashMap::default(),
    by_code: FnvHashMap::default(),
    regions: FnvHashMap::default(),
});

#[cfg(feature = "on-demand")]
impl std::ops::Deref for Loaded {
    type Target = Database;

    fn deref(&self) -> &Database {
        let loaded = *LOADED.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        loaded.unwrap_or(&EMPTY)
    }
}

/// Bytes that are not one calling code's regions as [`export_code`] writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Undecodable;

/// Adds the regions [`export_code`] wrote for one calling code to [`DEFAULT`], and
/// answers how many regions it holds now. A code loaded twice keeps its first load.
/// They arrive converted, so this build carries no conversion code (nor the loader's
/// types): the patterns are stored as they come and compile on first use.
///
/// The database is replaced, not changed in place (the old one stays allocated: at most
/// one per calling code a session loads), so a reader never waits on a writer.
#[cfg(feature = "on-demand")]
pub fn load_code(bytes: &[u8]) -> Result<usize, Undecodable> {
    let metadata: Vec<super::Metadata> = postcard::from_bytes(bytes).map_err(|_| Undecodable)?;
    let added = Database::index(metadata);
    let mut loaded = LOADED.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    let merged = loaded.unwrap_or(&EMPTY).merged(added);
    let regions = merged.by_id.len();
    *loaded = Some(Box::leak(Box::new(merged)));
    Ok(regions)
}

/// Representation of a database of metadata for phone number.
#[derive(Clone, Debug)]
pub struct Database {
    by_id: FnvHashMap<String, Arc<super::Metadata>>,
    by_code: FnvHashMap<u16, Vec<Arc<super::Metadata>>>,
    regions: FnvHashMap<u16, Vec<String>>,
}

impl Database {
    /// Load a database from the given file.
    pub fn load<P: AsRef<Path>>(path: P) -> Result<Self, error::LoadMetadata> {
        Database::from(loader::load(BufReader::new(File::open(path)?))?)
    }

    /// Parse a database from the given string.
    pub fn parse<S: AsRef<str>>(content: S) -> Result<Self, error::LoadMetadata> {
        Database::from(loader::load(Cursor::new(content.as_ref()))?)
    }

    /// Create a database from a loaded database.
    pub fn from(meta: Vec<loader::Metadata>) -> Result<Self, error::LoadMetadata> {
        fn tranpose<T, E>(value: Option<Result<T, E>>) -> Result<Option<T>, E> {
            match value {
                None => Ok(None),

                Some(Ok(value)) => Ok(Some(value)),

                Some(Err(err)) => Err(err),
            }
        }

        // Patterns compile on first use (patch 5): loading only stores them.
        let regex = |value: String| -> Result<CachedRegex, error::LoadMetadata> {
            Ok(CachedRegex::new(value))
        };
        // Patch 8 (PATCHES.md): leading digits are only ever asked to match at the
        // number's start; anchored, a search no longer tries every later position.
        let leading = |value: String| -> Result<CachedRegex, error::LoadMetadata> {
            Ok(CachedRegex::new(format!("^(?:{value})")))
        };

        let descriptor =
            |desc: loader::Descriptor| -> Result<super::Descriptor, error::LoadMetadata> {
                desc.national_number.as_ref().unwrap();
                desc.national_number.as_ref().unwrap();

                Ok(super::Descriptor {
                    // A descriptor describes whole national numbers: anchored at both
                    // ends, so a longer number whose start matches is not a match.
                    national_number: desc
                        .national_number
                        .ok_or_else(|| {
                            error::LoadMetadata::from(error::Metadata::MissingValue {
                                phase: "descriptor".into(),
                                name: "national_number".into(),
                            })
                        })
                        .map(|pattern| format!("^(?:{pattern})$"))
                        .and_then(regex)?,

                    possible_length: desc.possible_length,
                    possible_local_length: desc.possible_local_length,
                    example: desc.example,
                })
            };

        let format = |format: loader::Format| -> Result<super::Format, error::LoadMetadata> {
            Ok(super::Format {
                pattern: format
                    .pattern
                    .ok_or_else(|| {
                        error::LoadMetadata::from(error::Metadata::MissingValue {
                            phase: "format".into(),
                            name: "pattern".into(),
                        })
                    })
                    .and_then(regex)?,

                format: format.format.ok_or_else(|| {
                    error::LoadMetadata::from(error::Metadata::MissingValue {
                        phase: "format".into(),
                        name: "format".into(),
                    })
                })?,

                leading_digits: format
                    .leading_digits
                    .into_iter()
                    .map(&leading)
                    .collect::<Result<_, _>>()?,

                national_prefix: format.national_prefix_formatting_rule,
                national_prefix_optional: format.national_prefix_optional_when_formatting,

                domestic_carrier: format.domestic_carrier,
            })
        };

        let metadata = |meta: loader::Metadata| -> Result<super::Metadata, error::LoadMetadata> {
            let mut descriptors = super::Descriptors {
                    general: descriptor(meta.general.ok_or_else(|| {
                        error::LoadMetadata::from(error::Metadata::MissingValue {
                            phase: "metadata".into(),
                            name: "generalDesc".into(),
                        })
                    })?)?,

                    fixed_line: tranpose(meta.fixed_line.map(descriptor))?,
                    mobile: tranpose(meta.mobile.map(descriptor))?,
                    toll_free: tranpose(meta.toll_free.map(descriptor))?,
                    premium_rate: tranpose(meta.premium_rate.map(descriptor))?,
                    shared_cost: tranpose(meta.shared_cost.map(descriptor))?,
                    personal_number: tranpose(meta.personal_number.map(descriptor))?,
                    voip: tranpose(meta.voip.map(descriptor))?,
                    pager: tranpose(meta.pager.map(descriptor))?,
                    uan: tranpose(meta.uan.map(descriptor))?,
                    emergency: tranpose(meta.emergency.map(descriptor))?,
                    voicemail: tranpose(meta.voicemail.map(descriptor))?,
                    short_code: tranpose(meta.short_code.map(descriptor))?,
                    standard_rate: tranpose(meta.standard_rate.map(descriptor))?,
                    carrier: tranpose(meta.carrier.map(descriptor))?,
                    no_international: tranpose(meta.no_international.map(descriptor))?,
            };
            descriptors.derive_general_lengths();

            Ok(super::Metadata {
                descriptors,

                id: meta.id.ok_or_else(|| {
                    error::LoadMetadata::from(error::Metadata::MissingValue {
                        phase: "metadata".into(),
                        name: "id".into(),
                    })
                })?,

                country_code: meta.country_code.ok_or_else(|| {
                    error::LoadMetadata::from(error::Metadata::MissingValue {
                        phase: "metadata".into(),
                        name: "countryCode".into(),
                    })
                })?,

                international_prefix: tranpose(meta.international_prefix.map(regex))?,
                preferred_international_prefix: meta.preferred_international_prefix,
                national_prefix: meta.national_prefix,
                preferred_extension_prefix: meta.preferred_extension_prefix,
                national_prefix_for_parsing: tranpose(meta.national_prefix_for_parsing.map(regex))?,
                national_prefix_transform_rule: meta.national_prefix_transform_rule,

                formats: meta
                    .formats
                    .into_iter()
                    .map(&format)
                    .collect::<Result<_, _>>()?,
                international_formats: meta
                    .international_formats
                    .into_iter()
                    .map(&format)
                    .collect::<Result<_, _>>()?,

                main_country_for_code: meta.main_country_for_code,
                leading_digits: tranpose(meta.leading_digits.map(leading))?,
                mobile_number_portable: meta.mobile_number_portable,
            })
        };

        let converted = meta.into_iter().map(metadata).collect::<Result<Vec<_>, _>>()?;
        Ok(Database::index(converted))
    }

    /// The database of regions already converted (patch 11: what [`load_code`] reads).
    fn index(meta: Vec<super::Metadata>) -> Database {
        let mut by_id = FnvHashMap::default();
        let mut by_code = FnvHashMap::default();
        let mut regions = FnvHashMap::default();

        for meta in meta {
            let meta = Arc::new(meta);

            by_id.insert(meta.id.clone(), meta.clone());

            let by_code = by_code.entry(meta.country_code).or_insert_with(Vec::new);

            let regions = regions.entry(meta.country_code).or_insert_with(Vec::new);

            if meta.main_country_for_code {
                by_code.insert(0, meta.clone());
                regions.insert(0, meta.id.clone())
            } else {
                by_code.push(meta.clone());
                regions.push(meta.id.clone());
            }
        }

        Database {
            by_id,
            by_code,
            regions,
        }
    }

    /// This database with `other`'s calling codes added (a code both have keeps this
    /// database's regions).
    #[cfg(feature = "on-demand")]
    fn merged(&self, other: Database) -> Database {
        let mut merged = self.clone();
        for (code, metas) in other.by_code {
            if merged.by_code.contains_key(&code) {
                continue;
            }
            for meta in &metas {
                merged.by_id.insert(meta.id.clone(), meta.clone());
            }
            merged.by_code.insert(code, metas);
            if let Some(regions) = other.regions.get(&code) {
                merged.regions.insert(code, regions.clone());
            }
        }
        merged
    }

    /// Compiles every pattern of every country (they otherwise compile on first use)
    /// and answers how many there are: the check that the built-in metadata is sound.
    pub fn check_patterns(&self) -> Result<usize, crate::re::Error> {
        let mut count = 0;
        for meta in self.by_id.values() {
            for pattern in meta.patterns() {
                pattern.try_regex()?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// Get a metadata entry by country ID.
    pub fn by_id<Q>(&self, key: &Q) -> Option<&super::Metadata>
    where
        Q: ?Sized + Hash + Eq,
        String: Borrow<Q>,
    {
        self.by_id.get(key).map(AsRef::as_ref)
    }

    /// Get metadata entries by country code.
    pub fn by_code<Q>(&self, key: &Q) -> Option<Vec<&super::Metadata>>
    where
        Q: ?Sized + Hash + Eq,
        u16: Borrow<Q>,
    {
        self.by_code
            .get(key)
            .map(|m| m.iter().map(AsRef::as_ref).collect())
    }

    /// Get all country IDs corresponding to the given country code.
    pub fn region<Q>(&self, code: &Q) -> Option<Vec<&str>>
    where
        Q: ?Sized + Hash + Eq,
        u16: Borrow<Q>,
    {
        self.regions
            .get(code)
            .map(|m| m.iter().map(AsRef::as_ref).collect())
    }

    /// Iterator over all `Metadata` entries in this database.
    pub fn iter(&self) -> impl Iterator<Item = &Metadata> {
        self.by_id.values().map(AsRef::as_ref)
    }
}
