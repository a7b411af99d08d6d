#!/bin/sh
# Add (or replace) one broker user in a Mosquitto password file, reading the password from a file or
# from the environment, never from the command line (where ps and shell history would show it).
#
#   XDOCK_BROKER_PASSWORD_FILE=/run/secrets/edge-d1 ./make-passwd.sh /etc/mosquitto/xdock.passwd edge-d1
#   XDOCK_BROKER_PASSWORD=... ./make-passwd.sh /etc/mosquitto/xdock.passwd central
#
# Mosquitto stores a salted PBKDF2-SHA512 hash, never the password.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 PASSWORD_FILE USER  (password in \$XDOCK_BROKER_PASSWORD_FILE or \$XDOCK_BROKER_PASSWORD)" >&2
    exit 2
fi
passwd_file=$1
user=$2
if [ -n "${XDOCK_BROKER_PASSWORD_FILE:-}" ]; then
    password=$(cat "$XDOCK_BROKER_PASSWORD_FILE")
elif [ -n "${XDOCK_BROKER_PASSWORD:-}" ]; then
    password=$XDOCK_BROKER_PASSWORD
else
    echo "$0: set XDOCK_BROKER_PASSWORD_FILE or XDOCK_BROKER_PASSWORD" >&2
    exit 2
fi
[ -f "$passwd_file" ] || { : > "$passwd_file"; chmod 600 "$passwd_file"; }
# mosquitto_passwd -b would put the password on its command line; feed it to the prompt instead.
printf '%s\n%s\n' "$password" "$password" | mosquitto_passwd "$passwd_file" "$user" > /dev/null
echo "user $user saved in $passwd_file"
