/*
 * mem.h: allocation that cannot fail. The library's rule is that running out of memory is fatal:
 * a simulator, a checker or a viewer can do nothing useful after it, so these helpers print one
 * line naming who asked and how much, and abort, and callers never check for NULL.
 */
#ifndef CAUSEWAY_MEM_H
#define CAUSEWAY_MEM_H

#include <stddef.h>

/* realloc(p, n) (n == 0 is treated as 1); on failure prints "WHO: out of memory (N bytes)" and
 * aborts. */
void *mem_realloc(void *p, size_t n, const char *who);
/* calloc(count, size) with the same rule; zero sizes are treated as 1. */
void *mem_calloc(size_t count, size_t size, const char *who);
/* A copy of the string s with the same rule. */
char *mem_strdup(const char *s, const char *who);

#endif
