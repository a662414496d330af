//! The store conformance suite on the embedded SQLite backend.

mod conformance;

conformance_suite!(conformance::Harness::sqlite);
