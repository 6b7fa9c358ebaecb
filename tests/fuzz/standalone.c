/*
 * standalone - a main() for fuzz targets built without libFuzzer: replays
 * every file named on the command line (directories are walked) through
 * LLVMFuzzerTestOneInput, so a gcc build runs each corpus as a ctest.
 */
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define FUZZ_MAX_INPUT (16 * 1024 * 1024)

static int
replay_file(const char *path)
{
	gchar *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &data, &len, NULL) || len > FUZZ_MAX_INPUT) {
		fprintf(stderr, "standalone: cannot read %s\n", path);
		g_free(data);
		return 1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	g_free(data);
	return 0;
}

static int
replay(const char *path, int *count)
{
	GDir *dir;
	const char *name;
	int bad = 0;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		(*count)++;
		return replay_file(path);
	}
	dir = g_dir_open(path, 0, NULL);
	if (dir == NULL)
		return 1;
	while ((name = g_dir_read_name(dir)) != NULL) {
		char *child = g_build_filename(path, name, NULL);

		bad += replay(child, count);
		g_free(child);
	}
	g_dir_close(dir);
	return bad;
}

int
main(int argc, char **argv)
{
	int bad = 0, count = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		bad += replay(argv[i], &count);
	printf("replayed %d input(s), %d unreadable\n", count, bad);
	return bad == 0 && count > 0 ? 0 : 1;
}
