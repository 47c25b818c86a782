"""The test suite: tests.factories builds the inputs, tests.terminal runs the command as a person
does, in a pseudo-terminal or piped."""
