/*
 * queue.h: the event queue, a 4-ary min-heap of events keyed by (time, sequence number).
 *
 * The simulator keeps every pending event here. Keys are unique because the sequence number
 * rises with every push, so the order of equal-time events is the order they were scheduled in,
 * and the pop order is fully determined by the pushes (sim.h, "How the next event is chosen").
 * A 4-ary heap is shallower than a binary one and keeps a node's children in one cache line.
 */
#ifndef CAUSEWAY_QUEUE_H
#define CAUSEWAY_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct queue_event {
  uint64_t time; /* virtual microseconds */
  uint64_t seq;  /* tie-breaker: scheduling order */
  uint32_t slot; /* index into the pool that holds the event's payload */
  uint8_t kind;  /* what the payload is (the simulator's private enum) */
  uint8_t pad[3];
} queue_event;

typedef struct event_queue {
  queue_event *items;
  size_t len, cap;
} event_queue;

/* Make an empty queue (no allocation until the first push). */
void queue_init(event_queue *q);
/* Free the queue's storage. */
void queue_free(event_queue *q);
/* Add an event. Aborts if memory runs out. */
void queue_push(event_queue *q, queue_event e);
/* Remove the smallest event into *out. Returns false if the queue is empty. */
bool queue_pop(event_queue *q, queue_event *out);
/* The smallest event without removing it, or NULL if empty. */
const queue_event *queue_peek(const event_queue *q);
/* Make dst an exact copy of src (dst's old storage is freed). */
void queue_copy(event_queue *dst, const event_queue *src);

#endif
