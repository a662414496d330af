//! The national directory extracts and the directory entries built from them (ID-4).
