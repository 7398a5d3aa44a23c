/*
 * labs/10-two-phase-commit/driver.c: lab 10's driver: run a scenario, write or watch its trace.
 * `driver --help` lists the options; `driver --list` the scenarios (scenarios.c).
 */
#include "lab.h"

int main(int argc, char **argv) { return lab_main(argc, argv, &lab10); }
