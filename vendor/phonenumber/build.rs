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
/// main region (`metadata::regions()`): what a build without the numbering data still
/// knows, for a country picker and to tell which code a number needs.
fn write_regions(metadata: &[loader::Metadata], path: &Path) {
    use std::hash::Hasher;
    use std::io::Write;
    // What `export_code` serves, hashed: a build with the data and one without agree on
    // it when their metadata and loader agree (a cache key for the served data).
    let mut served = metadata.to_vec();
    served.iter_mut().for_each(loader::Metadata::forget_examples);
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(&postcard::to_stdvec(&served).expect("failed to serialize database"));
    // What is served is the metadata converted and written in the runtime types' layout:
    // their sources count too.
    for file in [
        "src/metadata/database.rs",
        "src/metadata/metadata.rs",
        "src/metadata/descriptor.rs",
        "src/metadata/format.rs",
        "src/metadata/pattern.rs",
    ] {
        hasher.write(&std::fs::read(file).expect("a metadata source"));
        println!("cargo:rerun-if-changed={file}");
    }
    let mut out = BufWriter::new(File::create(path).expect("could not create regions file"));
    writeln!(out, "/// A fingerprint of the numbering data `export_code` serves.").unwrap();
    writeln!(out, "pub const DATA_VERSION: &str = \"{:016x}\";", hasher.finish()).unwrap();
    // Two compact tables rather than one of (id, code, main) tuples, whose string
    // references weighed more than the data in a browser's bundle: the ids, two
    // characters each ("00" for the non-geographic "001"), and the codes, with the
    // high bit set on a code's main region.
    let regions: Vec<(&str, u16)> = metadata
        .iter()
        .filter_map(|meta| {
            let code = meta.country_code?;
            let main = if meta.main_country_for_code { 0x8000 } else { 0 };
            Some((meta.id.as_deref()?, code | main))
        })
        .collect();
    let ids: String = regions
        .iter()
        .map(|(id, _)| if *id == "001" { "00" } else { id })
        .collect();
    assert_eq!(ids.len(), 2 * regions.len(), "every region id has two characters");
    let codes: Vec<String> = regions.iter().map(|(_, code)| code.to_string()).collect();
    writeln!(out, "const REGION_IDS: &str = {ids:?};").unwrap();
    writeln!(out, "const REGION_CODES: &[u16] = &[{}];", codes.join(", ")).unwrap();
}
