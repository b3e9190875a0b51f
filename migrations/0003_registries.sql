-- Registries other systems fill (and `trp-worker import` loads from CSV). The worker only
-- reads them while deciding.

CREATE TABLE reg_biometrics (
    iin                text PRIMARY KEY,
    fingerprint_record text NOT NULL,
    registered_on      date NOT NULL
);

CREATE TABLE reg_invalid_documents (
    kind   text NOT NULL,
    number text NULL,
    sha256 bytea NULL CHECK (octet_length(sha256) = 32),
    CHECK (number IS NOT NULL OR sha256 IS NOT NULL),
    CONSTRAINT reg_invalid_documents_key UNIQUE NULLS NOT DISTINCT (kind, number, sha256)
);

-- The documents check compares numbers ignoring case and surrounding spaces.
CREATE INDEX reg_invalid_documents_by_number
    ON reg_invalid_documents (kind, upper(btrim(number)));
CREATE INDEX reg_invalid_documents_by_digest
    ON reg_invalid_documents (sha256) WHERE sha256 IS NOT NULL;

CREATE TABLE reg_mobile_citizens (
    phone text PRIMARY KEY,
    iin   text NOT NULL
);

CREATE TABLE reg_permits (
    number       text PRIMARY KEY,
    holder_iin   text NOT NULL,
    employer_bin text NOT NULL,
    household    boolean NOT NULL,
    valid_from   date NOT NULL,
    valid_until  date NOT NULL
);

CREATE INDEX reg_permits_household_by_employer
    ON reg_permits (employer_bin, valid_until) WHERE household;
