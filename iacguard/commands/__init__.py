"""What each command of the command line does, callable without it (tests call these
functions); ``iacguard.cli`` only turns arguments into their requests."""

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
