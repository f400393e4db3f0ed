#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Kestrel's adaptation of packetdrill's tcp/common/set_sysctls.py in POSIX sh
# (the guests have no Python; the name is kept so the scripts run unchanged).
# Arguments: PROC-FILE=VALUE... Writes /tmp/sysctl_restore_$PACKETDRILL_PID.sh,
# which puts back each file's value as it was, then writes each new value.
restore="/tmp/sysctl_restore_${PACKETDRILL_PID}.sh"
echo '#!/bin/sh' > "$restore"
for a in "$@"; do
	file=${a%%=*}
	val=${a#*=}
	echo "echo \"$(cat "$file" 2>/dev/null)\" > $file" >> "$restore"
	echo "$val" > "$file"
done
chmod u+x "$restore"
exit 0
