/* hpo-plot - draw an HPO task's results
 *
 * The task comes as a task view (view.h): from PanDA, from the local
 * database (--local), or from a file that hpo-status --json wrote
 * (--from-json).  The drawing is in the library (plot*.c); this is the
 * option table and the glue.
 */
#include "autoconf.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "file.h"
#include "log.h"
#include "opts.h"
#include "plot.h"
#include "view.h"

/* the exit codes are exitcode.h's: hpo-plot has none of its own */
enum {
	EXIT_OK = HPO_EXIT_OK,
	EXIT_ERROR = HPO_EXIT_ERROR,
	EXIT_USAGE = HPO_EXIT_USAGE,
};

static const char *const usage[] = {
	"[options] (-o FILE | --term) [ID]",
	"--local [options] (-o FILE | --term) [ID]",
	"--from-json FILE [options] (-o FILE | --term) [ID]",
	NULL,
};

enum {
	OPT_LOCAL, OPT_DB, OPT_FROM_JSON, OPT_OUTPUT, OPT_PLOT, OPT_PAIR, OPT_LOG, OPT_SIZE,
	OPT_TERM, OPT_ASCII, OPT_QUIET, OPT_HELP, OPT_VERSION, OPT_END,
};

static const struct hpo_option options[] = {
	[OPT_LOCAL] = HPO_OPTION_LOCAL,
	[OPT_DB] = HPO_OPTION_DB,
	[OPT_FROM_JSON] = {"from-json", 'f', "FILE", "read the task view that hpo-status --json wrote (- for stdin)"},
	[OPT_OUTPUT] = {"output", 'o', "FILE", "write the plots to FILE: .png, .svg, .pdf or .html (the report)"},
	[OPT_PLOT] = {"plot", 'k', "KIND", "history, parallel, slice, pair, importance, curves, rungs or all (default)"},
	[OPT_PAIR] = {"pair", 0, "X,Y", "the parameters of the pair plot (default the two most important)"},
	[OPT_LOG] = {"log", 0, NULL, "draw the loss on a log scale (when every loss is above 0)"},
	[OPT_SIZE] = {"size", 0, "WxH", "size of one plot, pixels or points (default 800x500)"},
	[OPT_TERM] = {"term", 't', NULL, "draw the history and the best point on the terminal"},
	[OPT_ASCII] = {"ascii", 0, NULL, "with --term: ASCII characters only"},
	[OPT_QUIET] = HPO_OPTION_QUIET,
	[OPT_HELP] = HPO_OPTION_HELP,
	[OPT_VERSION] = HPO_OPTION_VERSION,
	[OPT_END] = {NULL, 0, NULL, NULL},
};

static const struct hpo_tool tool = {
	"hpo-plot", usage,
	"Draw an HPO task's results: the optimisation history, parallel coordinates,\n"
	"slices, a pair of parameters, parameter importance, learning curves and the\n"
	"rungs of a multi-fidelity task, as PNG, SVG, PDF or an HTML report, or on the\n"
	"terminal.  The task is a Grid task\n"
	"(ID, default your newest), a local one with --local (default the newest), or\n"
	"a task view file with --from-json (ID needed when it holds several).",
	options,
	NULL,
	(const struct hpo_exitcode[]){
		{1, NULL, "also drawing"},
		{3, NULL, "with --local: no database at the path"},
		{13, NULL, "the --from-json file is not a task view (its place is named)"},
		{0, NULL, NULL},
	},
};

/* The plot data of the task: from a view file, read with no JSON tree
 * (hpo_plot_read); from the local database, read straight into the data;
 * or from PanDA's view (hpo_backend_plot). */
static int
load(int local, const char *db, const char *from, long id, struct hpo_plot_data **d,
     struct hpo_err *err)
{
	struct hpo_backend *b = NULL;
	int64_t *ids = NULL, want = id;
	size_t n = 0;
	int rc = -1;

	*d = NULL;
	if (from != NULL) {
		const char *name = strcmp(from, "-") == 0 ? "stdin" : from;
		char *text = NULL;
		size_t len = 0;
		struct stat sb;
		int fd;
		/* a file mapped (no copy), a pipe read whole; then read from memory */
		if (strcmp(from, "-") != 0 && (fd = open(from, O_RDONLY | O_CLOEXEC)) >= 0) {
			void *m = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0
					  ? mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)
					  : MAP_FAILED;
			close(fd);
			if (m != MAP_FAILED) {
				madvise(m, (size_t)sb.st_size, MADV_SEQUENTIAL);
				rc = hpo_plot_read(name, m, (size_t)sb.st_size, id, d, err);
				munmap(m, (size_t)sb.st_size);
				return rc;
			}
		}
		if (hpo_file_read(strcmp(from, "-") == 0 ? "/dev/stdin" : from, (size_t)1 << 30, &text,
				  &len, err) < 0)
			return -1;
		rc = hpo_plot_read(name, text, len, id, d, err);
		free(text);
		return rc;
	}
	if ((local ? hpo_backend_local(db, &b, err) : hpo_backend_panda(&b, err)) < 0)
		return -1;
	if (want <= 0) {
		struct hpo_task_filter recent = {14, NULL, NULL};
		if (hpo_backend_ids(b, &recent, &ids, &n, err) < 0)
			goto out;
		if (n == 0) {
			hpo_err_set(err, HPO_E_NOTFOUND, local ? "no local task" : "no Grid task of yours in the last 14 days");
			goto out;
		}
		/* the newest: last locally, first from PanDA */
		want = local ? ids[n - 1] : ids[0];
	}
	rc = hpo_backend_plot(b, want, d, err);
out:
	free(ids);
	hpo_backend_free(b);
	return rc;
}

static int
term_columns(void)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;
	long v;

	if (c != NULL && hpo_opts_long(c, 1, 10000, &v) == 0)
		return (int)v;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

int
main(int argc, char **argv)
{
	struct hpo_optstate os = {0};
	const struct hpo_option *o;
	const char *db, *from = NULL, *out = NULL, *pair = NULL;
	struct hpo_common com = {0};
	int local, term = 0, ascii = 0, fmt = -1;
	unsigned mask = 0;	/* 0: all (hpo_plot_all) */
	struct hpo_plot_opts po = {0, {-1, -1}, 800, 500};
	struct hpo_err err = {0};
	struct hpo_plot_data *d = NULL;
	long id = -1;
	int rc = EXIT_ERROR;

	setlocale(LC_CTYPE, "");
	while ((o = hpo_opts_next(&tool, argc, argv, &os)) != NULL) {
		if (o == HPO_OPT_ERROR)
			return EXIT_USAGE;
		if ((rc = hpo_opts_common(&tool, o, &os, &com)) == HPO_OPTS_EXIT)
			return EXIT_OK;
		else if (rc == 1)
			continue;
		switch (o - options) {
		case OPT_FROM_JSON: from = os.arg; break;
		case OPT_OUTPUT:
			out = os.arg;
			if ((fmt = hpo_plot_format_of(out)) < 0) {
				hpo_opts_error(&tool, "--output: '%s' does not end in .png, .svg, .pdf or .html",
					       out);
				return EXIT_USAGE;
			}
			break;
		case OPT_PLOT:
			if (strcmp(os.arg, "all") == 0) {
				mask = 0;
			} else {
				int k = hpo_plot_kind_parse(os.arg);
				if (k < 0) {
					hpo_opts_error(&tool, "--plot: '%s' is not history, parallel, slice, pair, "
						       "importance, curves, rungs or all", os.arg);
					return EXIT_USAGE;
				}
				mask = 1u << k;
			}
			break;
		case OPT_PAIR:
			if (strchr(os.arg, ',') == NULL || strchr(os.arg, ',') == os.arg ||
			    strchr(os.arg, ',')[1] == '\0') {
				hpo_opts_error(&tool, "--pair: '%s' is not two parameter names X,Y", os.arg);
				return EXIT_USAGE;
			}
			pair = os.arg;
			break;
		case OPT_LOG: po.log = 1; break;
		case OPT_SIZE: {
			long w, h;
			char a[16], b[16];
			if (sscanf(os.arg, "%15[0-9]x%15[0-9]", a, b) != 2 ||
			    hpo_opts_long(a, 200, 10000, &w) < 0 || hpo_opts_long(b, 150, 10000, &h) < 0 ||
			    strlen(os.arg) != strlen(a) + 1 + strlen(b)) {
				hpo_opts_error(&tool, "--size: '%s' is not WIDTHxHEIGHT, 200x150 to 10000x10000",
					       os.arg);
				return EXIT_USAGE;
			}
			po.width = (int)w;
			po.height = (int)h;
			break;
		}
		case OPT_TERM: term = 1; break;
		case OPT_ASCII: ascii = 1; break;
		}
	}
	rc = EXIT_ERROR;
	local = com.local;
	db = com.db;
	hpo_log_init(argv[0], com.quiet ? HPO_LOG_QUIET : HPO_LOG_NORMAL);
	if (out == NULL && !term) {
		hpo_opts_error(&tool, "say where to draw: -o FILE or --term");
		return EXIT_USAGE;
	}
	if (ascii && !term) {
		hpo_opts_error(&tool, "--ascii goes with --term");
		return EXIT_USAGE;
	}
	if (db != NULL && !local) {
		hpo_opts_error(&tool, "--db goes with --local");
		return EXIT_USAGE;
	}
	if (from != NULL && local) {
		hpo_opts_error(&tool, "--from-json reads a file: not with --local");
		return EXIT_USAGE;
	}
	if (os.nops > 1) {
		hpo_opts_error(&tool, "one task at a time: '%s' is one too many", os.ops[1]);
		return EXIT_USAGE;
	}
	if (os.nops == 1 && hpo_opts_long(os.ops[0], 1, LONG_MAX, &id) < 0) {
		hpo_opts_error(&tool, "'%s' is not a task id", os.ops[0]);
		return EXIT_USAGE;
	}

	if (load(local, db, from, id, &d, &err) < 0)
		goto fail;
	if (mask == 0)
		mask = hpo_plot_all(d);
	if (pair != NULL) {
		char *x = xstrdup(pair), *y = strchr(x, ',');	/* checked with the options */

		*y++ = '\0';
		po.pair[0] = hpo_plot_param_index(d, x);
		po.pair[1] = hpo_plot_param_index(d, y);
		if (po.pair[0] < 0 || po.pair[1] < 0 || po.pair[0] == po.pair[1]) {
			hpo_opts_error(&tool, "--pair: %s%s%s", po.pair[0] == po.pair[1] && po.pair[0] >= 0
				       ? "two different parameters, not '" : "the task has no parameter '",
				       po.pair[0] < 0 ? x : y, "'");
			free(x);
			rc = EXIT_USAGE;
			goto out;
		}
		free(x);
	}
	if (po.log && !hpo_plot_loss_log(d, &po) && d->nok > 0)
		hpo_warn("--log: some losses are 0 or below: the loss is drawn on a linear scale");
	if (out != NULL && hpo_plot_write(out, (enum hpo_plot_format)fmt, d, mask, &po, &err) < 0)
		goto fail;
	if (term) {
		const char *nc = getenv("NO_COLOR");
		const char *cs = nl_langinfo(CODESET);
		struct hpo_term_opts to = {
			term_columns(),
			!ascii && cs != NULL && strcmp(cs, "UTF-8") == 0,
			isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0'),
			po.log,
		};
		hpo_plot_term(stdout, d, &to);
		if (fflush(stdout) != 0) {
			hpo_err_sys(&err, "stdout");
			goto fail;
		}
	}
	rc = EXIT_OK;
	goto out;
fail:
	fprintf(stderr, "%s: %s\n", tool.name, err.msg);
	rc = hpo_exit_for(&err);
out:
	hpo_plot_data_free(d);
	hpo_plot_finish();
	return rc;
}
