/*
 * todo.h: the TODO("...") convention for exercise stubs.
 *
 * An exercise function the learner has not written yet calls TODO("what to do"). In a test
 * (tests/harness.c installs a handler), reaching it ends the test case as
 * `not ok N - name # TODO what to do`, so an untouched exercise passes `prove` as all-TODO while
 * wrong code fails for real. In a driver it prints where the stub is and exits with status 3.
 */
#ifndef CAUSEWAY_TODO_H
#define CAUSEWAY_TODO_H

#define TODO(what) causeway_todo((what), __FILE__, __LINE__)

/* Report that a stub was reached; never returns. */
_Noreturn void causeway_todo(const char *what, const char *file, int line);

/* Install the function causeway_todo calls (it must not return), or NULL for the default. */
void causeway_set_todo_handler(void (*handler)(const char *what, const char *file, int line));

#endif
