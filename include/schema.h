/* The migrations of sql/, embedded in the binary at build time. */
#ifndef GAZETTE_SCHEMA_H
#define GAZETTE_SCHEMA_H

#include <stddef.h>

struct schema_file {
	int version;      /* NNN of NNN_name.sql */
	const char *name; /* file name, e.g. "001_init.sql" */
	const char *text; /* NUL-terminated file contents */
	size_t len;       /* length of text without the NUL */
};

/* Every migration in ascending version order, then a zero entry. */
extern const struct schema_file schema_files[];
extern const size_t schema_nfiles;
/* The version the code expects: the highest NNN, 0 when sql/ is empty. */
extern const int schema_version;

#endif
