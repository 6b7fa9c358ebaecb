/*
 * test_config - configuration parsing: types, defaults, environment
 * overrides, _FILE, errors with file:line, permission refusal, masking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/rw_config.h"
#include "common/rw_error.h"
#include "common/rw_util.h"

static void
clear_env(void)
{
	extern char **environ;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

	for (char **e = environ; *e; e++)
		if (g_str_has_prefix(*e, "REPWATCH_") &&
		    !g_str_has_prefix(*e, "REPWATCH_BIN=") &&
		    !g_str_has_prefix(*e, "REPWATCH_SRC="))
			g_ptr_array_add(names,
			    g_strndup(*e, (gsize)(strchr(*e, '=') - *e)));
	for (guint i = 0; i < names->len; i++)
		unsetenv(g_ptr_array_index(names, i));
	g_ptr_array_free(names, TRUE);
}

static int
setup(void **state)
{
	(void)state;
	clear_env();
	rw_error_clear();
	return 0;
}

static void
test_defaults(void **state)
{
	struct rw_config *cfg;
	static const struct {
		const char *section, *key, *want;
	} cases[] = {
		{"database", "cluster_user", "repwatch"},
		{"arf", "keep", "headers"},
		{"analyze", "critical_rate", "0.003"},
		{"snds.main", "timezone", "America/Los_Angeles"},
		{"snds.main", "lookback_days", "30"},
		{"database", "conninfo", NULL},
	};

	(void)state;
	assert_int_equal(rw_config_load_data(&cfg, NULL, NULL), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const char *got = rw_config_get(cfg, cases[i].section, cases[i].key);

		if (g_strcmp0(got, cases[i].want) != 0)
			fail_msg("[%s] %s: got %s, want %s", cases[i].section,
			    cases[i].key, got, cases[i].want);
	}
	assert_int_equal(rw_config_int(cfg, "snds.x", "lookback_days"), 30);
	assert_false(rw_config_bool(cfg, "database", "keep_running"));
	rw_config_free(cfg);
}

static void
test_types(void **state)
{
	struct rw_config *cfg;
	const char *text =
	    "# comment\n"
	    "[analyze]\n"
	    "min_recipients = 2500\n"
	    "alpha = 0.05\n"
	    "[database]\n"
	    "keep_running = yes\n"
	    "[arf]\n"
	    "trace_headers = X-Campaign, X-Mailer-Id ,,\n"
	    "[snds.main]\n"
	    "type = api\n"
	    "issued = 2026-11-01\n"
	    "[snds.backup]\n"
	    "timezone = UTC\n";
	char **list, **inst;

	(void)state;
	assert_int_equal(rw_config_load_data(&cfg, "t.conf", text), 0);
	assert_int_equal(rw_config_int(cfg, "analyze", "min_recipients"), 2500);
	assert_true(rw_config_double(cfg, "analyze", "alpha") == 0.05);
	assert_true(rw_config_bool(cfg, "database", "keep_running"));
	list = rw_config_list(cfg, "arf", "trace_headers");
	assert_int_equal(g_strv_length(list), 2);
	assert_string_equal(list[0], "X-Campaign");
	assert_string_equal(list[1], "X-Mailer-Id");
	g_strfreev(list);
	inst = rw_config_instances(cfg, "snds");
	assert_int_equal(g_strv_length(inst), 2);
	assert_string_equal(inst[0], "main");
	assert_string_equal(inst[1], "backup");
	g_strfreev(inst);
	assert_string_equal(rw_config_get(cfg, "snds.main", "type"), "api");
	assert_string_equal(rw_config_get(cfg, "snds.backup", "type"), "link");
	rw_config_free(cfg);
}

/* issue 17: a file saved with a UTF-8 byte order mark was refused */
static void
test_bom(void **state)
{
	static const struct {
		const char *text;
		int line;
	} cases[] = {
		{"\xEF\xBB\xBF[analyze]\nmin_recipients = 2500\n", 0},
		{"\xEF\xBB\xBF# comment\n[analyze]\nmin_recipients = 2500\n", 0},
		/* errors keep their line numbers */
		{"\xEF\xBB\xBF[analyze]\nmin_recipients = many\n", 2},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct rw_config *cfg = NULL;
		int rc = rw_config_load_data(&cfg, "t.conf", cases[i].text);

		if (cases[i].line == 0) {
			if (rc != 0)
				fail_msg("case %zu: got rc %d \"%s\", want 0", i,
				    rc, rw_error_message());
			assert_int_equal(rw_config_int(cfg, "analyze",
			    "min_recipients"), 2500);
		} else {
			char *want = g_strdup_printf("t.conf:%d:",
			    cases[i].line);

			if (rc != RW_ECONFIG ||
			    !g_str_has_prefix(rw_error_message(), want))
				fail_msg("case %zu: got %d \"%s\", want %s", i,
				    rc, rw_error_message(), want);
			g_free(want);
		}
		rw_config_free(cfg);
		rw_error_clear();
	}
}

/* issue 17: repeated keys and sections were silently last-wins */
static void
test_duplicates(void **state)
{
	static const struct {
		const char *text;
		const char *want[3];   /* warnings, in order */
		const char *where;     /* file:line config show names */
	} cases[] = {
		{"[analyze]\nmin_recipients = 5\nmin_recipients = 7\n",
		    {"t.conf:3: [analyze] min_recipients is set again (first "
		     "at line 2); this later value wins"}, "t.conf:3"},
		{"[analyze]\nmin_recipients = 5\n[arf]\nkeep = none\n"
		    "[analyze]\nalpha = 0.02\n",
		    {"t.conf:5: section [analyze] appears again (first at "
		     "line 1); the two are merged"}, "t.conf:2"},
		{"[analyze]\nmin_recipients=5\n\n[analyze]\n"
		    "  min_recipients =7\n",
		    {"t.conf:4: section [analyze] appears again",
		     "t.conf:5: [analyze] min_recipients is set again (first "
		     "at line 2)"}, "t.conf:5"},
		/* the same key in two sections is no repeat */
		{"[snds.a]\ntimeout = 5\n[snds.b]\ntimeout = 6\n"
		    "[analyze]\nmin_recipients = 5\n", {NULL}, "t.conf:6"},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct rw_config *cfg = NULL;
		const char *const *got;
		GString *text;
		size_t n = 0;

		assert_int_equal(rw_config_load_data(&cfg, "t.conf",
		    cases[i].text), 0);
		got = rw_config_warnings(cfg);
		for (; n < 3 && cases[i].want[n] != NULL; n++) {
			if (got[n] == NULL ||
			    !g_str_has_prefix(got[n], cases[i].want[n]))
				fail_msg("case %zu [%zu]: got \"%s\", want "
				    "\"%s\"", i, n, got[n] ? got[n] : "(none)",
				    cases[i].want[n]);
		}
		if (got[n] != NULL)
			fail_msg("case %zu: got extra warning \"%s\"", i,
			    got[n]);
		/* the line named is the setting in effect */
		text = g_string_new(NULL);
		rw_config_render(text, cfg, false);
		if (strstr(text->str, "min_recipients") == NULL ||
		    strstr(strstr(text->str, "min_recipients"),
		    cases[i].where) == NULL)
			fail_msg("case %zu: config show does not name %s:\n%s",
			    i, cases[i].where, text->str);
		g_string_free(text, TRUE);
		rw_config_free(cfg);
	}
}

/* bad values: the error names file:line, section and key */
static void
test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"[snds.main]\n\nissued = 2026-13-01\n",
		    "t.conf:3: [snds.main] issued: not a date"},
		{"[analyze]\nmin_recipients = many\n",
		    "t.conf:2: [analyze] min_recipients: not an integer"},
		{"[analyze]\nalpha = 2\n", "t.conf:2: [analyze] alpha: out of range"},
		{"[arf]\nkeep = everything\n",
		    "t.conf:2: [arf] keep: not one of the allowed values"},
		{"[database]\nkeep_running = maybe\n",
		    "t.conf:2: [database] keep_running: not a boolean"},
		{"[snds.x]\ntimezone = Mars/Olympus\n",
		    "t.conf:2: [snds.x] timezone: not a known time zone"},
		{"[database]\nbogus = 1\n", "t.conf:2: [database] bogus: unknown key"},
		{"\n[nonsense]\na = 1\n", "t.conf:2: unknown section [nonsense]"},
		{"[snds.]\ntype = link\n", "unknown section [snds.]"},
		{"not ini at all\n", "t.conf: "},
		{"[snds.m]\ndata_url = http://[bad\n",
		    "t.conf:2: [snds.m] data_url: not a valid URL"},
		{"[snds.m]\nstatus_url = ftp://h.example/x\n",
		    "t.conf:2: [snds.m] status_url: unsupported URL scheme"},
		{"[notify]\nwebhook_url = hooks.example\n",
		    "t.conf:2: [notify] webhook_url: not a URL"},
		{"[arf]\nprovider_networks = 40.92.0.0/15, 10.0.0.0/33\n",
		    "t.conf:2: [arf] provider_networks: not a list of CIDR"},
		{"[arf]\n\nown_networks = 198.51.100.1/24\n",
		    "t.conf:3: [arf] own_networks: not a list of CIDR"},
		{"[arf]\nprovider_hosts = mx.example.net, bad host\n",
		    "t.conf:2: [arf] provider_hosts: not a list of host names"},
		/* issue 17 item 15: names become paths */
		{"[paths]\nstate_dir = /s\n[snds.../../x]\ntype = link\n",
		    "t.conf:3: invalid SNDS source name \"../../x\""},
		{"[snds..hidden]\n", "t.conf:1: invalid SNDS source name"},
		{"[snds.a/b]\ntimeout = 5\n",
		    "t.conf:1: invalid SNDS source name \"a/b\""},
		{"[mailbox.../../etc]\nurl = /m\n",
		    "t.conf:1: invalid mailbox name \"../../etc\""},
		{"[mailbox.a b]\nurl = /m\n",
		    "t.conf:1: invalid mailbox name \"a b\""},
		/* issue 17: keys valid alone, not together */
		{"[analyze]\nmin_recipients = 5\nwarning_rate = 0.005\n",
		    "t.conf:3: [analyze] warning_rate (0.005) must be at most "
		    "critical_rate (0.003)"},
		{"[analyze]\ncritical_rate = 0.0005\n",
		    "t.conf:2: [analyze] warning_rate (0.001) must be at most "
		    "critical_rate (0.0005)"},
		{"[analyze]\nwarning_rate = 0.01\ncritical_rate = 0.002\n",
		    "t.conf:2: [analyze] warning_rate (0.01)"},
		{"[analyze]\nwindow_days = 1\n",
		    "t.conf:2: [analyze] spike_days (2) must be at most "
		    "window_days (1)"},
		{"[analyze]\nlink_warn_days = 30\n",
		    "t.conf:2: [analyze] link_warn_days (30) must be below "
		    "link_valid_days (30)"},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct rw_config *cfg = NULL;
		int rc = rw_config_load_data(&cfg, "t.conf", cases[i].text);

		if (rc != RW_ECONFIG)
			fail_msg("case %zu: got rc %d, want %d", i, rc, RW_ECONFIG);
		if (strstr(rw_error_message(), cases[i].want) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i,
			    rw_error_message(), cases[i].want);
		assert_null(cfg);
		assert_int_equal(rw_exit_code(rc), 78);
	}
}

static void
test_names(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{"main", true}, {"eu-west_2", true}, {"a.b", true},
		{"A9", true}, {"-x", true},
		{"", false}, {".hidden", false}, {"..", false}, {"a..b", false},
		{"../../victim", false}, {"a/b", false}, {"a b", false},
		{"caf\xc3\xa9", false}, {"x\n", false}, {"a\\b", false},
		{"0123456789012345678901234567890123456789012345678901234567890123",
		    true},
		{"01234567890123456789012345678901234567890123456789012345678901234",
		    false},
	};
	struct rw_config *cfg = NULL;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		bool got = rw_name_valid(cases[i].name);

		if (got != cases[i].ok)
			fail_msg("rw_name_valid(\"%s\"): got %d, want %d",
			    cases[i].name, got, cases[i].ok);
	}
	assert_int_equal(rw_name_check("SNDS source", "../x", RW_EUSAGE),
	    RW_EUSAGE);
	assert_non_null(strstr(rw_error_message(),
	    "invalid SNDS source name \"../x\""));
	rw_error_clear();
	/* an order broken by the environment names the variable */
	setenv("REPWATCH_ANALYZE_CRITICAL_RATE", "0.0001", 1);
	assert_int_equal(rw_config_load_data(&cfg, NULL, NULL), RW_ECONFIG);
	assert_non_null(strstr(rw_error_message(),
	    "environment variable REPWATCH_ANALYZE_CRITICAL_RATE"));
	clear_env();
	rw_error_clear();
	/* a name from the environment is checked too */
	setenv("REPWATCH_SNDS_A..B_TIMEOUT", "5", 1);
	assert_int_equal(rw_config_load_data(&cfg, NULL, NULL), RW_ECONFIG);
	assert_non_null(strstr(rw_error_message(), "REPWATCH_SNDS_A..B_TIMEOUT"));
	clear_env();
}

static void
test_env_override(void **state)
{
	struct rw_config *cfg;
	char path[] = "/tmp/rwcfg.XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "s3cret-from-file\n", 17), 17);
	close(fd);
	setenv("REPWATCH_ANALYZE_MIN_RECIPIENTS", "77", 1);
	setenv("REPWATCH_SNDS_EU_WEST_DATA_URL", "https://x.example/r?key=K", 1);
	setenv("REPWATCH_MAILBOX_JMRP_PASSWORD_FILE", path, 1);
	setenv("REPWATCH_DATABASE_CONNINFO_FILE", path, 1);
	assert_int_equal(rw_config_load_data(&cfg, "t.conf",
	    "[analyze]\nmin_recipients = 5\n"), 0);
	/* the environment wins over the file */
	assert_int_equal(rw_config_int(cfg, "analyze", "min_recipients"), 77);
	assert_string_equal(rw_config_get(cfg, "snds.eu_west", "data_url"),
	    "https://x.example/r?key=K");
	/* password_file is a key of its own: the path, not the contents */
	assert_string_equal(rw_config_get(cfg, "mailbox.jmrp", "password_file"),
	    path);
	/* _FILE reads the value from the file, trailing newline dropped */
	assert_string_equal(rw_config_get(cfg, "database", "conninfo"),
	    "s3cret-from-file");
	rw_config_free(cfg);

	setenv("REPWATCH_ANALYZE_MIN_RECIPIENTS", "lots", 1);
	assert_int_equal(rw_config_load_data(&cfg, NULL, NULL), RW_ECONFIG);
	assert_non_null(strstr(rw_error_message(),
	    "REPWATCH_ANALYZE_MIN_RECIPIENTS"));
	unlink(path);
	clear_env();
}

static void
test_permissions(void **state)
{
	char dir[] = "/tmp/rwperm.XXXXXX";
	char *path;
	struct rw_config *cfg = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = g_build_filename(dir, "repwatch.conf", NULL);
	assert_true(g_file_set_contents(path,
	    "[database]\nconninfo = password=hunter2\n", -1, NULL));
	chmod(path, 0644);
	assert_int_equal(rw_config_load(&cfg, path), RW_ECONFIG);
	assert_non_null(strstr(rw_error_message(), "accessible by group or others"));
	assert_non_null(strstr(rw_error_get_hint(), "chmod 600"));
	chmod(path, 0600);
	assert_int_equal(rw_config_load(&cfg, path), 0);
	rw_config_free(cfg);
	/* no secrets: a world-readable file is fine */
	assert_true(g_file_set_contents(path, "[arf]\nkeep = none\n", -1, NULL));
	chmod(path, 0644);
	assert_int_equal(rw_config_load(&cfg, path), 0);
	rw_config_free(cfg);
	/* an explicit file that does not exist is an error */
	unlink(path);
	assert_int_equal(rw_config_load(&cfg, path), RW_ECONFIG);
	rmdir(dir);
	g_free(path);
}

static void
test_mask_url(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"https://h.example/snds/data?key=ab12-cd34&date=112026",
		    "https://h.example/snds/data?key=***&date=112026"},
		{"https://u:pw@h.example:8443/x", "https://u:***@h.example:8443/x"},
		{"https://h.example/r/4f8a2c9e1b7d4e6f8a2c9e1b/data",
		    "https://h.example/r/***/data"},
		{"http://127.0.0.1:8080/a?token=t&x", "http://127.0.0.1:8080/a?token=***&***"},
		{"not a url", "***"},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = rw_mask_url(cases[i].in);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("mask(%s): got %s, want %s", cases[i].in, got,
			    cases[i].want);
		g_free(got);
	}
	/* issue 17: a webhook URL is a secret as a whole */
	static const struct {
		const char *in, *want;
	} hooks[] = {
		{"https://hooks.slack.com/services/TABCDEFGH/BABCDEFGH/"
		    "abcdefghijklmnopqrstuvwx", "https://hooks.slack.com/***"},
		{"https://u:pw@x.example:8443/a/b?c=d", "https://x.example:8443/***"},
		{"http://127.0.0.1:9/hook", "http://127.0.0.1:9/***"},
		/* the brackets of an IPv6 literal were lost: "http://::1:9" */
		{"http://[::1]:9/services/T/B/k", "http://[::1]:9/***"},
		{"not a url", "***"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(hooks); i++) {
		char *got = rw_mask_webhook(hooks[i].in);

		if (strcmp(got, hooks[i].want) != 0)
			fail_msg("mask_webhook(%s): got %s, want %s",
			    hooks[i].in, got, hooks[i].want);
		g_free(got);
	}
}

static void
test_dump_masks(void **state)
{
	struct rw_config *cfg;
	g_autoptr(GString) text = g_string_new(NULL);
	const char *buf;

	(void)state;
	assert_int_equal(rw_config_load_data(&cfg, "t.conf",
	    "[database]\nconninfo = host=db password=hunter2\n"
	    "[snds.main]\ndata_url = https://h.example/d?key=SECRETKEY\n"
	    "[mailbox.jmrp]\npassword = imap-pass\n"), 0);
	rw_config_render(text, cfg, true);
	buf = text->str;
	assert_null(strstr(buf, "hunter2"));
	assert_null(strstr(buf, "SECRETKEY"));
	assert_null(strstr(buf, "imap-pass"));
	assert_non_null(strstr(buf, "[snds.main]"));
	assert_non_null(strstr(buf, "key=***"));
	assert_non_null(strstr(buf, "t.conf:2"));
	rw_config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_types, setup),
		cmocka_unit_test_setup(test_errors, setup),
		cmocka_unit_test_setup(test_bom, setup),
		cmocka_unit_test_setup(test_duplicates, setup),
		cmocka_unit_test_setup(test_names, setup),
		cmocka_unit_test_setup(test_env_override, setup),
		cmocka_unit_test_setup(test_permissions, setup),
		cmocka_unit_test_setup(test_mask_url, setup),
		cmocka_unit_test_setup(test_dump_masks, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
