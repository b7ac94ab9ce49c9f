/* plot_cairo.c - the plots drawn with cairo: PNG, SVG, PDF
 *
 * Every plot draws into a box of the surface; points are filled in one
 * path per colour (32 shades of the colour map), so 100,000 points are 32
 * fills, not 100,000.
 */
#include "autoconf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>

#include "buf.h"
#include "plot.h"
#include "xmalloc.h"

#define NSHADES 32
#define FONT "DejaVu Sans"

struct box {
	double x, y, w, h;
};

static const char *const titles[HPO_PLOT_NKINDS] = {
	"optimisation history", "parallel coordinates", "slices: loss against each parameter",
	"pair", "parameter importance", "learning curves", "rungs: loss against budget, a line a trial",
};

/* ---- colours and text ---------------------------------------------------------- */

/* viridis, from dark (low loss) to yellow (high) */
static void
shade(double t, double *rgb)
{
	static const double map[][3] = {
		{0.267, 0.005, 0.329}, {0.283, 0.141, 0.458}, {0.254, 0.265, 0.530},
		{0.207, 0.372, 0.553}, {0.164, 0.471, 0.558}, {0.128, 0.567, 0.551},
		{0.135, 0.659, 0.518}, {0.267, 0.749, 0.441}, {0.478, 0.821, 0.318},
		{0.741, 0.873, 0.150}, {0.993, 0.906, 0.144},
	};
	const int n = (int)(sizeof(map) / sizeof(map[0])) - 1;
	double f;
	int i;

	t = isnan(t) ? 0.5 : t < 0 ? 0 : t > 1 ? 1 : t;
	i = (int)(t * n);
	if (i >= n)
		i = n - 1;
	f = t * n - i;
	for (int c = 0; c < 3; c++)
		rgb[c] = map[i][c] + (map[i + 1][c] - map[i][c]) * f;
}

static void
set_shade(cairo_t *cr, double t, double alpha)
{
	double rgb[3];

	shade(t, rgb);
	cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], alpha);
}

static void
gray(cairo_t *cr, double v)
{
	cairo_set_source_rgb(cr, v, v, v);
}

static void
red(cairo_t *cr)
{
	cairo_set_source_rgb(cr, 0.84, 0.15, 0.16);
}

/* Text at (x, y): ax, ay = 0 left/top, 0.5 centre, 1 right/bottom; angle in
 * radians.  Long text is cut to max characters with "...". */
static void
text(cairo_t *cr, double x, double y, double size, double ax, double ay, double angle,
     const char *s, size_t max)
{
	cairo_text_extents_t e;
	char buf[128];
	size_t n = strlen(s);

	if (max > sizeof(buf) - 4)
		max = sizeof(buf) - 4;
	if (n > max) {
		/* cut on a character boundary (UTF-8) */
		size_t k = max > 3 ? max - 3 : 0;
		while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
		memcpy(buf, s, k);
		memcpy(buf + k, "...", 4);
	} else {
		memcpy(buf, s, n + 1);
	}
	cairo_save(cr);
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, buf, &e);
	cairo_translate(cr, x, y);
	cairo_rotate(cr, angle);
	/* the baseline: an ascent of about 0.75 size below the top */
	cairo_move_to(cr, -e.x_advance * ax, size * (0.75 - 0.85 * ay));
	cairo_show_text(cr, buf);
	cairo_restore(cr);
}

static void
textf_num(cairo_t *cr, double x, double y, double size, double ax, double ay, double v)
{
	char buf[32];

	hpo_plot_fmt(buf, sizeof(buf), v);
	text(cr, x, y, size, ax, ay, 0, buf, 31);
}

/* A message in the middle of a box: what there is not to draw. */
static void
message(cairo_t *cr, const struct box *b, const char *s)
{
	gray(cr, 0.35);
	text(cr, b->x + b->w / 2, b->y + b->h / 2, 13, 0.5, 0.5, 0, s, 120);
}

static void
frame(cairo_t *cr, const struct box *b)
{
	gray(cr, 0.55);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, b->x, b->y, b->w, b->h);
	cairo_stroke(cr);
}

/* ---- scales and axes --------------------------------------------------------------- */

/* A parameter's scale; categories sit on 0, 1, ... */
static void
param_scale(const struct hpo_plot_param *p, struct hpo_scale *s)
{
	if (p->axis == HPO_AXIS_CAT) {
		s->log = 0;
		s->lo = -0.5;
		s->hi = p->ncats ? (double)p->ncats - 0.5 : 0.5;
	} else {
		hpo_scale_fit(s, p->lo, p->hi, p->axis == HPO_AXIS_LOG);
	}
}

int
hpo_plot_loss_log(const struct hpo_plot_data *d, const struct hpo_plot_opts *o)
{
	return o->log && d->nok > 0 && d->lo > 0;
}

static void
loss_scale(const struct hpo_plot_data *d, const struct hpo_plot_opts *o, struct hpo_scale *s)
{
	hpo_scale_fit(s, d->lo, d->hi, hpo_plot_loss_log(d, o));
}

/* Ticks and labels along one side of a box: vertical (left side) or
 * horizontal (bottom).  A categorical parameter labels its categories. */
static void
axis(cairo_t *cr, const struct box *b, const struct hpo_scale *s, const struct hpo_plot_param *p,
     int vertical, double size)
{
	double ticks[16];
	size_t n = 0, step = 1;

	if (p != NULL && p->axis == HPO_AXIS_CAT) {
		size_t room = (size_t)((vertical ? b->h : b->w) / (size * 1.6));
		step = p->ncats > room && room > 0 ? (p->ncats + room - 1) / room : 1;
	} else {
		size_t want = (size_t)((vertical ? b->h : b->w) / (size * 4.5));
		n = hpo_scale_ticks(s, ticks, want < 2 ? 2 : want > 10 ? 10 : want);
	}
	gray(cr, 0.25);
	cairo_set_line_width(cr, 1);
	if (p != NULL && p->axis == HPO_AXIS_CAT) {
		for (size_t c = 0; c < p->ncats; c += step) {
			double t = hpo_scale_map(s, (double)c);
			size_t max = vertical ? 10 : (size_t)(b->w / (double)p->ncats * (double)step / (size * 0.6));
			if (vertical) {
				double y = b->y + b->h * (1 - t);
				cairo_move_to(cr, b->x - 4, y);
				cairo_line_to(cr, b->x, y);
				cairo_stroke(cr);
				text(cr, b->x - 6, y, size, 1, 0.5, 0, p->cats[c], max);
			} else {
				double x = b->x + b->w * t;
				cairo_move_to(cr, x, b->y + b->h);
				cairo_line_to(cr, x, b->y + b->h + 4);
				cairo_stroke(cr);
				text(cr, x, b->y + b->h + 6, size, 0.5, 0, 0, p->cats[c], max < 4 ? 4 : max);
			}
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		double t = hpo_scale_map(s, ticks[i]);
		if (!(t >= -1e-9 && t <= 1 + 1e-9))
			continue;
		if (vertical) {
			double y = b->y + b->h * (1 - t);
			cairo_move_to(cr, b->x - 4, y);
			cairo_line_to(cr, b->x, y);
			cairo_stroke(cr);
			textf_num(cr, b->x - 6, y, size, 1, 0.5, ticks[i]);
		} else {
			double x = b->x + b->w * t;
			cairo_move_to(cr, x, b->y + b->h);
			cairo_line_to(cr, x, b->y + b->h + 4);
			cairo_stroke(cr);
			textf_num(cr, x, b->y + b->h + 6, size, 0.5, 0, ticks[i]);
		}
	}
}

/* Light grid lines at the ticks of a numeric scale. */
static void
grid(cairo_t *cr, const struct box *b, const struct hpo_scale *s, int vertical)
{
	double ticks[16];
	size_t n = hpo_scale_ticks(s, ticks, (size_t)((vertical ? b->h : b->w) / 50) + 2);

	cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
	cairo_set_line_width(cr, 1);
	for (size_t i = 0; i < n && i < 16; i++) {
		double t = hpo_scale_map(s, ticks[i]);
		if (!(t >= 0 && t <= 1))
			continue;
		if (vertical) {
			cairo_move_to(cr, b->x, b->y + b->h * (1 - t));
			cairo_line_to(cr, b->x + b->w, b->y + b->h * (1 - t));
		} else {
			cairo_move_to(cr, b->x + b->w * t, b->y);
			cairo_line_to(cr, b->x + b->w * t, b->y + b->h);
		}
	}
	cairo_stroke(cr);
}

static void
colorbar(cairo_t *cr, const struct box *b, const struct hpo_scale *s)
{
	for (int i = 0; i < 64; i++) {
		set_shade(cr, (i + 0.5) / 64, 1);
		cairo_rectangle(cr, b->x, b->y + b->h * (1 - (i + 1) / 64.0), b->w, b->h / 64 + 0.5);
		cairo_fill(cr);
	}
	frame(cr, b);
	double ticks[8];
	size_t n = hpo_scale_ticks(s, ticks, 6);
	gray(cr, 0.25);
	for (size_t i = 0; i < n; i++) {
		double t = hpo_scale_map(s, ticks[i]);
		if (t >= -1e-9 && t <= 1 + 1e-9)
			textf_num(cr, b->x + b->w + 3, b->y + b->h * (1 - t), 8, 0, 0.5, ticks[i]);
	}
	gray(cr, 0.25);
	text(cr, b->x + b->w / 2, b->y - 6, 10, 0.5, 1, 0, "loss", 10);
}

/* The shade of each OK point's loss, 0..NSHADES-1; 255 for others. */
static unsigned char *
shades_of(const struct hpo_plot_data *d, const struct hpo_scale *ls)
{
	unsigned char *sh = malloc(d->np ? d->np : 1);

	if (sh == NULL)
		return NULL;
	for (size_t i = 0; i < d->np; i++) {
		double t = d->pts[i].state == HPO_PT_OK ? hpo_scale_map(ls, d->pts[i].loss) : NAN;
		if (isnan(t)) {
			sh[i] = 255;
			continue;
		}
		int k = (int)(t * NSHADES);
		sh[i] = (unsigned char)(k < 0 ? 0 : k >= NSHADES ? NSHADES - 1 : k);
	}
	return sh;
}

static int
is_raster(cairo_t *cr)
{
	return cairo_surface_get_type(cairo_get_target(cr)) == CAIRO_SURFACE_TYPE_IMAGE;
}

/* Dots of one plot box.  On an image each is filled at once (one box:
 * cairo's fast path; a path of 100,000 overlapping boxes is slow to fill);
 * on SVG and PDF they go into the path that the caller fills once.  Above
 * THIN_DOTS points, a dot is left out where an earlier one holds its cell
 * (the dot's size), and the dots kept sit on their cells: callers draw the
 * best first then. */
#define THIN_DOTS 20000

struct dots {
	cairo_t *cr;
	int raster;
	double x0, y0, cell;
	size_t w, h;
	unsigned char *seen;	/* NULL: draw every dot */
};

static void
dots_init(struct dots *g, cairo_t *cr, const struct box *b, double r, size_t n)
{
	g->cr = cr;
	g->raster = is_raster(cr);
	g->x0 = b->x - r;
	g->y0 = b->y - r;
	g->cell = r > 1 ? r : 1;
	g->w = (size_t)((b->w + 2 * r) / g->cell) + 1;
	g->h = (size_t)((b->h + 2 * r) / g->cell) + 1;
	g->seen = n > THIN_DOTS ? calloc(g->w * g->h, 1) : NULL;
}

static void
dot(struct dots *g, double x, double y, double r)
{
	if (g->seen != NULL) {
		double cx = (x - g->x0) / g->cell, cy = (y - g->y0) / g->cell;
		if (cx >= 0 && cy >= 0 && cx < (double)g->w && cy < (double)g->h) {
			size_t at = (size_t)cy * g->w + (size_t)cx;
			if (g->seen[at])
				return;
			g->seen[at] = 1;
			/* on the cell: the kept dots tile, with no gaps between */
			x = g->x0 + (floor(cx) + 0.5) * g->cell;
			y = g->y0 + (floor(cy) + 0.5) * g->cell;
		}
	}
	cairo_rectangle(g->cr, x - r / 2, y - r / 2, r, r);
	if (g->raster)
		cairo_fill(g->cr);
}

static double
dot_size(size_t n)
{
	return n > 20000 ? 2 : n > 2000 ? 3 : n > 200 ? 4.5 : 6;
}

/* A small deterministic jitter for categorical values: -0.25..0.25 */
static double
jitter(size_t i)
{
	uint64_t z = (uint64_t)i * 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 31)) * 0xBF58476D1CE4E5B9ULL;
	return ((double)(z >> 11) / 9007199254740992.0 - 0.5) * 0.5;
}

static double
coord(const struct hpo_plot_data *d, size_t i, size_t k, const struct hpo_scale *s)
{
	double x = hpo_plot_x(d, i, k);

	if (d->params[k].axis == HPO_AXIS_CAT && !isnan(x))
		x += jitter(i * 31 + k);
	return hpo_scale_map(s, x);
}

/* ---- the plots ------------------------------------------------------------------------- */

static void
cross(cairo_t *cr, double x, double y, double r)
{
	cairo_move_to(cr, x - r, y - r);
	cairo_line_to(cr, x + r, y + r);
	cairo_move_to(cr, x - r, y + r);
	cairo_line_to(cr, x + r, y - r);
}

static void
draw_history(cairo_t *cr, const struct hpo_plot_data *d, const struct hpo_plot_opts *o,
	     const struct box *b)
{
	struct hpo_scale xs, ys;
	struct box strip = {b->x, b->y, b->w, 16};
	struct box pb = {b->x, b->y + 22, b->w, b->h - 22};
	double *best, r = dot_size(d->np);
	char buf[160];
	struct dots g;

	hpo_scale_fit(&xs, 1, (double)(d->np ? d->np : 1), 0);
	loss_scale(d, o, &ys);
	if (d->np == 0) {
		frame(cr, &pb);
		message(cr, &pb, "no points yet");
		return;
	}
	grid(cr, &pb, &ys, 1);
	frame(cr, &pb);
	axis(cr, &pb, &xs, NULL, 0, 10);
	if (d->nok > 0)
		axis(cr, &pb, &ys, NULL, 1, 10);
	gray(cr, 0.25);
	text(cr, pb.x + pb.w / 2, pb.y + pb.h + 22, 11, 0.5, 0, 0, "point, in order", 40);
	text(cr, pb.x - 52, pb.y + pb.h / 2, 11, 0.5, 1, -M_PI / 2,
	     hpo_plot_loss_log(d, o) ? "loss (log scale)" : "loss", 40);
	/* failed and NaN/inf points: marked in the strip above the plot */
	if (d->nfailed + d->nbad > 0) {
		cairo_set_source_rgb(cr, 0.99, 0.93, 0.93);
		cairo_rectangle(cr, strip.x, strip.y, strip.w, strip.h);
		cairo_fill(cr);
		red(cr);
		cairo_set_line_width(cr, r > 3 ? 1.5 : 1);
		for (size_t i = 0; i < d->np; i++)
			if (d->pts[i].state == HPO_PT_FAILED || d->pts[i].state == HPO_PT_BADLOSS)
				cross(cr, pb.x + pb.w * hpo_scale_map(&xs, (double)(i + 1)),
				      strip.y + strip.h / 2, r / 2 + 1);
		cairo_stroke(cr);
		snprintf(buf, sizeof(buf), "%zu %s", d->nfailed + d->nbad,
			 d->nbad ? "failed/NaN" : "failed");
		text(cr, strip.x - 4, strip.y + strip.h / 2, 9, 1, 0.5, 0, buf, 20);
	}
	if (d->nok == 0) {
		message(cr, &pb, d->nfailed + d->nbad ? "no point finished: every one failed"
						      : "no point finished yet");
		return;
	}
	cairo_save(cr);
	cairo_rectangle(cr, pb.x, pb.y, pb.w, pb.h);
	cairo_clip(cr);
	cairo_set_source_rgba(cr, 0.16, 0.42, 0.69, d->np > 2000 ? 0.5 : 0.8);
	dots_init(&g, cr, &pb, r, d->np);
	for (size_t i = 0; i < d->np; i++) {
		if (d->pts[i].state != HPO_PT_OK)
			continue;
		double x = pb.x + pb.w * hpo_scale_map(&xs, (double)(i + 1));
		double y = pb.y + pb.h * (1 - hpo_scale_map(&ys, d->pts[i].loss));
		dot(&g, x, y, r);
	}
	cairo_fill(cr);
	free(g.seen);
	/* the running best, a step line */
	if ((best = malloc(d->np * sizeof(*best))) != NULL) {
		hpo_plot_running_best(d, best);
		int started = 0;
		double lasty = 0;
		for (size_t i = 0; i < d->np; i++) {
			if (isnan(best[i]))
				continue;
			double x = pb.x + pb.w * hpo_scale_map(&xs, (double)(i + 1));
			double y = pb.y + pb.h * (1 - hpo_scale_map(&ys, best[i]));
			if (!started) {
				cairo_move_to(cr, x, y);
				started = 1;
			} else if (y != lasty) {
				cairo_line_to(cr, x, lasty);
				cairo_line_to(cr, x, y);
			}
			lasty = y;
		}
		cairo_line_to(cr, pb.x + pb.w, lasty);
		cairo_set_source_rgb(cr, 0.90, 0.45, 0.05);
		cairo_set_line_width(cr, 2);
		cairo_stroke(cr);
		free(best);
	}
	cairo_restore(cr);
	/* legend */
	const struct hpo_plot_point *bp = &d->pts[d->best];
	char num[32];
	hpo_plot_fmt(num, sizeof(num), bp->loss);
	snprintf(buf, sizeof(buf), "running best; best %s at point %lld", num, (long long)bp->id);
	cairo_set_source_rgb(cr, 0.90, 0.45, 0.05);
	cairo_rectangle(cr, pb.x + pb.w - 290, pb.y + 8, 16, 3);
	cairo_fill(cr);
	gray(cr, 0.2);
	text(cr, pb.x + pb.w - 270, pb.y + 10, 10, 0, 0.5, 0, buf, 60);
}

#define MAX_LINES 5000
#define BEST_LINES 1000

/* Leave at most MAX_LINES lines in sh (255 marks the others): the
 * BEST_LINES lowest losses and every k-th of the rest in point order; the
 * number left. */
static size_t
thin_lines(const struct hpo_plot_data *d, unsigned char *sh)
{
	size_t n = 0, kept = 0;
	double *loss;

	if (d->nok <= MAX_LINES)
		return d->nok;
	loss = xcalloc(d->nok, sizeof(*loss));
	for (size_t i = 0; i < d->np; i++)
		if (sh[i] != 255)
			loss[n++] = d->pts[i].loss;
	if (n <= MAX_LINES) {
		free(loss);
		return n;
	}
	/* the BEST_LINES lowest losses, ties in point order: those below the
	 * BEST_LINES-th lowest, then those equal to it, first come */
	double cut = hpo_plot_kth(loss, n, BEST_LINES - 1);
	size_t below = 0;
	for (size_t j = 0; j < n; j++)
		below += loss[j] < cut;
	free(loss);
	unsigned char *best = xcalloc(d->np, 1);
	size_t ties = BEST_LINES - below;
	for (size_t i = 0; i < d->np; i++) {
		if (sh[i] == 255)
			continue;
		if (d->pts[i].loss < cut)
			best[i] = 1;
		else if (d->pts[i].loss == cut && ties > 0) {
			best[i] = 1;
			ties--;
		}
	}
	size_t rest = n - BEST_LINES, want = MAX_LINES - BEST_LINES, seen = 0;
	for (size_t i = 0; i < d->np; i++) {
		if (sh[i] == 255 || best[i]) {
			kept += best[i];
			continue;
		}
		/* the k-th of the rest for k = 0, rest/want, 2 rest/want, ... */
		if ((seen * want) / rest != ((seen + 1) * want) / rest)
			kept++;
		else
			sh[i] = 255;
		seen++;
	}
	free(best);
	return kept;
}

/* ---- thin lines on an image, without cairo ------------------------------------------------
 *
 * Parallel coordinates draw thousands of thin translucent lines across the
 * whole plot.  Stroked one by one (each its own path, so that overlaps
 * darken as they should), cairo spends a third of a second on 5000 of
 * them.  On an image they are drawn here instead, straight into its
 * pixels: each line as cairo would cover it (its width across the pixels
 * it crosses, antialiased), blended over what is there with the line's
 * alpha, one line after another: the same picture, the whole plot drawn in
 * less than half the time (bench/README.md).
 */

struct pixels {
	unsigned char *data;	/* CAIRO_FORMAT_RGB24: 0x00RRGGBB in a uint32_t */
	int stride;
	int x0, y0, x1, y1;	/* the clip, in pixels: x0 <= x < x1 */
	double rgb[3], alpha, width;
};

/* Blend the colour over pixel (x, y) with coverage cov (0..1). */
static void
blend(struct pixels *px, int x, int y, double cov)
{
	if (x < px->x0 || x >= px->x1 || y < px->y0 || y >= px->y1 || !(cov > 0))
		return;
	uint32_t *p = (uint32_t *)(void *)(px->data + (size_t)y * (size_t)px->stride) + x;
	double a = px->alpha * (cov < 1 ? cov : 1);
	uint32_t v = *p, out = 0;
	for (int c = 0; c < 3; c++) {
		double d = (double)(v >> (16 - 8 * c) & 0xff);
		double r = d + (px->rgb[c] * 255 - d) * a;
		out |= (uint32_t)(r + 0.5) << (16 - 8 * c);
	}
	*p = out;
}

/* One segment from (xa, ya) to (xb, yb), device space.  Along its major
 * axis, at each pixel centre, the line (width w) covers w * sqrt(1 + m^2)
 * of the minor axis (m: the slope), spread over the one or two pixels it
 * falls on.  The pixel at the segment's end is its next one's. */
static void
segment(struct pixels *px, double xa, double ya, double xb, double yb)
{
	/* far outside any image (or not finite): nothing to draw, and no
	 * pixel index to overflow */
	if (!(fabs(xa) < 1e6 && fabs(ya) < 1e6 && fabs(xb) < 1e6 && fabs(yb) < 1e6))
		return;
	int steep = fabs(yb - ya) > fabs(xb - xa);
	double a0 = steep ? ya : xa, a1 = steep ? yb : xb;
	double b0 = steep ? xa : ya, b1 = steep ? xb : yb;

	if (a1 < a0) {
		double t = a0;
		a0 = a1, a1 = t;
		t = b0, b0 = b1, b1 = t;
	}
	double m = a1 > a0 ? (b1 - b0) / (a1 - a0) : 0;
	double half = px->width * sqrt(1 + m * m) / 2;
	int lo = (int)ceil(a0 - 0.5), hi = (int)ceil(a1 - 0.5) - 1;

	if (a1 - a0 < 1e-9)
		return;
	if (!steep && lo < px->x0)
		lo = px->x0;
	if (!steep && hi >= px->x1)
		hi = px->x1 - 1;
	if (steep && lo < px->y0)
		lo = px->y0;
	if (steep && hi >= px->y1)
		hi = px->y1 - 1;
	/* the pixel centres lo + 0.5 .. hi + 0.5, in [a0, a1) */
	for (int i = lo; i <= hi; i++) {
		double c = i + 0.5;
		double mid = b0 + (c - a0) * m, top = mid - half, bot = mid + half;
		int k = (int)floor(top);
		for (; k <= (int)floor(bot); k++) {
			double cov = (bot < k + 1 ? bot : k + 1) - (top > k ? top : k);
			if (steep)
				blend(px, k, i, cov);
			else
				blend(px, i, k, cov);
		}
	}
}

/* The pixels of cr's image, when lines can be drawn into them: an RGB24
 * image surface, user space its device space (moved at most), clipped to
 * a rectangle. */
static int
pixels_of(cairo_t *cr, struct pixels *px, double *dx, double *dy)
{
	cairo_surface_t *s = cairo_get_target(cr);
	cairo_matrix_t m;
	double x0, y0, x1, y1;

	cairo_get_matrix(cr, &m);
	if (cairo_surface_get_type(s) != CAIRO_SURFACE_TYPE_IMAGE ||
	    cairo_image_surface_get_format(s) != CAIRO_FORMAT_RGB24 || m.xx != 1 || m.yy != 1 ||
	    m.xy != 0 || m.yx != 0)
		return 0;
	cairo_surface_flush(s);
	px->data = cairo_image_surface_get_data(s);
	px->stride = cairo_image_surface_get_stride(s);
	if (px->data == NULL)
		return 0;
	cairo_clip_extents(cr, &x0, &y0, &x1, &y1);
	*dx = m.x0;
	*dy = m.y0;
	px->x0 = (int)ceil(x0 + m.x0);
	px->y0 = (int)ceil(y0 + m.y0);
	px->x1 = (int)floor(x1 + m.x0);
	px->y1 = (int)floor(y1 + m.y0);
	if (px->x0 < 0)
		px->x0 = 0;
	if (px->y0 < 0)
		px->y0 = 0;
	if (px->x1 > cairo_image_surface_get_width(s))
		px->x1 = cairo_image_surface_get_width(s);
	if (px->y1 > cairo_image_surface_get_height(s))
		px->y1 = cairo_image_surface_get_height(s);
	return 1;
}

static void
draw_parallel(cairo_t *cr, const struct hpo_plot_data *d, const struct hpo_plot_opts *o,
	      const struct box *b0)
{
	struct box b = {b0->x, b0->y, b0->w - 70, b0->h - 30};
	size_t na = d->nparams + 1;
	struct hpo_scale ls, *ps;
	unsigned char *sh;
	double gap = na > 1 ? b.w / (double)(na - 1) : b.w;

	if (d->nparams == 0 || d->nok == 0) {
		frame(cr, b0);
		message(cr, b0, d->nparams == 0 ? "no parameters to draw" : "no point finished yet");
		return;
	}
	loss_scale(d, o, &ls);
	if ((ps = calloc(na, sizeof(*ps))) == NULL || (sh = shades_of(d, &ls)) == NULL) {
		free(ps);
		return;
	}
	for (size_t k = 0; k < d->nparams; k++)
		param_scale(&d->params[k], &ps[k]);
	ps[d->nparams] = ls;
	/* many points: the MAX_LINES best and an even sample of the others */
	size_t drawn = thin_lines(d, sh);
	/* lines: the worst shades first, so the best lie on top */
	double width = drawn > 2000 ? 0.5 : drawn > 500 ? 0.8 : 1.2;
	double alpha = drawn > 2000 ? 0.3 : drawn > 500 ? 0.5 : 0.8;
	struct pixels px;
	double dx = 0, dy = 0;
	/* an image: into its pixels (above); else each line a path of its own */
	int raster = pixels_of(cr, &px, &dx, &dy);
	cairo_set_line_width(cr, width);
	px.alpha = alpha;
	px.width = width;
	for (int s = NSHADES - 1; s >= 0; s--) {
		set_shade(cr, (s + 0.5) / NSHADES, alpha);
		shade((s + 0.5) / NSHADES, px.rgb);
		for (size_t i = 0; i < d->np; i++) {
			if (sh[i] != s)
				continue;
			int pen = 0;
			double lx = 0, ly = 0;
			for (size_t k = 0; k < na; k++) {
				double t = k < d->nparams ? coord(d, i, k, &ps[k])
							  : hpo_scale_map(&ls, d->pts[i].loss);
				if (isnan(t)) {
					pen = 0;
					continue;
				}
				double x = b.x + gap * (double)k, y = b.y + b.h * (1 - t);
				if (raster && pen)
					segment(&px, lx + dx, ly + dy, x + dx, y + dy);
				else if (pen)
					cairo_line_to(cr, x, y);
				else if (!raster)
					cairo_move_to(cr, x, y);
				lx = x;
				ly = y;
				pen = 1;
			}
		}
		cairo_stroke(cr);
	}
	if (raster)
		cairo_surface_mark_dirty(cairo_get_target(cr));
	if (drawn < d->nok) {
		char note[128];
		snprintf(note, sizeof(note), "%zu of %zu lines: the %d best and an even sample of the rest",
			 drawn, d->nok, BEST_LINES);
		gray(cr, 0.4);
		text(cr, b0->x + b0->w, b0->y + b0->h + 14, 9, 1, 0, 0, note, 90);
	}
	/* the best point: thick, on top */
	if (d->best != HPO_PLOT_NONE) {
		int pen = 0;
		for (size_t k = 0; k < na; k++) {
			double t = k < d->nparams ? coord(d, d->best, k, &ps[k])
						  : hpo_scale_map(&ls, d->pts[d->best].loss);
			if (isnan(t)) {
				pen = 0;
				continue;
			}
			if (pen)
				cairo_line_to(cr, b.x + gap * (double)k, b.y + b.h * (1 - t));
			else
				cairo_move_to(cr, b.x + gap * (double)k, b.y + b.h * (1 - t));
			pen = 1;
		}
		red(cr);
		cairo_set_line_width(cr, 2.5);
		cairo_stroke(cr);
	}
	/* the axes */
	double fs = gap < 60 ? 8 : 9;
	for (size_t k = 0; k < na; k++) {
		double x = b.x + gap * (double)k;
		struct box ab = {x, b.y, 0, b.h};
		gray(cr, 0.3);
		cairo_set_line_width(cr, 1);
		cairo_move_to(cr, x, b.y);
		cairo_line_to(cr, x, b.y + b.h);
		cairo_stroke(cr);
		axis(cr, &ab, &ps[k], k < d->nparams ? &d->params[k] : NULL, 1, fs);
		const char *name = k < d->nparams ? d->params[k].name : "loss";
		gray(cr, 0.1);
		if (gap < 90)
			text(cr, x, b.y + b.h + 8, 10, 1, 0.5, -M_PI / 5, name, 16);
		else
			text(cr, x, b.y + b.h + 8, 10, 0.5, 0, 0, name, 20);
	}
	colorbar(cr, &(struct box){b0->x + b0->w - 40, b.y, 10, b.h}, &ls);
	free(sh);
	free(ps);
}

static void
draw_slice(cairo_t *cr, const struct hpo_plot_data *d, const struct hpo_plot_opts *o,
	   const struct box *b)
{
	struct hpo_scale ls;
	size_t n = d->nparams, cols, rows;

	if (n == 0 || d->nok == 0) {
		frame(cr, b);
		message(cr, b, n == 0 ? "no parameters to draw" : "no point finished yet");
		return;
	}
	loss_scale(d, o, &ls);
	cols = (size_t)ceil(sqrt((double)n * b->w / b->h));
	cols = cols > n ? n : cols < 1 ? 1 : cols;
	rows = (n + cols - 1) / cols;
	double cw = b->w / (double)cols, ch = b->h / (double)rows, fs = ch < 120 ? 7 : 9;
	double r = dot_size(d->np) * (ch < 120 ? 0.6 : 1);
	for (size_t k = 0; k < n; k++) {
		struct hpo_scale xs;
		struct box c = {b->x + cw * (double)(k % cols) + 36, b->y + ch * (double)(k / cols) + 4,
				cw - 44, ch - 30};
		if (c.w < 10 || c.h < 10)
			continue;
		param_scale(&d->params[k], &xs);
		frame(cr, &c);
		axis(cr, &c, &xs, &d->params[k], 0, fs);
		if (k % cols == 0)
			axis(cr, &c, &ls, NULL, 1, fs);
		gray(cr, 0.1);
		text(cr, c.x + c.w / 2, c.y + 3, 10, 0.5, 0, 0, d->params[k].name, (size_t)(c.w / 6));
		cairo_save(cr);
		cairo_rectangle(cr, c.x, c.y, c.w, c.h);
		cairo_clip(cr);
		cairo_set_source_rgba(cr, 0.16, 0.42, 0.69, d->np > 2000 ? 0.4 : 0.75);
		struct dots g;
		dots_init(&g, cr, &c, r, d->np);
		for (size_t i = 0; i < d->np; i++) {
			if (d->pts[i].state != HPO_PT_OK)
				continue;
			double tx = coord(d, i, k, &xs), ty = hpo_scale_map(&ls, d->pts[i].loss);
			if (isnan(tx) || isnan(ty))
				continue;
			dot(&g, c.x + c.w * tx, c.y + c.h * (1 - ty), r);
		}
		cairo_fill(cr);
		free(g.seen);
		if (d->best != HPO_PLOT_NONE) {
			double tx = coord(d, d->best, k, &xs), ty = hpo_scale_map(&ls, d->pts[d->best].loss);
			if (!isnan(tx) && !isnan(ty)) {
				red(cr);
				cairo_arc(cr, c.x + c.w * tx, c.y + c.h * (1 - ty), r + 2, 0, 2 * M_PI);
				cairo_set_line_width(cr, 1.5);
				cairo_stroke(cr);
			}
		}
		cairo_restore(cr);
	}
}

/* The two parameters of the pair plot: the chosen ones, else the two most
 * important (imp; of equal ones the first), else the first two. */
static void
pair_of(const struct hpo_plot_data *d, const struct hpo_plot_opts *o, const double *imp, int *a,
	int *b)
{
	*a = o->pair[0];
	*b = o->pair[1];
	if (*a >= 0 && *b >= 0)
		return;
	*a = 0;
	for (size_t k = 1; k < d->nparams; k++)
		if (imp[k] > imp[*a])
			*a = (int)k;
	*b = *a == 0 ? 1 : 0;
	for (size_t k = 0; k < d->nparams; k++)
		if ((int)k != *a && imp[k] > imp[*b])
			*b = (int)k;
}

static void
draw_pair(cairo_t *cr, const struct hpo_plot_data *d, const struct hpo_plot_opts *o,
	  const double *imp, const struct box *b0)
{
	struct box b = {b0->x, b0->y, b0->w - 80, b0->h - 26};
	struct hpo_scale xs, ys, ls;
	unsigned char *sh;
	int pa, pb;

	if (d->nparams < 2 || d->nok == 0) {
		frame(cr, b0);
		message(cr, b0, d->nparams < 2 ? "the pair plot needs two parameters"
					       : "no point finished yet");
		return;
	}
	pair_of(d, o, imp, &pa, &pb);
	param_scale(&d->params[pa], &xs);
	param_scale(&d->params[pb], &ys);
	loss_scale(d, o, &ls);
	if ((sh = shades_of(d, &ls)) == NULL)
		return;
	frame(cr, &b);
	axis(cr, &b, &xs, &d->params[pa], 0, 10);
	axis(cr, &b, &ys, &d->params[pb], 1, 10);
	gray(cr, 0.1);
	text(cr, b.x + b.w / 2, b.y + b.h + 22, 11, 0.5, 0, 0, d->params[pa].name, 40);
	text(cr, b.x - 56, b.y + b.h / 2, 11, 0.5, 1, -M_PI / 2, d->params[pb].name, 40);
	double r = dot_size(d->np) + 1;
	struct dots g;
	cairo_save(cr);
	cairo_rectangle(cr, b.x, b.y, b.w, b.h);
	cairo_clip(cr);
	dots_init(&g, cr, &b, r, d->np);
	/* the best on top: drawn last, or first when thinned (first come wins) */
	for (int j = 0; j < NSHADES; j++) {
		int s = g.seen ? j : NSHADES - 1 - j;
		set_shade(cr, (s + 0.5) / NSHADES, 0.9);
		for (size_t i = 0; i < d->np; i++) {
			if (sh[i] != s)
				continue;
			double tx = coord(d, i, (size_t)pa, &xs), ty = coord(d, i, (size_t)pb, &ys);
			if (isnan(tx) || isnan(ty))
				continue;
			dot(&g, b.x + b.w * tx, b.y + b.h * (1 - ty), r);
		}
		cairo_fill(cr);
	}
	free(g.seen);
	/* failed points: red crosses where they were tried (lighter when many) */
	cairo_set_source_rgba(cr, 0.84, 0.15, 0.16, d->nfailed + d->nbad > 500 ? 0.45 : 1);
	cairo_set_line_width(cr, 1);
	for (size_t i = 0; i < d->np; i++) {
		if (d->pts[i].state != HPO_PT_FAILED && d->pts[i].state != HPO_PT_BADLOSS)
			continue;
		double tx = coord(d, i, (size_t)pa, &xs), ty = coord(d, i, (size_t)pb, &ys);
		if (!isnan(tx) && !isnan(ty))
			cross(cr, b.x + b.w * tx, b.y + b.h * (1 - ty), r / 2 + 1);
	}
	cairo_stroke(cr);
	if (d->best != HPO_PLOT_NONE) {
		double tx = coord(d, d->best, (size_t)pa, &xs), ty = coord(d, d->best, (size_t)pb, &ys);
		if (!isnan(tx) && !isnan(ty)) {
			red(cr);
			cairo_set_line_width(cr, 2);
			cairo_arc(cr, b.x + b.w * tx, b.y + b.h * (1 - ty), r + 4, 0, 2 * M_PI);
			cairo_stroke(cr);
		}
	}
	cairo_restore(cr);
	colorbar(cr, &(struct box){b0->x + b0->w - 50, b.y, 10, b.h}, &ls);
	free(sh);
}

static int
cmp_imp_desc(const void *a, const void *b, const double *imp)
{
	double x = imp[*(const size_t *)a], y = imp[*(const size_t *)b];

	return x > y ? -1 : x < y ? 1 : (*(const size_t *)a > *(const size_t *)b) -
					       (*(const size_t *)a < *(const size_t *)b);
}

static void
draw_importance(cairo_t *cr, const struct hpo_plot_data *d, const double *imp,
		const struct box *b0)
{
	double sum = 0;
	size_t *order = calloc(d->nparams + 1, sizeof(*order));
	struct box b = {b0->x + 60, b0->y, b0->w - 120, b0->h - 10};

	if (order == NULL)
		return;
	for (size_t k = 0; k < d->nparams; k++) {
		order[k] = k;
		sum += imp[k];
	}
	if (d->nparams == 0 || !(sum > 0)) {
		frame(cr, b0);
		message(cr, b0, d->nparams == 0 ? "no parameters"
				: d->nok < 3 ? "importance needs 3 finished points or more"
				: "no parameter explains the losses (are they all equal?)");
		free(order);
		return;
	}
	/* sort by importance, largest first (insertion sort: few parameters) */
	for (size_t i = 1; i < d->nparams; i++)
		for (size_t j = i; j > 0 && cmp_imp_desc(&order[j], &order[j - 1], imp) < 0; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	double bh = b.h / (double)d->nparams, fs = bh < 14 ? bh * 0.75 : 11;
	for (size_t j = 0; j < d->nparams; j++) {
		size_t k = order[j];
		double y = b.y + bh * (double)j, w = b.w * imp[k];
		char buf[32];
		set_shade(cr, 0.35, 1);
		cairo_rectangle(cr, b.x, y + bh * 0.15, w, bh * 0.7);
		cairo_fill(cr);
		gray(cr, 0.1);
		text(cr, b.x - 6, y + bh / 2, fs, 1, 0.5, 0, d->params[k].name, 12);
		snprintf(buf, sizeof(buf), "%.1f%%", imp[k] * 100);
		text(cr, b.x + w + 4, y + bh / 2, fs, 0, 0.5, 0, buf, 10);
	}
	gray(cr, 0.4);
	cairo_move_to(cr, b.x, b.y);
	cairo_line_to(cr, b.x, b.y + b.h);
	cairo_stroke(cr);
	free(order);
}

static void
draw_curves(cairo_t *cr, const struct hpo_plot_data *d, const struct hpo_plot_opts *o,
	    const struct box *b0)
{
	struct box b = {b0->x, b0->y, b0->w - 70, b0->h - 26};
	size_t maxlen = 0;
	double lo = INFINITY, hi = -INFINITY;
	struct hpo_scale xs, ys, ls;

	for (size_t i = 0; i < d->np; i++)
		if (d->pts[i].curve_len > maxlen)
			maxlen = d->pts[i].curve_len;
	for (size_t j = 0; j < d->ncurve; j++)
		if (isfinite(d->curve[j])) {
			lo = d->curve[j] < lo ? d->curve[j] : lo;
			hi = d->curve[j] > hi ? d->curve[j] : hi;
		}
	if (d->ncurves == 0 || lo > hi) {
		frame(cr, b0);
		message(cr, b0, "no learning curves: evaluations report them as \"intermediate\" "
				"in output.json");
		return;
	}
	hpo_scale_fit(&xs, 1, (double)maxlen, 0);
	hpo_scale_fit(&ys, lo, hi, o->log && lo > 0);
	loss_scale(d, o, &ls);
	grid(cr, &b, &ys, 1);
	frame(cr, &b);
	axis(cr, &b, &xs, NULL, 0, 10);
	axis(cr, &b, &ys, NULL, 1, 10);
	gray(cr, 0.25);
	text(cr, b.x + b.w / 2, b.y + b.h + 22, 11, 0.5, 0, 0, "step (intermediate value)", 40);
	text(cr, b.x - 52, b.y + b.h / 2, 11, 0.5, 1, -M_PI / 2, ys.log ? "loss (log scale)" : "loss",
	     40);
	cairo_save(cr);
	cairo_rectangle(cr, b.x, b.y, b.w, b.h);
	cairo_clip(cr);
	cairo_set_line_width(cr, d->ncurves > 1000 ? 0.6 : 1.2);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < d->np; i++) {
			const struct hpo_plot_point *p = &d->pts[i];
			int pen = 0;
			if (p->curve_len == 0 || (pass == 1) != (i == d->best))
				continue;
			for (size_t j = 0; j < p->curve_len; j++) {
				double v = d->curve[p->curve_off + j];
				double tx = hpo_scale_map(&xs, (double)(j + 1)), ty = hpo_scale_map(&ys, v);
				if (isnan(ty) || !isfinite(v)) {
					pen = 0;
					continue;
				}
				double x = b.x + b.w * tx, y = b.y + b.h * (1 - ty);
				if (pen)
					cairo_line_to(cr, x, y);
				else
					cairo_move_to(cr, x, y);
				pen = 1;
				if (p->curve_len == 1)
					cairo_rectangle(cr, x - 2, y - 2, 4, 4);
			}
			if (pass == 1) {
				red(cr);
				cairo_set_line_width(cr, 2.5);
			} else if (p->state == HPO_PT_OK) {
				set_shade(cr, hpo_scale_map(&ls, p->loss), 0.8);
			} else {
				cairo_set_source_rgba(cr, 0.84, 0.15, 0.16, 0.5);
			}
			cairo_stroke(cr);
		}
	cairo_restore(cr);
	colorbar(cr, &(struct box){b0->x + b0->w - 40, b.y, 10, b.h}, &ls);
}

/* Colours of the rungs, lowest to highest budget: distinct hues (a
 * trial's colour says how far it went). */
static void
rung_rgb(size_t r, size_t n, double *rgb)
{
	static const double c[][3] = {
		{0.55, 0.63, 0.80}, {0.40, 0.70, 0.42}, {0.95, 0.60, 0.10}, {0.60, 0.31, 0.64},
		{0.12, 0.47, 0.71}, {0.55, 0.34, 0.29}, {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50},
	};

	if (n <= 8)
		memcpy(rgb, c[r], sizeof(c[r]));
	else
		shade(n > 1 ? (double)r / (double)(n - 1) : 0.5, rgb);
}

static void
rung_colour(cairo_t *cr, size_t r, size_t n, double alpha)
{
	double rgb[3];

	rung_rgb(r, n, rgb);
	cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], alpha);
}

/* The rung of budget v: its index among the budgets (the nearest below). */
static size_t
rung_of(const struct hpo_plot_data *d, double v)
{
	size_t lo = 0, hi = d->nbudgets;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->budgets[mid] <= v)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* A point in the order of the rungs plot: by the rung its trial reached
 * (its colour), trial, budget, then order. */
struct by_trial {
	size_t reach, trial, i;
	double budget;
};

static int
cmp_by_trial(const void *a, const void *b)
{
	const struct by_trial *p = a, *q = b;

	if (p->reach != q->reach)
		return (p->reach > q->reach) - (p->reach < q->reach);
	if (p->trial != q->trial)
		return (p->trial > q->trial) - (p->trial < q->trial);
	if (p->budget != q->budget)
		return (p->budget > q->budget) - (p->budget < q->budget);
	return (p->i > q->i) - (p->i < q->i);
}

/* Learning curves by rung: each OK point's loss at its budget, the points
 * of a trial joined by a line in budget order, coloured by the highest
 * rung the trial reached; failed points crossed in a strip above; the
 * best point circled. */
static void
draw_rungs(cairo_t *cr, const struct hpo_plot_data *d, const struct hpo_plot_opts *o,
	   const struct box *b0)
{
	struct box strip = {b0->x, b0->y, b0->w - 90, 16};
	struct box b = {b0->x, b0->y + 22, b0->w - 90, b0->h - 22};
	struct hpo_scale xs, ys;
	size_t n = 0, nfail = 0, *reach;
	struct by_trial *ord;
	double r = dot_size(d->nok);
	char buf[64];

	if (d->budget_name == NULL || d->nbudgets == 0) {
		frame(cr, b0);
		message(cr, b0, d->budget_name == NULL ? "not a multi-fidelity task: its space has no "
				"fidelity parameter" : "no point has a budget yet");
		return;
	}
	hpo_scale_fit(&xs, d->budgets[0], d->budgets[d->nbudgets - 1], d->budget_log);
	loss_scale(d, o, &ys);
	grid(cr, &b, &ys, 1);
	frame(cr, &b);
	/* the rungs' budgets as the ticks, when they are few */
	gray(cr, 0.25);
	if (d->nbudgets <= 12) {
		cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
		for (size_t j = 0; j < d->nbudgets; j++) {
			double x = b.x + b.w * hpo_scale_map(&xs, d->budgets[j]);
			cairo_move_to(cr, x, b.y);
			cairo_line_to(cr, x, b.y + b.h);
		}
		cairo_stroke(cr);
		gray(cr, 0.25);
		for (size_t j = 0; j < d->nbudgets; j++) {
			double x = b.x + b.w * hpo_scale_map(&xs, d->budgets[j]);
			cairo_move_to(cr, x, b.y + b.h);
			cairo_line_to(cr, x, b.y + b.h + 4);
			cairo_stroke(cr);
			textf_num(cr, x, b.y + b.h + 6, 10, 0.5, 0, d->budgets[j]);
		}
	} else {
		axis(cr, &b, &xs, NULL, 0, 10);
	}
	if (d->nok > 0)
		axis(cr, &b, &ys, NULL, 1, 10);
	gray(cr, 0.25);
	snprintf(buf, sizeof(buf), "%s (budget%s)", d->budget_name, xs.log ? ", log scale" : "");
	text(cr, b.x + b.w / 2, b.y + b.h + 22, 11, 0.5, 0, 0, buf, 60);
	text(cr, b.x - 52, b.y + b.h / 2, 11, 0.5, 1, -M_PI / 2,
	     hpo_plot_loss_log(d, o) ? "loss (log scale)" : "loss", 40);
	/* the highest rung each trial reached, any state: how far it went */
	reach = xcalloc(d->ntrials + 1, sizeof(*reach));
	ord = xcalloc(d->np + 1, sizeof(*ord));
	for (size_t i = 0; i < d->np; i++) {
		const struct hpo_plot_point *p = &d->pts[i];
		if (isnan(p->budget))
			continue;
		if (p->trial != HPO_PLOT_NONE && rung_of(d, p->budget) + 1 > reach[p->trial])
			reach[p->trial] = rung_of(d, p->budget) + 1;
		if (p->state == HPO_PT_OK)
			ord[n++] = (struct by_trial){0, p->trial, i, p->budget};
		else if (p->state == HPO_PT_FAILED || p->state == HPO_PT_BADLOSS)
			nfail++;
	}
	if (nfail > 0) {
		cairo_set_source_rgb(cr, 0.99, 0.93, 0.93);
		cairo_rectangle(cr, strip.x, strip.y, strip.w, strip.h);
		cairo_fill(cr);
		red(cr);
		cairo_set_line_width(cr, 1);
		for (size_t i = 0; i < d->np; i++) {
			const struct hpo_plot_point *p = &d->pts[i];
			if (!isnan(p->budget) && (p->state == HPO_PT_FAILED || p->state == HPO_PT_BADLOSS))
				cross(cr, b.x + b.w * hpo_scale_map(&xs, p->budget), strip.y + strip.h / 2, 4);
		}
		cairo_stroke(cr);
		snprintf(buf, sizeof(buf), "%zu failed", nfail);
		text(cr, strip.x - 4, strip.y + strip.h / 2, 9, 1, 0.5, 0, buf, 20);
	}
	if (n == 0) {
		message(cr, &b, "no point with a budget finished yet");
		free(ord);
		free(reach);
		return;
	}
	/* a trial's points together, by budget; by the rung reached (0-based) */
	for (size_t a = 0; a < n; a++)
		ord[a].reach = ord[a].trial != HPO_PLOT_NONE ? reach[ord[a].trial] - 1
			     : rung_of(d, ord[a].budget);
	qsort(ord, n, sizeof(*ord), cmp_by_trial);
	cairo_save(cr);
	cairo_rectangle(cr, b.x, b.y, b.w, b.h);
	cairo_clip(cr);
	double lw = n > 5000 ? 0.5 : n > 500 ? 0.8 : 1.3, alpha = n > 5000 ? 0.35 : 0.75;
	/* the lines, a colour at a time, the trials that went furthest last,
	 * on top; on an image straight into its pixels (as the parallel
	 * coordinates: thousands of strokes are slow in cairo) */
	struct pixels px;
	double dx = 0, dy = 0, px0 = 0, py0 = 0;
	int raster = pixels_of(cr, &px, &dx, &dy);
	px.alpha = alpha;
	px.width = lw;
	cairo_set_line_width(cr, lw);
	for (size_t a = 0; a < n; a++) {
		const struct hpo_plot_point *q = &d->pts[ord[a].i];
		double x = b.x + b.w * hpo_scale_map(&xs, q->budget);
		double y = b.y + b.h * (1 - hpo_scale_map(&ys, q->loss));
		/* a line from the trial's point before */
		int joined = a > 0 && q->trial != HPO_PLOT_NONE && ord[a - 1].trial == q->trial &&
			     ord[a - 1].reach == ord[a].reach;
		if (a == 0 || ord[a - 1].reach != ord[a].reach)
			rung_rgb(ord[a].reach, d->nbudgets, px.rgb);
		if (raster && joined)
			segment(&px, px0 + dx, py0 + dy, x + dx, y + dy);
		else if (!raster && joined)
			cairo_line_to(cr, x, y);
		else if (!raster)
			cairo_move_to(cr, x, y);
		px0 = x;
		py0 = y;
		/* the colour's last: its lines drawn */
		if (!raster && (a + 1 == n || ord[a + 1].reach != ord[a].reach)) {
			rung_colour(cr, ord[a].reach, d->nbudgets, alpha);
			cairo_stroke(cr);
		}
	}
	if (raster)
		cairo_surface_mark_dirty(cairo_get_target(cr));
	/* the points: the furthest on top, or first when many are thinned
	 * (first come wins) */
	struct dots g;
	dots_init(&g, cr, &b, r, n);
	for (size_t k = 0; k < n; k++) {
		size_t a = g.seen ? n - 1 - k : k;
		const struct hpo_plot_point *q = &d->pts[ord[a].i];
		if (k == 0 || ord[a].reach != ord[g.seen ? a + 1 : a - 1].reach) {
			cairo_fill(cr);
			rung_colour(cr, ord[a].reach, d->nbudgets, 0.95);
		}
		dot(&g, b.x + b.w * hpo_scale_map(&xs, q->budget),
		    b.y + b.h * (1 - hpo_scale_map(&ys, q->loss)), r);
	}
	cairo_fill(cr);
	free(g.seen);
	if (d->best != HPO_PLOT_NONE) {
		const struct hpo_plot_point *q = &d->pts[d->best];
		red(cr);
		cairo_set_line_width(cr, 2);
		cairo_arc(cr, b.x + b.w * hpo_scale_map(&xs, q->budget),
			  b.y + b.h * (1 - hpo_scale_map(&ys, q->loss)), r + 4, 0, 2 * M_PI);
		cairo_stroke(cr);
	}
	cairo_restore(cr);
	/* the legend: the colour of the trials that stopped at each rung */
	double lx = b0->x + b0->w - 80, ly = b.y;
	gray(cr, 0.2);
	text(cr, lx, ly, 10, 0, 0, 0, "trials that", 20);
	text(cr, lx, ly + 13, 10, 0, 0, 0, "reached", 20);
	size_t step = d->nbudgets > 16 ? (d->nbudgets + 15) / 16 : 1;
	for (size_t j = 0; j < d->nbudgets; j += step) {
		double y = ly + 34 + 16 * (double)(j / step);
		char num[32];
		rung_colour(cr, j, d->nbudgets, 1);
		cairo_rectangle(cr, lx, y - 4, 14, 8);
		cairo_fill(cr);
		gray(cr, 0.2);
		hpo_plot_fmt(num, sizeof(num), d->budgets[j]);
		text(cr, lx + 20, y, 10, 0, 0.5, 0, num, 12);
	}
	red(cr);
	cairo_set_line_width(cr, 2);
	cairo_new_path(cr);
	cairo_arc(cr, lx + 7, ly + 34 + 16 * (double)((d->nbudgets + step - 1) / step) + 6, 5, 0,
		  2 * M_PI);
	cairo_stroke(cr);
	gray(cr, 0.2);
	text(cr, lx + 20, ly + 34 + 16 * (double)((d->nbudgets + step - 1) / step) + 6, 10, 0, 0.5, 0,
	     "best", 12);
	free(ord);
	free(reach);
}

/* One plot with its title in a box of the surface. */
static void
draw(cairo_t *cr, const struct hpo_plot_data *d, enum hpo_plot_kind k,
     const struct hpo_plot_opts *o, const double *imp, const struct box *cell)
{
	char title[200], sub[200];
	struct box b = {cell->x + 78, cell->y + 58, cell->w - 78 - 24, cell->h - 58 - 52};

	cairo_save(cr);
	cairo_rectangle(cr, cell->x, cell->y, cell->w, cell->h);
	cairo_clip(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	snprintf(title, sizeof(title), "%s: %s", d->name[0] ? d->name : "task", titles[k]);
	if (k == HPO_PLOT_PAIR && d->nparams >= 2) {
		int a, c;
		pair_of(d, o, imp, &a, &c);
		snprintf(title, sizeof(title), "%s: %s and %s", d->name[0] ? d->name : "task",
			 d->params[a].name, d->params[c].name);
	}
	snprintf(sub, sizeof(sub), "task %lld, %s: %zu point%s, %zu finished, %zu failed%s",
		 (long long)d->id, d->status, d->np, d->np == 1 ? "" : "s", d->nok + d->nbad, d->nfailed,
		 k == HPO_PLOT_IMPORTANCE ? "; correlation ratio of the loss ranks, normalised" : "");
	if (k != HPO_PLOT_HISTORY && k != HPO_PLOT_CURVES && k != HPO_PLOT_RUNGS && !isnan(d->rung)) {
		/* the copy of one rung's points (hpo_plot_rung) */
		char num[32];
		size_t len = strlen(sub);
		hpo_plot_fmt(num, sizeof(num), d->rung);
		snprintf(sub + len, sizeof(sub) - len, "; only those at %s = %s", d->budget_name, num);
	}
	gray(cr, 0.05);
	text(cr, cell->x + 16, cell->y + 10, 15, 0, 0, 0, title, 90);
	gray(cr, 0.4);
	text(cr, cell->x + 16, cell->y + 32, 10, 0, 0, 0, sub, 120);
	if (b.w > 40 && b.h > 40) {
		switch (k) {
		case HPO_PLOT_HISTORY: draw_history(cr, d, o, &b); break;
		case HPO_PLOT_PARALLEL: draw_parallel(cr, d, o, &b); break;
		case HPO_PLOT_SLICE: draw_slice(cr, d, o, &(struct box){b.x - 40, b.y, b.w + 40, b.h + 20}); break;
		case HPO_PLOT_PAIR: draw_pair(cr, d, o, imp, &b); break;
		case HPO_PLOT_IMPORTANCE: draw_importance(cr, d, imp, &b); break;
		case HPO_PLOT_CURVES: draw_curves(cr, d, o, &b); break;
		case HPO_PLOT_RUNGS: draw_rungs(cr, d, o, &b); break;
		default: break;
		}
	}
	cairo_restore(cr);
}

/* ---- surfaces --------------------------------------------------------------------------- */

static cairo_status_t
mem_write(void *closure, const unsigned char *data, unsigned int len)
{
	hpo_buf_add(closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

static size_t
count(unsigned mask)
{
	size_t n = 0;

	for (int k = 0; k < HPO_PLOT_NKINDS; k++)
		n += (mask >> k) & 1;
	return n;
}

#define PARAM_PLOTS (1u << HPO_PLOT_PARALLEL | 1u << HPO_PLOT_SLICE | 1u << HPO_PLOT_PAIR | \
		     1u << HPO_PLOT_IMPORTANCE)

/* Draw the plots of mask into m as f. */
static int
render(enum hpo_plot_format f, const struct hpo_plot_data *d, unsigned mask,
       const struct hpo_plot_opts *o, const double *given, struct hpo_buf *m,
       struct hpo_err *err)
{
	size_t n = count(mask), cols = n > 1 ? 2 : 1, rows = (n + cols - 1) / cols;
	double w = o->width, h = o->height;
	double W = f == HPO_FMT_PDF ? w : w * (double)cols, H = f == HPO_FMT_PDF ? h : h * (double)rows;
	cairo_surface_t *s;
	cairo_t *cr;
	size_t i = 0;
	/* importance: for its plot and to choose the pair; computed once, and
	 * only for them (it sorts the points by each parameter) */
	double *imp = NULL;
	/* the plots of parameters draw a multi-fidelity task's top budget */
	struct hpo_plot_data *top = mask & PARAM_PLOTS ? hpo_plot_rung(d) : NULL;

	if (given != NULL) {
		imp = (double *)given;
	} else if (mask & (1u << HPO_PLOT_PAIR | 1u << HPO_PLOT_IMPORTANCE)) {
		imp = xcalloc(d->nparams + 1, sizeof(*imp));
		hpo_plot_importance(d, imp);
	}

	if (f == HPO_FMT_PNG)
		s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)W, (int)H);
	else if (f == HPO_FMT_SVG)
		s = cairo_svg_surface_create_for_stream(mem_write, m, W, H);
	else
		s = cairo_pdf_surface_create_for_stream(mem_write, m, W, H);
	if (f == HPO_FMT_PDF) {
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, d->name);
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "hpo-plot");
	}
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	for (int k = 0; k < HPO_PLOT_NKINDS; k++) {
		if (!((mask >> k) & 1))
			continue;
		struct box cell = {0, 0, w, h};
		if (f != HPO_FMT_PDF) {
			cell.x = w * (double)(i % cols);
			cell.y = h * (double)(i / cols);
		} else if (i > 0) {
			cairo_show_page(cr);
		}
		draw(cr, top != NULL && (1u << k & PARAM_PLOTS) ? top : d, (enum hpo_plot_kind)k, o,
		     imp, &cell);
		i++;
	}
	hpo_plot_data_free(top);
	cairo_status_t cst = cairo_status(cr);
	cairo_destroy(cr);
	if (imp != given)
		free(imp);
	if (cst == CAIRO_STATUS_SUCCESS && f == HPO_FMT_PNG)
		cst = cairo_surface_write_to_png_stream(s, mem_write, m);
	cairo_surface_finish(s);
	if (cst == CAIRO_STATUS_SUCCESS)
		cst = cairo_surface_status(s);
	cairo_surface_destroy(s);
	if (cst != CAIRO_STATUS_SUCCESS)
		return hpo_err_set(err, HPO_E_SYS, "drawing: %s", cairo_status_to_string(cst));
	return 0;
}

/* render into a new malloc'ed block */
static int
render_bytes(enum hpo_plot_format f, const struct hpo_plot_data *d, unsigned mask,
	     const struct hpo_plot_opts *o, const double *imp, unsigned char **buf, size_t *len,
	     struct hpo_err *err)
{
	struct hpo_buf m = {0};

	*buf = NULL;
	*len = 0;
	if (render(f, d, mask, o, imp, &m, err) < 0) {
		hpo_buf_free(&m);
		return -1;
	}
	*len = m.len;
	*buf = (unsigned char *)hpo_buf_take(&m);
	return 0;
}

int
hpo_plot_cairo(enum hpo_plot_format f, const struct hpo_plot_data *d, unsigned mask,
	       const struct hpo_plot_opts *o, unsigned char **buf, size_t *len,
	       struct hpo_err *err)
{
	return render_bytes(f, d, mask, o, NULL, buf, len, err);
}

int
hpo_plot_render(enum hpo_plot_format f, const struct hpo_plot_data *d, enum hpo_plot_kind k,
		const struct hpo_plot_opts *o, const double *imp, unsigned char **buf,
		size_t *len, struct hpo_err *err)
{
	return render_bytes(f, d, 1u << k, o, imp, buf, len, err);
}

void
hpo_plot_finish(void)
{
	cairo_debug_reset_static_data();
}
