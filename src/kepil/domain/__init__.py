"""Pure domain: permit workflow, working calendar, IIN/BIN. No framework, no I/O, no clock."""
