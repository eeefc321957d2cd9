/*
 * test_util.c -- tests of src/util/util.c: counts by 16-byte key (cb_count16), which import uses for
 * identical rows and the store for the fingerprints of a load; durable writes (cb_file_write_atomic) of files,
 * pipes and devices.  (Dates, errors and buffers are exercised through the modules that use them.)
 */
#include "cb_test.h"

#include <signal.h>

#include "util/cb.h"

static void key_of(uint32_t i, uint8_t key[16])
{
	/* well spread, like the keyed hashes the table is meant for, but with collisions in the low bits */
	uint64_t h = (uint64_t)i * UINT64_C(0x9E3779B97F4A7C15);
	memset(key, 0, 16);
	memcpy(key, &h, sizeof h);
	memcpy(key + 8, &i, sizeof i);
}

/* A durable write replaces a regular file through a rename, but writes a pipe or a device in place: renaming
 * over it would replace the device itself (as root, `report --out /dev/null` used to turn /dev/null into a
 * file).  A pipe stands in for the device, so a regression cannot harm the machine. */
static void test_write_atomic(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct stat st;
	char *back = NULL;
	size_t n = 0;
	const char *file = cbt_path("atomic.txt");
	assert_int_equal(cb_file_write_atomic(file, "one\n", 4, 0600, &err), CB_OK);
	assert_int_equal(cb_file_write_atomic(file, "two\n", 4, 0600, &err), CB_OK);
	assert_int_equal(cb_file_read(file, 100, &back, &n, &err), CB_OK);
	assert_int_equal(n, 4);
	assert_memory_equal(back, "two\n", 4);
	free(back);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	const char *fifo = cbt_path("pipe");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) { /* the reader: exits 0 when it read exactly the text */
		char buf[16] = {0};
		alarm(5); /* a pipe renamed away leaves this open waiting: fail, do not hang */
		FILE *f = fopen(fifo, "r");
		size_t got = f ? fread(buf, 1, sizeof buf, f) : 0;
		_exit(got == 6 && !memcmp(buf, "piped\n", 6) ? 0 : 1);
	}
	assert_int_equal(cb_file_write_atomic(fifo, "piped\n", 6, 0600, &err), CB_OK);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode)); /* still the pipe, not a file renamed over it */
}

static void test_count16(void **state)
{
	(void)state;
	struct cb_count16 t = {0};
	uint8_t k[16];
	key_of(7, k);
	assert_int_equal(cb_count16_get(&t, k), 0); /* empty table: nothing allocated yet */
	const uint32_t n = 50000; /* grows several times */
	for (uint32_t i = 0; i < n; i++) {
		key_of(i, k);
		assert_int_equal(cb_count16_bump(&t, k), 0);
	}
	for (uint32_t i = 0; i < n; i += 3) {
		key_of(i, k);
		assert_int_equal(cb_count16_bump(&t, k), 1);
	}
	assert_int_equal(t.n, n);
	for (uint32_t i = 0; i < n; i++) {
		key_of(i, k);
		assert_int_equal(cb_count16_get(&t, k), i % 3 ? 1 : 2);
	}
	key_of(n + 1, k);
	assert_int_equal(cb_count16_get(&t, k), 0);
	/* keys that differ only beyond the first 8 bytes (the slot) are still apart */
	uint8_t a[16] = {1, 2, 3}, b[16] = {1, 2, 3};
	b[15] = 1;
	assert_int_equal(cb_count16_bump(&t, a), 0);
	assert_int_equal(cb_count16_get(&t, b), 0);
	assert_int_equal(cb_count16_bump(&t, b), 0);
	assert_int_equal(cb_count16_get(&t, a), 1);
	cb_count16_free(&t);
	assert_null(t.slots);
	assert_int_equal(t.n, 0);
	assert_int_equal(cb_count16_get(&t, a), 0);
}

/* CB_ASSERT stops the process (in every build) when its condition fails, and does nothing when it holds. */
static void test_assert(void **state)
{
	(void)state;
	int status = 0;
	const char *errfile = cbt_path("assert.err");
	CB_ASSERT(1 + 1 == 2);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen(errfile, "w", stderr))
			_exit(1);
		CB_ASSERT(1 + 1 == 3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	char *msg = cbt_read(errfile, NULL);
	assert_non_null(strstr(msg, "invariant broken: 1 + 1 == 3"));
	free(msg);
}

/* A connection URI's password never reaches a message: in the user information or as a parameter. */
static void test_db_shown(void **state)
{
	(void)state;
	char b[256];
	assert_string_equal(cb_db_shown("/srv/cases.db", b, sizeof b), "/srv/cases.db");
	assert_string_equal(cb_db_shown("postgresql:///casebank?host=/run/postgresql", b, sizeof b),
			    "postgresql:///casebank?host=/run/postgresql");
	assert_string_equal(cb_db_shown("postgresql://cb:s3cr@t@db.example:5432/casebank?sslmode=require", b, sizeof b),
			    "postgresql://cb:***@db.example:5432/casebank?sslmode=require");
	assert_string_equal(cb_db_shown("postgres://cb@db.example/casebank", b, sizeof b), "postgres://cb@db.example/casebank");
	assert_string_equal(cb_db_shown("postgresql:///casebank?host=/tmp&password=s3cr&user=cb", b, sizeof b),
			    "postgresql:///casebank?host=/tmp&password=***&user=cb");
	assert_string_equal(cb_db_shown("postgresql:///casebank?password=s3cr", b, sizeof b),
			    "postgresql:///casebank?password=***");
	assert_string_equal(cb_db_shown("postgresql://cb:s3cr@h/db?password=s3cr", b, 20), "postgresql://cb:***");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count16),
		cmocka_unit_test(test_write_atomic),
		cmocka_unit_test(test_assert),
		cmocka_unit_test(test_db_shown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
