#!/bin/sh
# The sandbox entry of a run with secrets: sh ags-entry.sh ENV_FILE COMMAND [ARG...]
#
# ags writes the secret values on the host, 0600, into a private directory that is mounted read-only into this
# container only, and starts this script instead of the agent. It exports every NAME=VALUE line of ENV_FILE
# and then becomes COMMAND (exec: same process, so podman's init stays PID 1 and signals reach the agent).
# The values so never pass through podman, whose container spec and state database keep what they are given.
#
# Each value is taken byte for byte: `read -r` with an empty IFS keeps backslashes and blanks, and
# `export "$line"` assigns the text after the first '=' without expansion, globbing or word splitting.
# A value cannot hold a line break or a NUL byte; ags refuses such a value before the run.
# (ags also refuses secret names starting with ags_entry_, the two variables this script uses.)
ags_entry_file=$1
shift
if [ ! -f "$ags_entry_file" ] || [ ! -r "$ags_entry_file" ]; then
  echo "ags: the secrets file $ags_entry_file is missing; the agent is not started" >&2
  exit 126
fi
while IFS= read -r ags_entry_line; do
  export "$ags_entry_line" || exit 126
done <"$ags_entry_file"
unset ags_entry_file ags_entry_line
exec "$@"
