/*
 * solutions/14-leases-and-fencing/fence.c: the reference fencing check at storage for lab 14.
 *
 * The check sits with the resource, not with the leader: a leader cannot know it has been
 * replaced (that is the whole problem), but storage sees every token that reaches it, and tokens
 * rise with every new grant. Chubby, section 2.4 (locks and sequencers): the server that receives
 * a request checks that its sequencer is still current and refuses it otherwise.
 */
#include "lab.h"

bool fence_admit(fence *f, uint64_t token) {
  if (token < f->highest) return false; /* from a leader that has been replaced */
  f->highest = token;                   /* equal: the same leader writing again */
  return true;
}
