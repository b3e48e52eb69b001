/* `tthc key`: creating, listing and revoking API keys from the command line (http/keys.h does
 * the work). The token goes to standard output alone, once; everything else to stderr. */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tthc/base/text.h"
#include "tthc/cli/commands.h"
#include "tthc/domain/vocab.h"
#include "tthc/http/keys.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tthc key create|list|revoke [options]\n\n"
            "Manages the API keys that requests present as \"Authorization: Bearer TOKEN\".\n"
            "  create  make a key and print its token (shown only this once)\n"
            "  list    show every key: name, prefix, scope, times; never a token\n"
            "  revoke  stop a key from working\n\n"
            "--db PATH (the database; its only setting) and --config FILE may stand anywhere.\n"
            "`tthc key COMMAND --help` describes each.\n");
}

static void help(const char *sub)
{
    if (strcmp(sub, "create") == 0)
        printf("usage: tthc key create --name NAME --scope read|write|admin [--unit CODE] "
               "[--expires DAYS] [--rate-exempt]\n\n"
               "Creates a key and prints its token on standard output. Only a hash of the token "
               "is stored: store the token now, it cannot be shown again.\n"
               "  --name NAME     %s, unique (a revoked key keeps its name)\n"
               "  --scope SCOPE   read: read the figures; write: also load the records of units "
               "(units, dossiers, feedback, ratings, payments, decisions); admin: everything, "
               "holidays and the procedure catalogue too\n"
               "  --unit CODE     a write key loads only the records of unit CODE (which must be "
               "loaded already) and of the units below it; absent: every unit's\n"
               "  --expires DAYS  the key stops working after DAYS days (1 to %d); 0 or absent: "
               "never\n"
               "  --rate-exempt   requests with this key are not rate limited\n",
               KEY_NAME_RULE, KEY_EXPIRES_MAX_DAYS);
    else if (strcmp(sub, "list") == 0)
        printf("usage: tthc key list\n\n"
               "Prints a header, then one tab-separated line per key: name, prefix (the token's "
               "first 8 characters), scope, created, expires, revoked, rate_exempt, unit (- for "
               "none). Times are UTC.\n");
    else
        printf("usage: tthc key revoke --name NAME\n\n"
               "Revokes the key: requests that present it are refused (401) from now on. The key "
               "stays in `tthc key list`, and its name stays taken.\n");
}

enum { ARG_NAME = 1, ARG_SCOPE = 2, ARG_EXPIRES = 4, ARG_RATE_EXEMPT = 8, ARG_UNIT = 16 };

struct key_args {
    const char *name, *scope, *expires, *unit;
    bool rate_exempt;
};

/* Reads the flags argv[1..argc) of subcommand sub, accepting those in allowed. Returns 0, or
 * -1 after printing what was wrong. */
static int parse_args(const char *sub, unsigned allowed, int argc, char **argv, struct key_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i];
        const char **slot = NULL;
        unsigned bit = 0;
        if (strcmp(f, "--name") == 0) {
            slot = &a->name;
            bit = ARG_NAME;
        } else if (strcmp(f, "--scope") == 0) {
            slot = &a->scope;
            bit = ARG_SCOPE;
        } else if (strcmp(f, "--expires") == 0) {
            slot = &a->expires;
            bit = ARG_EXPIRES;
        } else if (strcmp(f, "--unit") == 0) {
            slot = &a->unit;
            bit = ARG_UNIT;
        } else if (strcmp(f, "--rate-exempt") == 0) {
            bit = ARG_RATE_EXEMPT;
        }
        if (!(allowed & bit)) {
            fprintf(stderr, "tthc key %s: unexpected argument '%s' (see tthc key %s --help)\n", sub,
                    f, sub);
            return -1;
        }
        if (!slot) {
            a->rate_exempt = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "tthc key %s: %s needs a value\n", sub, f);
            return -1;
        }
        *slot = argv[++i];
    }
    if ((allowed & ARG_NAME) && !a->name) {
        fprintf(stderr, "tthc key %s: --name is required (see tthc key %s --help)\n", sub, sub);
        return -1;
    }
    return 0;
}

static int cmd_create(struct db_conn *c, const struct key_args *a)
{
    if (!key_name_valid(a->name)) {
        fprintf(stderr, "tthc key create: --name must be %s\n", KEY_NAME_RULE);
        return 2;
    }
    int scope = a->scope ? key_scope_from_name(a->scope) : SCOPE_NONE;
    if (scope == SCOPE_NONE) {
        fprintf(stderr, "tthc key create: --scope must be read, write or admin\n");
        return 2;
    }
    if (a->unit && scope != SCOPE_WRITE) {
        fprintf(stderr, "tthc key create: --unit limits a write key (--scope write): a read key "
                        "loads nothing, and an admin key loads everywhere\n");
        return 2;
    }
    if (a->unit && !text_valid(a->unit, CODE_MAX_CHARS, true)) {
        fprintf(stderr,
                "tthc key create: --unit must be a unit code: 1 to %d characters without "
                "spaces\n",
                CODE_MAX_CHARS);
        return 2;
    }
    long days = 0;
    if (a->expires) {
        char *end;
        errno = 0;
        days = strtol(a->expires, &end, 10);
        if (errno || end == a->expires || *end || days < 0 || days > KEY_EXPIRES_MAX_DAYS) {
            fprintf(stderr,
                    "tthc key create: --expires must be a whole number of days from 1 to %d, or "
                    "0 for never\n",
                    KEY_EXPIRES_MAX_DAYS);
            return 2;
        }
    }
    char *token = NULL;
    char err[256];
    if (key_create_for_unit(c, a->name, scope, a->unit, (int)days, a->rate_exempt, &token, err,
                            sizeof(err)) != 0) {
        fprintf(stderr, "tthc key create: %s\n", err);
        return 1;
    }
    /* Standard output holds the token alone, for scripts; the rest goes to stderr. */
    int written = printf("%s\n", token);
    int flushed = fflush(stdout);
    OPENSSL_clear_free(token, strlen(token) + 1);
    if (written < 0 || flushed != 0) {
        fprintf(stderr,
                "tthc key create: the token could not be written; revoke key '%s' and create "
                "another\n",
                a->name);
        return 1;
    }
    char unit[CODE_MAX_BYTES + 16] = "";
    if (a->unit)
        snprintf(unit, sizeof(unit), " of unit %s", a->unit);
    if (days > 0)
        fprintf(stderr, "tthc key create: created key '%s' (scope %s%s, expires in %ld days). ",
                a->name, key_scope_name(scope), unit, days);
    else
        fprintf(stderr, "tthc key create: created key '%s' (scope %s%s, never expires). ", a->name,
                key_scope_name(scope), unit);
    fprintf(stderr, "Store the token now: it cannot be shown again.\n");
    return 0;
}

int key_command(struct db_conn *c, int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[0];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        usage(stdout);
        return 0;
    }
    unsigned allowed;
    if (strcmp(sub, "create") == 0)
        allowed = ARG_NAME | ARG_SCOPE | ARG_UNIT | ARG_EXPIRES | ARG_RATE_EXEMPT;
    else if (strcmp(sub, "list") == 0)
        allowed = 0;
    else if (strcmp(sub, "revoke") == 0)
        allowed = ARG_NAME;
    else {
        fprintf(stderr, "tthc key: unknown command '%s' (see tthc key --help)\n", sub);
        return 2;
    }
    /* --help anywhere wins, even where it would be a flag's value. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            help(sub);
            return 0;
        }
    }
    struct key_args a;
    if (parse_args(sub, allowed, argc, argv, &a) != 0)
        return 2;
    if (strcmp(sub, "create") == 0)
        return cmd_create(c, &a);
    if (strcmp(sub, "list") == 0) {
        if (key_list(c, stdout) != 0) {
            fprintf(stderr, "tthc key list: the keys could not be read (see the log)\n");
            return 1;
        }
        return 0;
    }
    char err[256];
    if (key_revoke(c, a.name, err, sizeof(err)) != 0) {
        fprintf(stderr, "tthc key revoke: %s\n", err);
        return 1;
    }
    printf("revoked key '%s'\n", a.name);
    return 0;
}
