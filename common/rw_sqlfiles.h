/* rw_sqlfiles - SQL files compiled into the binary by cmake/EmbedSql.cmake */
#ifndef RW_SQLFILES_H
#define RW_SQLFILES_H

struct rw_sqlfile {
	const char *name; /* "0001_init.sql" */
	const char *text;
};

/* migrations in apply order, terminated by {NULL, NULL} */
extern const struct rw_sqlfile rw_migrations[];

#endif
