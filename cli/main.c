/* gotrace: validate, dump and summarise Go execution traces. */
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: gotrace <command> [options] FILE...\n"
            "\n"
            "commands:\n"
            "  validate [--json] [--structural] FILE...\n"
            "                              check each trace; exit 0 if all valid, 1 if any invalid.\n"
            "                              v2 traces (go 1.22+) are ordered and checked as Go 1.27's\n"
            "                              trace reader does; --structural checks only the wire format\n"
            "                              (framing, tables, references), as legacy traces still are\n"
            "  dump [--lossless] FILE      print every wire event in Go's raw text form\n"
            "  dump --parsed FILE          print the ordered events of a v2 trace exactly as\n"
            "                              `go tool trace -d=parsed` (Go 1.27) does\n"
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
