/*
 * exercises/14-leases-and-fencing/fence.c: YOUR fencing check at storage for lab 14 (part 2).
 *
 * protocol.c calls fence_admit for every Write that reaches storage, and accepts the write only
 * if it returns true. The contract is in labs/14-leases-and-fencing/lab.h.
 */
#include "lab.h"

bool fence_admit(fence *f, uint64_t token) {
  (void)f;
  (void)token;
  TODO("fence_admit: refuse a token below f->highest; otherwise remember it and admit");
}
