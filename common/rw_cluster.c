/*
 * rw_cluster - the embedded PostgreSQL (see rw_cluster.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/rw_cluster.h"
#include "common/rw_db.h"
#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"

#define PG_DEFAULT_BINDIR "/usr/lib/postgresql/15/bin"
#define DBNAME "repwatch"

struct rw_cluster {
	char *state_dir;
	char *datadir;
	char *bindir;
	char *user;     /* server user when we are root, else NULL */
	char *conninfo;
	char *keepfile;
	int lock_fd;
	long long wait_s; /* bound on every wait for cluster.lock */
	bool started;   /* by this process */
};

static char *
find_bindir(const struct rw_config *cfg)
{
	const char *v = rw_config_get(cfg, "database", "pg_bindir");
	char *out = NULL;

	if (v != NULL)
		return g_strdup(v);
	if (g_file_test(PG_DEFAULT_BINDIR "/initdb", G_FILE_TEST_IS_EXECUTABLE))
		return g_strdup(PG_DEFAULT_BINDIR);
	if (g_spawn_command_line_sync("pg_config --bindir", &out, NULL, NULL,
		NULL) && out != NULL)
		return g_strstrip(out);
	g_free(out);
	return g_strdup(PG_DEFAULT_BINDIR);
}

int
rw_cluster_new(struct rw_cluster **out, const struct rw_config *cfg,
    const char *state_dir)
{
	struct rw_cluster *c = g_new0(struct rw_cluster, 1);

	c->state_dir = g_strdup(state_dir);
	c->datadir = g_build_filename(state_dir, "pgdata", NULL);
	c->keepfile = g_build_filename(state_dir, "cluster.keep", NULL);
	c->bindir = find_bindir(cfg);
	if (geteuid() == 0)
		c->user = g_strdup(rw_config_get(cfg, "database", "cluster_user"));
	c->conninfo = g_strdup_printf("host=%s dbname=%s user=%s", c->datadir,
	    DBNAME, DBNAME);
	c->lock_fd = -1;
	c->wait_s = rw_config_int(cfg, "database", "lock_timeout");
	if (c->wait_s <= 0)
		c->wait_s = 120;
	*out = c;
	if (strlen(c->datadir) + sizeof("/.s.PGSQL.5432") >
	    sizeof(((struct sockaddr_un *)0)->sun_path)) {
		rw_cluster_free(c);
		*out = NULL;
		return rw_error_set(RW_ECONFIG,
		    "state directory \"%s\" is too long for a Unix socket path",
		    state_dir);
	}
	return 0;
}

void
rw_cluster_free(struct rw_cluster *c)
{
	if (c == NULL)
		return;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	g_free(c->state_dir);
	g_free(c->datadir);
	g_free(c->bindir);
	g_free(c->user);
	g_free(c->conninfo);
	g_free(c->keepfile);
	g_free(c);
}

const char *
rw_cluster_datadir(const struct rw_cluster *c)
{
	return c->datadir;
}

const char *
rw_cluster_conninfo(const struct rw_cluster *c)
{
	return c->conninfo;
}

bool
rw_cluster_exists(const struct rw_cluster *c)
{
	char *pv = g_build_filename(c->datadir, "PG_VERSION", NULL);
	bool ok = g_file_test(pv, G_FILE_TEST_EXISTS);

	g_free(pv);
	return ok;
}

/* run - run a server program (as the cluster user when root) */
static int
run(const struct rw_cluster *c, const char *const *args, bool quiet_ok,
    char **out_err)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	gint status = 0;
	gboolean ok;

	if (c->user != NULL) {
		g_ptr_array_add(argv, g_strdup("runuser"));
		g_ptr_array_add(argv, g_strdup("-u"));
		g_ptr_array_add(argv, g_strdup(c->user));
		g_ptr_array_add(argv, g_strdup("--"));
	}
	g_ptr_array_add(argv, g_build_filename(c->bindir, args[0], NULL));
	for (int i = 1; args[i] != NULL; i++)
		g_ptr_array_add(argv, g_strdup(args[i]));
	g_ptr_array_add(argv, NULL);
	rw_log_debug("running %s", args[0]);
	/* stdout goes to /dev/null: a started postmaster must not hold our
	 * pipes open */
	ok = g_spawn_sync(NULL, (char **)argv->pdata, NULL,
	    G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
		(quiet_ok ? G_SPAWN_STDERR_TO_DEV_NULL : 0),
	    NULL, NULL, NULL, quiet_ok ? NULL : out_err, &status, &err);
	g_ptr_array_free(argv, TRUE);
	if (!ok) {
		rw_error_set(RW_EUNAVAIL, "could not run %s: %s", args[0],
		    err->message);
		rw_error_hint("Install PostgreSQL 15 (scripts/setup.sh) or set "
		    "[database] pg_bindir.");
		g_error_free(err);
		return RW_EUNAVAIL;
	}
	return g_spawn_check_wait_status(status, NULL) ? 0 : RW_EFAIL;
}

/* server_user_ids - uid/gid of the cluster user (ours when not root) */
static int
server_user_ids(const struct rw_cluster *c, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	if (c->user == NULL) {
		*uid = geteuid();
		*gid = getegid();
		return 0;
	}
	pw = getpwnam(c->user);
	if (pw == NULL) {
		rw_error_set(RW_ECONFIG, "cluster user \"%s\" does not exist",
		    c->user);
		rw_error_detail("As root, the embedded PostgreSQL runs as an "
		    "unprivileged user, since initdb refuses root.");
		rw_error_hint("Run scripts/setup.sh, or: useradd --system "
		    "--no-create-home --shell /usr/sbin/nologin %s", c->user);
		return RW_ECONFIG;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/*
 * make_traversable - the server user must reach its data directory: add
 * the search bits, never remove any, and only on a directory we own (a
 * state_dir that resolves to "/" or to another user's home is left alone)
 */
static int
make_traversable(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return rw_error_set(RW_EIO, "could not stat \"%s\": %s", dir,
		    g_strerror(errno));
	if ((st.st_mode & 0011) == 0011 || st.st_uid != geteuid())
		return 0;
	if (chmod(dir, (st.st_mode & 07777) | 0011) != 0)
		return rw_error_set(RW_EIO, "could not chmod \"%s\": %s", dir,
		    g_strerror(errno));
	return 0;
}

/* prepare_dirs - state dir traversable by the server user, data dir its */
static int
prepare_dirs(const struct rw_cluster *c)
{
	uid_t uid;
	gid_t gid;
	int rc = server_user_ids(c, &uid, &gid);

	if (rc == 0)
		rc = rw_check_state_dir(c->state_dir, uid);
	if (rc == 0)
		rc = rw_mkdir_p(c->state_dir, 0711);
	if (rc != 0)
		return rc;
	if (c->user != NULL)
		rc = make_traversable(c->state_dir);
	if (rc != 0)
		return rc;
	if (mkdir(c->datadir, 0700) != 0 && errno != EEXIST)
		return rw_error_set(errno == ENOSPC || errno == EDQUOT ?
		    RW_ETEMP : RW_EIO, "could not create \"%s\": %s",
		    c->datadir, g_strerror(errno));
	if (c->user != NULL && chown(c->datadir, uid, gid) != 0)
		return rw_error_set(RW_EIO, "could not chown \"%s\": %s",
		    c->datadir, g_strerror(errno));
	return 0;
}

/* conf_text - settings appended to postgresql.conf: socket only */
static char *
conf_text(const struct rw_cluster *c)
{
	return g_strdup_printf("\n# repwatch embedded cluster\n"
	    "listen_addresses = ''\n"
	    "unix_socket_directories = '%s'\n"
	    "unix_socket_permissions = 0700\n"
	    "max_connections = 30\n"
	    "logging_collector = off\n"
	    "timezone = 'UTC'\n",
	    c->datadir);
}

static int
append_conf(const struct rw_cluster *c)
{
	char *path = g_build_filename(c->datadir, "postgresql.conf", NULL);
	char *text = conf_text(c);
	FILE *f = fopen(path, "a");
	int rc = 0;

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		rc = rw_error_set(RW_EIO, "could not write \"%s\": %s", path,
		    g_strerror(errno));
	g_free(path);
	g_free(text);
	return rc;
}

static int
init_cluster(const struct rw_cluster *c)
{
	const char *args[] = {"initdb", "-D", c->datadir, "-U", DBNAME, "-A",
	    "trust", "-E", "UTF8", "--locale=C", NULL};
	char *err = NULL;
	int rc = prepare_dirs(c);

	if (rc != 0)
		return rc;
	rw_log_info("creating embedded PostgreSQL cluster in %s", c->datadir);
	rc = run(c, args, false, &err);
	if (rc == RW_EFAIL) {
		/* a full disk passes: an MTA must defer, not bounce (75) */
		rc = err != NULL && strstr(err, "No space left") != NULL ?
		    RW_ETEMP : RW_EUNAVAIL;
		rw_error_set(rc, "could not create the embedded cluster in "
		    "\"%s\"", c->datadir);
		rw_error_detail("%s", err ? g_strstrip(err) : "initdb failed");
	}
	g_free(err);
	return rc == 0 ? append_conf(c) : rc;
}

bool
rw_cluster_running(const struct rw_cluster *c)
{
	const char *args[] = {"pg_ctl", "-D", c->datadir, "status", NULL};

	return rw_cluster_exists(c) && run(c, args, true, NULL) == 0;
}

static void
log_tail(const struct rw_cluster *c)
{
	char *path = g_build_filename(c->state_dir, "postgresql.log", NULL);
	char *text = NULL;
	size_t len = 0;

	if (rw_read_file(&text, &len, path, 16 * 1024 * 1024) == 0 && len > 0) {
		const char *tail = len > 800 ? text + len - 800 : text;

		rw_error_detail("Server log %s ends with: %s", path, tail);
	} else {
		rw_error_clear();
	}
	g_free(text);
	g_free(path);
}

static int
start_server(struct rw_cluster *c)
{
	char *log = g_build_filename(c->state_dir, "postgresql.log", NULL);
	const char *args[] = {"pg_ctl", "-D", c->datadir, "-l", log, "-w",
	    "-t", "60", "start", NULL};
	int rc;

	if (c->user != NULL) {
		/* the log lives in the state dir, which the server cannot write */
		int fd = open(log, O_CREAT | O_WRONLY | O_APPEND, 0600);
		uid_t uid;
		gid_t gid;

		if (fd >= 0 && server_user_ids(c, &uid, &gid) == 0 &&
		    fchown(fd, uid, gid) != 0)
			rw_log_debug("could not chown %s: %s", log, g_strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	rw_log_debug("starting embedded PostgreSQL in %s", c->datadir);
	rc = run(c, args, true, NULL);
	if (rc == RW_EFAIL) {
		rw_error_set(RW_ETEMP, "could not start the embedded cluster in "
		    "\"%s\"", c->datadir);
		log_tail(c);
	} else if (rc == 0) {
		c->started = true;
	}
	g_free(log);
	return rc;
}

/* ensure_database - create the "repwatch" database on first start */
static int
ensure_database(const struct rw_cluster *c)
{
	char *ci = g_strdup_printf("host=%s dbname=postgres user=%s", c->datadir,
	    DBNAME);
	struct rw_db *db = NULL;
	char *v = NULL;
	int rc = rw_db_connect(&db, ci);

	if (rc == 0)
		rc = rw_db_query1(&v, db, "SELECT count(*) FROM pg_catalog.pg_database "
		    "WHERE datname = 'repwatch'", 0, NULL);
	if (rc == 0 && v != NULL && strcmp(v, "0") == 0)
		rc = rw_db_exec(db, "CREATE DATABASE repwatch");
	g_free(v);
	g_free(ci);
	rw_db_free(db);
	return rc;
}

static int
lock_open(struct rw_cluster *c)
{
	char *path = g_build_filename(c->state_dir, "cluster.lock", NULL);
	int rc = rw_mkdir_p(c->state_dir, 0711);

	if (rc == 0 && c->lock_fd < 0) {
		c->lock_fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
		if (c->lock_fd < 0)
			rc = rw_error_set(RW_EIO, "could not open \"%s\": %s", path,
			    g_strerror(errno));
		rw_give_to_dir_owner(c->lock_fd, c->state_dir);
	}
	g_free(path);
	return rc;
}

static int
lock_take(struct rw_cluster *c, int op)
{
	while (flock(c->lock_fd, op) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			return 1;
		return rw_error_set(RW_EIO, "could not lock the cluster: %s",
		    g_strerror(errno));
	}
	return 0;
}

/*
 * lock_wait - take OP (LOCK_SH or LOCK_EX) on cluster.lock, polling until
 * DEADLINE (monotonic microseconds); 1 when the deadline passed first.
 * Polling, not a blocking flock: a hung holder must not hang us.
 */
static int
lock_wait(struct rw_cluster *c, int op, gint64 deadline)
{
	for (;;) {
		int rc = lock_take(c, op | LOCK_NB);

		if (rc != 1 || g_get_monotonic_time() >= deadline)
			return rc;
		g_usleep(50 * 1000);
	}
}

static int
lock_timeout(const struct rw_cluster *c)
{
	rw_error_set(RW_ETEMP, "embedded cluster in \"%s\" is busy",
	    c->datadir);
	rw_error_detail("Another repwatch command held %s/cluster.lock "
	    "exclusively (creating, starting or stopping the cluster) for "
	    "more than %lld s.", c->state_dir, c->wait_s);
	rw_error_hint("Try again later, or raise [database] lock_timeout.");
	return RW_ETEMP;
}

/* start_locked - with the exclusive lock: create and start as needed */
static int
start_locked(struct rw_cluster *c)
{
	int rc = 0;

	if (!rw_cluster_exists(c))
		rc = init_cluster(c);
	if (rc == 0 && !rw_cluster_running(c))
		rc = start_server(c);
	return rc;
}

/*
 * rw_cluster_acquire - a running cluster is shared: commands hold LOCK_SH
 * and never wait for each other. Only creating or starting it takes
 * LOCK_EX (a stop on release takes it too). flock cannot convert a lock
 * atomically, so after starting we drop to shared and look again: a
 * release may have stopped the server in between.
 */
int
rw_cluster_acquire(struct rw_cluster *c)
{
	gint64 deadline = g_get_monotonic_time() + c->wait_s * G_USEC_PER_SEC;
	int starts = 0;
	int rc = lock_open(c);

	while (rc == 0) {
		rc = lock_wait(c, LOCK_SH, deadline);
		if (rc == 0 && rw_cluster_exists(c) && rw_cluster_running(c))
			break;
		if (rc == 0 && ++starts > 3)
			rc = rw_error_set(RW_ETEMP, "embedded cluster in "
			    "\"%s\" stops as soon as it is started",
			    c->datadir);
		if (rc == 0)
			rc = lock_wait(c, LOCK_EX, deadline);
		if (rc == 0)
			rc = start_locked(c);
	}
	if (rc == 1)
		rc = lock_timeout(c);
	if (rc == 0)
		rc = ensure_database(c);
	if (rc != 0 && c->lock_fd >= 0) {
		close(c->lock_fd);
		c->lock_fd = -1;
	}
	return rc;
}

static int
stop_server(const struct rw_cluster *c)
{
	const char *args[] = {"pg_ctl", "-D", c->datadir, "-m", "fast", "-w",
	    "-t", "60", "stop", NULL};

	rw_log_debug("stopping embedded PostgreSQL in %s", c->datadir);
	if (run(c, args, true, NULL) != 0 && rw_cluster_running(c))
		return rw_error_set(RW_ETEMP, "could not stop the embedded "
		    "cluster in \"%s\"", c->datadir);
	return 0;
}

int
rw_cluster_release(struct rw_cluster *c)
{
	int rc = 0;

	if (c == NULL || c->lock_fd < 0)
		return 0;
	if (!g_file_test(c->keepfile, G_FILE_TEST_EXISTS) &&
	    lock_take(c, LOCK_EX | LOCK_NB) == 0 && rw_cluster_running(c))
		rc = stop_server(c);
	close(c->lock_fd);
	c->lock_fd = -1;
	return rc;
}

int
rw_cluster_keep(struct rw_cluster *c, bool keep)
{
	if (!keep) {
		if (unlink(c->keepfile) != 0 && errno != ENOENT)
			return rw_error_set(RW_EIO, "could not remove \"%s\": %s",
			    c->keepfile, g_strerror(errno));
		return 0;
	}
	return rw_write_atomic(c->keepfile, "", 0, 0600);
}

int
rw_cluster_stop(struct rw_cluster *c)
{
	int rc = lock_open(c);

	if (rc == 0 && lock_take(c, LOCK_EX | LOCK_NB) == 1) {
		rw_error_set(RW_ETEMP, "embedded cluster is in use");
		rw_error_detail("Another repwatch command is using it.");
		rw_error_hint("Try again when it has finished.");
		rc = RW_ETEMP;
	}
	if (rc == 0 && rw_cluster_running(c))
		rc = stop_server(c);
	if (c->lock_fd >= 0) {
		close(c->lock_fd);
		c->lock_fd = -1;
	}
	return rc;
}
