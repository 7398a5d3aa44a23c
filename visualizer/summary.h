/*
 * summary.h: a text summary of a trace (`dsviz --summary`, and dsviz's output when standard
 * output is not a terminal).
 */
#ifndef CAUSEWAY_VIZ_SUMMARY_H
#define CAUSEWAY_VIZ_SUMMARY_H

#include <stdio.h>

#include "../lib/trace_read.h"

/* Print the summary of tr to out: header, event counts by kind and by message type, drops by
 * reason, each node's final annotations, every violation with its time and line. */
void viz_summary(FILE *out, const trace_data *tr);

#endif
