/*
 * labs/15-byzantine/driver.c: lab 15's driver: run an instance of OM(m), write or watch its trace.
 * `driver --help` lists the options; `driver --list` the scenarios (scenarios.c).
 */
#include "lab.h"

int main(int argc, char **argv) { return lab_main(argc, argv, &lab15); }
