/*
 * labs/12-paxos/scenarios.c: lab 12's scenarios, shared by the driver and the tests.
 *
 * Single decree: acceptors a0 .. and proposers p<id> that each want their own value chosen.
 * Multi-Paxos: replicas n0 .. and clients c<id> that submit commands to the replicated log.
 *
 * The checks compute the ground truth themselves, from what the acceptors accept (their state,
 * compared after every event with the state after the previous one), never from what a learner
 * claims. A value is chosen in a slot once a majority of acceptors has accepted one ballot with
 * that value in that slot (Paxos Made Simple, section 2.2). After every event:
 *
 *   agreement          at most one value is chosen per slot;
 *   validity           every value accepted was put forward by a proposer or a client (or is
 *                      the Multi-Paxos no-op);
 *   learned-chosen     a learner learns only the value chosen in that slot, and never changes it;
 *   promise-kept       an acceptor's promise never goes down, it accepts no ballot below it, and
 *                      it refuses only what its promise forbids (a Nack names the promise: above
 *                      an Accept's ballot, at or above a Prepare's);
 *   ballots            a Prepare or Accept carries its sender's own ballot, (round, its id), whose
 *                      round is already on the sender's disk; one (slot, ballot) carries one value;
 *   promise-report     a Promise reports exactly what the acceptor has accepted in each slot from
 *                      the Prepare's from_slot on;
 *   persist-before-reply  when an acceptor sends a Promise or an Accepted, its stable storage
 *                      already holds that promise (and that accepted proposal);
 *   durable            an acceptor that restarts still knows every promise and acceptance it
 *                      told anyone about (not checked in the forgetful demonstration, which
 *                      records what was forgotten instead).
 *
 * Besides, every Accept is compared with the slot's chosen value (P2b of section 2.2: once v is
 * chosen, every higher-numbered proposal has value v); the first that is not is recorded, and
 * fails the run at the end if nothing else did (a proposer bug that has not yet led to a second
 * value being chosen). Liveness: with a virtual-time deadline after the faults stop, every
 * learner learns (single decree), every client command is in the log and every replica has
 * learned every chosen slot (Multi-Paxos).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "nemesis.h"

/* ---------------------------------------------------------------------------------------------
 * Text.
 */

/* Times are rounded to the last digit shown, as the viewer shows them (40.77 ms: "40.8ms"). */
static const char *when(sim_time t, char *buf, size_t cap) {
  return sim_format_time_rounded(t, buf, cap);
}

static const char *ballot_name(const sim_world *w, px_ballot b, char *buf, size_t cap) {
  if (b.round == 0)
    snprintf(buf, cap, "none");
  else if (b.node >= 0 && b.node < sim_nodes(w))
    snprintf(buf, cap, "(%u,%s)", b.round, sim_node_name(w, b.node));
  else
    snprintf(buf, cap, "(%u,%d)", b.round, (int)b.node);
  return buf;
}

static const char *value_name(px_value v, char *buf, size_t cap) {
  if (v == PX_NONE)
    snprintf(buf, cap, "nothing");
  else if (v == PX_NOOP)
    snprintf(buf, cap, "no-op");
  else
    snprintf(buf, cap, "%u", v);
  return buf;
}

/* An accepted proposal as "3001@(1,p3)", or "nothing". */
static const char *slot_name(const sim_world *w, px_slot p, char *buf, size_t cap) {
  char b[48], v[24];
  if (p.ballot.round == 0)
    snprintf(buf, cap, "nothing");
  else
    snprintf(buf, cap, "%s@%s", value_name(p.value, v, sizeof v),
             ballot_name(w, p.ballot, b, sizeof b));
  return buf;
}

static const char *nodes_name(const sim_world *w, uint32_t bits, char *buf, size_t cap) {
  size_t at = 0;
  buf[0] = 0;
  for (int i = 0; i < 32 && at < cap; i++)
    if (bits & (1u << i))
      at += (size_t)snprintf(buf + at, cap - at, "%s%s", at ? "," : "",
                             i < sim_nodes(w) ? sim_node_name(w, i) : "?");
  if (!bits) snprintf(buf, cap, "nobody");
  return buf;
}

static int popcount(uint32_t x) {
  int c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

static int cmp_ballot(px_ballot a, px_ballot b) {
  if (a.round != b.round) return a.round < b.round ? -1 : 1;
  if (a.node != b.node) return a.node < b.node ? -1 : 1;
  return 0;
}

static bool same_slot(px_slot a, px_slot b) {
  return cmp_ballot(a.ballot, b.ballot) == 0 && a.value == b.value;
}

/* ---------------------------------------------------------------------------------------------
 * What the run records beyond px_record (lab.h), which comes first so run->lab_data points at
 * both and lab_end's free() frees the whole.
 */
typedef struct px_run {
  px_record rec;
  int proposers_first, proposers_last; /* single decree: proposer node ids */
  int clients_first, clients_last;     /* Multi-Paxos: client node ids */
  /* Single decree: the promises each proposer's latest ballot got (slot 0 reports). */
  uint32_t promised_by[PX_MAX_NODES];
  px_slot reported[PX_MAX_NODES][PX_MAX_NODES];
  bool was_active[PX_MAX_NODES];
  bool fresh_learner[PX_MAX_NODES]; /* restarted: its learned log starts again from nothing */
  sim_time faults_end;  /* the scenario's own faults are over by then (crashes, cuts, loss) */
  sim_net_config net;   /* the scenario's network (failing leaders get theirs back) */
  sim_time leader_down; /* how long a failing leader stays down */
  const char *rule;     /* the rule a failing check of paxos_rules names */
  char full[1800];      /* a violation's whole explanation (the report keeps its first 700 bytes) */
  bool full_used;       /* the world stopped on a failed check of paxos_rules: full explains it */
} px_run;

static px_run *run_of(lab_run *run) { return (px_run *)run->lab_data; }

/* Stop the world on a broken rule seen on the wire: the whole explanation goes to x->full, which
 * the verdict prints with the time rounded like every other (the first failure only). */
static void stop(sim_world *w, px_run *x, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void stop(sim_world *w, px_run *x, const char *rule, const char *fmt, ...) {
  if (sim_violated(w, NULL)) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(x->full, sizeof x->full, fmt, ap);
  va_end(ap);
  x->rule = rule;
  x->full_used = true;
  sim_fail(w, rule, "%.700s", x->full);
}

static bool proposable(const px_record *rec, px_value v) {
  if (v == PX_NOOP) return rec->multi;
  return v < PX_VALUE_LIMIT && rec->proposable[v];
}

/* The proposal of `ballot` in `slot`, created (with `value`) if `create` and new; NULL if it is
 * not there, or if there is no room left (then votes_full is set and the run fails). */
static px_vote *find_vote(px_record *rec, uint32_t slot, px_ballot ballot, px_value value,
                          bool create) {
  for (int32_t i = rec->vote_head[slot]; i >= 0; i = rec->votes[i].next)
    if (cmp_ballot(rec->votes[i].ballot, ballot) == 0) return &rec->votes[i];
  if (!create) return NULL;
  if (rec->vote_count >= PX_MAX_VOTES) {
    rec->votes_full = true;
    return NULL;
  }
  px_vote *v = &rec->votes[rec->vote_count];
  *v = (px_vote){.slot = slot,
                 .ballot = ballot,
                 .value = value,
                 .by = 0,
                 .next = rec->vote_head[slot],
                 .first = 0};
  rec->vote_head[slot] = rec->vote_count++;
  return v;
}

/* ---------------------------------------------------------------------------------------------
 * Watching the wire (observers run when a message is sent or received, before the handler runs
 * for a receive; a send is seen in the middle of the sender's handler, with its disk as it is).
 */

static void watch_send(sim_world *w, px_run *x, const sim_event *ev) {
  px_record *rec = &x->rec;
  int from = ev->node;
  char t[32], a[48], b[48], d[48], v[24], c[24];
  when(sim_now(w), t, sizeof t);
  const px_disk *disk = sim_stable(w, from);
  switch (ev->msg_type) {
    case MSG_PREPARE: {
      const px_prepare_body *p = ev->body;
      if (p->ballot.node != from || p->ballot.round == 0) {
        stop(w, x, "ballots",
             "%s sent a Prepare with ballot %s at t=%s: a ballot is (round >= 1, the "
             "proposer's own id), so that no two proposers share one (px_next_ballot)",
             sim_node_name(w, from), ballot_name(w, p->ballot, a, sizeof a), t);
        return;
      }
      if (disk->max_round < p->ballot.round) {
        stop(w, x, "ballots",
             "%s sent a Prepare with ballot %s at t=%s while its disk said max_round=%u: "
             "write the new round to stable storage before using it, or a restart could "
             "issue the same ballot again (px_next_ballot; Paxos Made Simple 2.5)",
             sim_node_name(w, from), ballot_name(w, p->ballot, a, sizeof a), t, disk->max_round);
        return;
      }
      if (cmp_ballot(p->ballot, rec->last_prepare[from]) != 0) {
        rec->ballots++;
        rec->ballots_of[from]++;
        rec->last_prepare[from] = p->ballot;
        x->promised_by[from] = 0;
      }
      return;
    }
    case MSG_ACCEPT: {
      const px_accept_body *p = ev->body;
      if (p->ballot.node != from || p->ballot.round == 0) {
        stop(w, x, "ballots",
             "%s sent an Accept with ballot %s at t=%s: use the ballot of your own phase 1 "
             "(proposer_on_promise, leader_on_promise, leader_propose)",
             sim_node_name(w, from), ballot_name(w, p->ballot, a, sizeof a), t);
        return;
      }
      if (p->slot >= PX_MAX_SLOTS) return;
      if (!proposable(rec, p->value)) {
        stop(w, x, "validity",
             "%s proposed %s for slot %u at t=%s, a value no proposer or client put forward: "
             "propose the value a promise reported or your own (proposer_on_promise, "
             "leader_on_promise)",
             sim_node_name(w, from), value_name(p->value, v, sizeof v), p->slot, t);
        return;
      }
      /* One value per (slot, ballot): a ballot is a single proposal. */
      px_vote *vt = find_vote(rec, p->slot, p->ballot, p->value, true);
      if (vt) {
        if (vt->value != p->value) {
          stop(w, x, "ballots",
               "%s proposed %s for slot %u at ballot %s at t=%s, but %s was already proposed at "
               "that ballot: one ballot is one proposal with one value (a leader proposes a "
               "slot once per ballot; a new attempt takes a new ballot)",
               sim_node_name(w, from), value_name(p->value, v, sizeof v), p->slot,
               ballot_name(w, p->ballot, a, sizeof a), t, value_name(vt->value, c, sizeof c));
          return;
        }
      }
      /* P2b, recorded (not stopping the run): once chosen, every higher ballot proposes it. */
      const px_choice *ch = &rec->chosen[p->slot];
      if (ch->chosen && cmp_ballot(p->ballot, ch->ballot) > 0 && p->value != ch->value &&
          !rec->p2b[0]) {
        char chosen_at[32], by[64], who[300] = "";
        if (!rec->multi && p->slot == 0) {
          size_t at = 0;
          for (int i = 0; i < rec->acceptors && at < sizeof who; i++) {
            if (!(x->promised_by[from] & (1u << i))) continue;
            px_slot r = x->reported[from][i];
            char rb[48], rv[24];
            at += (size_t)snprintf(who + at, sizeof who - at, "%s%s reported %s%s%s",
                                   at ? ", " : "; its promises: ", sim_node_name(w, i),
                                   value_name(r.value, rv, sizeof rv), r.ballot.round ? "@" : "",
                                   r.ballot.round ? ballot_name(w, r.ballot, rb, sizeof rb) : "");
          }
        }
        snprintf(rec->p2b, sizeof rec->p2b,
                 "P2b broken: %s proposed %s for slot %u at ballot %s at t=%s, but %s had been "
                 "chosen there at ballot %s (accepted by %s at t=%s)%s",
                 sim_node_name(w, from), value_name(p->value, v, sizeof v), p->slot,
                 ballot_name(w, p->ballot, a, sizeof a), t, value_name(ch->value, c, sizeof c),
                 ballot_name(w, ch->ballot, b, sizeof b), nodes_name(w, ch->by, by, sizeof by),
                 when(ch->at, chosen_at, sizeof chosen_at), who);
      }
      return;
    }
    case MSG_PROMISE: {
      const px_promise_body *p = ev->body;
      if (from >= rec->acceptors) return;
      const px_state *s = sim_state(w, from);
      if (cmp_ballot(s->acc.promised, p->ballot) < 0) {
        stop(w, x, "persist-before-reply",
             "%s sent a Promise for %s at t=%s with promised=%s in memory and %s on disk: "
             "acceptor_on_prepare must set promised to the Prepare's ballot, then persist "
             "(acceptor_persist), then send the Promise (Paxos Made Simple 2.2, phase 1(b))",
             sim_node_name(w, from), ballot_name(w, p->ballot, a, sizeof a), t,
             ballot_name(w, s->acc.promised, b, sizeof b),
             ballot_name(w, disk->acc.promised, d, sizeof d));
        return;
      }
      if (cmp_ballot(disk->acc.promised, p->ballot) < 0) {
        stop(w, x, "persist-before-reply",
             "%s sent a Promise for %s at t=%s, but its stable storage says promised=%s: a "
             "crash right after this send would forget the promise; call acceptor_persist "
             "before sending (acceptor_on_prepare; Paxos Made Simple 2.5)",
             sim_node_name(w, from), ballot_name(w, p->ballot, a, sizeof a), t,
             ballot_name(w, disk->acc.promised, b, sizeof b));
        return;
      }
      for (uint32_t slot = p->from_slot; slot < PX_MAX_SLOTS; slot++) {
        if (same_slot(p->accepted[slot], s->acc.accepted[slot])) continue;
        stop(w, x, "promise-report",
             "%s's Promise for %s at t=%s reports %s for slot %u, but it has accepted %s "
             "there: a promise carries the highest-numbered proposal accepted in every slot "
             "from from_slot on (acceptor_on_prepare; Paxos Made Simple 2.2, phase 1(b))",
             sim_node_name(w, from), ballot_name(w, p->ballot, a, sizeof a), t,
             slot_name(w, p->accepted[slot], b, sizeof b), slot,
             slot_name(w, s->acc.accepted[slot], d, sizeof d));
        return;
      }
      if (cmp_ballot(p->ballot, rec->told[from].promised) > 0) rec->told[from].promised = p->ballot;
      return;
    }
    case MSG_ACCEPTED: {
      const px_accepted_body *p = ev->body;
      if (from >= rec->acceptors || p->slot >= PX_MAX_SLOTS) return;
      const px_slot on_disk = disk->acc.accepted[p->slot];
      const px_acceptor *mem = &((const px_state *)sim_state(w, from))->acc;
      if (cmp_ballot(mem->promised, p->ballot) < 0 &&
          cmp_ballot(disk->acc.promised, mem->promised) == 0 &&
          same_slot(on_disk, mem->accepted[p->slot])) {
        /* On disk as in memory: the acceptor forgot to raise its promise, not to persist. */
        stop(w, x, "persist-before-reply",
             "%s sent Accepted(%s, slot %u, %s) at t=%s with promised=%s, in memory and on "
             "disk, below the ballot it accepted: acceptor_on_accept must raise promised to the "
             "accepted ballot (accepting %s promises it too), then persist",
             sim_node_name(w, from), ballot_name(w, p->ballot, a, sizeof a), p->slot,
             value_name(p->value, v, sizeof v), t, ballot_name(w, mem->promised, b, sizeof b),
             ballot_name(w, p->ballot, d, sizeof d));
        return;
      }
      if (cmp_ballot(on_disk.ballot, p->ballot) != 0 || on_disk.value != p->value ||
          cmp_ballot(disk->acc.promised, p->ballot) < 0) {
        stop(w, x, "persist-before-reply",
             "%s sent Accepted(%s, slot %u, %s) at t=%s, but its stable storage holds %s for "
             "that slot and promised=%s: write the acceptance (and the promise it implies) "
             "with acceptor_persist before telling the learners (acceptor_on_accept)",
             sim_node_name(w, from), ballot_name(w, p->ballot, a, sizeof a), p->slot,
             value_name(p->value, v, sizeof v), t, slot_name(w, on_disk, b, sizeof b),
             ballot_name(w, disk->acc.promised, d, sizeof d));
        return;
      }
      if (cmp_ballot(p->ballot, rec->told[from].promised) > 0) rec->told[from].promised = p->ballot;
      rec->told[from].accepted[p->slot] = (px_slot){.ballot = p->ballot, .value = p->value};
      return;
    }
    case MSG_NACK: {
      rec->nacks++;
      const px_nack_body *k = ev->body;
      if (from >= rec->acceptors) return;
      const px_ballot promised = ((const px_state *)sim_state(w, from))->acc.promised;
      const char *what = k->phase == PX_PHASE1 ? "Prepare" : "Accept";
      if (cmp_ballot(k->promised, promised) != 0) {
        stop(w, x, "promise-kept",
             "%s refused %s's %s %s at t=%s with a Nack naming the promise %s, but its promise "
             "is %s: a Nack carries s->acc.promised, the ballot the proposer must beat "
             "(acceptor_on_prepare, acceptor_on_accept)",
             sim_node_name(w, from), sim_node_name(w, ev->peer), what,
             ballot_name(w, k->ballot, a, sizeof a), t, ballot_name(w, k->promised, b, sizeof b),
             ballot_name(w, promised, d, sizeof d));
        return;
      }
      int c = cmp_ballot(k->ballot, promised);
      if (k->phase == PX_PHASE2 && c >= 0) {
        stop(w, x, "promise-kept",
             "%s refused %s's Accept %s for slot %u at t=%s, naming its promise %s: an acceptor "
             "refused an Accept %s: accept at or above it (acceptor_on_accept; Paxos Made Simple "
             "2.2, phase 2(b): refuse only a ballot below the promise)",
             sim_node_name(w, from), sim_node_name(w, ev->peer),
             ballot_name(w, k->ballot, a, sizeof a), k->slot, t,
             ballot_name(w, promised, b, sizeof b),
             c == 0 ? "at its own promise" : "above its promise");
        return;
      }
      if (k->phase == PX_PHASE1 && c > 0) {
        stop(w, x, "promise-kept",
             "%s refused %s's Prepare %s at t=%s, naming its promise %s: an acceptor refused a "
             "Prepare above its promise: promise it (acceptor_on_prepare; Paxos Made Simple 2.2, "
             "phase 1(b))",
             sim_node_name(w, from), sim_node_name(w, ev->peer),
             ballot_name(w, k->ballot, a, sizeof a), t, ballot_name(w, promised, b, sizeof b));
        return;
      }
      return;
    }
    case MSG_REQUEST: {
      const px_request_body *r = ev->body;
      if (r->command < PX_VALUE_LIMIT) rec->proposable[r->command] = true;
      return;
    }
    default:
      return;
  }
}

static void watch(sim_world *w, const sim_event *ev, void *ctx) {
  px_run *x = ctx;
  px_record *rec = &x->rec;
  int node = ev->node;
  if (node < 0 || node >= PX_MAX_NODES) return;
  switch (ev->kind) {
    case SIM_EV_CRASH:
      rec->crashes++;
      rec->crashed_at[node] = ev->time;
      if (node < rec->acceptors)
        rec->before_crash[node] = ((const px_state *)sim_state(w, node))->acc;
      break;
    case SIM_EV_RESTART:
      rec->restarts++;
      rec->restarted_at[node] = ev->time;
      rec->fresh[node] = true;
      x->fresh_learner[node] = true;
      break;
    case SIM_EV_SEND:
      watch_send(w, x, ev);
      break;
    case SIM_EV_RECV:
      /* The promises a proposer has received for its latest ballot (for the P2b explanation). */
      if (ev->msg_type == MSG_PROMISE && ev->peer >= 0 && ev->peer < rec->acceptors) {
        const px_promise_body *p = ev->body;
        if (cmp_ballot(p->ballot, rec->last_prepare[node]) == 0) {
          x->promised_by[node] |= 1u << ev->peer;
          x->reported[node][ev->peer] = p->accepted[0];
        }
      }
      break;
    default:
      break;
  }
}

/* ---------------------------------------------------------------------------------------------
 * After every event.
 */

/* Acceptor i's state after a restart: durable (or, in the demonstration, what it forgot). */
static bool check_restart(sim_world *w, px_run *x, int i, char *why, size_t cap) {
  px_record *rec = &x->rec;
  const px_acceptor *now = &((const px_state *)sim_state(w, i))->acc;
  const px_acceptor *told = &rec->told[i];
  char t[32], a[48], b[48], v[24];
  when(rec->restarted_at[i], t, sizeof t);
  if (rec->volatile_acceptor) {
    const px_acceptor *before = &rec->before_crash[i];
    for (uint32_t slot = 0; slot < PX_MAX_SLOTS; slot++) {
      if (before->accepted[slot].ballot.round == 0 ||
          cmp_ballot(now->accepted[slot].ballot, before->accepted[slot].ballot) >= 0)
        continue;
      rec->forgot++;
      if (!rec->forgot_text[0]) {
        char tc[32];
        snprintf(rec->forgot_text, sizeof rec->forgot_text,
                 "%s had accepted %s@%s in slot %u and promised %s, crashed at t=%s and came "
                 "back at t=%s remembering nothing: its acceptor state lived in memory only",
                 sim_node_name(w, i), value_name(before->accepted[slot].value, v, sizeof v),
                 ballot_name(w, before->accepted[slot].ballot, a, sizeof a), slot,
                 ballot_name(w, before->promised, b, sizeof b),
                 when(rec->crashed_at[i], tc, sizeof tc), t);
      }
      break;
    }
    return true;
  }
  x->rule = "durable";
  if (cmp_ballot(now->promised, told->promised) < 0) {
    snprintf(why, cap,
             "%s restarted at t=%s with promised=%s, but before its crash it had told a "
             "proposer it promised %s: acceptor_recover must read back what acceptor_persist "
             "wrote (the whole px_acceptor, at offset 0)",
             sim_node_name(w, i), t, ballot_name(w, now->promised, a, sizeof a),
             ballot_name(w, told->promised, b, sizeof b));
    return false;
  }
  for (uint32_t slot = 0; slot < PX_MAX_SLOTS; slot++) {
    if (told->accepted[slot].ballot.round == 0) continue;
    int c = cmp_ballot(now->accepted[slot].ballot, told->accepted[slot].ballot);
    if (c > 0 || (c == 0 && now->accepted[slot].value == told->accepted[slot].value)) continue;
    snprintf(why, cap,
             "%s restarted at t=%s without its acceptance of %s@%s in slot %u, which it had "
             "announced to the learners: acceptor_recover must read back what acceptor_persist "
             "wrote",
             sim_node_name(w, i), t, value_name(told->accepted[slot].value, v, sizeof v),
             ballot_name(w, told->accepted[slot].ballot, a, sizeof a), slot);
    return false;
  }
  return true;
}

/* Acceptor i accepted (b, v) in slot during this event: record it, and judge agreement. */
static bool record_accept(sim_world *w, px_run *x, int i, uint32_t slot, px_slot got, char *why,
                          size_t cap) {
  px_record *rec = &x->rec;
  char t[32], a[48], b[48], v[24], c[24], by[64], by2[64], t2[32];
  when(sim_now(w), t, sizeof t);
  x->rule = "validity";
  if (!proposable(rec, got.value)) {
    snprintf(why, cap,
             "%s accepted %s in slot %u at ballot %s at t=%s, a value nobody proposed: accept "
             "the Accept's value (acceptor_on_accept)",
             sim_node_name(w, i), value_name(got.value, v, sizeof v), slot,
             ballot_name(w, got.ballot, a, sizeof a), t);
    return false;
  }
  px_vote *vt = find_vote(rec, slot, got.ballot, got.value, true);
  if (!vt) {
    x->rule = "checker";
    snprintf(why, cap,
             "more than %d proposals in one run: the checker cannot follow this run any further "
             "(shorten it)",
             PX_MAX_VOTES);
    return false;
  }
  if (vt->value != got.value) {
    x->rule = "ballots";
    snprintf(why, cap,
             "%s accepted %s in slot %u at ballot %s at t=%s, but that ballot proposed %s: "
             "accept exactly the Accept's value (acceptor_on_accept)",
             sim_node_name(w, i), value_name(got.value, v, sizeof v), slot,
             ballot_name(w, got.ballot, a, sizeof a), t, value_name(vt->value, c, sizeof c));
    return false;
  }
  if (!vt->by) vt->first = sim_now(w);
  vt->by |= 1u << i;
  if (popcount(vt->by) < rec->acceptors / 2 + 1) return true;
  px_choice *ch = &rec->chosen[slot];
  if (!ch->chosen) {
    *ch = (px_choice){
        .chosen = true, .ballot = vt->ballot, .value = vt->value, .by = vt->by, .at = sim_now(w)};
    rec->slots_chosen++;
    return true;
  }
  if (ch->value == vt->value) return true;
  x->rule = "agreement";
  int n =
      snprintf(why, cap,
               "two values chosen in slot %u: %s at ballot %s (accepted by %s, t=%s) and %s "
               "at ballot %s (accepted by %s, t=%s)",
               slot, value_name(ch->value, c, sizeof c), ballot_name(w, ch->ballot, a, sizeof a),
               nodes_name(w, ch->by, by, sizeof by), when(ch->at, t2, sizeof t2),
               value_name(vt->value, v, sizeof v), ballot_name(w, vt->ballot, b, sizeof b),
               nodes_name(w, vt->by, by2, sizeof by2), t);
  if (n < 0 || (size_t)n >= cap) return false;
  if (rec->forgot_text[0])
    snprintf(why + n, cap - (size_t)n, ". Why: %s; %s", rec->forgot_text,
             rec->p2b[0] ? rec->p2b : "");
  else if (rec->p2b[0])
    snprintf(why + n, cap - (size_t)n,
             ". The first wrong proposal: %s. A proposer must propose the value of the "
             "highest-numbered proposal its majority of promises reported "
             "(proposer_on_promise / leader_on_promise)",
             rec->p2b);
  else
    snprintf(why + n, cap - (size_t)n,
             ". Look at acceptor_on_prepare (the promise and its report) and acceptor_on_accept");
  return false;
}

static bool acceptor_rules(sim_world *w, px_run *x, int i, char *why, size_t cap) {
  px_record *rec = &x->rec;
  const px_acceptor *now = &((const px_state *)sim_state(w, i))->acc;
  px_acceptor *seen = &rec->seen_acc[i];
  char t[32], a[48], b[48];
  when(sim_now(w), t, sizeof t);
  if (rec->fresh[i]) {
    rec->fresh[i] = false;
    bool ok = check_restart(w, x, i, why, cap);
    *seen = *now;
    return ok;
  }
  x->rule = "promise-kept";
  /* An acceptance below the promise first: it also lowers the promise, and is the cause. */
  for (uint32_t slot = 0; slot < PX_MAX_SLOTS; slot++) {
    px_slot got = now->accepted[slot];
    if (same_slot(got, seen->accepted[slot]) || got.ballot.round == 0 ||
        cmp_ballot(got.ballot, seen->promised) >= 0)
      continue;
    snprintf(why, cap,
             "%s accepted ballot %s in slot %u at t=%s after promising %s: phase 2(b) accepts "
             "only a ballot at or above the promise, and answers a lower one with a Nack "
             "(acceptor_on_accept)",
             sim_node_name(w, i), ballot_name(w, got.ballot, a, sizeof a), slot, t,
             ballot_name(w, seen->promised, b, sizeof b));
    return false;
  }
  if (cmp_ballot(now->promised, seen->promised) < 0) {
    snprintf(why, cap,
             "%s's promise went down from %s to %s at t=%s: a promise only ever rises "
             "(acceptor_on_prepare, acceptor_on_accept)",
             sim_node_name(w, i), ballot_name(w, seen->promised, a, sizeof a),
             ballot_name(w, now->promised, b, sizeof b), t);
    return false;
  }
  for (uint32_t slot = 0; slot < PX_MAX_SLOTS; slot++) {
    px_slot got = now->accepted[slot];
    if (same_slot(got, seen->accepted[slot])) continue;
    if (got.ballot.round == 0) {
      snprintf(why, cap, "%s dropped its accepted proposal in slot %u at t=%s", sim_node_name(w, i),
               slot, t);
      return false;
    }
    if (!record_accept(w, x, i, slot, got, why, cap)) return false;
  }
  *seen = *now;
  return true;
}

static bool learner_rules(sim_world *w, px_run *x, int j, char *why, size_t cap) {
  px_record *rec = &x->rec;
  const px_state *s = sim_state(w, j);
  char t[32], a[48], v[24], c[24];
  for (uint32_t slot = 0; slot < PX_MAX_SLOTS; slot++) {
    px_value got = s->lrn.learned[slot];
    px_value *seen = &rec->seen_learned[j][slot];
    if (got == *seen) continue;
    when(sim_now(w), t, sizeof t);
    x->rule = "learned-chosen";
    if (*seen != PX_NONE) {
      snprintf(why, cap, "%s had learned %s in slot %u and now says %s (t=%s): learned is final",
               sim_node_name(w, j), value_name(*seen, v, sizeof v), slot,
               value_name(got, c, sizeof c), t);
      return false;
    }
    const px_choice *ch = &rec->chosen[slot];
    if (!ch->chosen) {
      /* Who accepted it, at which ballot: "a0 at (1,p3), a2 at (2,p4)". */
      char who[240] = "";
      size_t at = 0;
      for (int i = 0; i < rec->acceptors; i++)
        for (int32_t k = rec->vote_head[slot]; k >= 0 && at < sizeof who; k = rec->votes[k].next)
          if (rec->votes[k].value == got && (rec->votes[k].by & (1u << i)))
            at += (size_t)snprintf(who + at, sizeof who - at, "%s%s at %s", at ? ", " : "",
                                   sim_node_name(w, i),
                                   ballot_name(w, rec->votes[k].ballot, a, sizeof a));
      snprintf(why, cap,
               "%s learned %s in slot %u at t=%s, but no value is chosen there yet (%s%s%s): "
               "a value is chosen once a majority of the acceptors (%d of %d) accepted it in one "
               "ballot; count distinct acceptors of one ballot (learner_on_accepted)",
               sim_node_name(w, j), value_name(got, v, sizeof v), slot, t,
               at ? who : "no acceptor accepted it", at ? " accepted it" : "",
               at ? ", not a majority of one ballot" : "", rec->acceptors / 2 + 1, rec->acceptors);
      return false;
    }
    if (ch->value != got) {
      snprintf(why, cap,
               "%s learned %s in slot %u at t=%s, but the value chosen there is %s (ballot %s): "
               "learn only a value a majority accepted in one ballot (learner_on_accepted)",
               sim_node_name(w, j), value_name(got, v, sizeof v), slot, t,
               value_name(ch->value, c, sizeof c), ballot_name(w, ch->ballot, a, sizeof a));
      return false;
    }
    *seen = got;
    rec->last_learned = sim_now(w);
  }
  return true;
}

/* The checks of the whole world after an event. A failed one stops the world with sim_fail,
 * under its own rule's name, and keeps the whole explanation in x->full. */
static bool checks(sim_world *w, px_run *x, char *why, size_t cap) {
  px_record *rec = &x->rec;
  for (int i = 0; i < rec->acceptors; i++)
    if (!acceptor_rules(w, x, i, why, cap)) return false;
  for (int j = 0; j < rec->learners; j++) {
    if (x->fresh_learner[j]) { /* a restarted learner starts again from nothing */
      x->fresh_learner[j] = false;
      memset(rec->seen_learned[j], 0, sizeof rec->seen_learned[j]);
    }
    if (!learner_rules(w, x, j, why, cap)) return false;
  }
  return true;
}

static bool paxos_rules(sim_world *w, void *ctx, char *why, size_t cap) {
  (void)why;
  (void)cap;
  px_run *x = ctx;
  px_record *rec = &x->rec;
  if (!checks(w, x, x->full, sizeof x->full)) {
    sim_fail(w, x->rule ? x->rule : "paxos", "%.700s", x->full);
    x->full_used = true;
    return true;
  }
  if (rec->multi)
    for (int j = 0; j < rec->acceptors; j++) {
      bool active = ((const px_state *)sim_state(w, j))->ldr.active;
      if (active && !x->was_active[j]) rec->leader_changes++;
      x->was_active[j] = active;
    }
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Faults placed by the scenarios.
 */

/* The replica that leads now (the highest ballot if several think they do), or -1. */
static int current_leader(sim_world *w, const px_run *x) {
  int leader = -1;
  px_ballot best = {0, 0};
  for (int i = 0; i < x->rec.acceptors; i++) {
    const px_state *s = sim_state(w, i);
    if (sim_alive(w, i) && s->ldr.active && cmp_ballot(s->ldr.ballot, best) > 0) {
      best = s->ldr.ballot;
      leader = i;
    }
  }
  return leader;
}

/* Restart replica `node` with its links as they were before it failed. */
static void restart_replica(sim_world *w, void *ctx, uint64_t node) {
  px_run *x = ctx;
  for (int to = 0; to < sim_nodes(w); to++)
    if (to != (int)node) sim_set_link(w, (int)node, to, &x->net);
  if (!sim_alive(w, (int)node)) sim_restart(w, (int)node);
}

/* Crash the replica that is failing (`arg`), and restart it leader_down later. */
static void crash_failing(sim_world *w, void *ctx, uint64_t node) {
  px_run *x = ctx;
  if (!sim_alive(w, (int)node)) return;
  sim_crash(w, (int)node);
  sim_at(w, sim_now(w) + x->leader_down, restart_replica, x, node);
}

/* The leader starts failing: for 30 ms most of what it sends is lost (it keeps taking commands
 * and proposing them, so some slots reach some acceptors and others none), then it crashes. A
 * new leader may find a slot reported above one nobody reported: a gap for a no-op. */
static void leader_fails(sim_world *w, void *ctx, uint64_t arg) {
  (void)arg;
  px_run *x = ctx;
  int leader = current_leader(w, x);
  if (leader < 0) return;
  sim_net_config lossy = x->net;
  lossy.loss = 0.8;
  for (int to = 0; to < sim_nodes(w); to++)
    if (to != leader) sim_set_link(w, leader, to, &lossy);
  sim_at(w, sim_now(w) + 30 * SIM_MS, crash_failing, x, (uint64_t)leader);
}

static void loss_at(sim_world *w, void *ctx, uint64_t percent) {
  (void)ctx;
  sim_net_config cfg = *sim_link_config(w, 0, 0);
  cfg.loss = (double)percent / 100.0;
  cfg.duplicate = (double)percent / 100.0;
  sim_adjust_net(w, &cfg, SIM_NET_LOSS | SIM_NET_DUPLICATE);
}

/* ---------------------------------------------------------------------------------------------
 * Single decree.
 */

typedef struct single_setup {
  int acceptors, proposers;
  sim_time start_max;  /* proposers after the first start at random times up to this ... */
  sim_time start_step; /* ... or, if start_max is 0, proposer k starts at k * start_step */
  bool backoff;
  sim_time retry, attempt_timeout, backoff_base, backoff_cap;
  bool volatile_acceptor;
  sim_net_config net;
  int crashes; /* acceptor crashes, one at a time, placed at random ... */
  sim_time crash_from, crash_to, down_min, down_max; /* ... in this window, down this long */
  sim_time quiet_at; /* loss and duplication stop here (0: they never do) */
  sim_time deadline;
} single_setup;

static single_setup single_default(void) {
  single_setup su = {.acceptors = 3,
                     .proposers = 2,
                     .start_max = 30 * SIM_MS,
                     .backoff = true,
                     .retry = 0,
                     .attempt_timeout = 60 * SIM_MS,
                     .backoff_base = 10 * SIM_MS,
                     .backoff_cap = 160 * SIM_MS,
                     .net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0, 0),
                     .deadline = 3 * SIM_SEC};
  return su;
}

static px_run *new_run(lab_run *run, int acceptors, int learners, int nodes, bool multi) {
  px_run *x = calloc(1, sizeof *x);
  if (!x) abort();
  x->rec.acceptors = acceptors;
  x->rec.learners = learners;
  x->rec.nodes = nodes;
  x->rec.multi = multi;
  for (int i = 0; i < PX_MAX_SLOTS; i++) x->rec.vote_head[i] = -1;
  run->lab_data = x;
  return x;
}

static sim_world *build_single(lab_run *run, const single_setup *su) {
  sim_world *w = sim_create(run->seed);
  int nodes = su->acceptors + su->proposers;
  px_config acc = {.kind = PX_ACCEPTOR,
                   .acceptors = su->acceptors,
                   .learners = nodes,
                   .volatile_acceptor = su->volatile_acceptor,
                   .catchup_every = 100 * SIM_MS};
  for (int i = 0; i < su->acceptors; i++) {
    sim_add_node(w, &paxos_protocol, &acc, sizeof acc);
    char name[16];
    snprintf(name, sizeof name, "a%d", i);
    sim_set_node_name(w, i, name);
  }
  px_run *x = new_run(run, su->acceptors, nodes, nodes, false);
  x->proposers_first = su->acceptors;
  x->proposers_last = nodes - 1;
  x->rec.volatile_acceptor = su->volatile_acceptor;
  rng *workload = sim_workload_rng(w);
  for (int k = 0; k < su->proposers; k++) {
    int id = su->acceptors + k;
    px_config p = acc;
    p.kind = PX_PROPOSER;
    p.value = (px_value)id * 1000 + 1;
    p.start = su->start_max ? (k == 0 ? 0 : rng_below(workload, su->start_max + 1))
                            : (sim_time)k * su->start_step;
    p.attempt_timeout = su->attempt_timeout;
    p.backoff = su->backoff;
    p.retry = su->retry;
    p.backoff_base = su->backoff_base;
    p.backoff_cap = su->backoff_cap;
    sim_add_node(w, &paxos_protocol, &p, sizeof p);
    char name[16];
    snprintf(name, sizeof name, "p%d", id);
    sim_set_node_name(w, id, name);
    x->rec.proposable[p.value] = true;
  }
  sim_set_net(w, &su->net);
  rng *r = sim_nemesis_rng(w);
  sim_time at = su->crash_from;
  for (int k = 0; k < su->crashes && su->crash_to > su->crash_from; k++) {
    int node = (int)rng_below(r, (uint64_t)su->acceptors);
    at += rng_below(r, (su->crash_to - su->crash_from) / (sim_time)su->crashes + 1);
    sim_time down = su->down_min + rng_below(r, su->down_max - su->down_min + 1);
    sim_crash_at(w, at, node);
    sim_restart_at(w, at + down, node);
    at += down + 1;
    x->faults_end = at;
  }
  if (su->quiet_at) sim_at(w, su->quiet_at, loss_at, NULL, 0);
  if (su->quiet_at > x->faults_end) x->faults_end = su->quiet_at;
  sim_observe(w, watch, x);
  sim_invariant(w, "paxos", paxos_rules, x);
  lab_begin(run, w);
  return w;
}

/* Run until every fault is over: the scenario's own and those of --nemesis. Liveness is judged
 * from then on. Returns false if a check stopped the run. */
static bool run_past_faults(lab_run *run) {
  px_run *x = run_of(run);
  sim_time end = x->faults_end;
  if (run->schedule && nemesis_end(run->schedule) > end) end = nemesis_end(run->schedule);
  if (end > sim_now(run->world)) sim_run_until_time(run->world, end);
  return !sim_violated(run->world, NULL);
}

/* The verdict of a run the checks stopped: the report, with the whole explanation. */
static bool violation_verdict(lab_run *run) {
  px_run *x = run_of(run);
  const char *report = "";
  sim_violated(run->world, &report);
  if (!x->full_used) return lab_verdict(run, false, "%s", report);
  char t[32];
  return lab_verdict(run, false, "%s violated at t=%s: %s", x->rule ? x->rule : "paxos",
                     when(sim_now(run->world), t, sizeof t), x->full);
}

static bool everyone_learned(sim_world *w, void *ctx) {
  const px_record *rec = ctx;
  for (int i = 0; i < rec->learners; i++) {
    if (!sim_alive(w, i)) return false;
    if (((const px_state *)sim_state(w, i))->lrn.learned[0] == PX_NONE) return false;
  }
  return true;
}

static const char *ballots_text(const sim_world *w, const px_run *x, char *buf, size_t cap) {
  size_t at = 0;
  buf[0] = 0;
  for (int p = x->proposers_first; p <= x->proposers_last && at < cap; p++)
    at += (size_t)snprintf(buf + at, cap - at, "%s%s: %u", at ? ", " : "", sim_node_name(w, p),
                           x->rec.ballots_of[p]);
  return buf;
}

/* Run until every learner has learned, or the deadline; judge. */
static bool judge_single(lab_run *run, sim_time deadline) {
  sim_world *w = run->world;
  px_run *x = run_of(run);
  px_record *rec = &x->rec;
  bool all = run_past_faults(run) && sim_run_until(w, everyone_learned, rec, deadline);
  char t[32], t2[32], v[24], a[48], by[64], list[200];
  if (sim_violated(w, NULL)) return violation_verdict(run);
  if (!all) {
    if (!rec->chosen[0].chosen)
      return lab_verdict(run, false,
                         "liveness: no value chosen by t=%s; %u ballots tried (%s), %u Nacks, "
                         "%llu messages lost%s",
                         when(deadline, t, sizeof t), rec->ballots,
                         ballots_text(w, x, list, sizeof list), rec->nacks,
                         (unsigned long long)sim_get_stats(w)->dropped_loss,
                         run->scenario && strcmp(run->scenario, "duel") == 0
                             ? ": every ballot was pre-empted by a higher one before a majority "
                               "accepted it (a livelock: Paxos Made Simple 2.4; randomized "
                               "backoff, as in duel-backoff, ends it)"
                             : ": does each failed attempt (a Nack, proposer_on_nack sets IDLE, "
                               "or its timer) lead to a new ballot after a random wait "
                               "(proposer_backoff), and does a majority of promises lead to "
                               "Accepts (proposer_on_promise)?");
    for (int i = 0; i < rec->learners; i++) {
      const px_state *s = sim_state(w, i);
      if (sim_alive(w, i) && s->lrn.learned[0] != PX_NONE) continue;
      return lab_verdict(run, false,
                         "liveness: %s was chosen at t=%s, but by t=%s %s had not learned it%s "
                         "(learner_on_accepted; catch-up also asks a peer every 100ms)",
                         value_name(rec->chosen[0].value, v, sizeof v),
                         when(rec->chosen[0].at, t2, sizeof t2), when(deadline, t, sizeof t),
                         sim_node_name(w, i), sim_alive(w, i) ? "" : " (it was down)");
    }
  }
  sim_time learned_at = rec->last_learned;
  sim_run_for(w, 300 * SIM_MS); /* stragglers: late Accepts and duplicates must change nothing */
  if (sim_violated(w, NULL)) return violation_verdict(run);
  if (rec->p2b[0] && rec->forgot)
    return lab_verdict(run, false, "%s. Why: %s", rec->p2b, rec->forgot_text);
  if (rec->p2b[0])
    return lab_verdict(run, false,
                       "%s: a proposer must propose the value of the highest-numbered proposal "
                       "its promises reported (proposer_on_promise)",
                       rec->p2b);
  const sim_stats *st = sim_get_stats(w);
  char faults[200] = "";
  if (rec->crashes)
    snprintf(faults, sizeof faults, "; %u acceptor crash(es) and restart(s)", rec->crashes);
  return lab_verdict(
      run, true,
      "agreement: %s chosen at ballot %s by %s at t=%s; all %d learners had learned it at t=%s; %u "
      "ballots (%s), %u Nacks; the network lost %llu and duplicated %llu messages%s",
      value_name(rec->chosen[0].value, v, sizeof v),
      ballot_name(w, rec->chosen[0].ballot, a, sizeof a),
      nodes_name(w, rec->chosen[0].by, by, sizeof by), when(rec->chosen[0].at, t, sizeof t),
      rec->learners, when(learned_at, t2, sizeof t2), rec->ballots,
      ballots_text(w, x, list, sizeof list), rec->nacks, (unsigned long long)st->dropped_loss,
      (unsigned long long)st->duplicated, faults);
}

/* Build a single-decree world from su, run it and judge it. */
static bool run_single(lab_run *run, const single_setup *su) {
  build_single(run, su);
  return judge_single(run, su->deadline);
}

static bool scenario_basic(lab_run *run) {
  single_setup su = single_default();
  return run_single(run, &su);
}

static bool scenario_lossy(lab_run *run) {
  single_setup su = single_default();
  su.proposers = 3;
  su.acceptors = lab_nodes(run, 8) - su.proposers;
  su.net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0.2, 0.2);
  su.quiet_at = 2 * SIM_SEC;
  su.deadline = 6 * SIM_SEC;
  return run_single(run, &su);
}

/* Two proposers, the second 8 ms after the first, on links of 4..6 ms. An attempt needs three
 * message delays (12..18 ms) to get its Accepts to the acceptors; each proposer gives an attempt
 * up after 16 ms and, without backoff, starts the next one at once (after a Nack too). The two
 * then keep a fixed distance: each new Prepare reaches the acceptors between the other's
 * promises and its Accepts, and pre-empts it. */
static single_setup duel_setup(void) {
  single_setup su = single_default();
  su.start_max = 0;
  su.start_step = 8 * SIM_MS;
  su.net = sim_net_uniform(4 * SIM_MS, 6 * SIM_MS, 0, 0);
  su.backoff = false;
  su.retry = 0;
  su.attempt_timeout = 16 * SIM_MS;
  su.deadline = 2 * SIM_SEC;
  return su;
}

static bool scenario_duel(lab_run *run) {
  single_setup su = duel_setup();
  return run_single(run, &su);
}

static bool scenario_duel_backoff(lab_run *run) {
  single_setup su = duel_setup();
  su.backoff = true;
  return run_single(run, &su);
}

static single_setup crash_setup(void) {
  single_setup su = single_default();
  su.proposers = 2;
  su.start_max = 80 * SIM_MS;
  su.net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0.25, 0.1);
  su.crashes = 3;
  su.crash_from = 5 * SIM_MS;
  su.crash_to = 200 * SIM_MS;
  su.down_min = 1 * SIM_MS;
  su.down_max = 20 * SIM_MS;
  su.quiet_at = 500 * SIM_MS;
  su.deadline = 4 * SIM_SEC;
  return su;
}

static bool scenario_crash_acceptors(lab_run *run) {
  single_setup su = crash_setup();
  return run_single(run, &su);
}

static bool scenario_forgetful(lab_run *run) {
  single_setup su = crash_setup();
  su.volatile_acceptor = true;
  build_single(run, &su);
  bool held = judge_single(run, su.deadline);
  const px_record *rec = &run_of(run)->rec;
  if (!held && rec->forgot) {
    char verdict[sizeof run->verdict];
    snprintf(verdict, sizeof verdict, "%s", run->verdict);
    return lab_verdict(run, false,
                       "as expected with acceptors that forget: %.1800s (the same seed with "
                       "durable acceptors is scenario crash-acceptors)",
                       verdict);
  }
  return held;
}

/* ---------------------------------------------------------------------------------------------
 * Multi-Paxos.
 */

typedef struct multi_setup {
  int replicas, clients;
  uint32_t commands;
  sim_net_config net;
  int leader_crashes; /* whoever leads fails (loses most messages for 30 ms, then crashes),
                         this many times ... */
  sim_time first_crash, crash_gap, leader_down; /* ... from first_crash, crash_gap apart; down
                                                   this long */
  int replica_crashes;   /* besides, crash random replicas (one at a time) ... */
  int isolations;        /* ... and cut random replicas off (one at a time) ... */
  sim_time faults_until; /* ... before this time; loss and duplication stop here too */
  sim_time deadline;
} multi_setup;

static multi_setup multi_default(void) {
  multi_setup su = {.replicas = 3,
                    .clients = 3,
                    .commands = 8,
                    .net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0, 0),
                    .leader_crashes = 1,
                    .first_crash = 250 * SIM_MS,
                    .crash_gap = 400 * SIM_MS,
                    .leader_down = 300 * SIM_MS,
                    .deadline = 10 * SIM_SEC};
  return su;
}

static sim_world *build_multi(lab_run *run, const multi_setup *su) {
  sim_world *w = sim_create(run->seed);
  int nodes = su->replicas + su->clients;
  px_config rep = {.kind = PX_REPLICA,
                   .acceptors = su->replicas,
                   .learners = su->replicas,
                   .catchup_every = 50 * SIM_MS,
                   .heartbeat_every = 25 * SIM_MS,
                   .election_min = 100 * SIM_MS,
                   .election_max = 200 * SIM_MS};
  for (int i = 0; i < su->replicas; i++) sim_add_node(w, &paxos_protocol, &rep, sizeof rep);
  px_config cli = rep;
  cli.kind = PX_CLIENT;
  cli.commands = su->commands;
  cli.think_max = 20 * SIM_MS;
  cli.resend = 100 * SIM_MS;
  for (int k = 0; k < su->clients; k++) {
    int id = sim_add_node(w, &paxos_protocol, &cli, sizeof cli);
    char name[16];
    snprintf(name, sizeof name, "c%d", id);
    sim_set_node_name(w, id, name);
  }
  px_run *x = new_run(run, su->replicas, su->replicas, nodes, true);
  x->clients_first = su->replicas;
  x->clients_last = nodes - 1;
  sim_set_net(w, &su->net);
  x->net = su->net;
  x->leader_down = su->leader_down;
  for (int k = 0; k < su->leader_crashes; k++)
    sim_at(w, su->first_crash + (sim_time)k * su->crash_gap, leader_fails, x, 0);
  rng *r = sim_nemesis_rng(w);
  if (su->faults_until) {
    sim_time span = su->faults_until / (sim_time)(su->replica_crashes + 1);
    for (int k = 0; k < su->replica_crashes; k++) {
      int node = (int)rng_below(r, (uint64_t)su->replicas);
      sim_time at = (sim_time)k * span + rng_below(r, span / 2 + 1);
      sim_crash_at(w, at, node);
      sim_restart_at(w, at + span / 4 + rng_below(r, span / 4 + 1), node);
    }
    span = su->faults_until / (sim_time)(su->isolations + 1);
    for (int k = 0; k < su->isolations; k++) {
      int node = (int)rng_below(r, (uint64_t)su->replicas);
      sim_time at = (sim_time)k * span + span / 2 + rng_below(r, span / 4 + 1);
      sim_isolate_at(w, at, node);
      sim_heal_at(w, at + span / 4 + rng_below(r, span / 4 + 1));
    }
    sim_at(w, su->faults_until, loss_at, NULL, 0);
    x->faults_end = su->faults_until;
  }
  sim_time last_failure =
      su->leader_crashes ? su->first_crash + (sim_time)(su->leader_crashes - 1) * su->crash_gap +
                               30 * SIM_MS + su->leader_down
                         : 0;
  if (last_failure > x->faults_end) x->faults_end = last_failure;
  sim_observe(w, watch, x);
  sim_invariant(w, "paxos", paxos_rules, x);
  lab_begin(run, w);
  return w;
}

/* The highest chosen slot + 1 (ground truth). */
static uint32_t chosen_end(const px_record *rec) {
  uint32_t end = 0;
  for (uint32_t slot = 0; slot < PX_MAX_SLOTS; slot++)
    if (rec->chosen[slot].chosen) end = slot + 1;
  return end;
}

static bool log_complete(sim_world *w, void *ctx) {
  const px_run *x = ctx;
  for (int c = x->clients_first; c <= x->clients_last; c++)
    if (!((const px_state *)sim_state(w, c))->done) return false;
  uint32_t end = chosen_end(&x->rec);
  for (int i = 0; i < x->rec.acceptors; i++)
    if (!sim_alive(w, i) || px_first_unlearned(sim_state(w, i)) < end) return false;
  return true;
}

/* Which slot holds command c (ground truth), or -1; *times counts the slots that hold it. */
static int slot_of(const px_record *rec, px_value c, int *times) {
  int at = -1;
  *times = 0;
  for (uint32_t slot = 0; slot < PX_MAX_SLOTS; slot++)
    if (rec->chosen[slot].chosen && rec->chosen[slot].value == c) {
      if (at < 0) at = (int)slot;
      (*times)++;
    }
  return at;
}

static bool judge_multi(lab_run *run, const multi_setup *su) {
  sim_world *w = run->world;
  px_run *x = run_of(run);
  px_record *rec = &x->rec;
  bool complete = run_past_faults(run) && sim_run_until(w, log_complete, x, su->deadline);
  char t[32], t2[32];
  if (sim_violated(w, NULL)) return violation_verdict(run);
  uint32_t end = chosen_end(rec);
  if (!complete) {
    for (int c = x->clients_first; c <= x->clients_last; c++) {
      const px_state *s = sim_state(w, c);
      if (s->done) continue;
      px_value cmd = (px_value)c * 1000 + s->cmd_index;
      int times;
      int slot = slot_of(rec, cmd, &times);
      return lab_verdict(run, false,
                         "liveness: by t=%s %s had %u of %u commands in the log; command %u is "
                         "%s%s: is a leader elected (leader_start, leader_on_promise), does it "
                         "propose what clients send (leader_propose)?",
                         when(su->deadline, t, sizeof t), sim_node_name(w, c), s->replied,
                         s->cfg.commands, cmd, slot < 0 ? "in no chosen slot" : "chosen in slot ",
                         slot < 0 ? "" : (snprintf(t2, sizeof t2, "%d", slot), t2));
    }
    for (int i = 0; i < rec->acceptors; i++) {
      uint32_t first = px_first_unlearned(sim_state(w, i));
      if (sim_alive(w, i) && first >= end) continue;
      const px_choice *hole = first < PX_MAX_SLOTS ? &rec->chosen[first] : NULL;
      return lab_verdict(run, false,
                         "liveness: by t=%s slots up to %u are chosen, but %s%s has not learned "
                         "slot %u: %s",
                         when(su->deadline, t, sizeof t), end - 1, sim_node_name(w, i),
                         sim_alive(w, i) ? "" : " (down)", first,
                         hole && !hole->chosen
                             ? "no value was ever chosen there, a gap that holds up the log: a new "
                               "leader proposes a no-op in every slot below the highest one its "
                               "promises reported (leader_on_promise)"
                             : "it misses Accepted messages (learner_on_accepted)");
    }
  }
  sim_time done_at = rec->last_learned;
  sim_run_for(w, 500 * SIM_MS);
  if (sim_violated(w, NULL)) return violation_verdict(run);
  if (rec->p2b[0])
    return lab_verdict(run, false,
                       "%s: a new leader must re-propose the highest-"
                       "numbered value its promises reported (leader_on_promise)",
                       rec->p2b);
  /* Every command once or more; holes none (checked by log_complete). */
  rec->duplicates = rec->noops = 0;
  for (uint32_t slot = 0; slot < end; slot++) {
    if (!rec->chosen[slot].chosen)
      return lab_verdict(run, false,
                         "slot %u is not chosen, though slots up to %u are: a gap in the log "
                         "holds up every command after it (leader_on_promise fills gaps with "
                         "no-ops)",
                         slot, end - 1);
    if (rec->chosen[slot].value == PX_NOOP) rec->noops++;
  }
  uint32_t commands = 0;
  for (int c = x->clients_first; c <= x->clients_last; c++)
    for (uint32_t k = 1; k <= su->commands; k++) {
      int times;
      if (slot_of(rec, (px_value)c * 1000 + k, &times) < 0)
        return lab_verdict(run, false, "%s's command %u was answered but is in no chosen slot",
                           sim_node_name(w, c), (px_value)c * 1000 + k);
      commands++;
      if (times > 1) rec->duplicates++;
    }
  const sim_stats *st = sim_get_stats(w);
  return lab_verdict(
      run, true,
      "one log: %u commands from %d clients in %u slots (%u no-ops, %u commands "
      "in two slots), every replica had learned all of them at t=%s; %u phase-1 runs, "
      "%u leaders; %u crashes; the network lost %llu and duplicated %llu messages",
      commands, su->clients, end, rec->noops, rec->duplicates, when(done_at, t, sizeof t),
      rec->ballots, rec->leader_changes, rec->crashes, (unsigned long long)st->dropped_loss,
      (unsigned long long)st->duplicated);
}

static bool scenario_multi(lab_run *run) {
  multi_setup su = multi_default();
  build_multi(run, &su);
  return judge_multi(run, &su);
}

static bool scenario_multi_churn(lab_run *run) {
  multi_setup su = multi_default();
  su.clients = 2;
  su.replicas = lab_nodes(run, 7) - su.clients;
  su.commands = 15;
  su.net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0.1, 0.1);
  su.leader_crashes = 3;
  su.first_crash = 300 * SIM_MS;
  su.crash_gap = 500 * SIM_MS;
  su.leader_down = 200 * SIM_MS;
  su.replica_crashes = 3;
  su.isolations = 2;
  su.faults_until = 2 * SIM_SEC;
  su.deadline = 20 * SIM_SEC;
  build_multi(run, &su);
  return judge_multi(run, &su);
}

static const lab_scenario scenarios[] = {
    {"basic", "single decree: 3 acceptors, 2 proposers (the second starts within 30ms)",
     scenario_basic, LAB_FIXED_NODES},
    {"lossy", "5 acceptors (--nodes 5..12: 3 proposers and N-3 acceptors), 20% loss and dup",
     scenario_lossy, LAB_NODES(5, PX_MAX_NODES)},
    {"duel", "2 proposers 8ms apart retry at once, no backoff: some seeds livelock (exit 1)",
     scenario_duel, LAB_FIXED_NODES},
    {"duel-backoff", "the same duel with randomized exponential backoff: decides",
     scenario_duel_backoff, LAB_FIXED_NODES},
    {"crash-acceptors", "acceptors crash and restart (durable state), 25% loss",
     scenario_crash_acceptors, LAB_FIXED_NODES},
    {"forgetful", "the same with acceptor state in memory only: two values chosen (some seeds)",
     scenario_forgetful, LAB_FIXED_NODES},
    {"multi", "Multi-Paxos: 3 replicas, 3 clients x 8 commands; the leader fails at 250ms",
     scenario_multi, LAB_FIXED_NODES},
    {"multi-churn", "5 replicas (--nodes 5..9: N-2 replicas), 10% loss and dup, crashes, cuts",
     scenario_multi_churn, LAB_NODES(5, 9)},
};

const lab_info lab12 = {
    .id = "12-paxos",
    .title = "agreement despite failures: Paxos and Multi-Paxos",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
