/*
 * exercises/06-idempotency/table.c: YOUR deduplication table for lab 06 (part 1).
 *
 * Read book/06-idempotency.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=06
 * The tests name the rule that broke and print a command that replays the run in the viewer.
 * These three functions are pure: they only read and write the table (lab.h: dedup_table,
 * dedup_entry). Only slots[0 .. t->capacity - 1] may be used.
 */
#include "lab.h"

int dedup_find(const dedup_table *t, int32_t client) {
  (void)t;
  (void)client;
  TODO("dedup_find: the index of the used slot holding client's entry, or -1");
}

dedup_verdict dedup_check(const dedup_table *t, const request_body *r, uint64_t *value) {
  (void)t;
  (void)r;
  (void)value;
  TODO(
      "dedup_check: same seq as the entry -> DUPLICATE (cached reply); older -> STALE; newer -> "
      "NEW; no entry -> NEW if seen >= horizon, else EXPIRED (the horizon)");
}

void dedup_record(dedup_table *t, int32_t client, uint32_t seq, uint64_t reply) {
  (void)t;
  (void)client;
  (void)seq;
  (void)reply;
  TODO(
      "dedup_record: overwrite the client's entry, or take a free slot, or evict the entry with "
      "the smallest reply (raising the horizon to it) and take its slot");
}
