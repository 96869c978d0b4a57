/* Shared pieces of the gotrace command. */
#ifndef GT_CLI_H
#define GT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "gotrace.h"

/* Exit codes. */
enum { EXIT_VALID = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

/* A file opened for decoding: the reader reads it through its callback; the
 * parser reads a regular file through a read-only memory mapping and
 * anything else (stdin, a pipe) through the callback. */
typedef struct cli_file {
    const char *path;
    int fd;
    uint64_t size;      /* from fstat; 0 if unknown (pipe) */
    uint64_t done;      /* bytes read so far */
    uint64_t next_tick; /* progress: next byte count to report at */
    bool progress;      /* print progress on stderr */
    bool io_error;
    bool regular;       /* a regular file */
    const uint8_t *map; /* the mapping (parser input), NULL if none */
    size_t map_size;
    uint64_t released;  /* mapped bytes already handed back to the kernel */
    uint8_t peek[GT_HEADER_SIZE]; /* a stream's first bytes, read to learn the version */
    size_t peek_len, peek_pos;
    uint8_t *whole;     /* cli_file_bytes() of a stream */
    size_t whole_size;
} cli_file;

/* Open path ("-" = stdin) and attach it to a new reader. Prints the reason
 * and returns NULL on failure. */
gt_reader *cli_open(cli_file *f, const char *path, int validate);
void cli_close(cli_file *f, gt_reader *r);
void cli_progress_done(cli_file *f);

/* The same in steps, for commands that pick the reader or the parser by the
 * trace's version. cli_file_open prints the reason and returns false on failure. */
bool cli_file_open(cli_file *f, const char *path);
/* The header's version (0 when the input is not a trace); the bytes stay readable. */
unsigned cli_file_version(cli_file *f);
gt_reader *cli_file_reader(cli_file *f, int validate);
gt_parser *cli_file_parser(cli_file *f, unsigned flags);
/* All of the input at once (a regular file mapped, a stream read into
 * memory); NULL, with a message printed, on failure. Freed by cli_file_close. */
const uint8_t *cli_file_bytes(cli_file *f, size_t *size);
void cli_file_close(cli_file *f);

/* The encoded size of an item on the wire (batch headers: header only). */
uint64_t cli_wire_size(const gt_event *ev);
/* Print the error of a failed reader as the one-line validate form. */
void cli_format_error(char *dst, size_t cap, const gt_error *e);

/* JSON helpers. */
void json_string(FILE *out, const char *s);

/* Output to a file ("-" = stdout) through a gt_writer sink (copy.c). Close
 * finishes the writer when ok, removes a file whose output is incomplete,
 * and returns the exit status. */
typedef struct cli_out {
    const char *path;
    int fd;
    bool io_error;
} cli_out;
gt_writer *cli_out_open(cli_out *o, const char *path);
int cli_out_close(cli_out *o, gt_writer *w, bool ok);

/* parsed.c: gotrace dump --parsed */
int cli_dump_parsed(const char *path);

int cmd_validate(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_asm(int argc, char **argv);

#endif
