/* repwatch - see app_cli.c */
#include "app/app_cli.h"

int
main(int argc, char **argv)
{
	return app_main(argc, argv);
}
