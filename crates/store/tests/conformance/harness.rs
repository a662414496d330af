//! Fresh stores for the conformance suite: a SQLite data directory, or a pair of new
//! PostgreSQL databases (data and keyring) on the server named by
//! `CADUCEUS_TEST_DATABASE_URL`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use caduceus_audit::TraceSigner;
use caduceus_store::{MasterKey, SqlStore, StoreConfig};
use sqlx::{AnyPool, Executor};

/// Checkpoint interval used by the suite: small, so checkpoints appear in short chains.
pub const CHECKPOINT_EVERY: i64 = 5;

/// A store under test and raw access to what it wrote.
pub struct Harness {
    pub store: SqlStore,
    pub master: MasterKey,
    pub signer: Arc<TraceSigner>,
    pub config: StoreConfig,
    /// Raw SQL on the data database, to tamper with it as an attacker would.
    pub raw: AnyPool,
    pub place: Place,
}

/// Where the store's bytes live.
pub enum Place {
    Sqlite {
        dir: tempfile::TempDir,
    },
    Postgres {
        server: String,
        data_db: String,
        keyring_db: String,
    },
}

fn postgres_server() -> String {
    std::env::var("CADUCEUS_TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "CADUCEUS_TEST_DATABASE_URL is not set: the PostgreSQL conformance tests need a \
             server. Run scripts/test.sh, which installs (apt-get install -y postgresql) and \
             starts one on 127.0.0.1:55432, or point the variable at \
             postgres://user@127.0.0.1:port/postgres"
        )
    })
}

fn with_database(server: &str, db: &str) -> String {
    let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(server);
    format!("{base}/{db}")
}

impl Harness {
    pub async fn sqlite() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let config = StoreConfig::Sqlite {
            data_dir: dir.path().to_path_buf(),
        };
        let raw_url = format!("sqlite://{}", dir.path().join("caduceus.db").display());
        Self::open(config, Place::Sqlite { dir }, raw_url).await
    }

    pub async fn postgres() -> Harness {
        let server = postgres_server();
        let suffix = hex::encode(rand::random::<[u8; 6]>());
        let data_db = format!("caduceus_t_{suffix}");
        let keyring_db = format!("caduceus_k_{suffix}");
        sqlx::any::install_default_drivers();
        let admin = AnyPool::connect(&server).await.unwrap_or_else(|e| {
            panic!("cannot reach PostgreSQL at CADUCEUS_TEST_DATABASE_URL={server}: {e}")
        });
        for db in [&data_db, &keyring_db] {
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
                .await
                .unwrap();
        }
        admin.close().await;
        let config = StoreConfig::Postgres {
            url: with_database(&server, &data_db),
            keyring_url: Some(with_database(&server, &keyring_db)),
        };
        let raw_url = with_database(&server, &data_db);
        Self::open(
            config,
            Place::Postgres {
                server,
                data_db,
                keyring_db,
            },
            raw_url,
        )
        .await
    }

    async fn open(config: StoreConfig, place: Place, raw_url: String) -> Harness {
        let master = MasterKey::generate();
        let signer = Arc::new(TraceSigner::generate());
        let store = SqlStore::open(&config, master.clone(), signer.clone(), CHECKPOINT_EVERY)
            .await
            .unwrap();
        let raw = AnyPool::connect(&raw_url).await.unwrap();
        Harness {
            store,
            master,
            signer,
            config,
            raw,
            place,
        }
    }

    /// Runs raw SQL against the data database (the attacker's or a DBA's view).
    pub async fn exec(&self, sql: &str) {
        self.raw
            .execute(sqlx::AssertSqlSafe(sql.to_owned()))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Every byte the store has on disk for this test: the SQLite files and blob files,
    /// or the PostgreSQL database's own directory after a CHECKPOINT (the test script
    /// exports `CADUCEUS_TEST_PGDATA`).
    pub async fn bytes_on_disk(&self) -> Vec<u8> {
        match &self.place {
            Place::Sqlite { dir } => read_tree(dir.path()),
            Place::Postgres {
                data_db,
                keyring_db,
                ..
            } => {
                let pgdata = std::env::var("CADUCEUS_TEST_PGDATA").expect(
                    "CADUCEUS_TEST_PGDATA must name the test cluster's data directory \
                     (scripts/test.sh sets it)",
                );
                self.exec("CHECKPOINT").await;
                let mut bytes = Vec::new();
                for db in [data_db, keyring_db] {
                    let oid: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT oid::bigint FROM pg_database WHERE datname = '{db}'"
                    )))
                    .fetch_one(&self.raw)
                    .await
                    .unwrap();
                    bytes.extend(read_tree(
                        &PathBuf::from(&pgdata).join("base").join(oid.to_string()),
                    ));
                }
                bytes
            }
        }
    }

    /// A copy of the data (database and blobs, not the keyring) as a backup would hold
    /// it, opened with the master key and the keyring as they are *now*.
    pub async fn snapshot(&self) -> Snapshot {
        match &self.place {
            Place::Sqlite { dir } => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&self.raw)
                    .await
                    .unwrap();
                let copy = tempfile::tempdir().unwrap();
                copy_tree(dir.path(), copy.path(), &|name| {
                    !name.starts_with("keyring")
                });
                Snapshot::Sqlite { copy }
            }
            Place::Postgres {
                server, data_db, ..
            } => {
                let copy_db = format!("{data_db}_copy{}", hex::encode(rand::random::<[u8; 3]>()));
                let admin = AnyPool::connect(server).await.unwrap();
                // CREATE DATABASE ... TEMPLATE needs the source idle: close our pools.
                self.store.close().await;
                self.raw.close().await;
                admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "CREATE DATABASE {copy_db} TEMPLATE {data_db}"
                    )))
                    .await
                    .unwrap();
                admin.close().await;
                Snapshot::Postgres { copy_db }
            }
        }
    }

    /// Opens a snapshot with the live keyring and the master key (the recovery attempt).
    pub async fn open_snapshot(&self, snapshot: &Snapshot) -> SqlStore {
        let config = match (snapshot, &self.place) {
            (Snapshot::Sqlite { copy }, Place::Sqlite { dir }) => {
                let restored = copy.path().join("restored");
                copy_tree(copy.path(), &restored, &|_| true);
                copy_tree(dir.path(), &restored, &|name| {
                    name.starts_with("keyring.db")
                });
                StoreConfig::Sqlite { data_dir: restored }
            }
            (
                Snapshot::Postgres { copy_db },
                Place::Postgres {
                    server, keyring_db, ..
                },
            ) => StoreConfig::Postgres {
                url: with_database(server, copy_db),
                keyring_url: Some(with_database(server, keyring_db)),
            },
            _ => unreachable!("snapshot from another backend"),
        };
        SqlStore::open(
            &config,
            self.master.clone(),
            self.signer.clone(),
            CHECKPOINT_EVERY,
        )
        .await
        .unwrap()
    }

    /// Reopens the live store after [`Harness::snapshot`] closed it (PostgreSQL).
    pub async fn reopen(mut self) -> Harness {
        self.store = SqlStore::open(
            &self.config,
            self.master.clone(),
            self.signer.clone(),
            CHECKPOINT_EVERY,
        )
        .await
        .unwrap();
        let raw_url = match &self.place {
            Place::Sqlite { dir } => {
                format!("sqlite://{}", dir.path().join("caduceus.db").display())
            }
            Place::Postgres {
                server, data_db, ..
            } => with_database(server, data_db),
        };
        self.raw = AnyPool::connect(&raw_url).await.unwrap();
        self
    }

    /// The file of a sealed blob kept beside the SQLite database (bodies larger than
    /// the store keeps in rows), if it is one.
    pub fn blob_file(&self, blob_id: &str) -> Option<PathBuf> {
        match &self.place {
            Place::Sqlite { dir } => {
                Some(dir.path().join("blobs").join(&blob_id[..2]).join(blob_id))
                    .filter(|path| path.exists())
            }
            Place::Postgres { .. } => None,
        }
    }

    /// Flips one byte of a message's sealed blob where it is stored.
    pub async fn flip_blob_byte(&self, blob_id: &str, at: usize) {
        if let Some(path) = self.blob_file(blob_id) {
            let mut bytes = std::fs::read(&path).unwrap();
            bytes[at] ^= 0x01;
            std::fs::write(&path, bytes).unwrap();
            return;
        }
        let mut data: Vec<u8> = sqlx::query_scalar("SELECT data FROM blob_data WHERE id = $1")
            .bind(blob_id)
            .fetch_one(&self.raw)
            .await
            .unwrap();
        data[at] ^= 0x01;
        sqlx::query("UPDATE blob_data SET data = $1 WHERE id = $2")
            .bind(data)
            .bind(blob_id)
            .execute(&self.raw)
            .await
            .unwrap();
    }
}

/// A copy of the data taken at some moment.
pub enum Snapshot {
    Sqlite { copy: tempfile::TempDir },
    Postgres { copy_db: String },
}

fn read_tree(root: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(read_tree(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.extend(bytes);
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path, keep: &dyn Fn(&str) -> bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if !keep(&name) || path == to {
            continue;
        }
        if path.is_dir() {
            copy_tree(&path, &to.join(&name), keep);
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// Whether `needle` occurs anywhere in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
