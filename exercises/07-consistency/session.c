/*
 * exercises/07-consistency/session.c: YOUR session layer for lab 07 (read-your-writes and
 * monotonic reads with a session token).
 *
 * Read book/07-consistency.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=07
 * The tests name the guarantee that broke and print a command that replays the run in the viewer.
 * From lab.h: store_reply_read(n, s, client, req, key) answers a read from this node's data;
 * s->applied is how far this node has applied the primary's log; s->pending[client] is the slot
 * for a held-back read of that client. protocol.c writes the "held back" note in the trace when
 * your replica_on_read leaves a read in the slot; sim_note (lib/sim.h) is there for notes of your
 * own. The build treats warnings as errors; keep `(void)x;` for parameters you don't use yet.
 */
#include "lab.h"

void session_on_write_ok(session *ss, const write_ok_body *ok) {
  (void)ss;
  (void)ok;
  TODO("session_on_write_ok: raise the session token to the write's version (never lower it)");
}

void session_on_read_ok(session *ss, const read_ok_body *ok) {
  (void)ss;
  (void)ok;
  TODO("session_on_read_ok: raise the session token to the version the read returned");
}

void replica_on_read(sim_node *n, store_state *s, int from, const read_body *rd) {
  (void)n;
  (void)s;
  (void)from;
  (void)rd;
  TODO("replica_on_read: answer now if applied >= token, else hold the read in s->pending[from]");
}

void replica_on_applied(sim_node *n, store_state *s) {
  (void)n;
  (void)s;
  TODO("replica_on_applied: answer every held-back read whose token is now covered");
}
