//! The hand-written header declares exactly the functions `src/abi` exports, and its constants
//! match the Rust enums.

use std::collections::BTreeSet;

fn read(rel: &str) -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + rel).unwrap()
}

fn names(src: &str, re: impl Fn(&str) -> Option<String>) -> BTreeSet<String> {
    src.lines().filter_map(re).collect()
}

#[test]
fn header_declares_every_export_and_nothing_else() {
    // Every module of src/abi: the exports live in one module per header section.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/abi");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    let abi: String = files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect::<Vec<_>>().join("\n");
    let exported = names(&abi, |l| {
        let l = l.trim();
        let rest = l.strip_prefix("pub unsafe extern \"C\" fn ").or_else(|| l.strip_prefix("pub extern \"C\" fn "))?;
        Some(rest.split('(').next()?.to_string())
    });
    let header = read("include/cobalt.h");
    let declared = names(&header, |l| {
        if l.starts_with(' ') || l.starts_with('#') || l.starts_with("typedef") || l.starts_with('/') {
            return None;
        }
        let before = l.split('(').next()?;
        let name = before.rsplit([' ', '*']).next()?;
        name.starts_with("cobalt_").then(|| name.to_string())
    });
    assert!(exported.len() > 25, "found only {exported:?}");
    assert_eq!(exported, declared, "header and exports differ");
}

#[test]
fn header_constants_match_the_rust_enums() {
    use cobalt::{BinaryOp, DType, ReduceOp, ScanOp, UnaryOp};
    let header = read("include/cobalt.h");
    let val = |name: &str| -> i32 {
        let line = header
            .lines()
            .find(|l| l.starts_with(&format!("#define {name} ")))
            .unwrap_or_else(|| panic!("{name} missing"));
        line.split_whitespace().nth(2).unwrap().parse().unwrap()
    };
    assert_eq!(val("COBALT_ABI_VERSION") as u32, cobalt::abi::COBALT_ABI_VERSION);
    assert_eq!(val("COBALT_MAX_NDIM") as usize, cobalt::abi::COBALT_MAX_NDIM);
    let dnames = ["F32", "F64", "I32", "I64", "U8", "BOOL", "F16", "BF16"];
    for (d, n) in DType::ALL.iter().zip(dnames) {
        assert_eq!(val(&format!("COBALT_{n}")), *d as i32);
    }
    for &op in BinaryOp::ALL {
        assert_eq!(val(&format!("COBALT_{}", op.name().to_uppercase())), op as i32);
    }
    for &op in UnaryOp::ALL {
        assert_eq!(val(&format!("COBALT_{}", op.name().to_uppercase())), op as i32);
    }
    for &op in ReduceOp::ALL {
        assert_eq!(val(&format!("COBALT_{}", op.name().to_uppercase())), op as i32);
    }
    for &op in ScanOp::ALL {
        assert_eq!(val(&format!("COBALT_{}", op.name().to_uppercase())), op as i32);
    }
    let errs = [
        ("COBALT_INVALID_ARGUMENT", cobalt::Error::InvalidArgument(String::new())),
        ("COBALT_DTYPE", cobalt::Error::DType(String::new())),
        ("COBALT_OUT_OF_MEMORY", cobalt::Error::OutOfMemory(String::new())),
        ("COBALT_PANIC", cobalt::Error::Panic(String::new())),
        ("COBALT_AXIS", cobalt::Error::Axis(String::new())),
        ("COBALT_INDEX", cobalt::Error::Index(String::new())),
        ("COBALT_BORROWED", cobalt::Error::Borrowed(String::new())),
        ("COBALT_SHAPE_MISMATCH", cobalt::Error::shape("x", &[], &[])),
    ];
    for (name, e) in errs {
        assert_eq!(val(name), e.code(), "{name}");
        // SAFETY: cobalt_status_str returns a static NUL-terminated string.
        let s = unsafe { std::ffi::CStr::from_ptr(cobalt::abi::cobalt_status_str(e.code())) };
        assert_eq!(format!("COBALT_{}", s.to_str().unwrap()), name);
    }
}
