/*
 * solutions/15-byzantine/om.c: the reference oral messages algorithm OM(m) of lab 15
 * (Lamport, Shostak, Pease 1982, Section 3), unrolled into rounds.
 *
 * The recursion of the paper becomes paths: the instance in which general j commands, nested
 * inside the instance that told j the value, is named by the path of generals the value went
 * through. Sending is done breadth first, one level per round (om_command, om_relay); deciding
 * folds the stored values back up, depth first (om_value).
 */
#include "lab.h"

void om_command(sim_node *n, om_state *s) {
  /* OM(m), step 1: the commander sends its value to every lieutenant. */
  om_path path = om_path_of(sim_self(n));
  for (int to = 0; to < sim_node_count(n); to++)
    if (to != sim_self(n)) om_send(n, s, to, &path, s->config.order);
}

void om_relay(sim_node *n, om_state *s, int round) {
  /* OM(m), step 2: a lieutenant acts as the commander of OM(m - 1) with the value it received,
   * sending it to the n - 2 other lieutenants. One level down per round: the values received in
   * round - 1 are those whose paths hold `round` generals. */
  int self = sim_self(n);
  for (uint32_t i = 0; i < s->received_count && i < OM_MAX_RECEIVED; i++) {
    const om_entry *e = &s->received[i];
    if (e->path.len != round) continue;
    om_path path = om_path_append(&e->path, self);
    for (int to = 0; to < sim_node_count(n); to++)
      if (to != self && !om_path_contains(&e->path, to)) om_send(n, s, to, &path, e->value);
  }
}

uint8_t om_value(const om_state *s, const om_path *path, int self, int nodes) {
  /* Steps 2 and 3: the value received from this sub-instance's commander, RETREAT if none. */
  int got = om_lookup(s, path);
  uint8_t v = got == OM_MISSING ? OM_RETREAT : (uint8_t)got;
  /* OM(0): use the value received. */
  if (path->len >= s->config.m + 1) return v;
  /* OM(k), k > 0: the majority of v and of what every other lieutenant of this sub-instance
   * relayed, each itself the result of the sub-instance OM(k - 1) that lieutenant commanded. */
  uint8_t values[OM_MAX_NODES];
  int count = 0;
  values[count++] = v;
  for (int j = 0; j < nodes && j < OM_MAX_NODES; j++) {
    if (j == self || om_path_contains(path, j)) continue;
    om_path sub = om_path_append(path, j);
    values[count++] = om_value(s, &sub, self, nodes);
  }
  return om_majority(values, count);
}

void om_decide(sim_node *n, om_state *s) {
  /* OM(m), step 3 at the top level: the value of the whole instance, the path "0". */
  om_path root = om_path_of(OM_COMMANDER);
  s->decision = om_value(s, &root, sim_self(n), sim_node_count(n));
  s->decided = true;
}
