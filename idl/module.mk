# idl: the interfaces of the system and idlc, their compiler (a host tool,
# build/host/idlc; idl/README.md is the reference).  Each X.idl here (and
# every other X.idl a module.mk adds to INTERFACES) becomes the modules idl-X-server and idl-X-client
# (mk/modules.mk); a module that uses them includes <idl/X_client.h> or
# <idl/X_server.h>.
INTERFACES += $(wildcard $(d)/*.idl)

MODULES   += idlc
idlc.kind := tool
idlc.inc  := $(d)/idlc/include
idlc.srcs := $(wildcard $(d)/idlc/*.c)
