use std::env;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

#[path = "src/metadata/loader.rs"]
mod loader;

#[path = "src/error.rs"]
mod error;

fn main() {
    let pnm_path = "assets/PhoneNumberMetadata.xml";
    let mut metadata = loader::load(BufReader::new(
        File::open(pnm_path).expect("could not open metadata file"),
    ))
    .expect("failed to load metadata");
    println!("cargo:rerun-if-changed={pnm_path}");
    // Patch 9 (PATCHES.md): a browser's build has no use for example numbers.
    if env::var_os("CARGO_FEATURE_LITE").is_some() {
        metadata.iter_mut().for_each(loader::Metadata::forget_examples);
    }
    let out_dir = env::var("OUT_DIR").unwrap();
    write_regions(&metadata, &Path::new(&out_dir).join("regions.rs"));
    // Patch 11 (PATCHES.md): with `on-demand` the binary embeds no numbering data; it
    // loads each calling code's at run time (`metadata::load_code`).
    if env::var_os("CARGO_FEATURE_ON_DEMAND").is_some() {
        metadata.clear();
    }

    let mut out = BufWriter::new(
        File::create(Path::new(&out_dir).join("database.bin"))
            .expect("could not create database file"),
    );

    postcard::to_io(&metadata, &mut out).expect("failed to serialize database");
}

/// Patch 11 (PATCHES.md): every region's id, calling code and whether it is the code's
/// main region, as a Rust table (`metadata::REGIONS`): what a build without the
/// numbering data still knows, for a country picker and to tell which code a number
/// needs.
fn write_regions(metadata: &[loader::Metadata], path: &Path) {
    use std::hash::Hasher;
    use std::io::Write;
    // What `export_code` serves, hashed: a build with the data and one without agree on
    // it when their metadata and loader agree (a cache key for the served data).
    let mut served = metadata.to_vec();
    served.iter_mut().for_each(loader::Metadata::forget_examples);
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(&postcard::to_stdvec(&served).expect("failed to serialize database"));
    let mut out = BufWriter::new(File::create(path).expect("could not create regions file"));
    writeln!(out, "/// A fingerprint of the numbering data `export_code` serves.").unwrap();
    writeln!(out, "pub const DATA_VERSION: &str = \"{:016x}\";", hasher.finish()).unwrap();
    writeln!(out, "/// Every region: id, calling code, main region for the code.").unwrap();
    writeln!(out, "pub static REGIONS: &[(&str, u16, bool)] = &[").unwrap();
    for meta in metadata {
        let (Some(id), Some(code)) = (&meta.id, meta.country_code) else {
            continue;
        };
        writeln!(out, "    ({id:?}, {code}, {}),", meta.main_country_for_code).unwrap();
    }
    writeln!(out, "];").unwrap();
}
