# bash completion for hpo-ckpt(1)                          -*- shell-script -*-
#
# Installed as hpo-ckpt in the bash-completion directory.  The options are
# checked against 'hpo-ckpt --help' by tests/integration/options.sh.

_hpo_ckpt()
{
	local cur prev sub= i
	local opts='-u --url -t --to -f --from -C --directory --keep-archive -k --keep --gzip
		-i --interval --json -q --quiet -v --verbose -h --help -V --version'

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
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
		--) # watch: the command and its arguments
			[[ $i -eq $((COMP_CWORD - 1)) ]] && { mapfile -t COMPREPLY < <(compgen -c -- "$cur"); return 0; }
			compopt -o default 2>/dev/null
			return 0
			;;
		save | load | ls | rm | watch) [[ -z $sub ]] && sub=${COMP_WORDS[i]} ;;
		esac
	done

	case $prev in
	-u | --url | -t | --to | -f | --from | -C | --directory)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0
		;;
	--keep-archive)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	-k | --keep | -i | --interval)
		return 0
		;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return 0
	fi
	case $sub in
	'') mapfile -t COMPREPLY < <(compgen -W 'save load ls rm watch' -- "$cur") ;;
	save | watch)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	ls | rm)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	esac
}

complete -F _hpo_ckpt hpo-ckpt
