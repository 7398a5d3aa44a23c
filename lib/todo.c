/*
 * todo.c: what happens when an exercise stub is reached (see todo.h).
 */
#include "todo.h"

#include <stdio.h>
#include <stdlib.h>

static void (*todo_handler)(const char *, const char *, int);

void causeway_set_todo_handler(void (*handler)(const char *, const char *, int)) {
  todo_handler = handler;
}

_Noreturn void causeway_todo(const char *what, const char *file, int line) {
  if (todo_handler) todo_handler(what, file, line); /* does not return */
  fflush(stdout);
  fprintf(stderr, "TODO: %s\n  (the stub at %s:%d is not written yet: see the lab's chapter)\n",
          what, file, line);
  exit(3);
}
