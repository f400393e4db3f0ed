# SPDX-License-Identifier: MIT
# Shell self-test: files in /tmp made, copied, renamed, linked and deleted; find, xargs, sort | uniq -c, wc.
# Run as "/bin/sh /etc/selftest.d/files.sh"; prints "sh-files: PASS" and exits 0 when all hold.
# The checks use on purpose the constructs shellcheck flags here.
# shellcheck disable=SC2002,SC2034,SC2038
. "${0%/*}/check.inc"
t_begin sh-files
d=/tmp/sh-files.$$
rm -rf "$d"
if ! mkdir -p "$d" || ! cd "$d"; then
	echo "sh-files: FAIL cannot use $d"
	exit 1
fi

echo data > a
check create "$( [ -f a ] && cat a)" data
mv a b
check rename "$( [ -e a ] || cat b)" data
cp b c
check copy "$(cat c)" data
rm c
check delete "$( [ -e c ] && echo present || echo gone)" gone
ln -s b soft
check symlink "$(readlink soft) $(cat soft)" "b data"
ln b hard
check hard-link "$(stat -c %h b) $(cat hard)" "2 data"
rm hard
check unlink-link "$(stat -c %h b)" 1

chmod 600 b
check chmod "$(stat -c %a b)" 600
chmod +x b
check chmod-x "$( [ -x b ] && echo x)" x
printf '0123456789' > sized
check size "$(stat -c %s sized) $(wc -c < sized)" "10 10"
ls -l sized > listing
read -r perms links owner group size rest < listing
check ls-l-size "$size" 10
check ls-l-perms "$perms" -rw-r--r--
dd if=/dev/zero of=zeros bs=1024 count=64 2>/dev/null
check dev-zero "$(stat -c %s zeros) $(tr -d '\0' < zeros | wc -c)" "65536 0"
check dev-null "$(cat /dev/null | wc -c)" 0

# sed -i writes a new file and renames it over the old one.
sed -i 's/data/DATA/' b
check sed-in-place "$(cat b)" DATA
check md5sum "$(printf abc | md5sum)" "900150983cd24fb0d6963f7d28e17f72  -"
check sha256sum "$(printf abc | sha256sum | cut -c1-16)" ba7816bf8f01cfea

mkdir -p x/y/z
touch x/f2 x/y/z/f1 x/y/other.txt
check mkdir-p "$( [ -d x/y/z ] && echo yes)" yes
check find-files "$(find x -type f | sort)" "x/f2
x/y/other.txt
x/y/z/f1"
check find-name "$(find . -name 'f*' -type f | sort | xargs echo)" "./x/f2 ./x/y/z/f1"
check find-dirs "$(find x -type d | wc -l)" 3
check xargs-n "$(echo a b c | xargs -n 1 echo | wc -l)" 3
find x -name '*.txt' | xargs rm
check xargs-rm "$(find x -name '*.txt' | wc -l)" 0
check ls-dir "$(ls x)" "f2
y"
rm -r x
check rm-r "$( [ -e x ] && echo present || echo gone)" gone

printf 'b\na\nb\nc\nb\na\n' > words
check wc-l "$(wc -l < words)" 6
check sort-uniq-c "$(sort words | uniq -c | sort -rn | head -n 1 | sed 's/^ *//')" "3 b"
check sort-u "$(sort -u words | tr '\n' ' ')" "a b c "
check uniq-count "$(sort words | uniq | wc -l)" 3
check cut "$(echo a:b:c | cut -d: -f2)" b
check head-tail "$(seq 10 | head -n 4 | tail -n 2 | tr '\n' ' ')" "3 4 "
check grep-c "$(grep -c b words)" 3
check od "$(printf 'AB' | od -An -tx1 | tr -d ' ')" 4142

ls > /dev/null
cd / && rm -rf "$d"
check cleanup "$( [ -e "$d" ] && echo present || echo gone)" gone
t_finish
