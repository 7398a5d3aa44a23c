/*
 * solutions/15-byzantine/received.c: the reference table of received values of lab 15: one value
 * per path, the first one that arrived.
 */
#include "lab.h"

bool om_store(om_state *s, const om_path *path, uint8_t value) {
  if (om_lookup(s, path) != OM_MISSING) return false; /* a path counts once */
  if (s->received_count >= OM_MAX_RECEIVED) return false;
  s->received[s->received_count].path = *path;
  s->received[s->received_count].value = value;
  s->received_count++;
  return true;
}

int om_lookup(const om_state *s, const om_path *path) {
  for (uint32_t i = 0; i < s->received_count && i < OM_MAX_RECEIVED; i++)
    if (om_path_equal(&s->received[i].path, path)) return s->received[i].value;
  return OM_MISSING;
}
