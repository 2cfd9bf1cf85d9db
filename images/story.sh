# The seed's story in one boot: the script the shell runs when `make run`
# boots the story image (images/story.manifest).  Each step says what it
# shows, then runs allocstress with the vmm and malloc mode it names; an
# `expect` line says how the next step must end (without one: exit 0).
# The last line powers off with 0 if every step ended as expected, else 1.

echo
echo "== 1. The bug. vmm-bump hands out addresses upward and never takes one back,"
echo "==    like the seed's kernel before the fix; page mode maps a page for every"
echo "==    allocation. The mmap area holds 196,320 pages, so 200,000 allocations"
echo "==    cannot all fit, though each is freed at once: expect OUT OF MEMORY!"
echo "==    after 196,319 of them (one page holds the allocator's own table)."
expect exit -1
vmm=vmm-bump malloc=page allocstress 200000

echo
echo "== 2. The seed's fix. vmm-list keeps the holes munmap leaves in a list"
echo "==    (free_regions) and reuses the first that fits: the same run passes."
vmm=vmm-list malloc=page allocstress 200000

echo
echo "== 3. Beyond the seed. vmm keeps its holes in a tree, each found in"
echo "==    O(log n) however fragmented the area gets: the same run again."
vmm=vmm malloc=page allocstress 200000

echo
echo "== 4. The seed's other fix, in userspace. Chunk mode carves small blocks"
echo "==    out of 64 KiB chunks and maps a chunk only when it needs one, so even"
echo "==    the vmm that never reuses an address serves 2,000,000 allocations."
vmm=vmm-bump malloc=chunk allocstress 2000000

echo
echo "== 5. What each vmm holds now that every program has ended."
free
poweroff
