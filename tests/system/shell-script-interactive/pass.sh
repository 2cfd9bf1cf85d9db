# shell-script-interactive's script, named by the boot arguments: every
# step as expected, then a bare poweroff (status 0), which an interactive
# shell reports instead of doing.
echo passing
expect exit 127
nosuch
poweroff
