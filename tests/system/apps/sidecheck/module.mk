# sidecheck: watches the frames under three processes paged by three vmms
# side by side (vmms-side-by-side) and checks that no two share a range.
MODULES          += sidecheck
sidecheck.kind   := program
sidecheck.uses   := libc idl-kernel-client
