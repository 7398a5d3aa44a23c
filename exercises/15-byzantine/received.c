/*
 * exercises/15-byzantine/received.c: YOUR table of received values for lab 15 (part 2): one
 * value per path, in s->received[0 .. s->received_count).
 *
 * protocol.c calls om_store for every Order that arrives within its round. The path helpers
 * (om_path_equal, om_path_contains, om_path_append) are in labs/15-byzantine/protocol.c; the
 * contracts in labs/15-byzantine/lab.h.
 */
#include "lab.h"

bool om_store(om_state *s, const om_path *path, uint8_t value) {
  (void)s;
  (void)path;
  (void)value;
  TODO("om_store: append (path, value) unless the path is already stored or the table is full");
}

int om_lookup(const om_state *s, const om_path *path) {
  (void)s;
  (void)path;
  TODO("om_lookup: the value stored under path (om_path_equal), or OM_MISSING");
}
