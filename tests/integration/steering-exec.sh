#!/bin/sh
# The user's steering command, run with the iDDS files and placeholders.
. "$top_srcdir/tests/lib/tap.sh"
plan 21

mkdir "$T/task"
cat >"$T/task/steer.sh" <<'SH'
#!/bin/sh
# steer.sh IN OUT NUM MAX: propose x = n, n+1, ... where n is the number of
# points so far; stop after 6 points
in=$1 out=$2 num=$3 max=$4
echo "$num $max" >> "$STEER_LOG"
cp "$in" "$STEER_LOG.last-input"
n=$(grep -o '"x": -*[0-9]' "$in" | wc -l)
if [ "$n" -ge 6 ]; then echo '[]' > "$out"; exit 0; fi
awk -v n="$n" -v num="$num" 'BEGIN {
	printf "["
	for (i = 0; i < num; i++) printf "%s{\"x\": %d}", (i ? ", " : ""), n + i
	print "]"
}' > "$out"
SH
cat >"$T/task/eval.sh" <<'SH'
x=$(tr -d ' \n{}"' < input.json | sed -n 's/^x://p')
echo "{\"status\": 0, \"loss\": $(( (x - 3) * (x - 3) ))}" > output.json
SH
cat >"$T/task/task.yaml" <<'YAML'
evaluation: {exec: sh eval.sh}
steering:
  exec: sh steer.sh %IN %OUT %NUM_POINTS %MAX_POINTS
search-space:
  x: {method: uniformint, dimension: {low: 0, high: 100}}
budget: {max-points: 10, points-per-iteration: 4, parallel-evaluations: 2}
YAML
STEER_LOG=$T/steer.log
export STEER_LOG
hpo-submit --local -q --json "$T/task/task.yaml" >"$T/v.json" 2>"$T/err"
is "$?" 0 "a task steered by the user's command ends done"
is "$(jqr '.tasks[0].status' "$T/v.json")" done "status done"
is "$(jq -c '[.tasks[0].points[].parameters.x]' "$T/v.json")" "[0,1,2,3,4,5,6,7]" \
	"the points are the ones the steering command proposed"
is "$(jqr '.tasks[0].best.parameters.x' "$T/v.json")" 3 "the best point is x = 3"
is "$(head -n 1 "$STEER_LOG")" "4 10" "%NUM_POINTS and %MAX_POINTS are replaced"
is "$(wc -l < "$STEER_LOG" | tr -d ' ')" 3 "steering ran until it returned []"
like "$(jqr '.tasks[0].message' "$T/v.json")" "proposed no more points" "the task says why the search ended"
is "$(jq -c '.points | length' "$STEER_LOG.last-input")" 8 "%IN holds every point so far"
is "$(jq -c '[.points[0][0], .points[0][1], .opt_space.x.method]' "$STEER_LOG.last-input")" \
	'[{"x":0},9,"uniformint"]' "%IN is [[point, loss], ...] with opt_space"

# a steering command that keeps failing ends the search after 3 runs
sed -i 's|exec: sh steer.sh.*|exec: "echo broken >\&2; exit 1 # %OUT"|' "$T/task/task.yaml"
hpo-submit --local -q --json "$T/task/task.yaml" >"$T/v2.json" 2>/dev/null
is "$?" 4 "no points at all: the task fails (exit 4)"
like "$(jqr '.tasks[0].message' "$T/v2.json")" "steering failed 3 times, last: exited with status 1: broken" \
	"the task's message says steering failed 3 times, and the command's last line"

# points that do not fit the search space are a failed steering run
sed -i 's|exec: "echo broken.*|exec: "echo \x27[{\\"y\\": 1}]\x27 > %OUT"|' "$T/task/task.yaml"
hpo-submit --local -q --json "$T/task/task.yaml" >"$T/v3.json" 2>"$T/err3"
like "$(cat "$T/err3" "$T/v3.json")" "output.json: point 1:" "a proposed point outside the space is rejected, named"

# phpo's steeringExec without steeringContainer is the arguments of the
# docker command iDDS runs (docker + steeringExec, %IN and %OUT file names in
# the mounted directory): refused at once without docker or podman ...
msg=$(cd "$top_srcdir/tests/fixtures/taskparams" && hpo-submit --local --load-json minimal.phpo.json 2>&1)
is "$?" 13 "a docker-arguments steeringExec without a runtime is refused (exit 13)"
like "$msg" "hpo-submit: steering.exec 'run --rm -v \"\$(pwd)\":/hpo jdoe/steer python /hpo/steer.py -i...' is the arguments of a docker command" \
	"the refusal says what the command is"
like "$msg" "run it here with --runtime docker or --runtime podman, or give steering.container" \
	"and what to do"
is "$(hpo-status --local --json | jq '.tasks | length')" 3 "no task was created for it"
# ... and run through docker (here a stand-in client) as iDDS runs it
mkdir "$T/bin" "$T/phpo"
cat >"$T/bin/docker" <<'SH'
#!/bin/sh
[ "$1" = info ] && exit 0
printf '%s\n' "$*" >> "$DOCKER_LOG"
[ "$1" = run ] || exit 99
shift
src= dst= wd=
while [ $# -gt 0 ]; do
	case $1 in
	--rm|--init) shift ;;
	-v) src=${2%%:*} dst=${2#*:}; shift 2 ;;
	-w) wd=$2; shift 2 ;;
	--name|--user|-e) shift 2 ;;
	*) break ;;
	esac
done
shift	# the image
[ -n "$wd" ] && cd "$wd"
# the container sees the mounted directory at dst: here it is src
for a; do set -- "$@" "$(printf '%s' "$a" | sed "s|^$dst|$src|")"; shift; done
exec "$@"
SH
chmod +x "$T/bin/docker"
cat >"$T/phpo/steer.sh" <<'SH'
# steer.sh IN OUT NUM: x = 1, 2, ... until 3 points exist
n=$(jq '.points | length' "$1")
[ "$n" -ge 3 ] && { echo '[]' > "$2"; exit 0; }
echo "[{\"x\": $((n + 1))}]" > "$2"
SH
echo 'echo "{\"loss\": $(tr -dc 0-9 < input.json)}" > output.json' >"$T/phpo/eval.sh"
echo '{"x": {"method": "uniformint", "dimension": {"low": 1, "high": 9}}}' >"$T/phpo/space.json"
cat >"$T/phpo/phpo.json" <<'JSON'
{"outDS": "user.jdoe.hpo.docker", "evaluationContainer": "docker://registry.example/train:1",
 "evaluationExec": "sh eval.sh", "searchSpaceFile": "space.json", "maxPoints": 5,
 "nPointsPerIteration": 1,
 "steeringExec": "run --rm -v \"$(pwd)\":/HPOiDDS registry.example/steer:1 sh /HPOiDDS/steer.sh /HPOiDDS/%IN /HPOiDDS/%OUT %NUM_POINTS"}
JSON
DOCKER_LOG=$T/docker.log
export DOCKER_LOG
(cd "$T/phpo" && PATH=$T/bin:$PATH hpo-submit --local --runtime docker --json --load-json phpo.json) \
	>"$T/d.json" 2>"$T/d.err"
is "$?" 0 "with --runtime docker the task runs"
is "$(jq -c '[.tasks[0].status, [.tasks[0].points[].parameters.x], .tasks[0].message]' "$T/d.json")" \
	'["done",[1,2,3],"the steering command proposed no more points"]' \
	"the points are the ones the steering container proposed"
run=$HPO_DB.tasks/4/steering/run-1
is "$(head -n 1 "$DOCKER_LOG")" \
	"run --rm -v $run:/HPOiDDS registry.example/steer:1 sh /HPOiDDS/steer.sh /HPOiDDS/input.json /HPOiDDS/output.json 1" \
	"docker gets the arguments in the run's directory, %IN and %OUT as file names in it"
is "$(grep -c 'registry.example/train:1' "$DOCKER_LOG")" 3 "the evaluations ran through docker too"
(cd "$T/phpo" && hpo-submit --local --load-json phpo.json >/dev/null 2>&1)
is "$?" 13 "the same file without --runtime is refused"
done_testing
