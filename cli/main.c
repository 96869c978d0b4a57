/* gotrace: validate, dump and summarise Go execution traces. */
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: gotrace <command> [options] FILE...\n"
            "\n"
            "commands:\n"
            "  validate [--json] FILE...   check structure; exit 0 if all valid, 1 if any invalid\n"
            "  dump [--lossless] FILE      print every wire event in Go's raw text form\n"
            "  stats [--json] FILE         counts and bytes per event type, tables, time span\n"
            "  copy IN OUT                 decode and re-encode (byte-identical for a valid trace)\n"
            "  asm [IN] [-o OUT]           assemble dump text (plain or --lossless) into a trace\n"
            "  version                     print the library version\n"
            "\n"
            "exit status: 0 ok, 1 invalid trace, 2 usage or I/O error\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "validate")) return cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "dump")) return cmd_dump(argc - 1, argv + 1);
    if (!strcmp(cmd, "stats")) return cmd_stats(argc - 1, argv + 1);
    if (!strcmp(cmd, "copy")) return cmd_copy(argc - 1, argv + 1);
    if (!strcmp(cmd, "asm")) return cmd_asm(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("gotrace %s\n", gt_version_string());
        return EXIT_VALID;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return EXIT_VALID;
    }
    fprintf(stderr, "gotrace: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
