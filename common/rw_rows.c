/*
 * rw_rows - result rows as text, JSON lines or CSV (see rw_rows.h).
 */
#include <math.h>
#include <string.h>

#include "common/rw_json.h"
#include "common/rw_out.h"
#include "common/rw_rows.h"

struct cell {
	char *text;      /* as shown in text and CSV; NULL = null */
	JsonNode *json;  /* NULL = null */
};

struct rw_rows {
	FILE *out;
	enum rw_rows_format format;
	const struct rw_col *cols;
	size_t ncols;
	unsigned flags;
	struct cell *cells;
	size_t n;        /* cells given in this row */
	long rows;
};

bool
rw_rows_format_from(enum rw_rows_format *out, const char *text)
{
	static const char *const names[] = {"text", "json", "csv"};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if (text == NULL || strcmp(text, names[i]) == 0) {
			*out = text == NULL ? RW_ROWS_TEXT :
			    (enum rw_rows_format)i;
			return true;
		}
	}
	return false;
}

static void
write_csv_line(struct rw_rows *w, const char *const *vals, size_t n)
{
	GString *line = g_string_new(NULL);

	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			g_string_append_c(line, ',');
		rw_out_csv_cell(line, vals[i]);
	}
	g_string_append(line, w->flags & RW_ROWS_CRLF ? "\r\n" : "\n");
	fputs(line->str, w->out);
	g_string_free(line, TRUE);
}

static void
write_text_line(struct rw_rows *w, const char *const *vals, size_t n)
{
	GString *line = g_string_new(NULL);

	for (size_t i = 0; i < n; i++) {
		const struct rw_col *c = &w->cols[i];
		char *v = rw_out_text(vals[i] != NULL ? vals[i] : "");
		/* no trailing blanks: the line's last cell is not padded */
		int width = i + 1 == n && c->width < 0 ? 0 : c->width;

		if (i > 0)
			g_string_append(line, c->sep != NULL ? c->sep : " ");
		g_string_append_printf(line, "%*s", width, v);
		g_free(v);
	}
	g_string_append_c(line, '\n');
	fputs(line->str, w->out);
	g_string_free(line, TRUE);
}

static void
write_heading(struct rw_rows *w)
{
	const char **names = g_new0(const char *, w->ncols + 1);

	for (size_t i = 0; i < w->ncols; i++)
		names[i] = w->cols[i].name;
	if (w->format == RW_ROWS_CSV)
		write_csv_line(w, names, w->ncols);
	else
		write_text_line(w, names, w->ncols);
	g_free(names);
}

struct rw_rows *
rw_rows_new(FILE *out, enum rw_rows_format format, const struct rw_col *cols,
    size_t ncols, unsigned flags)
{
	struct rw_rows *w = g_new0(struct rw_rows, 1);

	w->out = out;
	w->format = format;
	w->cols = cols;
	w->ncols = ncols;
	w->flags = flags;
	w->cells = g_new0(struct cell, ncols);
	if (format == RW_ROWS_CSV)
		write_heading(w);
	return w;
}

static void
clear_cells(struct rw_rows *w)
{
	for (size_t i = 0; i < w->ncols; i++) {
		g_free(w->cells[i].text);
		if (w->cells[i].json != NULL)
			json_node_unref(w->cells[i].json);
	}
	memset(w->cells, 0, sizeof(*w->cells) * w->ncols);
	w->n = 0;
}

void
rw_rows_free(struct rw_rows *w)
{
	if (w == NULL)
		return;
	clear_cells(w);
	g_free(w->cells);
	g_free(w);
}

/* next - the cell to fill, or NULL past the last column */
static struct cell *
next(struct rw_rows *w, enum rw_col_kind *kind)
{
	g_return_val_if_fail(w->n < w->ncols, NULL);
	*kind = w->cols[w->n].kind;
	return &w->cells[w->n++];
}

void
rw_rows_str(struct rw_rows *w, const char *v)
{
	enum rw_col_kind kind;
	struct cell *c = next(w, &kind);

	if (c == NULL || v == NULL)
		return;
	c->text = g_strdup(v);
	c->json = json_node_new(JSON_NODE_VALUE);
	if (kind == RW_COL_INT)
		json_node_set_int(c->json, g_ascii_strtoll(v, NULL, 10));
	else if (kind == RW_COL_REAL)
		json_node_set_double(c->json, g_ascii_strtod(v, NULL));
	else if (kind == RW_COL_BOOL)
		json_node_set_boolean(c->json, strcmp(v, "true") == 0);
	else
		json_node_set_string(c->json, v);
}

void
rw_rows_num(struct rw_rows *w, double v)
{
	enum rw_col_kind kind;
	struct cell *c = next(w, &kind);
	char buf[64];

	if (c == NULL || isnan(v))
		return;
	snprintf(buf, sizeof(buf), kind == RW_COL_INT ? "%.0f" : "%.6g", v);
	c->text = g_strdup(buf);
	c->json = json_node_new(JSON_NODE_VALUE);
	if (kind == RW_COL_INT)
		json_node_set_int(c->json, (gint64)llround(v));
	else
		json_node_set_double(c->json, v);
}

void
rw_rows_json(struct rw_rows *w, JsonNode *v)
{
	enum rw_col_kind kind;
	struct cell *c = next(w, &kind);

	if (c == NULL || v == NULL) {
		if (v != NULL)
			json_node_unref(v);
		return;
	}
	c->json = v;
	c->text = rw_json_to_string(v);
}

static void
write_json(struct rw_rows *w)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;
	char *text;

	json_builder_begin_object(b);
	for (size_t i = 0; i < w->ncols; i++) {
		json_builder_set_member_name(b, w->cols[i].name);
		if (w->cells[i].json != NULL)
			json_builder_add_value(b, json_node_ref(
			    w->cells[i].json));
		else
			json_builder_add_null_value(b);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = rw_json_to_string(root);
	fprintf(w->out, "%s\n", text);
	g_free(text);
	json_node_unref(root);
	g_object_unref(b);
}

void
rw_rows_end(struct rw_rows *w)
{
	const char **vals;

	if (w->format == RW_ROWS_JSON) {
		write_json(w);
	} else {
		vals = g_new0(const char *, w->ncols + 1);
		for (size_t i = 0; i < w->ncols; i++)
			vals[i] = w->cells[i].text;
		if (w->format == RW_ROWS_CSV)
			write_csv_line(w, vals, w->ncols);
		else {
			if (w->rows == 0 && !(w->flags & RW_ROWS_NO_HEADER))
				write_heading(w);
			write_text_line(w, vals, w->n);
		}
		g_free(vals);
	}
	w->rows++;
	clear_cells(w);
}

long
rw_rows_count(const struct rw_rows *w)
{
	return w->rows;
}
