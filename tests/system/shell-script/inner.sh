# Run by story: a script inside a script.
echo inner runs
expect exit 1
wait
