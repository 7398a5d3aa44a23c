/*
 * history_read.h: read client histories from files, for the linearizability checker.
 *
 * Three formats, one operation event a line:
 *
 *   trace         a Causeway trace (JSON Lines, see design section 3): the header line
 *                 {"causeway":1,...}, then events; only "ev" invoke / ok / fail / info lines are
 *                 read ({"t":3100,"ev":"invoke","client":0,"op":"write","key":"x","value":"1"}),
 *                 every other kind is skipped. Times are virtual microseconds.
 *   jepsen-etcd   Jepsen's log lines "INFO  jepsen.util - 3<TAB>:ok<TAB>:cas<TAB>[1 4]" (tabs or
 *                 spaces); a cas value [old new] becomes "old new"; nil stays "nil" (the empty
 *                 register); lines without a numeric process (the nemesis) are skipped.
 *   porcupine-kv  EDN maps {:process 6, :type :invoke, :f :append, :key "0", :value "x 6 0 y"};
 *                 nil values become "".
 *
 * Jepsen and Porcupine logs have no times: an event's position is its time, so the order of the
 * lines is real-time order. A read's invoke value is always dropped (it is nil in these logs).
 */
#ifndef CAUSEWAY_HISTORY_READ_H
#define CAUSEWAY_HISTORY_READ_H

#include <stddef.h>

#include "lincheck.h"

typedef enum {
  HISTORY_GUESS, /* decide from the content (then the file name's extension) */
  HISTORY_TRACE,
  HISTORY_JEPSEN_ETCD,
  HISTORY_PORCUPINE_KV
} history_format;

/* Parse a format name ("trace", "jepsen-etcd", "porcupine-kv"). Returns false if unknown. */
bool history_format_parse(const char *name, history_format *out);
/* The name of a format ("guess" for HISTORY_GUESS). */
const char *history_format_name(history_format f);

/* Guess a format from a file's first non-blank line (may be NULL) and its path: a line starting
 * {" is a trace, {: is Porcupine's EDN, one with "jepsen.util" or "N<TAB>:type" is Jepsen's log;
 * otherwise the extension decides (.jsonl/.json/.trace, .log, .txt/.edn). Returns HISTORY_GUESS
 * if nothing matches. */
history_format history_guess(const char *path, const char *first_line);

/* Read the history in the file at path. fmt may be HISTORY_GUESS; *used (may be NULL) gets the
 * format read. On success returns 0 and *h is a history the caller frees with lin_history_free.
 * On error returns -1, writes a one-line reason into err (cap bytes) as "PATH:LINE: reason" (or
 * "PATH: reason" for an unreadable file or an unknown format), and leaves *h empty (freeing it
 * is harmless). A file with no operation events is not an error (an empty history). */
int history_read_file(const char *path, history_format fmt, lin_history *h, history_format *used,
                      char *err, size_t cap);

/* The model a format implies: jepsen-etcd -> register, porcupine-kv -> kv, trace -> kv if the
 * history uses get, put or append, else register. */
const lin_model *history_default_model(history_format fmt, const lin_history *h);

#endif
