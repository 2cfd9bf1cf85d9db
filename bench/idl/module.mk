# Interfaces used only by benchmark programs.
INTERFACES += $(wildcard $(d)/*.idl)
