/*
 * labs/11-sagas/driver.c: lab 11's driver: run a scenario, write or watch its trace.
 * `driver --help` lists the options; `driver --list` the scenarios (scenarios.c).
 */
#include "lab.h"

int main(int argc, char **argv) { return lab_main(argc, argv, &lab11); }
