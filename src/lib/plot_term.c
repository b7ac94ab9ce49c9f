/* plot_term.c - the history and the best point on a terminal
 *
 * A chart of the losses in order and the running best, in braille dots
 * (2 x 4 per character cell) or in ASCII, no wider than the terminal; the
 * failed points marked on a row above it; then the best point.  Colours
 * only when asked (never under NO_COLOR: the caller decides).
 */
#include "autoconf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "text.h"

#define ROWS 12
#define LABEL 11	/* "-1.234e+05 " before the axis */

#define C_POINT "\033[34m"
#define C_BEST "\033[33m"
#define C_FAIL "\033[31m"
#define C_OFF "\033[0m"

/* Print s cut to at most max characters (UTF-8 aware). */
static void
put_cut(FILE *f, const char *s, int max)
{
	int n = 0;

	for (const char *p = s; *p; p++) {
		int len;
		if (((unsigned char)*p & 0xC0) != 0x80 && ++n > max)
			break;
		if (hpo_text_is_control(p, &len)) {
			/* names and values come from task files and servers:
			 * nothing in them may steer the terminal */
			fputc('?', f);
			p += len - 1;
			continue;
		}
		fputc(*p, f);
	}
}

static void
bullet_line(FILE *f, int columns, const char *name, const char *value)
{
	char *line = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&line, &len);

	if (m == NULL)
		return;
	fprintf(m, "  %s = %s", name, value);
	fclose(m);
	put_cut(f, line, columns);
	fputc('\n', f);
	free(line);
}

void
hpo_plot_term(FILE *f, const struct hpo_plot_data *d, const struct hpo_term_opts *o)
{
	int columns = o->columns < 20 ? 20 : o->columns;
	int W = columns - LABEL - 1;	/* cells right of the axis */
	int dx = o->utf8 ? 2 : 1, dy = o->utf8 ? 4 : 1;
	char head[512], num[32];
	struct hpo_scale xs, ys;
	double *best = NULL;

	snprintf(head, sizeof(head), "%s (task %lld, %s): %zu point%s, %zu finished, %zu failed",
		 d->name, (long long)d->id, d->status, d->np, d->np == 1 ? "" : "s", d->nok + d->nbad,
		 d->nfailed);
	put_cut(f, head, columns);
	fputc('\n', f);
	if (d->nok == 0) {
		fputs(d->np == 0 ? "no points yet\n" : d->nfailed + d->nbad == d->np
			      ? "no point finished: every one failed\n" : "no point finished yet\n", f);
		return;
	}
	/* the dots: a grid of W*dx by ROWS*dy, a layer for points, one for the best */
	size_t gw = (size_t)W * (size_t)dx, gh = (size_t)ROWS * (size_t)dy;
	unsigned char *pts = calloc(gw * gh, 1), *bl = calloc(gw * gh, 1);
	char *fails = calloc((size_t)W + 1, 1);
	if (pts == NULL || bl == NULL || fails == NULL || (best = malloc(d->np * sizeof(*best))) == NULL)
		goto out;
	hpo_scale_fit(&xs, 1, (double)d->np, 0);
	xs.lo = 1;
	xs.hi = d->np > 1 ? (double)d->np : 2;
	hpo_scale_fit(&ys, d->lo, d->hi, o->log && d->lo > 0);
	hpo_plot_running_best(d, best);
	size_t lastx = 0, lasty = 0;
	int have_last = 0;
	for (size_t i = 0; i < d->np; i++) {
		double tx = hpo_scale_map(&xs, (double)(i + 1));
		size_t x = (size_t)lround(tx * (double)(gw - 1));
		if (x >= gw)
			x = gw - 1;
		if (d->pts[i].state == HPO_PT_FAILED || d->pts[i].state == HPO_PT_BADLOSS)
			fails[x / (size_t)dx] = 1;
		if (d->pts[i].state == HPO_PT_OK) {
			double ty = hpo_scale_map(&ys, d->pts[i].loss);
			long y = lround((1 - ty) * (double)(gh - 1));
			if (y >= 0 && (size_t)y < gh)
				pts[(size_t)y * gw + x] = 1;
		}
		if (!isnan(best[i])) {
			long y = lround((1 - hpo_scale_map(&ys, best[i])) * (double)(gh - 1));
			y = y < 0 ? 0 : (size_t)y >= gh ? (long)gh - 1 : y;
			/* a step line: along from the last x, then down */
			if (have_last) {
				for (size_t k = lastx; k <= x; k++)
					bl[lasty * gw + k] = 1;
				for (size_t k = lasty < (size_t)y ? lasty : (size_t)y;
				     k <= (lasty > (size_t)y ? lasty : (size_t)y); k++)
					bl[k * gw + x] = 1;
			}
			bl[(size_t)y * gw + x] = 1;
			lastx = x;
			lasty = (size_t)y;
			have_last = 1;
		}
	}
	for (size_t k = lastx; have_last && k < gw; k++)
		bl[lasty * gw + k] = 1;

	/* failed points: a row above the chart */
	if (d->nfailed + d->nbad > 0) {
		fprintf(f, "%*s ", LABEL - 1, "failed");
		for (int c = 0; c < W; c++) {
			if (!fails[c]) {
				fputc(' ', f);
				continue;
			}
			fputs(o->color ? C_FAIL : "", f);
			fputs(o->utf8 ? "\xc3\x97" : "x", f);	/* U+00D7 */
			fputs(o->color ? C_OFF : "", f);
		}
		fputc('\n', f);
	}
	for (int r = 0; r < ROWS; r++) {
		double v = NAN;
		if (r == 0 || r == ROWS - 1 || r == ROWS / 2) {
			/* the axis' ends and middle, as the tick marks stand */
			double t = r == 0 ? 1 : r == ROWS - 1 ? 0 : 0.5;
			/* lo (1 - t) + hi t: no overflow near DBL_MAX */
			v = ys.log ? pow(10, log10(ys.lo) + t * (log10(ys.hi) - log10(ys.lo)))
				   : ys.lo * (1 - t) + ys.hi * t;
		}
		if (!isnan(v)) {
			hpo_plot_fmt(num, sizeof(num), v);
			fprintf(f, "%*.*s ", LABEL - 1, LABEL - 1, num);
			fputs(o->utf8 ? "\xe2\x94\xa4" : "+", f);	/* U+2524 */
		} else {
			fprintf(f, "%*s ", LABEL - 1, "");
			fputs(o->utf8 ? "\xe2\x94\x82" : "|", f);	/* U+2502 */
		}
		const char *cur = "";
		for (int c = 0; c < W; c++) {
			int bits = 0, isbest = 0, ispt = 0;
			for (int yy = 0; yy < dy; yy++)
				for (int xx = 0; xx < dx; xx++) {
					size_t at = ((size_t)r * (size_t)dy + (size_t)yy) * gw +
						    (size_t)c * (size_t)dx + (size_t)xx;
					if (!pts[at] && !bl[at])
						continue;
					isbest |= bl[at];
					ispt |= pts[at];
					/* braille dot numbers: 1 2 3 7 down the left, 4 5 6 8 the right */
					static const int bit[4][2] = {{0, 3}, {1, 4}, {2, 5}, {6, 7}};
					bits |= 1 << bit[yy][xx];
				}
			const char *want = !o->color || bits == 0 ? "" : isbest ? C_BEST : C_POINT;
			if (strcmp(want, cur) != 0) {
				fputs(*want ? want : C_OFF, f);
				cur = want;
			}
			if (bits == 0) {
				fputc(' ', f);
			} else if (o->utf8) {
				unsigned cp = 0x2800u + (unsigned)bits;
				fputc(0xE0 | (int)(cp >> 12), f);
				fputc(0x80 | (int)((cp >> 6) & 0x3F), f);
				fputc(0x80 | (int)(cp & 0x3F), f);
			} else {
				fputc(ispt && isbest ? '#' : ispt ? 'o' : '-', f);
			}
		}
		if (*cur)
			fputs(C_OFF, f);
		fputc('\n', f);
	}
	fprintf(f, "%*s ", LABEL - 1, "");
	fputs(o->utf8 ? "\xe2\x94\x94" : "+", f);	/* U+2514 */
	for (int c = 0; c < W; c++)
		fputs(o->utf8 ? "\xe2\x94\x80" : "-", f);	/* U+2500 */
	fputc('\n', f);
	snprintf(num, sizeof(num), "%zu", d->np);
	fprintf(f, "%*s 1%*s\n", LABEL - 1, "", W - 1 > 0 ? W - 1 + (int)0 : 1, num);
	/* a multi-fidelity task's best: of the top budget (plot.h) */
	char top[96] = "";
	if (!isnan(d->top)) {
		hpo_plot_fmt(num, sizeof(num), d->top);
		snprintf(top, sizeof(top), " at %s = %s", d->budget_name, num);
	}
	snprintf(head, sizeof(head), "%*s %s point, %s running best%s%s", LABEL - 1, "",
		 o->utf8 ? "\xe2\xa0\x82" : "o", o->utf8 ? "\xe2\xa0\x89" : "-", top,
		 ys.log ? "; loss on a log scale" : "");
	put_cut(f, head, columns);
	fputc('\n', f);

	/* the best point */
	const struct hpo_plot_point *b = &d->pts[d->best];
	hpo_plot_fmt(num, sizeof(num), b->loss);
	snprintf(head, sizeof(head), "best: point %lld, loss %.6g%s%s%s", (long long)b->id, b->loss,
		 b->trial != HPO_PLOT_NONE ? ", trial " : "",
		 b->trial != HPO_PLOT_NONE ? d->trials[b->trial] : "", top);
	put_cut(f, head, columns);
	fputc('\n', f);
	for (size_t k = 0; k < d->nparams; k++) {
		double x = hpo_plot_x(d, d->best, k);
		const struct hpo_plot_param *p = &d->params[k];
		if (isnan(x))
			continue;
		if (p->axis == HPO_AXIS_CAT) {
			bullet_line(f, columns, p->name, p->cats[(size_t)x]);
		} else {
			snprintf(num, sizeof(num), "%.6g", x);
			bullet_line(f, columns, p->name, num);
		}
	}
out:
	free(pts);
	free(bl);
	free(fails);
	free(best);
}
