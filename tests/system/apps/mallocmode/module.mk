# mallocmode: how a program's malloc mode is chosen at start (the
# malloc-mode-* images); pinned-page and pinned-chunk are the same
# program with a pin.  The same sources, so the same objects.
MODULES                 += mallocmode pinned-page pinned-chunk
mallocmode.kind         := program
mallocmode.uses         := libc idl-proc-client
pinned-page.kind    := program
pinned-page.srcs    := $(d)/mallocmode.c
pinned-page.uses    := $(mallocmode.uses)
pinned-page.malloc  := page
pinned-chunk.kind   := program
pinned-chunk.srcs   := $(d)/mallocmode.c
pinned-chunk.uses   := $(mallocmode.uses)
pinned-chunk.malloc := chunk
