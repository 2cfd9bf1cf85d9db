# fair: the roles of the sched-fair image (tests/system/idl/board.idl, work.idl).
MODULES += fair
fair.kind := program
fair.uses := libc idl-board-client idl-board-server idl-work-client idl-work-server
