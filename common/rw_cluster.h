/*
 * rw_cluster - the embedded PostgreSQL: a private data directory under the
 * state directory, created with initdb on first use, listening only on a
 * Unix socket inside it, started on demand and stopped by the last command
 * that used it (unless kept running with "repwatch db start").
 *
 * As root the server runs as [database] cluster_user (initdb refuses root).
 * Commands using the cluster hold a shared flock on STATE/cluster.lock; the
 * one that can take it exclusively on release stops the server.
 */
#ifndef RW_CLUSTER_H
#define RW_CLUSTER_H

#include <stdbool.h>
#include "common/rw_config.h"

struct rw_cluster;

int rw_cluster_new(struct rw_cluster **out, const struct rw_config *cfg,
    const char *state_dir);
void rw_cluster_free(struct rw_cluster *c);

/* rw_cluster_acquire - create and start as needed; hold the shared lock */
int rw_cluster_acquire(struct rw_cluster *c);
/* rw_cluster_release - drop the lock; stop when last user and not kept */
int rw_cluster_release(struct rw_cluster *c);

/* rw_cluster_keep - mark the cluster to stay up after commands (db start) */
int rw_cluster_keep(struct rw_cluster *c, bool keep);
/* rw_cluster_stop - stop now (db stop); fails while other commands use it */
int rw_cluster_stop(struct rw_cluster *c);

bool rw_cluster_exists(const struct rw_cluster *c);
bool rw_cluster_running(const struct rw_cluster *c);
const char *rw_cluster_datadir(const struct rw_cluster *c);
/* libpq conninfo for the cluster's "repwatch" database */
const char *rw_cluster_conninfo(const struct rw_cluster *c);

#endif
