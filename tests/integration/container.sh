#!/bin/sh
# With --runtime, evaluations run in the evaluation container.  No container
# engine can run on the test machines (Debian has no apptainer; docker and
# podman have no usable engine there), so a stand-in client records the
# command line hpo-submit hands it and runs the command as the runtime would:
# in the working directory bound at the same path.
. "$top_srcdir/tests/lib/tap.sh"
plan 7

mkdir "$T/bin" "$T/task"
cat >"$T/bin/apptainer" <<'SH'
#!/bin/sh
[ "$1" = version ] && { echo "apptainer version 1.3.0"; exit 0; }
printf '%s\n' "$@" > "$RUNTIME_LOG"
# exec --bind DIR:DIR --pwd DIR IMAGE /bin/sh -c COMMAND
[ "$1" = exec ] && [ "$2" = --bind ] && [ "$4" = --pwd ] || exit 99
cd "$5" && shift 6 && exec "$@"
SH
chmod +x "$T/bin/apptainer"
cat >"$T/task/task.yaml" <<'YAML'
evaluation:
  container: docker://registry.example/ml:1
  exec: sh eval.sh
search-space:
  x: {method: fixed, dimension: {value: 1}}
budget: {max-points: 1}
YAML
echo 'echo "{\"status\": 0, \"loss\": 2, \"message\": \"$HPO_POINT_ID\"}" > output.json' > "$T/task/eval.sh"
RUNTIME_LOG=$T/runtime.log
export RUNTIME_LOG
PATH=$T/bin:$PATH hpo-submit --local --runtime apptainer "$T/task/task.yaml" >/dev/null 2>"$T/err"
is "$?" 0 "a task runs with --runtime apptainer"
like "$(cat "$T/err")" "evaluations run in docker://registry.example/ml:1 with apptainer" \
	"hpo-submit says where evaluations run"
dir=$HPO_DB.tasks/1/points/1/attempt-1
ck=$HPO_DB.tasks/1/checkpoints/1
is "$(sed -n '1,6p' "$RUNTIME_LOG" | tr '\n' ' ')" \
	"exec --bind $dir:$dir,$ck:$ck --pwd $dir docker://registry.example/ml:1 " \
	"the working directory and the point's checkpoints are bound at their own paths, the image passed on"
is "$(sed -n '7,8p' "$RUNTIME_LOG" | tr '\n' ' ')" "/bin/sh -c " "the user's command runs under /bin/sh -c in the container"
is "$(hpo-status --local --json | jq -r '.tasks[0].points[0].message')" 1 \
	"the evaluation sees HPO_POINT_ID in the container"

# HPO_CONTAINER_RUNTIME chooses the runtime too; a task without a container is refused
sed -i '/container:/d' "$T/task/task.yaml"
msg=$(PATH=$T/bin:$PATH HPO_CONTAINER_RUNTIME=apptainer hpo-submit --local "$T/task/task.yaml" 2>&1)
is "$?" 13 "a runtime without evaluation.container is an invalid task (exit 13)"
like "$msg" "--runtime apptainer needs evaluation.container" "and says so"
done_testing
