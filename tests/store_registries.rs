//! Registry imports: a good file loads; a bad row names its line and column and loads
//! nothing; the same file twice changes nothing; rows absent from a file stay.

use crate::support;

use support::db::TestDb;
use trp_worker::store::registries::{import, ImportError, Registry};

const PERMITS: &str = "number,holder_iin,employer_bin,household,valid_from,valid_until
P-1,900517310006,180240012342,true,2026-01-01,2026-12-31
P-2,900517310006,180240012342,false,2026-01-01,2027-06-30
";

async fn load(db: &TestDb, registry: Registry, csv: &str) -> Result<u64, ImportError> {
    let mut seen = Vec::new();
    let report = import(&db.pool, registry, csv.as_bytes(), |n| seen.push(n)).await?;
    assert_eq!(seen.last().copied().unwrap_or(0), report.rows);
    Ok(report.rows)
}

/// The table's rows and their row versions: equal snapshots mean nothing was written.
async fn snapshot(db: &TestDb, table: &str) -> Vec<String> {
    let sql = format!("SELECT xmin::text || ' ' || t::text FROM {table} t ORDER BY t::text");
    db.client()
        .await
        .query(&sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test]
async fn every_registry_loads_a_good_file_and_twice_changes_nothing() {
    let db = TestDb::migrated().await;
    let files = [
        (
            Registry::Biometrics,
            "reg_biometrics",
            "iin,fingerprint_record,registered_on\n900517310006,FP-2026-7731902,2026-10-01\n",
        ),
        (
            Registry::InvalidDocuments,
            "reg_invalid_documents",
            "kind,number,sha256\npassport,FA1234567,\nphoto,,\
             ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n\
             passport,FA1234567,BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD\n",
        ),
        (
            Registry::MobileCitizens,
            "reg_mobile_citizens",
            "phone,iin\n+77011234567,900517310006\n",
        ),
        (Registry::Permits, "reg_permits", PERMITS),
    ];
    for (registry, table, csv) in files {
        let rows = load(&db, registry, csv).await.expect(table);
        assert_eq!(rows as usize, csv.lines().count() - 1, "{table}");
        assert_eq!(
            db.count(&format!("SELECT count(*) FROM {table}")).await,
            rows as i64
        );
        let before = snapshot(&db, table).await;
        load(&db, registry, csv).await.expect(table);
        assert_eq!(
            snapshot(&db, table).await,
            before,
            "{table}: second load wrote"
        );
    }
    db.drop().await;
}

#[tokio::test]
async fn a_merge_updates_by_key_and_keeps_absent_rows() {
    let db = TestDb::migrated().await;
    load(&db, Registry::Permits, PERMITS).await.unwrap();
    let update = "number,holder_iin,employer_bin,household,valid_from,valid_until
P-2,900517310006,180240012342,true,2026-01-01,2026-06-30
P-3,900517310006,180240012342,true,2026-02-01,2026-12-31
";
    load(&db, Registry::Permits, update).await.unwrap();
    assert_eq!(db.count("SELECT count(*) FROM reg_permits").await, 3);
    assert_eq!(
        db.count("SELECT count(*) FROM reg_permits WHERE number = 'P-2' AND household AND valid_until = '2026-06-30'").await,
        1
    );
    assert_eq!(
        db.count("SELECT count(*) FROM reg_permits WHERE number = 'P-1'")
            .await,
        1
    );
    db.drop().await;
}

#[tokio::test]
async fn a_bad_row_names_its_line_and_column_and_loads_nothing() {
    let db = TestDb::migrated().await;
    let cases: [(Registry, &str, &str); 8] = [
        (
            Registry::Permits,
            "number,holder_iin,employer_bin,household,valid_from,valid_until\n\
             P-1,900517310006,180240012342,true,2026-01-01,2026-12-31\n\
             P-2,900517310006,180240012343,true,2026-01-01,2026-12-31\n",
            "line 3, column employer_bin: is not a valid BIN",
        ),
        (
            Registry::Permits,
            "number,holder_iin,employer_bin,household,valid_from,valid_until\n\
             P-1,900517310006,180240012342,yes,2026-01-01,2026-12-31\n",
            "line 2, column household: is neither true nor false",
        ),
        (
            Registry::Biometrics,
            "iin,fingerprint_record,registered_on\n\
             900517310006,FP-1,2026-10-01\n900517310007,FP-2,2026-10-01\n",
            "line 3, column iin: is not a valid IIN",
        ),
        (
            Registry::Biometrics,
            "iin,fingerprint_record,registered_on\n900517310006,FP-1,01.10.2026\n",
            "line 2, column registered_on: is not a date",
        ),
        (
            Registry::MobileCitizens,
            "phone,iin\n+77011234567,900517310006\n87011234567,900517310006\n",
            "line 3, column phone: is not E.164",
        ),
        (
            Registry::InvalidDocuments,
            "kind,number,sha256\npassport,,\n",
            "line 2, column number: and sha256 are both empty",
        ),
        (
            Registry::InvalidDocuments,
            "kind,number,sha256\npassport,X1,abc\n",
            "line 2, column sha256: is not 64 hexadecimal digits",
        ),
        (
            Registry::MobileCitizens,
            "phone,iin\n+77011234567,900517310006\n+77011234567,900517310006\n",
            "line 3, column phone: repeats the key of line 2",
        ),
    ];
    for (registry, csv, expected) in cases {
        let err = load(&db, registry, csv)
            .await
            .expect_err(expected)
            .to_string();
        assert!(err.starts_with(expected), "{err} / {expected}");
        assert!(
            !err.contains("900517310006") && !err.contains("7011234567"),
            "{err}"
        );
    }
    for table in [
        "reg_permits",
        "reg_biometrics",
        "reg_mobile_citizens",
        "reg_invalid_documents",
    ] {
        assert_eq!(
            db.count(&format!("SELECT count(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    db.drop().await;
}

#[tokio::test]
async fn a_wrong_header_or_shape_is_refused() {
    let db = TestDb::migrated().await;
    let err = load(
        &db,
        Registry::MobileCitizens,
        "iin,phone\n900517310006,+77011234567\n",
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1: the header must be `phone,iin` (these columns, in this order)"
    );
    let err = load(&db, Registry::MobileCitizens, "phone,iin\n+77011234567\n")
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "line 2: has 1 fields, expected 2");
    let err = load(&db, Registry::MobileCitizens, "").await.unwrap_err();
    assert!(matches!(err, ImportError::Header { .. }));
    db.drop().await;
}

#[tokio::test]
async fn a_file_without_its_header_is_refused_without_quoting_its_first_row() {
    let db = TestDb::migrated().await;
    let row = "900517310006,FP-2026-7731902,2026-10-01";
    let err = load(&db, Registry::Biometrics, &format!("{row}\n"))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "line 1: the header must be `iin,fingerprint_record,registered_on` (these columns, in this order)"
    );
    for value in row.split(',') {
        assert!(!err.contains(value), "{err}");
    }
    assert_eq!(db.count("SELECT count(*) FROM reg_biometrics").await, 0);
    db.drop().await;
}

#[tokio::test]
async fn a_hundred_thousand_rows_load_in_one_go() {
    let db = TestDb::migrated().await;
    let mut csv = String::from("kind,number,sha256\n");
    for i in 0..100_000 {
        csv.push_str(&format!("passport,N{i:08},\n"));
    }
    let started = std::time::Instant::now();
    assert_eq!(
        load(&db, Registry::InvalidDocuments, &csv).await.unwrap(),
        100_000
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(
        db.count("SELECT count(*) FROM reg_invalid_documents").await,
        100_000
    );
    db.drop().await;
}
