/* repwatch - see rw_cli.c */
#include "common/rw_cli.h"

int
main(int argc, char **argv)
{
	return rw_main(argc, argv);
}
