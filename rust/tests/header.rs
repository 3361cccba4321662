//! The hand-written header declares exactly the functions `src/abi` exports, with the same
//! parameter and result kinds in every position, and its constants match the Rust enums. (ffi/symbols.ts
//! is generated from the header, so the three agree.)

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
        ("COBALT_LINALG", cobalt::Error::Linalg(String::new())),
        ("COBALT_SHAPE_MISMATCH", cobalt::Error::shape("x", &[], &[])),
    ];
    for (name, e) in errs {
        assert_eq!(val(name), e.code(), "{name}");
        // SAFETY: cobalt_status_str returns a static NUL-terminated string.
        let s = unsafe { std::ffi::CStr::from_ptr(cobalt::abi::cobalt_status_str(e.code())) };
        assert_eq!(format!("COBALT_{}", s.to_str().unwrap()), name);
    }
}

/// The kind of a parameter or result as the ABI passes it: "i32", "u32", "f64", "ptr" or "void".
fn rust_kind(ty: &str) -> String {
    let t = ty.trim();
    match t {
        "" | "()" => "void".into(),
        "i32" | "u32" | "f64" | "i64" | "u64" => t.into(),
        _ if t.starts_with('*') || t.contains("fn") || t.starts_with("Option<") => "ptr".into(),
        _ => panic!("no ABI kind for the Rust type {t}"),
    }
}
fn c_kind(ty: &str, name: &str) -> String {
    let t = ty.replace("const", "");
    let t = t.trim();
    if t.contains('*') || t.ends_with("_fn") || name.contains('[') {
        return "ptr".into();
    }
    match t {
        "void" => "void".into(),
        "int32_t" => "i32".into(),
        "uint32_t" => "u32".into(),
        "double" => "f64".into(),
        "int64_t" => "i64".into(),
        "uint64_t" => "u64".into(),
        _ => panic!("no ABI kind for the C type {t}"),
    }
}
/// `s` split at the commas outside parentheses and angle brackets.
fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0i32);
    for c in s.chars() {
        match c {
            '(' | '<' => depth += 1,
            ')' | '>' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn header_signatures_match_the_exports() {
    // name -> (parameter kinds, result kind), from the Rust exports and from cobalt.h: the same
    // arity and the same scalar-or-pointer kind in every position (a mismatch is undefined behaviour).
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/abi");
    let abi: String = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let mut rust = std::collections::BTreeMap::new();
    for (at, _) in abi.match_indices("extern \"C\" fn cobalt_") {
        let sig = &abi[at + "extern \"C\" fn ".len()..];
        let open = sig.find('(').unwrap();
        let name = sig[..open].to_string();
        let (mut depth, mut close) = (0, 0);
        for (i, c) in sig.char_indices().skip(open) {
            depth += match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            if depth == 0 {
                close = i;
                break;
            }
        }
        let params: Vec<String> =
            split_top(&sig[open + 1..close]).iter().map(|p| rust_kind(p.split_once(':').unwrap().1)).collect();
        let rest = &sig[close + 1..sig[close..].find('{').unwrap() + close];
        let ret = rust_kind(rest.trim().strip_prefix("->").unwrap_or(""));
        rust.insert(name, (params, ret));
    }
    let header = read("include/cobalt.h");
    let body = &header[header.find("extern \"C\" {").unwrap()..];
    let mut c = std::collections::BTreeMap::new();
    let mut decl = String::new();
    for l in body.lines() {
        let l = l.trim();
        let comment = l.starts_with('/') || l.starts_with('*') || l.starts_with('#') || l.starts_with("typedef");
        if decl.is_empty() && (comment || !l.contains("cobalt_") || !l.contains('(')) {
            continue;
        }
        decl.push_str(l);
        decl.push(' ');
        if !decl.contains(';') {
            continue;
        }
        let d = std::mem::take(&mut decl);
        let Some(open) = d.find("(") else { continue };
        let head = &d[..open];
        let Some(name_at) = head.rfind([' ', '*']).map(|i| i + 1) else { continue };
        let name = head[name_at..].trim().to_string();
        let ret = c_kind(&head[..name_at], "");
        let inner = &d[open + 1..d.rfind(')').unwrap()];
        let params = if inner.trim() == "void" {
            vec![]
        } else {
            split_top(inner)
                .iter()
                .map(|p| {
                    let p = p.trim();
                    let cut = p.rfind([' ', '*']).unwrap();
                    c_kind(&p[..=cut], &p[cut + 1..])
                })
                .collect()
        };
        c.insert(name, (params, ret));
    }
    assert!(rust.len() > 25, "found only {} exports", rust.len());
    assert_eq!(rust.keys().collect::<Vec<_>>(), c.keys().collect::<Vec<_>>(), "header and exports differ");
    for (name, sig) in &rust {
        assert_eq!(sig, &c[name], "{name}: Rust (params, result) vs cobalt.h");
    }
}
