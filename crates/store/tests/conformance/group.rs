//! Group commit on every backend (MS-4, TR-1): deliveries made at the same time are
//! each stored exactly once with a chain that verifies; one failing delivery fails
//! alone; a failed commit fails every delivery of its group, and none is stored.

use super::*;

/// How many deliveries each test makes at once.
const AT_ONCE: usize = 96;

/// Delivers one message to `mailbox` of `account` with `flags`, from a task of its own.
fn spawn_delivery(
    h: &Harness,
    account: AccountId,
    mailbox: MailboxId,
    flags: Vec<String>,
) -> tokio::task::JoinHandle<Result<Vec<Delivered>>> {
    let store = h.store.clone();
    tokio::spawn(async move { deliver_to(&store, account, mailbox, flags).await })
}

async fn inbox(h: &Harness, account: &Account) -> Mailbox {
    h.store.mailbox(account.id, "INBOX").await.unwrap().unwrap()
}

async fn count(h: &Harness, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&h.raw)
        .await
        .unwrap()
}

/// Runs each statement of `sqls` on the data database.
async fn exec_all(h: &Harness, sqls: &[&str]) {
    for sql in sqls {
        h.exec(sql).await;
    }
}

pub async fn ms4_concurrent_deliveries_land_once_each_with_a_verifying_chain(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let b = professional(&h, "bruno", "10003090841").await;
    let (inbox_a, inbox_b) = (inbox(&h, &a).await, inbox(&h, &b).await);
    let tasks: Vec<_> = (0..AT_ONCE)
        .map(|i| {
            let (account, mailbox) = if i % 2 == 0 {
                (a.id, inbox_a.id)
            } else {
                (b.id, inbox_b.id)
            };
            spawn_delivery(&h, account, mailbox, vec![])
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        let delivered = task.await.unwrap().unwrap();
        assert_eq!(delivered.len(), 1);
        assert!(ids.insert(delivered[0].message), "one id per delivery");
    }
    for mailbox in [inbox_a.id, inbox_b.id] {
        let stored = h.store.messages(mailbox).await.unwrap();
        assert_eq!(stored.len(), AT_ONCE / 2, "each delivery stored once");
        let uids: Vec<i64> = stored.iter().map(|m| m.uid).collect();
        assert_eq!(uids, (1..=(AT_ONCE / 2) as i64).collect::<Vec<_>>());
        for summary in &stored {
            assert!(ids.contains(&summary.id), "a stored copy was acknowledged");
            let opened = h
                .store
                .open_message(summary.id, &event(Action::MessageRead, summary.id))
                .await
                .unwrap();
            assert_eq!(opened.raw, raw_message());
        }
    }
    let report = verify(&h).await.unwrap();
    let deliveries = h.store.trace_entries(0, i64::MAX).await.unwrap();
    let delivered: std::collections::HashSet<String> = deliveries
        .iter()
        .filter(|e| e.action == "message.deliver")
        .map(|e| e.object.clone())
        .collect();
    assert_eq!(delivered.len(), AT_ONCE, "one trace per copy: {report:?}");
}

/// Whether the database engine refused (through sqlx, or SQLite through the group
/// commit's own connection).
fn refused_by_database(error: &StoreError) -> bool {
    matches!(error, StoreError::Database(_) | StoreError::Sqlite(_))
}

pub async fn ms4_a_failing_delivery_in_a_group_fails_alone(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let inbox_a = inbox(&h, &a).await;
    // A row the database itself refuses (a statement error inside the transaction:
    // PostgreSQL then refuses every statement until the savepoint is rolled back).
    match h.store.backend() {
        Backend::Sqlite => {
            exec_all(
                &h,
                &[
                    "CREATE TRIGGER gc_boom BEFORE INSERT ON messages WHEN NEW.flags = 'Boom'
                   BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
                ],
            )
            .await
        }
        Backend::Postgres => {
            exec_all(
                &h,
                &[
                    "CREATE FUNCTION gc_boom() RETURNS trigger LANGUAGE plpgsql AS $f$
                     BEGIN IF NEW.flags = 'Boom' THEN RAISE EXCEPTION 'refused by the test';
                     END IF; RETURN NEW; END $f$",
                    "CREATE TRIGGER gc_boom BEFORE INSERT ON messages
                     FOR EACH ROW EXECUTE FUNCTION gc_boom()",
                ],
            )
            .await
        }
    }
    // Every third delivery is refused by the trigger, every fifth names a folder that
    // does not exist (after its blob row is written).
    let missing = MailboxId(inbox_a.id.0 + 1_000_000);
    // Alone (a group of one, no savepoint): the failure is its own, and leaves nothing.
    let lone = deliver_to(&h.store, a.id, missing, vec![]).await;
    assert!(matches!(lone, Err(StoreError::NotFound { .. })), "{lone:?}");
    let lone = deliver_to(&h.store, a.id, inbox_a.id, vec!["Boom".into()]).await;
    assert!(lone.as_ref().is_err_and(refused_by_database), "{lone:?}");
    let tasks: Vec<_> = (0..AT_ONCE)
        .map(|i| match (i % 3, i % 5) {
            (0, _) => spawn_delivery(&h, a.id, inbox_a.id, vec!["Boom".into()]),
            (_, 0) => spawn_delivery(&h, a.id, missing, vec![]),
            _ => spawn_delivery(&h, a.id, inbox_a.id, vec![]),
        })
        .collect();
    let mut stored = 0;
    for (i, task) in tasks.into_iter().enumerate() {
        let result = task.await.unwrap();
        match (i % 3, i % 5) {
            (0, _) => assert!(
                result.as_ref().is_err_and(refused_by_database),
                "{i}: {result:?}"
            ),
            (_, 0) => assert!(
                matches!(result, Err(StoreError::NotFound { .. })),
                "{i}: {result:?}"
            ),
            _ => {
                result.unwrap_or_else(|e| panic!("{i}: a neighbour's failure failed it: {e}"));
                stored += 1;
            }
        }
    }
    let messages = h.store.messages(inbox_a.id).await.unwrap();
    assert_eq!(messages.len(), stored);
    assert_eq!(
        count(&h, "SELECT COUNT(*) FROM blob_data").await,
        stored as i64,
        "a failed delivery's blob row went with its savepoint"
    );
    let delivered = h.store.trace_entries(0, i64::MAX).await.unwrap();
    assert_eq!(
        delivered
            .iter()
            .filter(|e| e.action == "message.deliver")
            .count(),
        stored,
        "only the stored deliveries are traced"
    );
    verify(&h).await.unwrap();
}

pub async fn ms4_a_failed_group_commit_fails_every_waiter_and_stores_nothing(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let inbox_a = inbox(&h, &a).await;
    let before = h.store.trace_entries(0, i64::MAX).await.unwrap().len();
    // A constraint checked at COMMIT only (deferred): every statement of the group
    // succeeds and its commit fails, as a commit meeting a full disk does.
    exec_all(
        &h,
        &[
            "CREATE TABLE gc_parent (id INTEGER PRIMARY KEY)",
            "CREATE TABLE gc_child (parent INTEGER REFERENCES gc_parent (id)
             DEFERRABLE INITIALLY DEFERRED)",
        ],
    )
    .await;
    match h.store.backend() {
        Backend::Sqlite => {
            exec_all(
                &h,
                &["CREATE TRIGGER gc_fail AFTER INSERT ON messages
                   BEGIN INSERT INTO gc_child (parent) VALUES (1); END"],
            )
            .await
        }
        Backend::Postgres => {
            exec_all(
                &h,
                &[
                    "CREATE FUNCTION gc_fail() RETURNS trigger LANGUAGE plpgsql AS $f$
                     BEGIN INSERT INTO gc_child (parent) VALUES (1); RETURN NEW; END $f$",
                    "CREATE TRIGGER gc_fail AFTER INSERT ON messages
                     FOR EACH ROW EXECUTE FUNCTION gc_fail()",
                ],
            )
            .await
        }
    }
    let tasks: Vec<_> = (0..AT_ONCE)
        .map(|_| spawn_delivery(&h, a.id, inbox_a.id, vec![]))
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let result = task.await.unwrap();
        // The group's one error; a delivery that formed a group alone gets it as is.
        let cause = match &result {
            Err(StoreError::Shared(cause)) => cause.as_ref(),
            Err(alone) => alone,
            Ok(_) => panic!("{i}: acknowledged without a commit"),
        };
        assert!(refused_by_database(cause), "{i}: {result:?}");
    }
    assert!(h.store.messages(inbox_a.id).await.unwrap().is_empty());
    assert_eq!(count(&h, "SELECT COUNT(*) FROM blob_data").await, 0);
    assert_eq!(
        h.store.trace_entries(0, i64::MAX).await.unwrap().len(),
        before
    );
    // Once the cause is gone, deliveries are stored again and the chain verifies.
    h.exec(match h.store.backend() {
        Backend::Sqlite => "DROP TRIGGER gc_fail",
        Backend::Postgres => "DROP TRIGGER gc_fail ON messages",
    })
    .await;
    let d = deliver_one(&h, &a).await;
    assert_eq!(d.uid, 1, "the failed group took no UID");
    verify(&h).await.unwrap();
}
