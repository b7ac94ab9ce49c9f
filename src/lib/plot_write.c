/* plot_write.c - a plot file in the format its name says: PNG, SVG and PDF
 * drawn by plot_cairo.c, the HTML report by plot_html.c (which draws its
 * plots through plot_cairo.c too) */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "file.h"
#include "plot.h"

int
hpo_plot_format_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return -1;
	if (strcasecmp(dot, ".png") == 0)
		return HPO_FMT_PNG;
	if (strcasecmp(dot, ".svg") == 0)
		return HPO_FMT_SVG;
	if (strcasecmp(dot, ".pdf") == 0)
		return HPO_FMT_PDF;
	if (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0)
		return HPO_FMT_HTML;
	return -1;
}

int
hpo_plot_write(const char *path, enum hpo_plot_format f, const struct hpo_plot_data *d,
	       unsigned mask, const struct hpo_plot_opts *o, struct hpo_err *err)
{
	unsigned char *buf;
	size_t len;
	int rc;

	if (f == HPO_FMT_HTML)
		return hpo_plot_html(path, d, mask, o, err);
	if (hpo_plot_cairo(f, d, mask, o, &buf, &len, err) < 0)
		return -1;
	rc = hpo_file_write_atomic(path, buf, len, 0644, err);
	free(buf);
	return rc;
}
