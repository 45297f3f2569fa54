//! Driver: finds the C compiler, compiles (and caches) the embedded runtime, builds and links.
