//! The C runtime sources, embedded into the vexc binary by `compiler/build.rs`.

include!(concat!(env!("OUT_DIR"), "/runtime_files.rs"));

/// The target triple vexc itself was built for (the default C target).
pub const HOST_TARGET: &str = env!("VEXC_HOST_TARGET");
