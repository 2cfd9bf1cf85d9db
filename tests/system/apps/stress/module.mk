# stress-page, stress-chunk: allocstress (apps/allocstress) with its
# allocator pinned, for the test and benchmark images that must not follow
# MALLOC.  The same sources, so the same objects: apps/ is read first and
# owns them.
MODULES            += stress-page stress-chunk
stress-page.kind   := program
stress-page.srcs   := apps/allocstress/allocstress.c
stress-page.uses   := $(allocstress.uses)
stress-page.malloc := page
stress-chunk.kind   := program
stress-chunk.srcs   := apps/allocstress/allocstress.c
stress-chunk.uses   := $(allocstress.uses)
stress-chunk.malloc := chunk
