/*
 * arf_maildir - a Maildir (new/ and cur/) or a folder of .eml files.
 * Directories are read lazily (a million-message backlog is never listed
 * in memory); after commit each message is renamed into the processed or
 * quarantine folder: Maildir++ subfolders ".Processed/cur" for a Maildir,
 * plain subfolders for an .eml folder. Hidden entries are never read, so
 * those subfolders are never read again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/rw_error.h"
#include "common/rw_log.h"
#include "common/rw_util.h"
#include "arf/arf_source_int.h"

struct maildir {
	struct arf_source base;
	char *root;
	bool maildir;
	int sub;         /* index into subdirs */
	DIR *dir;
	char *dir_path;
	GHashTable *ready; /* target folders known to exist */
};

static const char *const maildir_subdirs[] = {"new", "cur", NULL};
static const char *const folder_subdirs[] = {"", NULL};

static const char *const *
subdirs(const struct maildir *m)
{
	return m->maildir ? maildir_subdirs : folder_subdirs;
}

/* the next directory to read; false when all were read */
static bool
open_next_dir(struct maildir *m)
{
	while (subdirs(m)[m->sub] != NULL) {
		g_free(m->dir_path);
		m->dir_path = g_build_filename(m->root, subdirs(m)[m->sub],
		    NULL);
		m->sub++;
		m->dir = opendir(m->dir_path);
		if (m->dir != NULL)
			return true;
	}
	return false;
}

static const char *
type_name(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "not a regular file";
}

/*
 * Open PATH for reading only if it is a regular file. O_NONBLOCK: opening
 * a FIFO for reading blocks until a writer comes, which hung the run
 * (and, under nightly, every later run behind its lock); O_NOFOLLOW: a
 * symbolic link is not followed out of the mailbox. What is skipped is
 * named in a warning; one per file per run, since each entry is listed
 * once a run.
 */
static int
open_regular(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0) {
		int e = errno;

		/* gone: another reader moved it */
		if (e == ELOOP && lstat(path, st) == 0 && S_ISLNK(st->st_mode))
			rw_log_warning("skipping \"%s\": a symbolic link; "
			    "messages are read only from regular files", path);
		else if (e != ENOENT)
			rw_log_warning("skipping \"%s\": %s", path,
			    g_strerror(e));
		return -1;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		rw_log_warning("skipping \"%s\": %s; messages are read only "
		    "from regular files", path, type_name(st->st_mode));
		close(fd);
		return -1;
	}
	return fd;
}

static int
read_entry(struct maildir *m, const char *name, struct arf_msg *out)
{
	char *path = g_build_filename(m->dir_path, name, NULL);
	struct stat st = {0};
	int fd = open_regular(path, &st);
	int rc;

	if (fd < 0) {
		g_free(path);
		return 0;
	}
	rc = arf_read_capped(&out->data, &out->len, &out->size, fd,
	    (size_t)st.st_size, m->base.opts.max_bytes, path);
	close(fd);
	if (rc != 0) {
		g_free(path);
		return rc;
	}
	out->location = path;
	return 1;
}

static int
maildir_next(struct arf_source *s, struct arf_msg *out)
{
	struct maildir *m = (struct maildir *)s;

	for (;;) {
		struct dirent *de;
		int rc;

		if (m->dir == NULL && !open_next_dir(m))
			return 0;
		errno = 0;
		de = readdir(m->dir);
		if (de == NULL) {
			closedir(m->dir);
			m->dir = NULL;
			continue;
		}
		if (de->d_name[0] == '.')
			continue;
		rc = read_entry(m, de->d_name, out);
		if (rc != 0)
			return rc;
	}
}

static bool
maildir_checkpoint(struct arf_source *s, struct arf_checkpoint *out)
{
	(void)s;
	(void)out;
	return false;
}

/* TARGET folder for a message: Maildir++ ".X/cur" or folder ".X" */
static char *
target_dir(struct maildir *m, const char *folder)
{
	if (m->maildir)
		return g_build_filename(m->root, folder, "cur", NULL);
	return g_build_filename(m->root, folder, NULL);
}

static int
ensure_maildir(struct maildir *m, const char *folder)
{
	static const char *const parts[] = {"cur", "new", "tmp"};

	for (size_t i = 0; m->maildir && i < G_N_ELEMENTS(parts); i++) {
		char *d = g_build_filename(m->root, folder, parts[i], NULL);
		int rc = rw_mkdir_p(d, 0700);

		g_free(d);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
ensure_target(struct maildir *m, const char *folder, const char *dir)
{
	int rc;

	if (g_hash_table_contains(m->ready, folder))
		return 0;
	rc = ensure_maildir(m, folder);
	if (rc == 0)
		rc = rw_mkdir_p(dir, 0700);
	if (rc == 0)
		g_hash_table_add(m->ready, g_strdup(folder));
	return rc;
}

/* bounded: a folder holding 1000 messages of one name is not normal */
#define UNIQUE_TRIES 1000

/*
 * TO with a suffix that makes it unique: before a Maildir info part
 * (":2,S" stays last, where MUAs look for flags), else at the end
 */
static char *
unique_name(const char *to, int n)
{
	const char *base = strrchr(to, '/');
	const char *info = strchr(base != NULL ? base : to, ':');

	if (info == NULL)
		return g_strdup_printf("%s.rw%d", to, n);
	return g_strdup_printf("%.*s.rw%d%s", (int)(info - to), to, n, info);
}

/*
 * Link FROM as TO, never replacing a file: 0 done, 1 TO exists, <0 error.
 * A file system without hard links gets TO reserved with O_EXCL and
 * renamed onto (replacing only the empty file just made).
 */
static int
link_new(const char *from, const char *to)
{
	int fd;

	if (link(from, to) == 0)
		return 0;
	if (errno == EEXIST)
		return 1;
	if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP &&
	    errno != EMLINK)
		return -1;
	fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? 1 : -1;
	close(fd);
	if (rename(from, to) == 0)
		return 0;
	unlink(to);
	return -1;
}

/* TO already names FROM itself (a run stopped between link and unlink) */
static bool
same_file(const char *from, const char *to)
{
	struct stat a, b;

	return stat(from, &a) == 0 && stat(to, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Move FROM to TO without ever replacing a file there (rename() would:
 * a second "report.eml", or new/X and cur/X of one Maildir, overwrote
 * the first): link under TO or a unique variant of it, then unlink FROM.
 */
static int
move_no_replace(const char *from, const char *to)
{
	char *name = g_strdup(to);
	int rc = 0;

	for (int n = 1; ; n++) {
		int r = link_new(from, name);

		if (r == 0 || (r == 1 && same_file(from, name)))
			break;
		if (r < 0 && errno == ENOENT)
			goto cleanup; /* another reader moved it */
		if (r < 0 || n > UNIQUE_TRIES) {
			rc = rw_error_set(RW_EIO, "could not move \"%s\" to "
			    "\"%s\": %s", from, to, r < 0 ? g_strerror(errno) :
			    "too many files of that name");
			goto cleanup;
		}
		g_free(name);
		name = unique_name(to, n);
	}
	if (unlink(from) != 0 && errno != ENOENT)
		rc = rw_error_set(RW_EIO, "could not remove \"%s\" after "
		    "linking it as \"%s\": %s", from, name, g_strerror(errno));
cleanup:
	g_free(name);
	return rc;
}

static int
move_to(struct maildir *m, const char *from, const char *folder)
{
	char *dir = target_dir(m, folder);
	char *base = g_path_get_basename(from);
	char *to = g_build_filename(dir, base, NULL);
	int rc = ensure_target(m, folder, dir);

	if (rc == 0)
		rc = move_no_replace(from, to);
	g_free(dir);
	g_free(base);
	g_free(to);
	return rc;
}

static int
maildir_ack(struct arf_source *s, const struct arf_msg *msg,
    enum arf_ack how)
{
	struct maildir *m = (struct maildir *)s;

	if (how == ARF_ACK_PROCESSED && s->opts.delete_processed) {
		if (unlink(msg->location) != 0 && errno != ENOENT)
			return rw_error_set(RW_EIO, "could not delete \"%s\": %s",
			    msg->location, g_strerror(errno));
		return 0;
	}
	return move_to(m, msg->location, how == ARF_ACK_PROCESSED ?
	    s->opts.processed : s->opts.quarantine);
}

static int
maildir_flush(struct arf_source *s)
{
	(void)s;
	return 0;
}

static void
maildir_free(struct arf_source *s)
{
	struct maildir *m = (struct maildir *)s;

	if (m->dir != NULL)
		closedir(m->dir);
	g_free(m->dir_path);
	g_free(m->root);
	g_hash_table_unref(m->ready);
	g_free(m);
}

static const struct arf_source_ops maildir_ops = {
	maildir_next, maildir_checkpoint, maildir_ack, maildir_flush,
	maildir_free, true,
};

int
arf_maildir_open(struct arf_source **out, const char *path,
    const struct arf_source_opts *opts, bool is_maildir)
{
	struct maildir *m = g_new0(struct maildir, 1);

	(void)opts;
	m->base.ops = &maildir_ops;
	m->base.kind = is_maildir ? "maildir" : "folder";
	m->root = g_strdup(path);
	m->maildir = is_maildir;
	m->ready = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	*out = &m->base;
	return 0;
}
