/*
 * solutions/07-consistency/session.c: the reference session layer for lab 07.
 *
 * One primary orders every write, so "everything this session has seen" is a prefix of the
 * primary's log and one number names it: the token, the highest version the client wrote or
 * read. Terry et al. (PDIS 1994) keep a read-set and a write-set of write ids per session and
 * ask a server to hold them all; with a single ordered log, "holds every write up to version
 * token" is the same test.
 */
#include "lab.h"

void session_on_write_ok(session *ss, const write_ok_body *ok) {
  /* Terry et al. 1994, section 3, Read Your Writes: "read operations reflect previous writes".
   * Remember the write so that later reads demand it. */
  if (ok->version > ss->token) ss->token = ok->version;
}

void session_on_read_ok(session *ss, const read_ok_body *ok) {
  /* Terry et al. 1994, section 3, Monotonic Reads: "successive reads reflect a nondecreasing set
   * of writes". What this read saw becomes the floor for the next. */
  if (ok->version > ss->token) ss->token = ok->version;
}

void replica_on_read(sim_node *n, store_state *s, int from, const read_body *rd) {
  /* Covered: this node holds every write the session has seen. Answer, whatever the req (a late
   * duplicate's answer is ignored by the client; a newer read held in the slot stays held). */
  if (s->applied >= rd->token) {
    store_reply_read(n, s, from, rd->req, rd->key);
    return;
  }
  /* Behind the session: answering now could show the client a state older than one it has
   * already seen. Wait for replication. The client waits for its newest request only: that one
   * takes the slot, and a late duplicate of an older request does not. */
  pending_read *p = &s->pending[from];
  if (p->active && rd->req < p->req) return;
  *p = (pending_read){.active = true, .req = rd->req, .key = rd->key, .token = rd->token};
  /* (protocol.c writes the "held back" note when it finds the read in the slot.) */
}

void replica_on_applied(sim_node *n, store_state *s) {
  for (int c = 0; c < SIM_MAX_NODES; c++) {
    pending_read *p = &s->pending[c];
    if (!p->active || p->token > s->applied) continue;
    p->active = false;
    store_reply_read(n, s, c, p->req, p->key);
  }
}
