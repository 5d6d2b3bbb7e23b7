/*
 * replay_main.c - runs a fuzz target over files without libFuzzer.
 *
 *   replay_fuzz_<parser> PATH...
 *
 * Calls LLVMFuzzerTestOneInput once per file; directories are walked
 * recursively in name order, so runs are repeatable. A file larger than
 * PIECE_MAX is given in pieces of PIECE_MAX bytes (libFuzzer's own inputs
 * are far smaller; our corpus logs are not). Each input sits in a heap block
 * of exactly its size, so ASan sees a read past its end. Prints "N inputs"
 * and exits 0; a path that cannot be read is an error (exit 1), and a
 * finding aborts through the sanitizer, naming the file being run.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* In the sanitizer runtime when built with one; NULL otherwise. */
void	__sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

#define PIECE_MAX	(1024 * 1024)
#define DEPTH_MAX	32

static const char *current;	/* the file being run, for the death callback */
static unsigned long inputs;
static int errors;

static void
say_current(void)
{
	if (current != NULL)
		fprintf(stderr, "replay: while running %s\n", current);
}

static void
run_input(const unsigned char *buf, size_t n)
{
	unsigned char *copy;

	/* Exactly n bytes, so a read past the input is an overflow. */
	if ((copy = malloc(n > 0 ? n : 1)) == NULL) {
		fprintf(stderr, "replay: out of memory\n");
		exit(1);
	}
	if (n > 0)
		memcpy(copy, buf, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	inputs++;
}

static void
run_file(const char *path)
{
	unsigned char *buf;
	bool first = true;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		errors++;
		return;
	}
	if ((buf = malloc(PIECE_MAX)) == NULL) {
		fprintf(stderr, "replay: out of memory\n");
		exit(1);
	}
	current = path;
	for (;;) {
		n = fread(buf, 1, PIECE_MAX, f);
		/* An empty file is an input too; an empty last piece is not. */
		if (n > 0 || first)
			run_input(buf, n);
		first = false;
		if (n < PIECE_MAX)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		errors++;
	}
	current = NULL;
	free(buf);
	fclose(f);
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
run_path(const char *path, int depth)
{
	struct dirent **ents;
	struct stat st;
	int i, n;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		errors++;
		return;
	}
	if (S_ISREG(st.st_mode)) {
		run_file(path);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		return;
	if (depth >= DEPTH_MAX) {
		fprintf(stderr, "replay: %s: nested too deep\n", path);
		errors++;
		return;
	}
	if ((n = scandir(path, &ents, NULL, by_name)) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		errors++;
		return;
	}
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t l = strlen(path) + strlen(name) + 2;
		char *sub;

		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			if ((sub = malloc(l)) == NULL) {
				fprintf(stderr, "replay: out of memory\n");
				exit(1);
			}
			snprintf(sub, l, "%s/%s", path, name);
			run_path(sub, depth + 1);
			free(sub);
		}
		free(ents[i]);
	}
	free(ents);
}

int
main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(say_current);
	for (i = 1; i < argc; i++)
		run_path(argv[i], 0);
	printf("%lu inputs\n", inputs);
	return errors ? 1 : 0;
}
