#!/usr/bin/env bash
# Builds the test PKI and the CMS signatures the signature tests verify, with the openssl
# command line: an implementation independent of the verifier. Run once; the output under
# tests/fixtures/pki/ is committed so tests stay deterministic. Re-running makes new keys,
# so every fixture changes together.
#
#   root (RSA) -> intermediate (RSA) -> leaf-rsa, leaf-p256, leaf-expired, leaf-keyenc,
#                                       leaf-revoked (listed in intermediate.crl)
#   rogue-root (not configured)      -> leaf-rogue
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../fixtures/pki"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
cd "$work"

subject_leaf="/C=KZ/CN=TEST APPLICANT/serialNumber=IIN900517310006"
start=20200101000000Z
end=20450101000000Z

cat > ext.cnf <<'CNF'
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection, 1.2.398.3.3.4.1.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[clientauth_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[noeku_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[keyenc_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

# A minimal `openssl ca` setup per CA: it alone takes explicit start and end dates.
ca_conf() { # name
  mkdir -p "$1.db"; : > "$1.db/index.txt"; echo 1000 > "$1.db/serial"; echo 1000 > "$1.db/crlnumber"
  cat > "$1.cnf" <<CNF
[ca]
default_ca = this
[this]
dir = $work/$1.db
database = \$dir/index.txt
serial = \$dir/serial
crlnumber = \$dir/crlnumber
new_certs_dir = \$dir
certificate = $work/$1.pem
private_key = $work/$1.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
default_crl_days = 7300
[any]
countryName = optional
commonName = optional
serialNumber = optional
CNF
}

rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null; }
p256_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }

self_signed() { # name subject
  rsa_key "$1"; ca_conf "$1"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  openssl ca -batch -config "$1.cnf" -selfsign -keyfile "$1.key" -in "$1.csr" -out "$1.pem" \
    -startdate "$start" -enddate "$end" -extfile ext.cnf -extensions ca_ext -notext 2>/dev/null
}

issue() { # ca name subject ext [start end]
  openssl req -new -key "$2.key" -subj "$3" -out "$2.csr"
  openssl ca -batch -config "$1.cnf" -in "$2.csr" -out "$2.pem" \
    -startdate "${5:-$start}" -enddate "${6:-$end}" -extfile ext.cnf -extensions "$4" -notext 2>/dev/null
}

self_signed root "/C=KZ/CN=TRP TEST ROOT"
rsa_key intermediate; ca_conf intermediate
issue root intermediate "/C=KZ/CN=TRP TEST INTERMEDIATE" ca_ext
self_signed rogue-root "/C=KZ/CN=ROGUE TEST ROOT"

rsa_key leaf-rsa;     issue intermediate leaf-rsa "$subject_leaf" leaf_ext
p256_key leaf-p256;   issue intermediate leaf-p256 "$subject_leaf" leaf_ext
rsa_key leaf-expired; issue intermediate leaf-expired "$subject_leaf" leaf_ext 20200101000000Z 20251231235959Z
rsa_key leaf-keyenc;  issue intermediate leaf-keyenc "$subject_leaf" keyenc_ext
rsa_key leaf-revoked; issue intermediate leaf-revoked "$subject_leaf" leaf_ext
rsa_key leaf-rogue;   issue rogue-root leaf-rogue "$subject_leaf" leaf_ext
rsa_key leaf-clientauth; issue intermediate leaf-clientauth "$subject_leaf" clientauth_ext
p256_key leaf-noeku;  issue intermediate leaf-noeku "$subject_leaf" noeku_ext

openssl ca -config intermediate.cnf -revoke leaf-revoked.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -config intermediate.cnf -gencrl -out intermediate.crl 2>/dev/null
openssl ca -config root.cnf -gencrl -out root.crl 2>/dev/null
openssl crl -in intermediate.crl -outform DER -out intermediate.crl.der

# E-requests in the shape of contract section 3 (only what the signature check reads).
printf '{"service":"trp","subspecies":"employment","applicant":{"iin":"900517310006"}}' > document.json
printf '{"service":"trp","subspecies":"study","applicant":{"iin":"900517310006"}}' > other.json

sign() { # leaf out [extra openssl cms flags...]
  local leaf="$1" name="$2"; shift 2
  openssl cms -sign -binary -md sha256 -in "${IN:-document.json}" -signer "$leaf.pem" \
    -inkey "$leaf.key" -certfile intermediate.pem -outform DER -out "$name.p7s" "$@"
}

sign leaf-rsa rsa-detached
sign leaf-rsa rsa-detached-noattr -noattr
sign leaf-rsa rsa-attached -nodetach
sign leaf-rsa rsa-attached-noattr -nodetach -noattr
sign leaf-rsa rsa-ber-stream -nodetach -stream
sign leaf-p256 p256-detached
sign leaf-p256 p256-detached-noattr -noattr
sign leaf-p256 p256-attached -nodetach
sign leaf-expired expired-detached
sign leaf-expired expired-detached-noattr -noattr
sign leaf-keyenc keyenc-detached
sign leaf-revoked revoked-detached
sign leaf-rogue rogue-detached
sign leaf-clientauth clientauth-detached
sign leaf-noeku noeku-detached
sign leaf-rsa rsa-keyid -keyid
sign leaf-rsa two-signers -signer leaf-p256.pem -inkey leaf-p256.key
IN=other.json sign leaf-rsa rsa-other-document
IN=other.json sign leaf-rsa rsa-attached-other -nodetach

cp root.pem intermediate.pem rogue-root.pem intermediate.crl intermediate.crl.der root.crl \
  document.json other.json ./*.p7s "$out/"
for leaf in leaf-rsa leaf-p256 leaf-expired leaf-keyenc leaf-revoked leaf-rogue leaf-clientauth leaf-noeku; do
  cp "$leaf.pem" "$leaf.key" "$out/"
done
echo "fixtures written to $out"
