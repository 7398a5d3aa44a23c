/*
 * labs/04-snapshots/driver.c: lab 04's driver: run a scenario, print the recorded global state,
 * write or watch its trace. `driver --help` lists the options; `driver --list` the scenarios.
 */
#include "lab.h"

int main(int argc, char **argv) { return lab_main(argc, argv, &lab04); }
