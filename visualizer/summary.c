/*
 * summary.c: `dsviz --summary TRACE`, a plain-text account of a run for when there is no
 * terminal to draw on (make demo in CI, a pipe, a log): the nodes, how many events of each
 * kind and each message type, drops by reason, each node's final annotations, violations.
 */
#include "summary.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

void viz_summary(FILE *out, const trace_data *tr) {
  char tb[32];
  uint64_t end_t = tr->count ? tr->events[tr->count - 1].t : 0;
  fprintf(out, "trace %s: lab %s, scenario %s, seed %" PRIu64 "\n", tr->file,
          tr->lab[0] ? tr->lab : "-", tr->scenario[0] ? tr->scenario : "-", tr->seed);
  fprintf(out, "%zu events over %s of virtual time%s\n", tr->count,
          trace_format_time(end_t, tb, sizeof tb), tr->ended ? "" : " (no end event: cut short)");
  fprintf(out, "nodes (%d):", tr->node_count);
  for (int i = 0; i < tr->node_count; i++) fprintf(out, " %s", tr->nodes[i]);
  fprintf(out, "\n");

  /* Counts by kind, by message type, drops by reason. */
  size_t kinds[TRACE_KIND_COUNT] = {0}, why[TRACE_WHY_OTHER + 1] = {0};
  size_t *sent = calloc((size_t)tr->type_count + 1, sizeof *sent);
  size_t *recv = calloc((size_t)tr->type_count + 1, sizeof *recv);
  size_t *lost = calloc((size_t)tr->type_count + 1, sizeof *lost);
  if (!sent || !recv || !lost) abort();
  for (size_t i = 0; i < tr->count; i++) {
    const trace_event *e = &tr->events[i];
    kinds[e->kind]++;
    int ty = e->mtype < tr->type_count ? e->mtype : tr->type_count;
    if (e->kind == TRACE_SEND) sent[ty]++;
    if (e->kind == TRACE_RECV) recv[ty]++;
    if (e->kind == TRACE_DROP)
      lost[ty]++, why[e->why <= TRACE_WHY_OTHER ? e->why : TRACE_WHY_OTHER]++;
  }
  fprintf(out, "events by kind:");
  for (int k = 0; k < TRACE_KIND_COUNT; k++)
    if (kinds[k]) fprintf(out, " %s %zu", trace_kind_name(k), kinds[k]);
  fprintf(out, "\n");
  if (tr->type_count) {
    fprintf(out, "messages by type:   %-20s %8s %8s %8s\n", "type", "sent", "received", "dropped");
    for (int t = 0; t < tr->type_count; t++)
      fprintf(out, "                    %-20s %8zu %8zu %8zu\n", trace_text(tr, tr->types[t]),
              sent[t], recv[t], lost[t]);
  }
  if (kinds[TRACE_DROP]) {
    fprintf(out, "drops by reason:");
    for (int w = 1; w <= TRACE_WHY_OTHER; w++)
      if (why[w]) fprintf(out, " %s %zu", trace_why_name(w), why[w]);
    fprintf(out, "\n");
  }
  free(sent);
  free(recv);
  free(lost);

  /* Final state of each node (the model's state after every event). */
  if (tr->node_count <= VIZ_MAX_NODES) {
    viz_model m;
    viz_model_init(&m, tr);
    viz_state s;
    viz_state_at(&m, tr->count, &s);
    fprintf(out, "final state:\n");
    for (int n = 0; n < tr->node_count; n++) {
      fprintf(out, "  %-8s %s", tr->nodes[n], s.up[n] ? "up  " : "down");
      for (int k = 0; k < s.nkeys[n]; k++)
        fprintf(out, "  %s=%s", trace_text(tr, s.key[n][k]), trace_text(tr, s.value[n][k]));
      fprintf(out, "\n");
    }
    viz_model_free(&m);
  }
  /* The protocol's notes (what a node said it did), the first few and the last few: the viewer
   * shows them on the lanes; without a terminal this is where a learner reads them. */
  enum { NOTES_SHOWN = 12 };
  size_t notes = kinds[TRACE_NOTE], seen = 0;
  if (notes)
    fprintf(out, "notes: %zu%s\n", notes,
            notes > 2 * NOTES_SHOWN ? " (the first and last 12)" : "");
  for (size_t i = 0; i < tr->count && notes; i++) {
    const trace_event *e = &tr->events[i];
    if (e->kind != TRACE_NOTE) continue;
    seen++;
    if (notes > 2 * NOTES_SHOWN && seen == NOTES_SHOWN + 1)
      fprintf(out, "  ... %zu more (write the run with --trace FILE and search it for \"note\")\n",
              notes - 2 * NOTES_SHOWN);
    if (notes > 2 * NOTES_SHOWN && seen > NOTES_SHOWN && seen <= notes - NOTES_SHOWN) continue;
    fprintf(out, "  t=%s %s: %s\n", trace_format_time(e->t, tb, sizeof tb),
            e->node >= 0 && e->node < tr->node_count ? tr->nodes[e->node] : "?",
            trace_text(tr, e->text));
  }
  /* Violations, each with its time and line. */
  fprintf(out, "violations: %zu\n", kinds[TRACE_VIOLATION]);
  for (size_t i = 0; i < tr->count; i++) {
    const trace_event *e = &tr->events[i];
    if (e->kind != TRACE_VIOLATION) continue;
    fprintf(out, "  t=%s line %u: %s: %s\n", trace_format_time(e->t, tb, sizeof tb), e->line,
            trace_text(tr, e->name), trace_text(tr, e->text));
  }
}
