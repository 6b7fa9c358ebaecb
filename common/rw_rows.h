/*
 * rw_rows - the one writer of result rows as text, JSON lines or CSV
 * ("snds show", "snds status", "alerts", "arf stats").
 *
 * A table is a list of columns, each with a name and a kind. The caller
 * gives each row's cells in column order and ends the row:
 *
 *  - text: a heading line (the names) before the first row, then one line
 *    per row; each cell padded to its column's width as printf's %*s
 *    would, after the column's separator. The last cell of a line is not
 *    padded on its right, and a row ended early ends its line there.
 *    Every cell is made safe for a terminal (rw_out_text); NULL is "".
 *  - json: one object per line (json-glib, rw_json_to_string), members in
 *    column order, typed by the column's kind; NULL is null.
 *  - csv: a heading line (always, even without rows), then one line per
 *    row, each cell neutralized by rw_out_csv_cell (RFC 4180 quoting,
 *    formula cells); NULL is an empty cell. Lines end in LF, or CRLF with
 *    RW_ROWS_CRLF.
 */
#ifndef RW_ROWS_H
#define RW_ROWS_H

#include <stdbool.h>
#include <stdio.h>
#include <json-glib/json-glib.h>

enum rw_rows_format {
	RW_ROWS_TEXT,
	RW_ROWS_JSON,
	RW_ROWS_CSV,
};

enum rw_col_kind {
	RW_COL_TEXT,  /* a JSON string */
	RW_COL_INT,   /* a JSON integer */
	RW_COL_REAL,  /* a JSON number */
	RW_COL_BOOL,  /* a JSON boolean: the text "true" or "false" */
	RW_COL_JSON,  /* any JSON value (rw_rows_json) */
};

struct rw_col {
	const char *name;      /* JSON member, CSV and text heading */
	enum rw_col_kind kind;
	int width;             /* text: field width, negative = left aligned */
	const char *sep;       /* text: before the cell (NULL = " ") */
};

#define RW_ROWS_NO_HEADER 0x1u /* text: no heading line */
#define RW_ROWS_CRLF 0x2u      /* csv: lines end in CR LF */

struct rw_rows;

/* rw_rows_format_from - "text", "json" or "csv" (NULL = text); false if not */
bool rw_rows_format_from(enum rw_rows_format *out, const char *text);

/* rw_rows_new - a table of the NCOLS columns COLS (kept, not copied) */
struct rw_rows *rw_rows_new(FILE *out, enum rw_rows_format format,
    const struct rw_col *cols, size_t ncols, unsigned flags);
/* rw_rows_free - NULL is a no-op */
void rw_rows_free(struct rw_rows *w);

/*
 * rw_rows_str - the next cell as text (NULL = null), shown as given; the
 * JSON value of an INT, REAL or BOOL column is read from it
 */
void rw_rows_str(struct rw_rows *w, const char *v);
/*
 * rw_rows_num - the next cell as a number (NaN = null): text and CSV show
 * "%.0f" in an INT column, "%.6g" otherwise; JSON gets the integer
 * rounded (INT) or the number itself
 */
void rw_rows_num(struct rw_rows *w, double v);
/* rw_rows_json - the next cell as a JSON value (taken; NULL = null) */
void rw_rows_json(struct rw_rows *w, JsonNode *v);
/* rw_rows_end - write the row; cells not given are null */
void rw_rows_end(struct rw_rows *w);
/* rw_rows_count - rows written so far */
long rw_rows_count(const struct rw_rows *w);

#endif
