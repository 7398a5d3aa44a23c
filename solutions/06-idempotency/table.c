/*
 * solutions/06-idempotency/table.c: the reference deduplication table of lab 06.
 *
 * One entry per client: the latest seq applied for it and the reply that produced. A client has
 * at most one request in flight and starts request seq + 1 only after it has the answer to seq,
 * so once seq + 1 arrives nobody can ever need the answer to seq again: the entry only keeps the
 * latest. The table holds at most `capacity` clients; a new client at a full table evicts the
 * entry whose application is oldest, and the horizon remembers the highest stamp ever evicted,
 * so that a forgotten request is refused instead of applied a second time (lab.h explains why).
 */
#include "lab.h"

int dedup_find(const dedup_table *t, int32_t client) {
  for (uint32_t i = 0; i < t->capacity && i < IDEM_MAX_SLOTS; i++)
    if (t->slots[i].used && t->slots[i].client == client) return (int)i;
  return -1;
}

dedup_verdict dedup_check(const dedup_table *t, const request_body *r, uint64_t *value) {
  int i = dedup_find(t, r->client);
  if (i < 0) {
    /* No entry: new, unless it might be a request the server applied and then forgot. Every
     * forgotten request was made before its client saw the stamp that was evicted, so its
     * `seen` is below the horizon. */
    if (r->seen >= t->horizon) return DEDUP_NEW;
    *value = t->horizon;
    return DEDUP_EXPIRED;
  }
  const dedup_entry *e = &t->slots[i];
  /* Raft, section 8: a command whose serial number was already executed is answered from the
   * session, not executed again. */
  if (r->seq == e->seq) {
    *value = e->reply;
    return DEDUP_DUPLICATE;
  }
  /* Birrell and Nelson, section 3.2: a call numbered below the caller's last one is an old
   * duplicate; the caller already has its result. */
  if (r->seq < e->seq) return DEDUP_STALE;
  return DEDUP_NEW;
}

void dedup_record(dedup_table *t, int32_t client, uint32_t seq, uint64_t reply) {
  uint32_t cap = t->capacity < IDEM_MAX_SLOTS ? t->capacity : IDEM_MAX_SLOTS;
  int slot = dedup_find(t, client);
  for (uint32_t i = 0; slot < 0 && i < cap; i++)
    if (!t->slots[i].used) slot = (int)i;
  if (slot < 0 && cap > 0) {
    /* Full: evict the least recently applied entry (stamps only grow, so the smallest reply is
     * the oldest application), and never forget that it existed. */
    slot = 0;
    for (uint32_t i = 1; i < cap; i++)
      if (t->slots[i].reply < t->slots[slot].reply) slot = (int)i;
    if (t->slots[slot].reply > t->horizon) t->horizon = t->slots[slot].reply;
  }
  if (slot < 0) return;
  t->slots[slot] = (dedup_entry){.used = true, .client = client, .seq = seq, .reply = reply};
}
