#!/bin/sh
# hpo-status's task cache ($XDG_CACHE_HOME/hpo-tools): a repeat look at known
# Grid tasks asks them in one listing call; the cache is the user's alone,
# written whole, and a damaged, foreign or unusable one costs requests,
# never the answer.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sim.sh"
plan 28

ok "the simulator starts" sim_start --tick 0.02
HPO_NICKNAME=testuser
export HPO_NICKNAME
grid_task cache "" user.testuser.cache.1
a=$(hpo-submit -q "$f")
with_name user.testuser.cache.2
b=$(hpo-submit -q "$f")
with_name user.testuser.cache.3
c=$(hpo-submit -q "$f")
hpo-status --wait --timeout 60 --interval 1 "$a" "$b" "$c" >/dev/null 2>&1
rm -rf "$T/cache"

# requests of one call: "detailed listing relay others"
calls() {
	ctl reset '{"keep_tasks": true}' >/dev/null
	"$@" >"$T/out.json" 2>"$T/err"
	ctl log | jq -r '[([.[] | select(.endpoint == "task/get_detailed_info")] | length),
		([.[] | select(.endpoint == "task/get_tasks_detailed_info_since")] | length),
		([.[] | select(.endpoint == "relay_idds_command")] | length),
		([.[] | select(.endpoint != "task/get_detailed_info" and
			.endpoint != "task/get_tasks_detailed_info_since" and
			.endpoint != "relay_idds_command")] | length)] | join(" ")'
}
dir=$(echo "$T"/cache/hpo-tools)

# --- the first look fills the cache, a repeat look uses it --------------------------
is "$(calls hpo-status --json "$a" "$b" "$c")" "3 0 3 0" "the first look asks each task and its points"
cp "$T/out.json" "$T/first.json"
ok "the cache is made in \$XDG_CACHE_HOME/hpo-tools" test -d "$dir"
sdir=$(echo "$dir"/panda-*)
is "$(stat -c %a "$dir" "$sdir" | sort -u)" 700 "its directories are the user's alone (0700)"
is "$(ls "$sdir" | sort | tr '\n' ' ')" "$a.json $b.json $c.json " "one file a task"
is "$(stat -c %a "$sdir"/*.json | sort -u)" 600 "each 0600"
is "$(jq -r '[.jediTaskID, .listed, (.raw_task_params | type)] | @csv' "$sdir/$b.json")" "$b,true,\"object\"" \
	"an entry holds the task's parameters"
is "$(calls hpo-status --json "$a" "$b" "$c")" "0 1 3 0" "a repeat look: one listing and the points (N+1 requests)"
is "$(jq -S . "$T/out.json")" "$(jq -S . "$T/first.json")" "and the same view"
is "$(ctl 'log?endpoint=task/get_tasks_detailed_info_since' | jq -r '.[-1].params.filters')" \
	"{\"jediTaskID\":\"^($a|$b|$c)\$\"}" "the listing is cut to the tasks by a pattern on their IDs"
is "$(calls hpo-status --json "$b")" "1 0 1 0" "one task alone is asked alone"
is "$(ls -a "$sdir" | grep -c '^\.[0-9]')" 0 "no temporary file is left behind"

# --- a damaged, foreign or misplaced file is ignored and replaced -------------------
printf '{"format": 1, "server": "https://127.0.0.1:1/api/v1", "jediTaskI' >"$sdir/$b.json"
is "$(calls hpo-status --json "$a" "$b" "$c")" "1 1 3 0" "a damaged entry: that task is asked alone"
is "$(jq -S . "$T/out.json")" "$(jq -S . "$T/first.json")" "the view is the same"
is "$(cat "$T/err")" "" "nothing is said"
is "$(jq -r .jediTaskID "$sdir/$b.json")" "$b" "the entry is written anew"
jq '.jediTaskID = 1' "$sdir/$a.json" >"$T/x" && cp "$T/x" "$sdir/$c.json" && chmod 600 "$sdir/$c.json"
chmod 644 "$sdir/$b.json"
is "$(calls hpo-status --json "$a" "$b" "$c")" "3 0 3 0" \
	"an entry of another task, one others may read: ignored (and one known task is asked alone)"
is "$(stat -c %a "$sdir/$b.json"):$(jq -r .jediTaskID "$sdir/$c.json")" "600:$c" "and both replaced"
echo secret >"$T/target"
rm "$sdir/$a.json"
ln -s "$T/target" "$sdir/$a.json"
hpo-status "$a" "$b" >/dev/null 2>&1
is "$(cat "$T/target"):$(test -L "$sdir/$a.json" && echo link || echo file)" "secret:file" \
	"a symbolic link is not followed, but replaced"

# --- known tasks the listing lacks are asked alone, and marked ---------------------
# (their creation put in the future: the listing's window starts after them)
for t in "$a" "$b"; do
	jq '.creationDate = {"__datetime__": "2099-01-01T00:00:00"}' "$sdir/$t.json" >"$T/x" &&
		cat "$T/x" >"$sdir/$t.json"
done
is "$(calls hpo-status --json "$a" "$b")" "2 1 2 0" "known tasks the listing lacks are asked alone"
is "$(jq -S .tasks "$T/out.json")" "$(jq -S '.tasks[:2]' "$T/first.json")" "the view is the same"
is "$(jq -r .listed "$sdir/$a.json" "$sdir/$b.json" | sort -u)" false "they are marked as not listed"
is "$(calls hpo-status --json "$a" "$b")" "2 0 2 0" "and asked alone at once next time"

# --- a cache that cannot be used: one warning, the same answer ---------------------
: >"$T/file"
is "$(export XDG_CACHE_HOME="$T/file/cache"; calls hpo-status --json "$a" "$c")" "2 0 2 0" \
	"a cache directory that cannot be made: every task asked"
is "$(grep -c . "$T/err"):$(grep -c 'task cache is not used' "$T/err")" "1:1" "one warning says so"
is "$(jq -S .tasks "$T/out.json")" "$(jq -S '[.tasks[0], .tasks[2]]' "$T/first.json")" "the view is the same"
if [ "$(id -u)" -eq 0 ]; then
	chown -R nobody "$dir"
	calls hpo-status --json "$a" "$c" >/dev/null
	like "$(cat "$T/err")" "not your directory" "a cache directory of another user is not used"
	chown -R "$(id -u)" "$dir"
else
	echo "ok $((tap_n + 1)) - a cache directory of another user is not used # SKIP needs root"
	tap_n=$((tap_n + 1))
fi
mkdir "$T/home"
(cd "$T" && export XDG_CACHE_HOME=relative HOME="$T/home" && calls hpo-status --json "$a" >/dev/null)
is "$(cat "$T/err"):$(test -e "$T/relative" && echo made):$(ls "$T/home/.cache/hpo-tools" | wc -l)" "::1" \
	"a relative XDG_CACHE_HOME is ignored (the XDG rule): ~/.cache it is"
