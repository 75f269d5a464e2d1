/*
 * An allocator for SQLite (src/sqlmem.c): small blocks from per-size free
 * lists, for single-threaded processes. db.c installs it with
 * SQLITE_CONFIG_MALLOC before SQLite's first use; tests call the methods
 * directly.
 */
#ifndef GAZETTE_SQLMEM_H
#define GAZETTE_SQLMEM_H

#include <sqlite3.h>

/* The methods, for sqlite3_config(SQLITE_CONFIG_MALLOC, ...). Static. */
const sqlite3_mem_methods *sqlmem_methods(void);

#endif
