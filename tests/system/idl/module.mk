# Interfaces used only by test programs.
INTERFACES += $(wildcard $(d)/*.idl)
