/*
 * exercises/15-byzantine/om.c: YOUR oral messages algorithm OM(m) for lab 15 (part 3).
 *
 * protocol.c calls om_command at the commander at t=0, om_relay at every lieutenant at the start
 * of rounds 1 .. m, and om_decide at every loyal lieutenant at the start of round m + 1. Send
 * every message with om_send (it plays the traitors). The contracts are in
 * labs/15-byzantine/lab.h.
 *
 * Your id is sim_self(n) and the number of generals is sim_node_count(n) (lib/sim.h); pass them
 * to om_value. The path of one general g is om_path_of(g): om_path_of(OM_COMMANDER) is the path
 * "0" (om_command sends it, om_decide takes its value); om_path_append extends a path by one.
 */
#include "lab.h"

void om_command(sim_node *n, om_state *s) {
  (void)n;
  (void)s;
  TODO("om_command: send s->config.order with the path [you] to every other general (om_send)");
}

void om_relay(sim_node *n, om_state *s, int round) {
  (void)n;
  (void)s;
  (void)round;
  TODO(
      "om_relay: for each stored path of `round` generals, send its value with the path plus "
      "you to every general not on the path and not you");
}

uint8_t om_value(const om_state *s, const om_path *path, int self, int nodes) {
  (void)s;
  (void)path;
  (void)self;
  (void)nodes;
  TODO(
      "om_value: v = stored value or RETREAT; at m + 1 generals return v, else the majority of "
      "v and om_value(path + j) for every j not on the path and not self");
}

void om_decide(sim_node *n, om_state *s) {
  (void)n;
  (void)s;
  TODO("om_decide: s->decision = om_value of the path [commander]; set s->decided");
}
