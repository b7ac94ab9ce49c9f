/* plot_html.c - the HTML report: one file, nothing fetched to show it
 *
 * The plots are PNG images inside the page (data: URLs), the table of the
 * points sorts by a click on a column header (a small inline script), and
 * the style is inline too.
 */
#include "autoconf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "file.h"
#include "plot.h"
#include "xmalloc.h"

static void
esc(struct hpo_buf *o, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
			      : *s == '"' ? "&quot;" : NULL;
		if (e == NULL)
			continue;
		hpo_buf_add(o, run, (size_t)(s - run));
		hpo_buf_adds(o, e);
		run = s + 1;
	}
	hpo_buf_add(o, run, (size_t)(s - run));
}

static void
base64(struct hpo_buf *o, const unsigned char *b, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char buf[4];

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)b[i] << 16 | (i + 1 < n ? (unsigned)b[i + 1] << 8 : 0) |
			     (i + 2 < n ? b[i + 2] : 0);
		buf[0] = tab[v >> 18 & 63];
		buf[1] = tab[v >> 12 & 63];
		buf[2] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		buf[3] = i + 2 < n ? tab[v & 63] : '=';
		hpo_buf_add(o, buf, 4);
	}
}

static const char style[] =
	"<style>\n"
	"body{font-family:sans-serif;margin:1.5em;color:#222}\n"
	"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}\n"
	"img{max-width:100%;border:1px solid #ddd;margin:.3em 0}\n"
	"table{border-collapse:collapse;font-size:.85em}\n"
	"th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"th{background:#eee;cursor:pointer;user-select:none}\n"
	"th.up::after{content:' \\25B2'}th.down::after{content:' \\25BC'}\n"
	"tr.best td{background:#fde8d8}tr.failed td{color:#b22}\n"
	"</style>\n";

/* Sorting: numbers (data-v) as numbers, the rest as text; missing last. */
static const char script[] =
	"<script>\n"
	"function sortTable(th){\n"
	" var t=th.closest('table'),b=t.tBodies[0],c=th.cellIndex,rows=Array.from(b.rows);\n"
	" var up=!th.classList.contains('up');\n"
	" Array.from(t.tHead.rows[0].cells).forEach(function(h){h.classList.remove('up','down')});\n"
	" th.classList.add(up?'up':'down');\n"
	" function key(r){var d=r.cells[c],v=d.getAttribute('data-v');\n"
	"  if(v!==null&&v!==''&&!isNaN(parseFloat(v)))return[0,parseFloat(v)];\n"
	"  var s=d.textContent;return s===''||s==='-'?[2,'']:[1,s]}\n"
	" rows.sort(function(x,y){var a=key(x),b2=key(y);\n"
	"  if(a[0]!==b2[0])return a[0]-b2[0];\n"
	"  var r=a[1]<b2[1]?-1:a[1]>b2[1]?1:0;return up?r:-r});\n"
	" rows.forEach(function(r){b.appendChild(r)})}\n"
	"</script>\n";

/* v as "%.6g" prints it, from s, its "%.17g" (a number of the table has
 * both: one printf, not two).  Rounding the 17 digits to 6 rounds v the
 * same way unless they end in exactly 5 after the sixth: then printf
 * does it. */
static void
g6(char *out, size_t size, const char *s, double v)
{
	char dig[24];
	int n = 0, exp10 = 0, seen_point = 0, lead = 1;
	const char *p = s;
	char *o = out;

	if (*p == '-')
		*o++ = *p++;
	for (; *p && *p != 'e'; p++) {
		if (*p == '.') {
			seen_point = 1;
			continue;
		}
		if (lead && *p == '0') {
			if (seen_point)
				exp10--;
			continue;
		}
		lead = 0;
		if (n < (int)sizeof(dig) - 1)
			dig[n++] = *p;
		if (!seen_point)
			exp10++;
	}
	if (*p == 'e')
		exp10 += atoi(p + 1);
	/* v = 0.dig * 10^exp10; the zeros of an integer's end said by exp10 */
	while (n > 0 && dig[n - 1] == '0')
		n--;
	if (n == 0 || (n == 7 && dig[6] == '5')) {
		snprintf(out, size, "%.6g", v);
		return;
	}
	if (n > 6) {
		int up = dig[6] >= '5';
		n = 6;
		for (int i = 5; up && i >= 0; i--) {
			if (dig[i] == '9') {
				dig[i] = '0';
			} else {
				dig[i]++;
				up = 0;
			}
		}
		if (up) {
			memmove(dig + 1, dig, 5);
			dig[0] = '1';
			exp10++;
		}
	}
	while (n > 1 && dig[n - 1] == '0')
		n--;
	int x = exp10 - 1;	/* the exponent of d.ddddd */
	if (x < -4 || x >= 6) {
		*o++ = dig[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, dig + 1, (size_t)n - 1);
			o += n - 1;
		}
		snprintf(o, size - (size_t)(o - out), "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
		return;
	}
	if (x < 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = 0; i < -x - 1; i++)
			*o++ = '0';
		memcpy(o, dig, (size_t)n);
		o += n;
	} else {
		for (int i = 0; i <= x; i++)
			*o++ = i < n ? dig[i] : '0';
		if (n > x + 1) {
			*o++ = '.';
			memcpy(o, dig + x + 1, (size_t)(n - x - 1));
			o += n - x - 1;
		}
	}
	*o = '\0';
}

static void
num_cell(struct hpo_buf *o, double v, int has)
{
	char exact[32], shown[32];

	if (!has || isnan(v)) {
		hpo_buf_adds(o, "<td class=\"n\" data-v=\"\">-</td>");
		return;
	}
	snprintf(exact, sizeof(exact), "%.17g", v);
	if (isfinite(v))
		g6(shown, sizeof(shown), exact, v);
	else
		snprintf(shown, sizeof(shown), "%.6g", v);
	hpo_buf_adds(o, "<td class=\"n\" data-v=\"");
	hpo_buf_adds(o, exact);
	hpo_buf_adds(o, "\">");
	hpo_buf_adds(o, shown);
	hpo_buf_adds(o, "</td>");
}

static void
param_cell(struct hpo_buf *o, const struct hpo_plot_data *d, size_t i, size_t k)
{
	double x = hpo_plot_x(d, i, k);

	if (isnan(x))
		hpo_buf_adds(o, "<td data-v=\"\">-</td>");
	else if (d->params[k].axis == HPO_AXIS_CAT) {
		hpo_buf_adds(o, "<td>");
		esc(o, d->params[k].cats[(size_t)x]);
		hpo_buf_adds(o, "</td>");
	} else {
		num_cell(o, x, 1);
	}
}

int
hpo_plot_html(const char *path, const struct hpo_plot_data *d, unsigned mask,
	      const struct hpo_plot_opts *opts, struct hpo_err *err)
{
	struct hpo_buf o = {0};
	int rc;

	hpo_buf_adds(&o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	esc(&o, d->name);
	hpo_buf_addf(&o, " (task %lld): hpo-plot</title>\n", (long long)d->id);
	hpo_buf_adds(&o, style);
	hpo_buf_adds(&o, script);
	hpo_buf_adds(&o, "</head>\n<body>\n<h1>");
	esc(&o, d->name);
	hpo_buf_addf(&o, " <small>task %lld", (long long)d->id);
	if (d->backend[0]) {
		hpo_buf_adds(&o, ", ");
		esc(&o, d->backend);
	}
	hpo_buf_adds(&o, "</small></h1>\n<p>Status <b>");
	esc(&o, d->status);
	hpo_buf_addf(&o, "</b>: %zu point%s, %zu finished, %zu failed, %zu pending or running.</p>\n", d->np,
	     d->np == 1 ? "" : "s", d->nok + d->nbad, d->nfailed, d->npending);

	hpo_buf_adds(&o, "<h2>Best point</h2>\n");
	if (d->best == HPO_PLOT_NONE) {
		hpo_buf_adds(&o, "<p id=\"best\">No point has finished with a loss yet.</p>\n");
	} else {
		const struct hpo_plot_point *b = &d->pts[d->best];
		hpo_buf_addf(&o, "<table id=\"best\"><tbody>\n<tr><th>point</th><td class=\"n\">%lld</td></tr>\n"
			 "<tr><th>loss</th><td class=\"n\">%.6g</td></tr>\n",
		     (long long)b->id, b->loss);
		if (d->budget_name != NULL) {
			hpo_buf_adds(&o, "<tr><th>trial</th><td>");
			esc(&o, b->trial != HPO_PLOT_NONE ? d->trials[b->trial] : "-");
			hpo_buf_adds(&o, "</td></tr>\n<tr><th>");
			esc(&o, d->budget_name);
			hpo_buf_adds(&o, " (budget)</th>");
			num_cell(&o, b->budget, !isnan(b->budget));
			hpo_buf_adds(&o, "</tr>\n");
		}
		for (size_t k = 0; k < d->nparams; k++) {
			hpo_buf_adds(&o, "<tr><th>");
			esc(&o, d->params[k].name);
			hpo_buf_adds(&o, "</th>");
			param_cell(&o, d, d->best, k);
			hpo_buf_adds(&o, "</tr>\n");
		}
		hpo_buf_adds(&o, "</tbody></table>\n");
		if (d->budget_name != NULL)
			hpo_buf_adds(&o, "<p>Of the points at the highest budget that a point finished: "
				     "losses after different budgets do not compare.</p>\n");
	}

	/* importance once, for the pair and importance plots */
	double *imp = NULL;
	if (mask & (1u << HPO_PLOT_PAIR | 1u << HPO_PLOT_IMPORTANCE))
		hpo_plot_importance(d, imp = xcalloc(d->nparams + 1, sizeof(*imp)));
	for (int k = 0; k < HPO_PLOT_NKINDS; k++) {
		unsigned char *png;
		size_t len;
		if (!((mask >> k) & 1))
			continue;
		if (hpo_plot_render(HPO_FMT_PNG, d, (enum hpo_plot_kind)k, opts, imp, &png, &len,
				    err) < 0) {
			free(imp);
			hpo_buf_free(&o);
			return -1;
		}
		hpo_buf_addf(&o, "<h2 id=\"%s\">%s</h2>\n<img alt=\"%s plot\" width=\"%d\" height=\"%d\" "
			 "src=\"data:image/png;base64,",
		     hpo_plot_kind_name((enum hpo_plot_kind)k), hpo_plot_kind_name((enum hpo_plot_kind)k),
		     hpo_plot_kind_name((enum hpo_plot_kind)k), opts->width, opts->height);
		base64(&o, png, len);
		hpo_buf_adds(&o, "\">\n");
		free(png);
	}

	free(imp);
	hpo_buf_adds(&o, "<h2>Points</h2>\n<p>Click a column header to sort by it.</p>\n"
		  "<table id=\"points\">\n<thead><tr><th onclick=\"sortTable(this)\">point</th>"
		  "<th onclick=\"sortTable(this)\">status</th><th onclick=\"sortTable(this)\">loss</th>");
	if (d->budget_name != NULL) {
		hpo_buf_adds(&o, "<th onclick=\"sortTable(this)\">trial</th><th onclick=\"sortTable(this)\">");
		esc(&o, d->budget_name);
		hpo_buf_adds(&o, " (budget)</th><th onclick=\"sortTable(this)\">continues</th>");
	}
	for (size_t k = 0; k < d->nparams; k++) {
		hpo_buf_adds(&o, "<th onclick=\"sortTable(this)\">");
		esc(&o, d->params[k].name);
		hpo_buf_adds(&o, "</th>");
	}
	hpo_buf_adds(&o, "<th onclick=\"sortTable(this)\">message</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < d->np; i++) {
		const struct hpo_plot_point *p = &d->pts[i];
		const char *msg = p->message, *status = p->status;
		hpo_buf_adds(&o, i == d->best ? "<tr class=\"best\">"
			  : p->state == HPO_PT_FAILED ? "<tr class=\"failed\">" : "<tr>");
		hpo_buf_addf(&o, "<td class=\"n\" data-v=\"%lld\">%lld</td><td>", (long long)p->id,
		     (long long)p->id);
		esc(&o, status ? status : "?");
		hpo_buf_adds(&o, p->state == HPO_PT_BADLOSS ? " (loss not finite)</td>" : "</td>");
		if (p->state == HPO_PT_BADLOSS) {
			char buf[16];
			hpo_plot_fmt(buf, sizeof(buf), p->loss);
			hpo_buf_addf(&o, "<td class=\"n\" data-v=\"\">%s</td>", buf);
		} else {
			num_cell(&o, p->loss, p->state == HPO_PT_OK);
		}
		if (d->budget_name != NULL) {
			hpo_buf_adds(&o, "<td>");
			esc(&o, p->trial != HPO_PLOT_NONE ? d->trials[p->trial] : "-");
			hpo_buf_adds(&o, "</td>");
			num_cell(&o, p->budget, !isnan(p->budget));
			if (p->from != HPO_PLOT_NONE)
				hpo_buf_addf(&o, "<td class=\"n\" data-v=\"%lld\">%lld</td>",
					     (long long)d->pts[p->from].id, (long long)d->pts[p->from].id);
			else
				hpo_buf_adds(&o, "<td class=\"n\" data-v=\"\">-</td>");
		}
		for (size_t k = 0; k < d->nparams; k++)
			param_cell(&o, d, i, k);
		hpo_buf_adds(&o, "<td>");
		if (msg != NULL)
			esc(&o, msg);
		hpo_buf_adds(&o, "</td></tr>\n");
	}
	hpo_buf_adds(&o, "</tbody>\n</table>\n<p><small>Made by hpo-plot from the task view; parameter "
		  "importance is the correlation ratio of the loss ranks over bins of each "
		  "parameter, normalised (hpo-plot(1)).</small></p>\n</body>\n</html>\n");
	rc = hpo_file_write_atomic(path, o.s, o.len, 0644, err);
	hpo_buf_free(&o);
	return rc;
}
