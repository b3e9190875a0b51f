/*
 * The reference for issue 11: GOST verifications per second by OpenSSL's gost-engine
 * (Debian's libengine-gost-openssl), hash included, as an application calls it:
 * EVP_DigestVerifyInit + EVP_DigestVerify over a 3,000-byte message with the `gost` engine.
 * Built and run by scripts/bench-gost through the `gost_compare` bench; not part of the
 * worker.
 *
 *   gost_engine <2015-512|2015-256|2004> <milliseconds>
 *
 * prints one line: verifications per second of CPU time. The key is generated here (parameter set A of
 * the algorithm: tc26-512-A, tc26-256-A, CryptoPro-A), the message signed once, then
 * verified in a loop for the given time; a wrong signature must fail first (a check that
 * the loop measures real verifications). Exit 1 on any error, with a sentence on stderr.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MESSAGE_LEN 3000

static int fail(const char *what) {
    fprintf(stderr, "gost_engine: %s\n", what);
    ERR_print_errors_fp(stderr);
    return 1;
}

/* This thread's CPU time: on a machine shared with other builds, waiting for a core is
 * not counted (the Rust side counts the same way). */
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int verify(ENGINE *e, const EVP_MD *md, EVP_PKEY *key, const unsigned char *sig,
                  size_t sig_len, const unsigned char *msg) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, md, e, key) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, msg, MESSAGE_LEN) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: gost_engine <2015-512|2015-256|2004> <milliseconds>\n");
        return 2;
    }
    const char *algorithm, *digest;
    if (strcmp(argv[1], "2015-512") == 0) {
        algorithm = "gost2012_512";
        digest = "md_gost12_512";
    } else if (strcmp(argv[1], "2015-256") == 0) {
        algorithm = "gost2012_256";
        digest = "md_gost12_256";
    } else if (strcmp(argv[1], "2004") == 0) {
        algorithm = "gost2001";
        digest = "md_gost94";
    } else {
        return fail("unknown algorithm (2015-512, 2015-256 or 2004)");
    }
    double seconds = atof(argv[2]) / 1000.0;

    ENGINE_load_builtin_engines();
    ENGINE *e = ENGINE_by_id("gost");
    if (e == NULL || ENGINE_init(e) != 1) {
        return fail("the gost engine does not load (apt-get install libengine-gost-openssl)");
    }
    ENGINE_set_default(e, ENGINE_METHOD_ALL);
    const EVP_MD *md = EVP_get_digestbyname(digest);
    int nid = OBJ_sn2nid(algorithm);
    if (md == NULL || nid == NID_undef) {
        return fail("the engine lacks the algorithm or its hash");
    }

    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *gen = EVP_PKEY_CTX_new_id(nid, e);
    if (gen == NULL || EVP_PKEY_keygen_init(gen) != 1 ||
        EVP_PKEY_CTX_ctrl_str(gen, "paramset", "A") <= 0 || EVP_PKEY_keygen(gen, &key) != 1) {
        return fail("key generation on parameter set A failed");
    }
    EVP_PKEY_CTX_free(gen);

    unsigned char msg[MESSAGE_LEN];
    for (int i = 0; i < MESSAGE_LEN; i++) {
        msg[i] = (unsigned char)(i * 7 + 1);
    }
    unsigned char sig[128];
    size_t sig_len = sizeof sig;
    EVP_MD_CTX *sign = EVP_MD_CTX_new();
    if (sign == NULL || EVP_DigestSignInit(sign, NULL, md, e, key) != 1 ||
        EVP_DigestSign(sign, sig, &sig_len, msg, MESSAGE_LEN) != 1) {
        return fail("signing failed");
    }
    EVP_MD_CTX_free(sign);

    if (!verify(e, md, key, sig, sig_len, msg)) {
        return fail("the engine's own signature does not verify");
    }
    sig[sig_len / 2] ^= 1;
    if (verify(e, md, key, sig, sig_len, msg)) {
        return fail("a flipped signature verifies");
    }
    sig[sig_len / 2] ^= 1;
    ERR_clear_error();

    long count = 0;
    double start = now(), elapsed = 0.0;
    while (elapsed < seconds) {
        if (!verify(e, md, key, sig, sig_len, msg)) {
            return fail("a verification failed in the loop");
        }
        count++;
        elapsed = now() - start;
    }
    printf("%.1f\n", (double)count / elapsed);
    EVP_PKEY_free(key);
    ENGINE_finish(e);
    ENGINE_free(e);
    return 0;
}
