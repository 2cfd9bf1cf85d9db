# The shell-script test's script: one step of each kind of ending, all as
# expected but the last, which says so; then a bare poweroff, whose status
# is 1 since a step was not as expected.
allocstress 2000000 &
echo the script runs
hello from a script
expect killed
kill 6
expect fault
crash null
expect exit 127
nosuch
expect exit 2
malloc=fast hello
expect exit 1
kill 999
sh inner
free
expect exit 1
hello not as expected
poweroff
echo never
