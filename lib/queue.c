/*
 * queue.c: a 4-ary min-heap (see queue.h). Children of i are 4i+1 .. 4i+4.
 */
#include "queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool less(const queue_event *a, const queue_event *b) {
  return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

void queue_init(event_queue *q) { memset(q, 0, sizeof *q); }

void queue_free(event_queue *q) {
  free(q->items);
  memset(q, 0, sizeof *q);
}

void queue_push(event_queue *q, queue_event e) {
  if (q->len == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 256;
    queue_event *items = realloc(q->items, cap * sizeof *items);
    if (!items) {
      fputs("causeway: out of memory (event queue)\n", stderr);
      abort();
    }
    q->items = items;
    q->cap = cap;
  }
  /* Sift up: move parents down until e's place is found. */
  size_t i = q->len++;
  while (i > 0) {
    size_t parent = (i - 1) / 4;
    if (!less(&e, &q->items[parent])) break;
    q->items[i] = q->items[parent];
    i = parent;
  }
  q->items[i] = e;
}

bool queue_pop(event_queue *q, queue_event *out) {
  if (q->len == 0) return false;
  *out = q->items[0];
  queue_event last = q->items[--q->len];
  size_t n = q->len, i = 0;
  if (n == 0) return true;
  /* Sift down: move the smallest child up until last's place is found. */
  for (;;) {
    size_t first = 4 * i + 1;
    if (first >= n) break;
    size_t best = first;
    size_t end = first + 4 < n ? first + 4 : n;
    for (size_t c = first + 1; c < end; c++)
      if (less(&q->items[c], &q->items[best])) best = c;
    if (!less(&q->items[best], &last)) break;
    q->items[i] = q->items[best];
    i = best;
  }
  q->items[i] = last;
  return true;
}

const queue_event *queue_peek(const event_queue *q) { return q->len ? &q->items[0] : NULL; }

void queue_copy(event_queue *dst, const event_queue *src) {
  free(dst->items);
  dst->items = NULL;
  dst->len = dst->cap = 0;
  if (src->len == 0) return;
  dst->items = malloc(src->len * sizeof *dst->items);
  if (!dst->items) {
    fputs("causeway: out of memory (event queue copy)\n", stderr);
    abort();
  }
  memcpy(dst->items, src->items, src->len * sizeof *dst->items);
  dst->len = dst->cap = src->len;
}
