# bash completion for hpo-submit(1)                        -*- shell-script -*-
#
# Installed as hpo-submit in the bash-completion directory.  The options are
# checked against 'hpo-submit --help' by tests/integration/options.sh.

# _hpo_task_ids DB: the IDs of the tasks in the local database DB, from
# 'hpo-status --local'; nothing when there is no database (so completion
# never creates one) or hpo-status fails.  The same in hpo-status.bash.
_hpo_task_ids()
{
	local db=$1
	if [[ -z $db ]]; then
		if [[ -n $HPO_DB ]]; then
			db=$HPO_DB
		elif [[ $XDG_DATA_HOME == /* ]]; then
			db=$XDG_DATA_HOME/hpo-tools/hpo.db
		else
			db=$HOME/.local/share/hpo-tools/hpo.db
		fi
	fi
	[[ $db == "~/"* ]] && db=$HOME/${db#"~/"}
	[[ -f $db ]] || return 0
	hpo-status --local --db "$db" 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }'
}

_hpo_submit()
{
	local cur prev db= local= i
	local opts='-l --local -r --resume --db --runtime -j --parallel --max-points
		--max-evaluation-jobs --time-limit --refresh-sandbox --seed --load-json
		--nickname -n --no-submit --list-sandbox --dump-task-params --kill --finish --soft --retry
		--new-params --pause --json -q --quiet -v --verbose -h --help -V --version'

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --opt=value: split at '=' by bash (COMP_WORDBREAKS) or not
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--db) [[ ${COMP_WORDS[i + 1]} == = ]] && db=${COMP_WORDS[i + 2]} || db=${COMP_WORDS[i + 1]} ;;
		--db=*) db=${COMP_WORDS[i]#--db=} ;;
		-l | --local) local=1 ;;
		esac
	done

	case $prev in
	--db | --load-json | --dump-task-params | --new-params)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	--runtime)
		mapfile -t COMPREPLY < <(compgen -W 'apptainer singularity podman docker' -- "$cur")
		return 0
		;;
	-r | --resume)
		# a local task with --local; without it a Grid task (not completed)
		[[ -n $local ]] && mapfile -t COMPREPLY < <(compgen -W "$(_hpo_task_ids "$db")" -- "$cur")
		return 0
		;;
	# Grid task IDs are not completed: that would need the network
	-j | --parallel | --max-points | --max-evaluation-jobs | --time-limit | --seed | --nickname | \
		--kill | --finish | --retry | --pause)
		return 0
		;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return 0
	fi
	# TASKFILE
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -F _hpo_submit hpo-submit
