//! The store conformance suite on PostgreSQL (`CADUCEUS_TEST_DATABASE_URL`, started by
//! scripts/test.sh). Fails, never skips, when the server is missing.

mod conformance;

conformance_suite!(conformance::Harness::postgres);
