# bash completion for hpo-steer(1)                         -*- shell-script -*-
#
# Installed as hpo-steer in the bash-completion directory.  The options are
# checked against 'hpo-steer --help' by tests/integration/options.sh.

_hpo_steer()
{
	local cur prev
	local opts='-a --algorithm -i --in -o --out -n --num-points -m --max-points
		-s --seed --space -S --setting -q --quiet -h --help -V --version'

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

	case $prev in
	-a | --algorithm)
		mapfile -t COMPREPLY < <(compgen -W 'tpe gp cmaes random grid' -- "$cur")
		return 0
		;;
	-i | --in | -o | --out | --space)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	-n | --num-points | -m | --max-points | -s | --seed | -S | --setting)
		return 0
		;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	fi
}

complete -F _hpo_steer hpo-steer
